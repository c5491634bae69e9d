// The station manager's planning board: map, timeline, unassigned visits, engineers' days
// and the plan job. Reads the board's JSON from the page, changes things through the
// planning API (session cookie + CSRF header) and redraws from GET …/board afterwards.
// Every piece of user text goes into the page with textContent, never as markup.
(function () {
  "use strict";
  const root = document.getElementById("board");
  if (!root) return;
  const T = JSON.parse(root.dataset.strings);
  const SKILLS = JSON.parse(root.dataset.skills);
  const CODE = root.dataset.code;
  const DAY = root.dataset.day;
  const IS_TODAY = root.dataset.today === "true";
  const TIMEZONE = root.dataset.timezone || "Asia/Shanghai";
  const LANG = document.documentElement.lang || "zh-CN";
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const loadedAt = Date.now();
  const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
    "#e377c2", "#7f7f00", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"];

  let data = JSON.parse(document.getElementById("board-data").textContent);
  let view = "draft"; // which plan the map and timeline show when both exist
  let polling = null;

  // --- small helpers ------------------------------------------------------------------------

  function say(key, vars) {
    let text = key.split(".").reduce((o, k) => (o || {})[k], T) || key;
    Object.entries(vars || {}).forEach(([k, v]) => { text = text.split("{" + k + "}").join(String(v)); });
    return text;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined || v === false) return;
      if (k === "class") node.className = v;
      else if (k === "style") node.style.cssText = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    children.flat().forEach((c) => {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  const clock = (iso) => (iso ? iso.slice(11, 16) : "—");
  const minutesOf = (iso) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
  const hm = (minutes) => {
    const m = Math.round(Math.abs(minutes));
    return m >= 60 ? say("hm", { h: Math.floor(m / 60), m: m % 60 }) : say("min", { m });
  };
  const instant = (iso) => new Date(iso).toLocaleTimeString(LANG, { timeZone: TIMEZONE, hour: "2-digit", minute: "2-digit" });

  async function api(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") init.headers["X-CSRFToken"] = CSRF;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
      return { ok: response.ok, status: response.status, body: json };
    } catch (e) {
      return { ok: false, status: 0, body: { message: T.off_line } };
    }
  }

  function messageOf(answer) {
    const body = answer.body || {};
    if (body.message) return body.message;
    const errors = body.errors || {};
    for (const place of Object.values(errors)) {
      for (const messages of Object.values(place || {})) {
        if (Array.isArray(messages) && messages.length) return messages[0];
      }
    }
    return T.error;
  }

  function notice(text, kind) {
    const box = document.getElementById("board-notice");
    box.textContent = text;
    box.className = "flash flash-" + (kind || "info");
    box.hidden = !text;
  }

  // --- the data ------------------------------------------------------------------------------

  const visitsById = () => new Map(data.visits.map((v) => [v.id, v]));
  const engineersById = () => new Map(data.engineers.map((e) => [e.id, e]));
  const colourOf = (engineerId) => {
    const index = data.engineers.findIndex((e) => e.id === engineerId);
    return index < 0 ? "#777" : COLOURS[index % COLOURS.length];
  };
  const nameOf = (engineerId) => {
    const e = engineersById().get(engineerId);
    return e ? e.name : T.nobody;
  };

  function shownPlan() {
    const draft = data.draft && data.draft.status === "draft" ? data.draft : null;
    if (draft && (view === "draft" || !data.published)) return draft;
    return data.published || null;
  }

  function placements(plan) {
    const placed = new Map();
    (plan ? plan.routes : []).forEach((route) => route.stops.forEach((stop, k) => {
      placed.set(stop.visit_id, { engineer: route.engineer_id, order: k + 1, stop });
    }));
    return placed;
  }

  function unassignedOf(plan) {
    if (!plan) return [];
    const placed = placements(plan);
    const listed = new Map(plan.unassigned.map((u) => [u.visit_id, u.reason]));
    const out = [];
    data.visits.forEach((v) => {
      if (placed.has(v.id) || !["scheduled", "en_route", "on_site"].includes(v.status)) return;
      out.push({ visit: v, reason: listed.has(v.id) ? reasonText(listed.get(v.id)) : T.not_in_plan });
    });
    return out;
  }

  const atRisk = (visit, stop) => !stop || stop.start > visit.window[1];

  // The planner's reasons are English sentences naming engineers by key (e-12) and skills by
  // code: said again here in the reader's language, with names.
  function reasonText(reason) {
    const engineer = (key) => nameOf(Number(String(key).replace(/^e-/, "")));
    const skill = (code) => SKILLS[code] || code;
    const rules = [
      [/^the customer's chosen engineer is not working/, () => T.reasons.chosen_absent],
      [/^its engineer is not working/, () => T.reasons.engineer_absent],
      [/^chosen engineer '([^']+)' does not have skill '([^']+)'/, (m) => say("reasons.chosen_skill", { engineer: engineer(m[1]), skill: skill(m[2]) })],
      [/^no engineer with skill '([^']+)'/, (m) => say("reasons.no_skill", { skill: skill(m[1]) })],
      [/^the visit \(([\d.]+) h\) is longer/, (m) => say("reasons.too_long", { hours: m[1] })],
      [/capacity$/, () => T.reasons.capacity],
      [/can get there and back within the shift$/, () => T.reasons.round_trip],
      [/inside its window and be back by the end of the shift$/, () => T.reasons.unreachable],
      [/^no plan was found/, () => T.reasons.no_solution],
      [/^the day of chosen engineer '([^']+)' is full/, (m) => say("reasons.chosen_full", { engineer: engineer(m[1]) })],
      [/^the only engineer/, () => T.reasons.only_full],
      [/^the days of all (\d+) engineers/, (m) => say("reasons.all_full", { n: m[1] })],
    ];
    for (const [pattern, text] of rules) {
      const m = pattern.exec(reason);
      if (m) return text(m);
    }
    return reason;
  }

  // --- the map -------------------------------------------------------------------------------

  const mapBox = document.getElementById("board-map");
  const map = L.map(mapBox, { scrollWheelZoom: false });
  L.tileLayer(root.dataset.tiles, { attribution: root.dataset.attribution, maxZoom: 18 }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  const markers = new Map();
  let fitted = false;

  function pinIcon(text, colour, extra) {
    const dot = el("span", { class: "stop-dot " + (extra || ""), style: "background:" + colour }, text);
    return L.divIcon({ html: dot, className: "stop-icon", iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12] });
  }

  function drawMap() {
    layer.clearLayers();
    markers.clear();
    const home = [data.station.lat, data.station.lng];
    const stationIcon = L.divIcon({ html: el("span", { class: "station-dot" }, T.station.slice(0, 1)),
      className: "stop-icon", iconSize: [30, 30], iconAnchor: [15, 15] });
    L.marker(home, { icon: stationIcon, title: data.station.name, zIndexOffset: 1000 }).addTo(layer)
      .bindTooltip(data.station.name);
    const plan = shownPlan();
    const visits = visitsById();
    const bounds = [home];
    if (plan) {
      plan.routes.forEach((route) => {
        const colour = colourOf(route.engineer_id);
        const line = [home];
        route.stops.forEach((stop, k) => {
          const v = visits.get(stop.visit_id);
          if (!v) return;
          line.push([v.lat, v.lng]);
          addVisitMarker(v, String(k + 1), colour, atRisk(v, stop) ? "risk" : "", route.engineer_id, stop);
        });
        line.push(home);
        if (line.length > 2) L.polyline(line, { color: colour, weight: 3, opacity: 0.8, className: "route-line" }).addTo(layer);
      });
      unassignedOf(plan).forEach(({ visit }) => addVisitMarker(visit, "!", "#666", "unassigned", visit.engineer_id, null));
    } else {
      data.visits.forEach((v) => addVisitMarker(v, "·", colourOf(v.engineer_id), "unplanned", v.engineer_id, null));
    }
    data.visits.forEach((v) => bounds.push([v.lat, v.lng]));
    if (!fitted) {
      if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
      else map.setView(home, 11);
      fitted = true;
    }
  }

  function addVisitMarker(visit, text, colour, extra, engineerId, stop) {
    const marker = L.marker([visit.lat, visit.lng], { icon: pinIcon(text, colour, extra), title: visit.customer })
      .addTo(layer);
    marker.bindPopup(() => visitCard(visit, engineerId, stop), { maxWidth: 300, minWidth: 240 });
    markers.set(visit.id, marker);
  }

  function openVisit(visitId) {
    const marker = markers.get(visitId);
    if (!marker) return;
    if (window.matchMedia("(max-width: 1000px)").matches) mapBox.scrollIntoView({ behavior: "smooth", block: "start" });
    map.panTo(marker.getLatLng());
    marker.openPopup();
  }

  // --- one visit: what it is, and moving or pinning it ----------------------------------------

  function visitCard(visit, engineerId, stop) {
    const error = el("p", { class: "field-error", role: "alert", hidden: true });
    const fail = (answer) => { error.textContent = messageOf(answer); error.hidden = false; };
    const badges = el("p", { class: "badges" },
      visit.pinned ? el("span", { class: "badge pinned" }, "◆ " + T.pinned) : null,
      visit.chosen ? el("span", { class: "badge chosen" }, "★ " + T.chosen) : null,
      stop !== undefined && atRisk(visit, stop) ? el("span", { class: "badge risk" }, T.at_risk) : null);
    const card = el("div", { class: "visit-card", "data-visit": visit.id },
      el("h3", {}, visit.customer),
      el("dl", {},
        el("dt", {}, T.address), el("dd", {}, visit.address),
        el("dt", {}, T.problem), el("dd", {}, (SKILLS[visit.skill] || visit.skill) + " · " + visit.problem),
        el("dt", {}, T.window), el("dd", {}, clock(visit.window[0]) + "–" + clock(visit.window[1])),
        el("dt", {}, T.planned), el("dd", { class: "planned" }, stop ? clock(stop.start) : T.not_planned),
        el("dt", {}, T.engineer), el("dd", {}, nameOf(engineerId)),
        el("dt", {}, T.status), el("dd", {}, T.statuses[visit.status] || visit.status)),
      badges);
    if (visit.status !== "scheduled") return card;

    const others = data.engineers.filter((e) => e.on_duty && e.id !== engineerId && e.skills.includes(visit.skill));
    if (visit.chosen) {
      card.appendChild(el("p", { class: "muted" }, T.chosen_stays));
    } else if (!others.length) {
      card.appendChild(el("p", { class: "muted" }, T.no_other_engineer));
    } else {
      const select = el("select", { class: "move-select", "aria-label": T.move_to },
        others.map((e) => el("option", { value: e.id }, e.name)));
      card.appendChild(el("div", { class: "card-row" },
        el("label", {}, T.move_to, select),
        el("button", { type: "button", class: "move-button", onclick: async () => {
          const to = Number(select.value);
          const answer = await api("PUT", `/api/visits/${visit.id}/pin`, { engineer_id: to });
          if (!answer.ok) return fail(answer);
          map.closePopup();
          notice(say("moved", { visit: visit.customer, engineer: nameOf(to) }), "info");
          reload();
        } }, T.move)));
    }
    const when = el("input", { type: "time", class: "pin-time", value: stop ? clock(stop.start) : clock(visit.window[0]),
      "aria-label": T.pin_time });
    card.appendChild(el("div", { class: "card-row" }, when,
      el("button", { type: "button", class: "secondary pin-button", onclick: async () => {
        const who = engineerId || visit.engineer_id;
        if (!who || !when.value) return fail({ body: {} });
        const answer = await api("PUT", `/api/visits/${visit.id}/pin`, { engineer_id: who, start: `${DAY}T${when.value}:00` });
        if (!answer.ok) return fail(answer);
        map.closePopup();
        notice(say("pinned_at", { visit: visit.customer, time: when.value }), "info");
        reload();
      } }, T.pin_time),
      visit.pinned ? el("button", { type: "button", class: "link unpin-button", onclick: async () => {
        const answer = await api("DELETE", `/api/visits/${visit.id}/pin`);
        if (!answer.ok) return fail(answer);
        map.closePopup();
        notice(say("unpinned", { visit: visit.customer }), "info");
        reload();
      } }, T.unpin) : null));
    card.appendChild(error);
    return card;
  }

  // --- the timeline ----------------------------------------------------------------------------

  function timeRange(plan) {
    let lo = 8 * 60, hi = 18 * 60;
    data.engineers.forEach((e) => { if (e.shift) { lo = Math.min(lo, minutesOf(e.shift[0])); hi = Math.max(hi, minutesOf(e.shift[1])); } });
    data.visits.forEach((v) => { lo = Math.min(lo, minutesOf(v.window[0])); hi = Math.max(hi, minutesOf(v.window[1])); });
    (plan ? plan.routes : []).forEach((r) => { lo = Math.min(lo, minutesOf(r.depart)); hi = Math.max(hi, minutesOf(r.return)); });
    return [Math.floor(lo / 60) * 60, Math.min(24 * 60, Math.ceil(hi / 60) * 60)];
  }

  function drawTimeline() {
    const box = document.getElementById("timeline");
    box.replaceChildren();
    const plan = shownPlan();
    const [lo, hi] = timeRange(plan);
    const at = (m) => ((Math.max(lo, Math.min(hi, m)) - lo) / (hi - lo)) * 100;
    const span = (a, b) => `left:${at(a)}%;width:${Math.max(0.4, at(b) - at(a))}%`;
    const visits = visitsById();
    const now = IS_TODAY ? minutesOf(root.dataset.now) + (Date.now() - loadedAt) / 60000 : null;
    const nowLine = () => (now !== null && now > lo && now < hi
      ? el("div", { class: "tl-now", style: `left:${at(now)}%`, title: T.now }) : null);

    const scale = el("div", { class: "tl-track tl-scale" });
    for (let m = lo; m <= hi; m += 60) {
      scale.appendChild(el("span", { class: "tl-hour", style: `left:${at(m)}%` }, String(m / 60).padStart(2, "0") + ":00"));
    }
    const mark = nowLine();
    if (mark) scale.appendChild(el("span", { class: "tl-now-label", style: `left:${at(now)}%` }, T.now));
    box.appendChild(el("div", { class: "tl-row tl-head" }, el("div", { class: "tl-label" }), scale));

    const routes = new Map((plan ? plan.routes : []).map((r) => [r.engineer_id, r]));
    data.engineers.forEach((e) => {
      const colour = colourOf(e.id);
      const route = routes.get(e.id);
      const track = el("div", { class: "tl-track" });
      if (e.shift) track.appendChild(el("div", { class: "tl-shift", style: span(minutesOf(e.shift[0]), minutesOf(e.shift[1])), title: T.shift + " " + clock(e.shift[0]) + "–" + clock(e.shift[1]) }));
      if (route) {
        let from = minutesOf(route.depart);
        route.stops.forEach((stop) => {
          track.appendChild(el("div", { class: "tl-travel", style: span(from, minutesOf(stop.arrival)), title: T.travel }));
          from = minutesOf(stop.end);
        });
        if (route.stops.length) track.appendChild(el("div", { class: "tl-travel", style: span(from, minutesOf(route.return)), title: T.travel }));
        if (route.break) track.appendChild(el("div", { class: "tl-break", style: span(minutesOf(route.break.start), minutesOf(route.break.end)), title: T.break + " " + clock(route.break.start) + "–" + clock(route.break.end) }, T.break));
        route.stops.forEach((stop, k) => {
          const v = visits.get(stop.visit_id);
          if (v) track.appendChild(visitBlock(v, k + 1, stop, colour, span(minutesOf(stop.start), minutesOf(stop.end))));
        });
      } else if (!plan) {
        // Nothing planned: each booking over its window, side by side when windows coincide.
        const mine = data.visits.filter((v) => v.engineer_id === e.id);
        const lanes = new Map();
        mine.forEach((v) => lanes.set(v.window[0], (lanes.get(v.window[0]) || 0) + 1));
        const depth = Math.max(1, ...lanes.values());
        track.style.height = Math.max(2.2, depth * 1.2 + 0.4) + "rem";
        const used = new Map();
        mine.forEach((v) => {
          const lane = used.get(v.window[0]) || 0;
          used.set(v.window[0], lane + 1);
          const place = `;top:calc(.2rem + ${lane} * 1.2rem);height:1.1rem;bottom:auto;line-height:1.1rem`;
          track.appendChild(visitBlock(v, "", null, colour, span(minutesOf(v.window[0]), minutesOf(v.window[1])) + place));
        });
      }
      const line = nowLine();
      if (line) track.appendChild(line);
      if (!e.on_duty) track.appendChild(el("div", { class: "tl-off" }, e.absent ? T.absent : T.day_off));
      const sub = !e.on_duty ? (e.absent ? T.absent : T.day_off)
        : (e.shift ? clock(e.shift[0]) + "–" + clock(e.shift[1]) : "") + (route ? " · " + T.travel + " " + hm(route.travel_minutes) : "");
      box.appendChild(el("div", { class: "tl-row" + (e.on_duty ? "" : " off"), "data-engineer": e.id },
        el("div", { class: "tl-label" }, el("i", { class: "swatch", style: "background:" + colour }),
          el("span", { class: "tl-name" }, e.name), el("small", { class: "muted" }, sub)),
        track));
    });
  }

  function visitBlock(visit, order, stop, colour, style) {
    const risk = atRisk(visit, stop);
    const label = (order ? order + " " : "") + (visit.pinned ? "◆" : "") + (visit.chosen ? "★" : "") + visit.customer;
    const title = [visit.customer, clock(visit.window[0]) + "–" + clock(visit.window[1]),
      T.planned + " " + (stop ? clock(stop.start) : T.not_planned), risk ? T.at_risk : null,
      visit.pinned ? T.pinned : null, visit.chosen ? T.chosen : null].filter(Boolean).join(" · ");
    return el("button", { type: "button", class: "tl-visit" + (risk ? " risk" : "") + (visit.pinned ? " pinned" : "") + (visit.chosen ? " chosen" : "") + (stop ? "" : " unplanned"),
      style: style + ";--engineer:" + colour, title, "data-visit": visit.id, onclick: () => openVisit(visit.id) }, label);
  }

  // --- unassigned visits ---------------------------------------------------------------------

  function drawUnassigned() {
    const list = document.getElementById("unassigned");
    list.replaceChildren();
    const plan = shownPlan();
    const rows = unassignedOf(plan);
    document.getElementById("unassigned-count").textContent = plan ? rows.length : "—";
    if (!plan) {
      list.appendChild(el("li", { class: "muted" }, T.no_plan));
      return;
    }
    if (!rows.length) list.appendChild(el("li", { class: "muted" }, T.unassigned_none));
    rows.forEach(({ visit, reason }) => list.appendChild(el("li", { "data-visit": visit.id },
      el("button", { type: "button", class: "link", onclick: () => openVisit(visit.id) }, visit.customer),
      " · " + clock(visit.window[0]) + "–" + clock(visit.window[1]) + " · " + (SKILLS[visit.skill] || visit.skill),
      visit.chosen ? " · ★ " + nameOf(visit.engineer_id) : "",
      el("br"), el("span", { class: "reason" }, reason))));
  }

  // --- the draft beside the published plan --------------------------------------------------------

  function drawCompare() {
    const box = document.getElementById("compare");
    const draft = data.draft && data.draft.status === "draft" ? data.draft : null;
    box.hidden = !draft;
    if (!draft) return;
    const published = data.published;
    const visits = visitsById();
    const who = (id) => (visits.get(id) || { customer: "#" + id }).customer;
    const cell = (v) => el("td", {}, v === null || v === undefined ? "—" : String(v));
    document.getElementById("compare-figures").replaceChildren(
      el("tr", {}, el("th", {}, T.served), cell(published && published.assigned), cell(draft.assigned)),
      el("tr", {}, el("th", {}, T.not_served), cell(published && published.unassigned_count), cell(draft.unassigned_count)),
      el("tr", {}, el("th", {}, T.travel_total), cell(published && hm(published.travel_minutes)), cell(hm(draft.travel_minutes))));
    const c = draft.changes || { moved: [], eta_changed: [], newly_served: [], dropped: [], travel_saved_seconds: null };
    const group = (title, items) => items.length ? el("div", { class: "change-group" },
      el("h3", {}, title + " (" + items.length + ")"), el("ul", {}, items.map((t) => el("li", {}, t)))) : null;
    const saved = c.travel_saved_seconds;
    const parts = [
      saved ? el("p", { class: saved > 0 ? "result ok" : "result warn" }, say(saved > 0 ? "saved" : "added", { t: hm(saved / 60) })) : null,
      group(T.moved_list, c.moved.map((m) => who(m.visit) + ": " + nameOf(m.from) + " → " + nameOf(m.to))),
      group(T.eta_list, c.eta_changed.map((m) => who(m.visit) + ": " + clock(m.from) + " → " + clock(m.to))),
      group(T.newly_list, c.newly_served.map((id) => who(id))),
      group(T.dropped_list, c.dropped.map((d) => who(d.visit) + " — " + reasonText(d.reason))),
    ].filter(Boolean);
    document.getElementById("compare-changes").replaceChildren(...(parts.length ? parts : [el("p", { class: "muted" }, T.no_changes)]));
    box.querySelector(".view-switch").hidden = !published;
    box.querySelectorAll("[data-view]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.view === (published ? view : "draft"))));
  }

  function drawStates() {
    const p = data.published;
    document.getElementById("published-state").textContent = p
      ? say("published_at", { time: instant(p.published_at) }) + " · " + T.served + " " + p.assigned + " · " + T.travel_total + " " + hm(p.travel_minutes)
      : T.no_published;
    const plan = shownPlan();
    document.getElementById("view-state").textContent = !plan ? T.showing_bookings
      : plan === data.published ? T.showing_published : T.showing_draft;
    document.querySelectorAll(".swatch[data-engineer]").forEach((s) => { s.style.background = colourOf(Number(s.dataset.engineer)); });
    data.engineers.forEach((e) => {
      const status = document.querySelector(`#day-${e.id} .day-status`);
      if (status) status.textContent = e.absent ? T.absent : (e.on_duty ? "" : T.day_off);
    });
  }

  function drawAll() {
    drawMap();
    drawTimeline();
    drawUnassigned();
    drawCompare();
    drawStates();
  }

  async function reload() {
    const answer = await api("GET", `/api/stations/${CODE}/board?date=${DAY}`);
    if (!answer.ok) return notice(messageOf(answer), "error");
    data = answer.body;
    drawAll();
    return null;
  }

  // --- planning and publishing -----------------------------------------------------------------

  const planButton = document.getElementById("plan-button");
  const progress = document.getElementById("plan-progress");
  const bar = document.getElementById("plan-progress-bar");
  const state = document.getElementById("plan-state");

  function showJob(plan) {
    const running = plan.status === "queued" || plan.status === "running";
    progress.hidden = !running;
    planButton.disabled = running;
    const pct = Math.round((plan.progress || 0) * 100);
    bar.style.width = pct + "%";
    progress.setAttribute("aria-valuenow", pct);
    state.className = "plan-state" + (plan.status === "failed" ? " result error" : "");
    state.textContent = plan.status === "queued" ? T.queued
      : plan.status === "running" ? say("running", { pct: pct + "%" })
        : plan.status === "failed" ? say("failed", { error: plan.error || T.error }) : "";
  }

  async function follow(plan) {
    showJob(plan);
    if (plan.status === "queued" || plan.status === "running") {
      polling = setTimeout(async () => {
        const answer = await api("GET", `/api/plans/${plan.id}`);
        if (!answer.ok) { planButton.disabled = false; progress.hidden = true; return notice(messageOf(answer), "error"); }
        return follow(answer.body);
      }, 1000);
      return;
    }
    view = plan.status === "draft" ? "draft" : "published";
    await reload();
    if (plan.status === "draft") document.getElementById("compare").scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  planButton.addEventListener("click", async () => {
    clearTimeout(polling);
    notice("");
    planButton.disabled = true;
    showJob({ status: "queued", progress: 0 });
    const answer = await api("POST", `/api/stations/${CODE}/plans`, { date: DAY });
    if (!answer.ok) {
      planButton.disabled = false;
      progress.hidden = true;
      state.textContent = "";
      notice(messageOf(answer), "error");
      if (answer.status === 409) reload().then(resume);
      return;
    }
    follow(answer.body);
  });

  document.getElementById("publish-button").addEventListener("click", async (event) => {
    const draft = data.draft;
    if (!draft) return;
    event.target.disabled = true;
    const answer = await api("POST", `/api/plans/${draft.id}/publish`);
    event.target.disabled = false;
    if (!answer.ok) return notice(messageOf(answer), "error");
    view = "published";
    notice(T.publish_done, "info");
    await reload();
    return null;
  });

  document.querySelectorAll(".view-switch [data-view]").forEach((button) => button.addEventListener("click", () => {
    view = button.dataset.view;
    drawAll();
  }));

  function resume() {
    if (data.draft && (data.draft.status === "queued" || data.draft.status === "running")) follow(data.draft);
    else if (data.draft && data.draft.status === "failed") showJob(data.draft);
  }

  // --- engineers' days -------------------------------------------------------------------------

  function fieldError(form, name, text) {
    const input = form.elements[name];
    let p = form.querySelector(`[data-error-for="${name}"]`);
    if (!p) {
      p = el("p", { class: "field-error", "data-error-for": name });
      input.closest("label").appendChild(p);
    }
    p.textContent = text;
    p.hidden = !text;
    input.setAttribute("aria-invalid", text ? "true" : "false");
  }

  document.querySelectorAll("form.engineer-day").forEach((form) => {
    const initial = { start: form.elements.break_start.value, minutes: form.elements.break_minutes.value };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = form.elements;
      ["shift_start", "shift_end", "break_start", "break_minutes"].forEach((n) => fieldError(form, n, ""));
      const general = form.querySelector('[data-error-for="form"]');
      general.hidden = true;
      const saved = form.querySelector(".saved");
      saved.textContent = "";
      const body = { absent: f.absent.checked };
      if (f.shift_start.value || f.shift_end.value) {
        body.shift_start = f.shift_start.value || null;
        body.shift_end = f.shift_end.value || null;
      }
      const minutes = f.break_minutes.value === "" ? null : Number(f.break_minutes.value);
      if (minutes === 0) body.break_minutes = 0;
      // The usual lunch break floats inside its window; send a start only when the break
      // was fixed already or the manager changed it.
      const changed = f.break_start.value !== initial.start || f.break_minutes.value !== initial.minutes;
      if (minutes !== 0 && f.break_start.value && (form.dataset.breakFixed === "true" || changed)) {
        body.break_start = f.break_start.value;
        body.break_minutes = minutes;
      }
      const answer = await api("PUT", `/api/stations/${CODE}/engineers/${form.dataset.engineer}/day?date=${DAY}`, body);
      if (!answer.ok) {
        const fields = ((answer.body || {}).errors || {}).json || {};
        let placed = false;
        Object.entries(fields).forEach(([name, messages]) => {
          if (f[name]) { fieldError(form, name, [].concat(messages)[0]); placed = true; }
        });
        if (!placed) { general.textContent = messageOf(answer); general.hidden = false; }
        return;
      }
      if (body.break_start) form.dataset.breakFixed = "true";
      if (minutes === 0) form.dataset.breakFixed = "false";
      initial.start = f.break_start.value;
      initial.minutes = f.break_minutes.value;
      saved.textContent = T.saved_day;
      reload();
    });
  });

  drawAll();
  resume();
  if (IS_TODAY) setInterval(drawTimeline, 60000);
})();
