"""GET /api/stations/covering: which stations serve an address."""
import pytest
from geopy.distance import geodesic

CENTRE = (31.2304, 121.4737)


def point_at(km, bearing=90.0, origin=CENTRE):
    d = geodesic(kilometers=km).destination(origin, bearing)
    return {"lat": d.latitude, "lng": d.longitude}


@pytest.fixture
def station(make_station):
    return make_station("ST310101", *CENTRE)


def covering(client, **query):
    return client.get("/api/stations/covering", query_string=query)


def test_a_point_inside_the_radius_is_covered_with_its_distance(client, station):
    body = covering(client, **point_at(12.5)).get_json()
    assert [s["code"] for s in body["stations"]] == ["ST310101"]
    assert body["stations"][0]["distance_km"] == pytest.approx(12.5, abs=0.01)
    assert body["nearest"]["code"] == "ST310101"


@pytest.mark.parametrize("km, covered", [(29.99, True), (30.0, True), (30.02, False), (41, False)])
def test_the_30_km_edge(client, station, km, covered):
    body = covering(client, **point_at(km, bearing=37)).get_json()
    assert bool(body["stations"]) is covered


def test_a_point_outside_every_radius_gets_the_nearest_station_and_its_distance(client, station,
                                                                                 make_station):
    make_station("ST999999", 45.0, 126.0)  # far away
    response = covering(client, **point_at(41, bearing=200))
    assert response.status_code == 200
    body = response.get_json()
    assert body["stations"] == []
    assert body["nearest"]["code"] == "ST310101"
    assert body["nearest"]["distance_km"] == pytest.approx(41, abs=0.01)


def test_the_nearest_station_is_found_however_far_it_is(client, station):
    body = covering(client, lat=-33.87, lng=151.21).get_json()  # Sydney
    assert body["stations"] == [] and body["nearest"]["code"] == "ST310101"
    assert body["nearest"]["distance_km"] > 7000


def test_several_stations_come_nearest_first_each_by_its_own_radius(client, station, make_station):
    make_station("ST000002", **point_at(20, bearing=0), coverage_km=30)
    make_station("ST000003", **point_at(25, bearing=180), coverage_km=10)  # too small to reach
    make_station("ST000004", **point_at(8, bearing=270), coverage_km=30)
    body = covering(client, lat=CENTRE[0], lng=CENTRE[1]).get_json()
    assert [s["code"] for s in body["stations"]] == ["ST310101", "ST000004", "ST000002"]


def test_a_wide_station_reaches_past_the_usual_30_km(client, station, make_station):
    make_station("ST000005", **point_at(70, bearing=90), coverage_km=80)
    body = covering(client, **point_at(140, bearing=90)).get_json()
    assert [s["code"] for s in body["stations"]] == ["ST000005"]


def test_no_stations_at_all_is_an_empty_answer(client, ctx):
    body = covering(client, lat=30, lng=120).get_json()
    assert body == {"stations": [], "nearest": None}


@pytest.mark.parametrize("query, field", [
    ({"lat": 91, "lng": 120}, "lat"),
    ({"lat": 30, "lng": -181}, "lng"),
    ({"lat": "north", "lng": 120}, "lat"),
    ({"lat": "nan", "lng": 120}, "lat"),
    ({"lng": 120}, "lat"),
    ({"lat": 30}, "lng"),
])
def test_bad_coordinates_get_422_naming_the_field(client, ctx, query, field):
    response = covering(client, **query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


def test_station_search_finds_by_county_name(client, make_station):
    make_station("ST110108", 39.96, 116.30, name="海淀区服务站")
    make_station("ST310101", *CENTRE, name="黄浦区服务站")
    body = client.get("/api/stations", query_string={"q": "海淀"}).get_json()
    assert [s["code"] for s in body] == ["ST110108"]
    assert client.get("/api/stations", query_string={"q": "%"}).get_json() == []
