"""The coverage-gap map from the outside: a search or a booking attempt told "not covered"
leaves a record of its grid cell and day only (kept when the booking itself is refused);
headquarters' map data then shows that demand and suggests a site there, and nobody but an
admin gets the map."""
from __future__ import annotations

from datetime import date

import pytest

from dispatch.booking import station_now
from dispatch.models import UncoveredRequest
from extensions import db

CENTRE = (31.2304, 121.4737)
FAR = (34.5612, 117.7345)  # about 400 km away: no station covers it


@pytest.fixture
def station(make_station):
    from marketplace.catalog import ensure_catalog
    ensure_catalog()
    return make_station("ST310101", *CENTRE)


def records():
    return db.session.execute(db.select(UncoveredRequest).order_by(UncoveredRequest.id)).scalars().all()


def search(client, point, **query):
    return client.get("/api/engineers", query_string={"lat": point[0], "lng": point[1], **query})


def test_a_search_told_not_covered_is_recorded_by_cell_and_day_only(client, station):
    assert search(client, FAR).get_json()["covered"] is False
    [row] = records()
    assert (row.lat_cell, row.lng_cell, row.source) == (3456, 11773, "search")
    assert row.day == station_now().date()  # the station's day, not the UTC one
    assert set(UncoveredRequest.__table__.columns.keys()) == {"id", "day", "source", "lat_cell", "lng_cell"}


def test_a_covered_search_and_the_next_page_of_the_same_search_record_nothing_more(client, station):
    search(client, CENTRE)
    assert records() == []
    search(client, FAR)
    search(client, FAR, page=2)
    assert len(records()) == 1


def test_a_refused_booking_attempt_is_recorded_though_the_booking_rolls_back(client, station, make_user,
                                                                             bearer):
    customer = make_user("customer")
    response = client.post("/api/visits", headers=bearer(customer.email), json={
        "skill": "laptop", "lat": FAR[0], "lng": FAR[1], "problem": "开不了机", "address_text": "某路 1 号",
        "window_start": f"{date.today().replace(year=date.today().year + 1).isoformat()}T09:00:00"})
    assert response.status_code == 422
    assert [(r.source, r.lat_cell, r.lng_cell) for r in records()] == [("booking", 3456, 11773)]


def test_slots_asked_for_an_uncovered_address_count_as_a_booking_attempt(client, station):
    response = client.get("/api/slots", query_string={"skill": "laptop", "lat": FAR[0], "lng": FAR[1]})
    assert response.status_code == 422
    assert [r.source for r in records()] == ["booking"]


def test_headquarters_sees_the_demand_and_a_site_suggested_there(client, station, make_user, bearer):
    for k in range(5):
        search(client, (FAR[0] + k * 0.01, FAR[1]))
    search(client, (CENTRE[0] + 0.5, CENTRE[1] + 0.5))  # 70 km off: a lone request elsewhere
    admin = make_user("admin")
    body = client.get("/api/coverage-gaps", headers=bearer(admin.email)).get_json()
    assert body["recorded"] == body["uncovered"] == 6
    assert [s["code"] for s in body["stations"]] == ["ST310101"]
    assert sum(d[2] for d in body["demand"]) == 6
    first = body["suggestions"][0]
    assert first["adds"] == 5 and abs(first["lat"] - 34.58) < 0.05 and abs(first["lng"] - FAR[1]) < 0.05
    assert [s["adds"] for s in body["suggestions"]] == [5, 1]
    # Said where a person can place it: the nearest station and how far.
    assert first["near"] == "ST310101服务站" and first["near_km"] > 30


def test_demand_a_station_covers_now_is_no_longer_a_gap(client, station, make_user, make_station, bearer):
    search(client, FAR)
    make_station("ST320301", *FAR)  # a station opens there
    admin = make_user("admin")
    body = client.get("/api/coverage-gaps", headers=bearer(admin.email)).get_json()
    assert body["recorded"] == 1 and body["uncovered"] == 0 and body["suggestions"] == []


def test_only_an_admin_opens_the_map(client, station, make_user, login, bearer):
    manager = make_user("manager")
    assert client.get("/api/coverage-gaps", headers=bearer(manager.email)).status_code == 403
    login(manager.email)
    assert client.get("/admin/coverage-gaps").status_code == 403
    admin = make_user("admin")
    login(admin.email)
    page = client.get("/admin/coverage-gaps?days=30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="gaps-map"' in html and "/api/coverage-gaps?days=30" in html
    assert "leaflet-heat.js" in html


def test_the_period_is_bounded(client, station, make_user, bearer):
    admin = make_user("admin")
    assert client.get("/api/coverage-gaps?days=0", headers=bearer(admin.email)).status_code == 422
    assert client.get("/api/coverage-gaps?days=400", headers=bearer(admin.email)).status_code == 422
