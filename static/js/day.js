// The engineer's day on a map: the station, the visits in route order, the way between.
(function () {
  "use strict";
  const el = document.getElementById("day-map");
  const home = JSON.parse(el.dataset.home);
  const stops = JSON.parse(el.dataset.stops);
  const map = L.map(el).setView([home.lat, home.lng], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  const path = [[home.lat, home.lng]];
  L.circleMarker([home.lat, home.lng], { radius: 7, color: "#c0392b" }).addTo(map);
  for (const s of stops) {
    L.marker([s.lat, s.lng]).bindTooltip(s.label, { permanent: true, direction: "top" }).addTo(map);
    path.push([s.lat, s.lng]);
  }
  path.push([home.lat, home.lng]);
  if (stops.length) {
    L.polyline(path, { color: "#2e86c1", weight: 3 }).addTo(map);
    map.fitBounds(L.latLngBounds(path).pad(0.2));
  }
})();

// The completion code: digits only, and the hint says what completing will do with or
// without it (the page works the same without this script).
(function () {
  "use strict";
  for (const input of document.querySelectorAll("input.completion-code")) {
    const hint = document.getElementById(input.getAttribute("aria-describedby"));
    const update = function () {
      input.value = input.value.replace(/\D/g, "");
      if (hint) hint.textContent = input.value ? hint.dataset.withCode : hint.dataset.withoutCode;
    };
    input.addEventListener("input", update);
  }
})();
