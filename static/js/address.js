// The address picker (templates/_address.html): words to a point through /api/geocode, a pin
// to drag to the door, "use my location". The point goes in hidden fields; nobody types it.
(function () {
  "use strict";
  const ZOOM = { address: 16, county: 12, city: 10, province: 7 };

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  }

  function picker(root) {
    const form = root.closest("form");
    const text = root.querySelector("input[name$='address_text'], input[name='text']");
    const lat = root.querySelector("input[name='lat']");
    const lng = root.querySelector("input[name='lng']");
    const status = root.querySelector(".picker-status");
    const saved = root.querySelector("[data-action='saved']");
    const mapEl = root.querySelector(".picker-map");
    const map = L.map(mapEl).setView([35.0, 105.0], 4);
    L.tileLayer(root.dataset.tiles, { attribution: root.dataset.attribution, maxZoom: 18 }).addTo(map);
    let marker = null;

    function say(message, kind) {
      status.textContent = message;  // never innerHTML: labels are data
      status.className = `hint picker-status ${kind || ""}`;
    }

    function place(latitude, longitude, zoom) {
      lat.value = Number(latitude).toFixed(6);
      lng.value = Number(longitude).toFixed(6);
      if (!marker) {
        marker = L.marker([latitude, longitude], { draggable: true, autoPan: true }).addTo(map);
        marker.on("dragend", () => {
          const p = marker.getLatLng();
          place(p.lat, p.lng);
          say(root.dataset.placed, "ok");
        });
      } else {
        marker.setLatLng([latitude, longitude]);
      }
      if (zoom) map.setView([latitude, longitude], zoom);
      root.dataset.placedAt = `${lat.value},${lng.value}`;
    }

    async function find() {
      const query = text.value.trim();
      if (query.length < 2) { text.focus(); return; }
      const response = await fetch(`${root.dataset.geocode}?q=${encodeURIComponent(query)}`,
                                   { headers: { Accept: "application/json" } });
      if (!response.ok) { say(root.dataset.notfound, "warn"); return; }
      const found = await response.json();
      place(found.lat, found.lng, ZOOM[found.precision] || 12);
      const template = found.precision === "address" ? root.dataset.foundExact : root.dataset.foundNear;
      say(fill(template, { label: found.label }), found.precision === "address" ? "ok" : "warn");
    }

    root.querySelector("[data-action='find']").addEventListener("click", find);
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !lat.value) { event.preventDefault(); find(); }
    });
    text.addEventListener("input", () => {  // new words: the old pin no longer stands for them
      lat.value = ""; lng.value = "";
      if (saved) saved.value = "";
    });
    const locate = root.querySelector("[data-action='locate']");  // not on the call centre's pages
    if (locate) {
      locate.addEventListener("click", () => {
        if (!navigator.geolocation) { say(root.dataset.nolocation, "warn"); return; }
        navigator.geolocation.getCurrentPosition(
          (pos) => { place(pos.coords.latitude, pos.coords.longitude, 16); say(root.dataset.placed, "ok"); },
          () => say(root.dataset.nolocation, "warn"));
      });
    }
    map.on("click", (event) => { place(event.latlng.lat, event.latlng.lng); say(root.dataset.placed, "ok"); });
    if (saved) {
      saved.addEventListener("change", () => {
        const option = saved.selectedOptions[0];
        if (!option.value) return;
        text.value = option.dataset.text;
        place(option.dataset.lat, option.dataset.lng, 16);
        say(root.dataset.placed, "ok");
      });
    }
    if (lat.value && lng.value) place(lat.value, lng.value, 15);
    else if (text.value.trim().length >= 2) find();
    if (form) form.addEventListener("submit", () => { if (!lat.value && marker) place(marker.getLatLng().lat, marker.getLatLng().lng); });
  }

  document.querySelectorAll(".address-picker").forEach(picker);
})();
