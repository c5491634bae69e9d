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
