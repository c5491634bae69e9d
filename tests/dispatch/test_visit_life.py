"""A visit's life, who may see what of it, the 50-way race, and the service figures; a
visit starts only on its day and counts once its customer confirms it."""
import threading
from datetime import datetime, timedelta

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


@pytest.fixture
def clock(monkeypatch):
    """Set the station clock the visit pages and API read (`clock(datetime)`)."""
    def set_to(at: datetime) -> None:
        for module in ("dispatch.visits_api", "dispatch.views"):
            monkeypatch.setattr(f"{module}.station_now", lambda: at)
    return set_to


@pytest.fixture
def on_the_day(day, clock):
    """The station clock at 10:30 on the visit's day (its window is 11:00–13:00)."""
    clock(datetime.combine(day["tomorrow"], datetime.min.time()) + timedelta(hours=10, minutes=30))
    return day


def code_of(client, bearer, day):
    """The completion code, as the customer's own visit shows it."""
    return client.get(f"/api/visits/{day['visit_id']}", headers=bearer(day["customer"].email)).get_json()[
        "completion_code"]


def points_of(engineer):
    from marketplace.models import EngineerStats
    db.session.expire_all()
    return db.session.get(EngineerStats, engineer.id).points


def test_the_engineer_takes_the_visit_through_its_life(client, on_the_day, bearer):
    day = on_the_day
    header = bearer(day["engineer"].user.email)
    for status in ("en_route", "on_site"):
        assert step(client, header, day["visit_id"], status).status_code == 200
    done = step(client, header, day["visit_id"], "completed", fault_found="电源板烧坏",
                parts_used="电源板 x1", fixed_first_time=True, code=code_of(client, bearer, day)).get_json()
    assert done["status"] == "completed" and done["fixed_first_time"] is True
    assert done["en_route_at"] and done["on_site_at"] and done["finished_at"]
    assert done["confirmed_via"] == "code" and done["confirmed_at"]
    events = done["events"]
    assert [(e["from_status"], e["to_status"], e["by"]) for e in events] == [
        (None, "scheduled", "customer"), ("scheduled", "en_route", "engineer"),
        ("en_route", "on_site", "engineer"), ("on_site", "completed", "engineer")]
    assert all(e["at"] for e in events)
    assert points_of(day["engineer"]) == 2 + 3  # completed, fixed first time: confirmed by the code


def test_a_visit_starts_only_on_its_day_near_its_window(client, day, bearer, clock):
    """The window is 11:00 tomorrow; setting off opens two hours before, on that day."""
    header = bearer(day["engineer"].user.email)
    window = datetime.combine(day["tomorrow"], datetime.min.time()) + timedelta(hours=11)
    for too_early in (window - timedelta(days=1), window - timedelta(hours=2, minutes=1)):
        clock(too_early)
        for status in ("en_route", "no_show"):
            refused = step(client, header, day["visit_id"], status)
            assert refused.status_code == 409 and "120" in refused.get_json()["message"]
    clock(window + timedelta(days=1))  # the day after: too late to set off
    assert step(client, header, day["visit_id"], "en_route").status_code == 409
    db.session.expire_all()
    assert db.session.get(Visit, day["visit_id"]).status == "scheduled"
    clock(window - timedelta(hours=2))
    assert step(client, header, day["visit_id"], "en_route").status_code == 200


def test_completed_without_the_code_counts_once_the_customer_confirms(client, on_the_day, bearer):
    day = on_the_day
    engineer, customer = bearer(day["engineer"].user.email), bearer(day["customer"].email)
    for status in ("en_route", "on_site"):
        step(client, engineer, day["visit_id"], status)
    done = step(client, engineer, day["visit_id"], "completed", fixed_first_time=True).get_json()
    assert done["status"] == "completed" and done["confirmed_at"] is None
    assert points_of(day["engineer"]) == 0  # the engineer's word alone earns nothing
    path = f"/api/visits/{day['visit_id']}/confirm"
    assert client.post(path, headers=engineer).status_code == 403
    confirmed = client.post(path, headers=customer)
    assert confirmed.status_code == 200 and confirmed.get_json()["confirmed_via"] == "app"
    assert points_of(day["engineer"]) == 2 + 3
    assert client.post(path, headers=customer).status_code == 409  # once
    assert points_of(day["engineer"]) == 5


def test_a_visit_not_completed_cannot_be_confirmed(client, on_the_day, bearer):
    answer = client.post(f"/api/visits/{on_the_day['visit_id']}/confirm",
                         headers=bearer(on_the_day["customer"].email))
    assert answer.status_code == 409
    assert points_of(on_the_day["engineer"]) == 0


def test_wrong_codes_are_counted_and_then_only_the_app_confirms(client, on_the_day, bearer):
    day = on_the_day
    header = bearer(day["engineer"].user.email)
    for status in ("en_route", "on_site"):
        step(client, header, day["visit_id"], status)
    right = code_of(client, bearer, day)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        answer = step(client, header, day["visit_id"], "completed", code=wrong)
        assert answer.status_code == 422 and answer.get_json()["errors"]["json"]["code"]
    locked = step(client, header, day["visit_id"], "completed", code=right)
    assert locked.status_code == 409  # even the right code, after three wrong ones
    db.session.expire_all()
    assert db.session.get(Visit, day["visit_id"]).status == "on_site"
    unconfirmed = step(client, header, day["visit_id"], "completed").get_json()
    assert unconfirmed["status"] == "completed" and unconfirmed["confirmed_at"] is None
    assert points_of(day["engineer"]) == 0


def test_only_the_customer_sees_the_code(client, day, bearer, make_user):
    path = f"/api/visits/{day['visit_id']}"
    code = client.get(path, headers=bearer(day["customer"].email)).get_json()["completion_code"]
    assert code and code.isdigit() and len(code) == 6
    for who in (day["engineer"].user, day["manager"], make_user("agent"), make_user("admin")):
        body = client.get(path, headers=bearer(who.email))
        assert body.get_json()["completion_code"] is None and code not in body.get_data(as_text=True)
    mine = client.get("/api/me/day", headers=bearer(day["engineer"].user.email),
                      query_string={"date": day["tomorrow"].isoformat()})
    assert code not in mine.get_data(as_text=True)


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


def test_a_double_tap_counts_once(client, on_the_day, bearer):
    header = bearer(on_the_day["engineer"].user.email)
    day = on_the_day
    assert step(client, header, day["visit_id"], "en_route").status_code == 200
    assert step(client, header, day["visit_id"], "en_route").status_code == 409
    assert db.session.query(VisitEvent).filter_by(to_status="en_route").count() == 1


def test_contact_details_only_for_those_who_serve_the_customer(client, day, bearer, make_user,
                                                               make_engineer, make_station):
    path = f"/api/visits/{day['visit_id']}"
    for who in (day["customer"], day["engineer"].user, day["manager"]):
        body = client.get(path, headers=bearer(who.email)).get_json()
        assert body["customer"]["phone"] == "13812345678" and body["address_text"] == "人民路 1 号 3 楼"
    # An agent who has not named the customer (a visit by its number) sees it masked
    # (tests/dispatch/test_contacts.py: the look-up by the customer's email shows them).
    body = client.get(path, headers=bearer(make_user("agent").email)).get_json()
    assert body["customer"]["phone"] == "138****5678" and "人民路" not in body["address_text"]
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
    point = geodesic(kilometers=5).destination(HOME, 45)
    query = {"lat": point.latitude, "lng": point.longitude, "skill": "laptop",
             "from": tomorrow.isoformat(), "days": 1}

    def book(h, window, problem="x"):
        return client.post("/api/visits", headers=h, json={
            "skill": "laptop", "problem": problem, "address_text": "y", "lat": point.latitude,
            "lng": point.longitude, "window_start": window, "engineer_id": engineer_id})

    last_booked = None
    while free := client.get(f"/api/engineers/{engineer_id}/slots", query_string=query).get_json()["windows"]:
        header = bearer(make_user("customer").email)  # a customer each: the daily cap
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
