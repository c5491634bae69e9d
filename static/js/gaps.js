// Coverage-gap map: stations with their radius (heavily overlapping ones in red), the
// uncovered demand as a heat layer, and the suggested new sites with what each would add.
(function () {
  "use strict";
  const el = document.getElementById("gaps-map");
  const map = L.map(el, { preferCanvas: true }).setView([35, 105], 4);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  const SHOWN = 50; // rows per table; the map shows every overlapping station

  function rows(tbody, items, render) {
    if (!items.length) return;
    const trs = items.slice(0, SHOWN).map((item, i) => {
      const tr = document.createElement("tr");
      render(item, i).forEach((text) => tr.appendChild(cell(text)));
      return tr;
    });
    if (items.length > SHOWN) {
      const tr = document.createElement("tr");
      const td = cell(fill(el.dataset.more, { count: items.length - SHOWN }));
      td.colSpan = tbody.closest("table").querySelectorAll("th").length;
      td.className = "muted";
      tr.appendChild(td);
      trs.push(tr);
    }
    tbody.replaceChildren(...trs);
  }

  function draw(data) {
    const overlapping = new Set(data.overlaps.flatMap((p) => [p.a, p.b]));
    data.stations.forEach((s) => {
      const red = overlapping.has(s.code);
      L.circle([s.lat, s.lng], {
        radius: s.km * 1000, weight: 1, color: red ? "#c0392b" : "#27ae60", fillOpacity: red ? 0.12 : 0.05,
      }).bindTooltip(s.name).addTo(map);
    });
    const most = Math.max(1, ...data.demand.map((d) => d[2]));
    L.heatLayer(data.demand.map((d) => [d[0], d[1], d[2] / most]), { radius: 18, blur: 14, minOpacity: 0.3 }).addTo(map);
    data.suggestions.forEach((s, i) => {
      const label = fill(el.dataset.site, { rank: i + 1 }) + ": " +
        fill(el.dataset.adds, { adds: s.adds, share: Math.round(s.share * 100) });
      L.circle([s.lat, s.lng], { radius: s.radius_km * 1000, color: "#2c3e50", dashArray: "6 4", weight: 2, fill: false })
        .addTo(map);
      L.marker([s.lat, s.lng], { title: label }).bindPopup(label).addTo(map);
    });
    document.getElementById("gaps-totals").textContent = fill(el.dataset.totals, data);
    rows(document.getElementById("gaps-suggestion-rows"), data.suggestions, (s, i) => [
      String(i + 1), s.near ? fill(el.dataset.near, { km: s.near_km, station: s.near }) : "—",
      String(s.adds), Math.round(s.share * 100) + "%",
    ]);
    rows(document.getElementById("gaps-overlap-rows"), data.overlaps, (p) => [
      p.a_name + " · " + p.b_name, fill(el.dataset.km, { km: p.km }), Math.round(p.share * 100) + "%",
    ]);
    if (data.suggestions.length) {
      map.fitBounds(L.latLngBounds(data.suggestions.map((s) => [s.lat, s.lng])).pad(0.5), { maxZoom: 8 });
    }
  }

  fetch(el.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then(draw)
    .catch(() => { document.getElementById("gaps-totals").textContent = el.dataset.failed; });
})();
