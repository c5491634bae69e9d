// Station page: the station and the circle it covers.
(function () {
  "use strict";
  const el = document.getElementById("station-map");
  const centre = [Number(el.dataset.lat), Number(el.dataset.lng)];
  const map = L.map(el).setView(centre, 9);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  L.marker(centre).addTo(map);
  L.circle(centre, { radius: Number(el.dataset.km) * 1000, color: "#27ae60", weight: 1, fillOpacity: 0.08 }).addTo(map);
})();
