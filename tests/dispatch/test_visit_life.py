"""A visit's life, who may see what of it, the 50-way race, and the service figures."""
import threading
from datetime import timedelta

import pytest
from geopy.distance import geodesic

from dispatch.lifecycle import NEXT
from dispatch.metrics import metrics_for
from dispatch.models import Visit, VisitEvent
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog

HOME = (31.2304, 121.4737)


@pytest.fixture
def day(ctx, make_station, make_engineer, make_user, bearer, client):
    """One engineer's booked visit tomorrow, and everyone who might look at it."""
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager")
    station = make_station("ST310101", *HOME, manager=manager)
    engineer = make_engineer(station, skills=("laptop",), name="王师傅")
    engineer.work_days = "1234567"
    customer = make_user("customer", name="陈女士", phone="13812345678")
    db.session.commit()
    tomorrow = local_now("Asia/Shanghai").date() + timedelta(days=1)
    point = geodesic(kilometers=5).destination(HOME, 45)
    response = client.post("/api/visits", headers=bearer(customer.email), json={
        "skill": "laptop", "problem": "屏幕不亮", "address_text": "人民路 1 号 3 楼",
        "lat": point.latitude, "lng": point.longitude, "window_start": f"{tomorrow}T11:00:00",
        "engineer_id": engineer.id})
    assert response.status_code == 201, response.get_json()
    return {"visit_id": response.get_json()["id"], "engineer": engineer, "customer": customer,
            "manager": manager, "station": station, "tomorrow": tomorrow}


def step(client, header, visit_id, status, **report):
    return client.post(f"/api/visits/{visit_id}/status", headers=header, json={"status": status, **report})


def test_the_engineer_takes_the_visit_through_its_life(client, day, bearer):
    header = bearer(day["engineer"].user.email)
    for status in ("en_route", "on_site"):
        assert step(client, header, day["visit_id"], status).status_code == 200
    done = step(client, header, day["visit_id"], "completed", fault_found="电源板烧坏",
                parts_used="电源板 x1", fixed_first_time=True).get_json()
    assert done["status"] == "completed" and done["fixed_first_time"] is True
    assert done["en_route_at"] and done["on_site_at"] and done["finished_at"]
    events = done["events"]
    assert [(e["from_status"], e["to_status"], e["by"]) for e in events] == [
        (None, "scheduled", "customer"), ("scheduled", "en_route", "engineer"),
        ("en_route", "on_site", "engineer"), ("on_site", "completed", "engineer")]
    assert all(e["at"] for e in events)


ILLEGAL = [(frm, to) for frm in ("scheduled", "en_route", "on_site", "completed", "cancelled",
                                 "no_show", "needs_second_visit")
           for to in ("en_route", "on_site", "completed", "needs_second_visit", "no_show", "cancelled")
           if to not in NEXT.get(frm, set())]


@pytest.mark.parametrize("frm, to", ILLEGAL)
def test_every_illegal_step_is_409_and_changes_nothing(client, day, bearer, frm, to):
    db.session.execute(db.update(Visit).where(Visit.id == day["visit_id"]).values(status=frm))
    db.session.commit()
    events = db.session.query(VisitEvent).count()
    actor = day["customer"] if to == "cancelled" else day["engineer"].user
    response = step(client, bearer(actor.email), day["visit_id"], to)
    assert response.status_code == 409, (frm, to)
    db.session.expire_all()
    assert db.session.get(Visit, day["visit_id"]).status == frm
    assert db.session.query(VisitEvent).count() == events


def test_only_the_assigned_engineer_moves_the_visit(client, day, bearer, make_engineer):
    other = make_engineer(day["station"], name="李师傅")
    assert step(client, bearer(other.user.email), day["visit_id"], "en_route").status_code == 404
    assert step(client, bearer(day["customer"].email), day["visit_id"], "en_route").status_code == 403


def test_a_double_tap_counts_once(client, day, bearer):
    header = bearer(day["engineer"].user.email)
    assert step(client, header, day["visit_id"], "en_route").status_code == 200
    assert step(client, header, day["visit_id"], "en_route").status_code == 409
    assert db.session.query(VisitEvent).filter_by(to_status="en_route").count() == 1


def test_contact_details_only_for_those_who_serve_the_customer(client, day, bearer, make_user,
                                                               make_engineer, make_station):
    path = f"/api/visits/{day['visit_id']}"
    for who in (day["customer"], day["engineer"].user, day["manager"], make_user("agent")):
        body = client.get(path, headers=bearer(who.email)).get_json()
        assert body["customer"]["phone"] == "13812345678" and body["address_text"] == "人民路 1 号 3 楼"
    stranger_station = make_station("ST999999", 39.9, 116.4, manager=make_user("manager"))
    strangers = (make_user("customer"), make_engineer(day["station"], name="别人").user,
                 stranger_station.manager)
    for who in strangers:
        response = client.get(path, headers=bearer(who.email))
        assert response.status_code == 404
        assert "13812345678" not in response.get_data(as_text=True)
    assert client.get(path).status_code == 401


def test_the_engineers_day_and_the_station_see_the_visit(client, day, bearer):
    mine = client.get("/api/me/day", headers=bearer(day["engineer"].user.email),
                      query_string={"date": day["tomorrow"].isoformat()}).get_json()
    assert [v["id"] for v in mine] == [day["visit_id"]]
    assert mine[0]["eta"].startswith(f"{day['tomorrow']}T11:")
    station = client.get(f"/api/stations/{day['station'].code}/visits", headers=bearer(day["manager"].email),
                         query_string={"date": day["tomorrow"].isoformat()}).get_json()
    assert [v["id"] for v in station] == [day["visit_id"]]


def test_service_figures_from_the_timestamps(day):
    visit = db.session.get(Visit, day["visit_id"])
    base = visit.window_start
    visit.created_at = base - timedelta(hours=20)
    visit.status, visit.on_site_at, visit.finished_at = "completed", base + timedelta(minutes=30), base + timedelta(hours=1)
    visit.fixed_first_time = True
    late = Visit(customer_id=visit.customer_id, station_id=visit.station_id, engineer_id=visit.engineer_id,
                 status="needs_second_visit", skill_id=visit.skill_id, problem="x", address_text="y",
                 lat=visit.lat, lng=visit.lng, window_start=base, window_end=base + timedelta(hours=2),
                 duration_minutes=60, booked_by_id=visit.customer_id, created_at=base - timedelta(hours=4),
                 on_site_at=base + timedelta(hours=3), fixed_first_time=False)
    db.session.add(late)
    db.session.commit()
    figures = metrics_for(station_id=day["station"].id)
    assert figures.visits == 2 and figures.completed == 1
    assert figures.on_time_rate == 0.5 and figures.first_time_fix_rate == 0.5
    assert figures.request_to_visit_hours == pytest.approx((20.5 + 7) / 2)


def test_fifty_simultaneous_bookings_of_the_last_place_one_wins(app, client, day, bearer, make_user):
    """Fill the engineer's day until exactly one place is left, then race 50 real
    concurrent requests for it: one is booked, 49 get 409, nothing half-written."""
    engineer_id, tomorrow = day["engineer"].id, day["tomorrow"]
    header = bearer(day["customer"].email)
    point = geodesic(kilometers=5).destination(HOME, 45)
    query = {"lat": point.latitude, "lng": point.longitude, "skill": "laptop",
             "from": tomorrow.isoformat(), "days": 1}

    def book(h, window, problem="x"):
        return client.post("/api/visits", headers=h, json={
            "skill": "laptop", "problem": problem, "address_text": "y", "lat": point.latitude,
            "lng": point.longitude, "window_start": window, "engineer_id": engineer_id})

    last_booked = None
    while free := client.get(f"/api/engineers/{engineer_id}/slots", query_string=query).get_json()["windows"]:
        response = book(header, free[-1]["start"][:19])
        assert response.status_code == 201
        last_booked = response.get_json()
    # The day is full; freeing the last booking leaves exactly one place.
    assert client.post(f"/api/visits/{last_booked['id']}/status", headers=header,
                       json={"status": "cancelled"}).status_code == 200
    window = last_booked["window_start"][:19]
    before = (db.session.query(Visit).count(), db.session.query(VisitEvent).count())
    headers = [bearer(make_user("customer").email) for _ in range(50)]
    results, barrier = [], threading.Barrier(50)

    def race(h):
        with app.test_client() as c:
            barrier.wait()
            results.append(c.post("/api/visits", headers=h, json={
                "skill": "laptop", "problem": "抢", "address_text": "z", "lat": point.latitude,
                "lng": point.longitude, "window_start": window, "engineer_id": engineer_id}).status_code)

    workers = [threading.Thread(target=race, args=(h,)) for h in headers]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(results) == [201] + [409] * 49
    db.session.expire_all()
    assert (db.session.query(Visit).count(), db.session.query(VisitEvent).count()) == (
        before[0] + 1, before[1] + 1)


def test_an_engineer_account_without_a_profile_gets_404_not_an_error(client, make_user, bearer):
    header = bearer(make_user("engineer").email)
    for path in ("/api/me/day", "/api/me/metrics", "/api/me/level"):
        response = client.get(path, headers=header)
        assert response.status_code == 404, path
