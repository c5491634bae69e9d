// Home page: find the stations that cover an address, on a map of the whole network.
(function () {
  "use strict";
  const mapEl = document.getElementById("map");
  const result = document.getElementById("coverage-result");
  const list = document.getElementById("covering-list");
  const input = document.getElementById("address");
  const choose = document.getElementById("choose-link");

  const map = L.map(mapEl, { preferCanvas: true }).setView([35.0, 105.0], 4);
  L.tileLayer(mapEl.dataset.tiles, { attribution: mapEl.dataset.attribution, maxZoom: 18 }).addTo(map);
  const stationLayer = L.layerGroup().addTo(map);
  const pointLayer = L.layerGroup().addTo(map);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
  }

  function text(el, value) { el.textContent = value; }  // never innerHTML: names are data

  fetch("/api/stations").then((r) => r.json()).then((stations) => {
    mapEl.dataset.stations = stations.length;
    for (const s of stations) {
      L.circleMarker([s.lat, s.lng], { radius: 3, color: "#c0392b", weight: 1, fillOpacity: 0.6 })
        .bindTooltip(s.name).addTo(stationLayer);
    }
  });

  let label = "";  // the address words the point came from, carried to the booking

  async function checkPoint(lat, lng, words) {
    label = words || "";
    const response = await fetch(`/api/stations/covering?lat=${lat}&lng=${lng}`);
    const body = await response.json();
    pointLayer.clearLayers();
    list.replaceChildren();
    choose.hidden = true;
    if (!response.ok) {
      const fields = Object.entries((body.errors && body.errors.query) || {})
        .map(([field, reasons]) => `${field}: ${reasons.join(" ")}`);
      text(result, `${result.dataset.invalid} ${fields.join("; ")}`);
      result.className = "result error";
      return;
    }
    L.marker([lat, lng]).addTo(pointLayer);
    for (const s of body.stations) {
      L.circle([s.lat, s.lng], { radius: s.coverage_km * 1000, color: "#27ae60", weight: 1, fillOpacity: 0.08 })
        .addTo(pointLayer);
      const item = document.createElement("li");
      text(item, fill(result.dataset.item, { name: s.name, place: `${s.province} ${s.city}`, km: s.distance_km.toFixed(1) }));
      list.appendChild(item);
    }
    const nearest = body.nearest;
    if (!nearest) {
      text(result, result.dataset.none);
    } else if (body.stations.length) {
      const wording = body.stations.length === 1 ? result.dataset.coveredOne : result.dataset.covered;
      text(result, fill(wording, { count: body.stations.length, name: nearest.name, km: nearest.distance_km.toFixed(1) }));
      result.className = "result ok";
      const address = label ? `&address=${encodeURIComponent(label)}` : "";
      choose.href = `${choose.pathname}?lat=${lat}&lng=${lng}${address}`;
      choose.hidden = false;
    } else {
      text(result, fill(result.dataset.uncovered, { name: nearest.name, km: nearest.distance_km.toFixed(0) }));
      result.className = "result warn";
      // Show where the nearest station is and how far its service reaches.
      L.circle([nearest.lat, nearest.lng], { radius: nearest.coverage_km * 1000, color: "#b9770e", weight: 1, fillOpacity: 0.08 })
        .bindTooltip(nearest.name).addTo(pointLayer);
      L.polyline([[lat, lng], [nearest.lat, nearest.lng]], { color: "#b9770e", dashArray: "4 6" }).addTo(pointLayer);
      map.fitBounds(L.latLngBounds([[lat, lng], [nearest.lat, nearest.lng]]).pad(0.3));
      return;
    }
    map.setView([lat, lng], 9);
  }

  async function lookUp(query) {
    const coords = query.match(/^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$/);
    if (coords) return checkPoint(coords[1], coords[2]);
    const response = await fetch(`/api/geocode?q=${encodeURIComponent(query.trim())}`);
    if (!response.ok) {
      text(result, result.dataset.notfound);
      result.className = "result error";
      return;
    }
    const found = await response.json();
    label = query.trim();
    return checkPoint(found.lat.toFixed(5), found.lng.toFixed(5), label);
  }

  const form = document.getElementById("address-form");
  if (form.dataset.lat) {  // a signed-in customer's default address, checked at once
    input.value = form.dataset.text;
    checkPoint(form.dataset.lat, form.dataset.lng, form.dataset.text);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim()) lookUp(input.value);
  });
  document.getElementById("locate").addEventListener("click", () => {
    navigator.geolocation && navigator.geolocation.getCurrentPosition(
      (pos) => checkPoint(pos.coords.latitude.toFixed(5), pos.coords.longitude.toFixed(5)));
  });
  map.on("click", (event) => checkPoint(event.latlng.lat.toFixed(5), event.latlng.lng.toFixed(5)));
})();
