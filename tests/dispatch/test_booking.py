"""Booking: free windows, taking one, agents on the phone, rescheduling and cancelling."""
import re
from datetime import timedelta

import pytest
from geopy.distance import geodesic

from dispatch.models import Visit
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog

HOME = (31.2304, 121.4737)


def near(km, bearing=45):
    d = geodesic(kilometers=km).destination(HOME, bearing)
    return d.latitude, d.longitude


@pytest.fixture
def crew(ctx, make_station, make_engineer, make_user):
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager")
    station = make_station("ST310101", *HOME, manager=manager, name="黄浦区服务站")
    wang = make_engineer(station, skills=("laptop", "printer"), name="王师傅")
    li = make_engineer(station, skills=("laptop",), name="李师傅")
    for engineer in (wang, li):
        engineer.work_days = "1234567"
    db.session.commit()
    return {"station": station, "manager": manager, "wang": wang, "li": li}


def tomorrow():
    return local_now("Asia/Shanghai").date() + timedelta(days=1)


def slots(client, engineer=None, **query):
    lat, lng = near(5)
    args = {"lat": lat, "lng": lng, "skill": "laptop", "from": tomorrow().isoformat(), "days": 1, **query}
    path = f"/api/engineers/{engineer.id}/slots" if engineer else "/api/slots"
    response = client.get(path, query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["windows"]


def booking(window_start, engineer=None, km=5, bearing=45, **extra):
    lat, lng = near(km, bearing)
    return {"skill": "laptop", "problem": "开不了机", "address_text": "人民路 1 号", "lat": lat,
            "lng": lng, "window_start": window_start, **({"engineer_id": engineer.id} if engineer else {}),
            **extra}


def test_windows_are_the_shift_cut_into_two_hours(client, crew):
    starts = [w["start"][11:16] for w in slots(client, crew["wang"])]
    assert starts == ["09:00", "11:00", "13:00", "15:00"]


def test_no_windows_on_a_day_off_or_for_a_product_not_repaired(client, crew):
    crew["wang"].work_days = ""
    db.session.commit()
    assert slots(client, crew["wang"]) == []
    lat, lng = near(5)
    response = client.get(f"/api/engineers/{crew['li'].id}/slots",
                          query_string={"lat": lat, "lng": lng, "skill": "printer"})
    assert response.status_code == 422


def test_an_address_outside_the_engineers_area_is_refused(client, crew):
    lat, lng = near(45)
    response = client.get(f"/api/engineers/{crew['wang'].id}/slots",
                          query_string={"lat": lat, "lng": lng, "skill": "laptop"})
    assert response.status_code == 422


def test_a_booked_window_fills_up_and_every_offered_window_can_be_booked(client, crew, make_user, bearer):
    booked = 0
    for _ in range(12):  # book whatever is offered until nothing is left (a customer each: the cap)
        offered = slots(client, crew["wang"])
        if not offered:
            break
        header = bearer(make_user("customer").email)
        response = client.post("/api/visits", headers=header,
                               json=booking(offered[0]["start"][:19], crew["wang"], km=8, bearing=booked * 40))
        assert response.status_code == 201, response.get_json()
        booked += 1
    assert 3 <= booked <= 8
    assert slots(client, crew["wang"]) == []
    full = client.post("/api/visits", headers=header, json=booking(f"{tomorrow()}T09:00:00", crew["wang"]))
    assert full.status_code == 409
    free = full.get_json()["errors"]["free"]
    assert free and not [w for w in free if w["start"].startswith(str(tomorrow()))]  # later days only


def test_a_taken_window_answers_409_with_the_windows_still_free(client, crew, make_user, bearer):
    header = bearer(make_user("customer").email)
    day = tomorrow().isoformat()
    for bearing in (0, 90):  # two visits make the 09:00 window impossible for a third far one
        client.post("/api/visits", headers=header, json=booking(f"{day}T09:00:00", crew["wang"], km=20, bearing=bearing))
    response = client.post("/api/visits", headers=header,
                           json=booking(f"{day}T09:00:00", crew["wang"], km=20, bearing=180))
    assert response.status_code == 409
    free = [w["start"] for w in response.get_json()["errors"]["free"]]
    assert f"{day}T09:00:00" not in free and any(w.startswith(day) for w in free)


def test_letting_the_station_choose_picks_an_engineer_who_can_come(client, crew, make_user, bearer):
    header = bearer(make_user("customer").email)
    windows = slots(client)
    assert {tuple(w["engineers"]) for w in windows} == {tuple(sorted([crew["wang"].id, crew["li"].id]))}
    response = client.post("/api/visits", headers=header, json=booking(windows[0]["start"][:19]))
    assert response.status_code == 201
    body = response.get_json()
    assert body["engineer"]["id"] in (crew["wang"].id, crew["li"].id)
    assert body["chosen_by_customer"] is False and body["status"] == "scheduled"


def test_bad_bookings_name_the_field(client, crew, make_user, bearer):
    header = bearer(make_user("customer").email)
    for field, value in (("skill", "spaceship"), ("lat", 123), ("window_start", "soon"), ("problem", "")):
        body = {**booking(f"{tomorrow()}T09:00:00", crew["wang"]), field: value}
        response = client.post("/api/visits", headers=header, json=body)
        assert response.status_code == 422, field
        assert field in response.get_json()["errors"]["json"]
    assert db.session.query(Visit).count() == 0


def test_a_window_off_the_grid_or_in_the_past_is_not_bookable(client, crew, make_user, bearer):
    header = bearer(make_user("customer").email)
    for start in (f"{tomorrow()}T10:00:00", f"{tomorrow() - timedelta(days=3)}T09:00:00"):
        assert client.post("/api/visits", headers=header,
                           json=booking(start, crew["wang"])).status_code == 409


def test_an_agent_books_by_phone_for_a_customer(client, crew, make_user, bearer):
    customer = make_user("customer", phone="13812345678")
    agent = make_user("agent")
    response = client.post("/api/visits", headers=bearer(agent.email),
                           json=booking(f"{tomorrow()}T11:00:00", crew["li"], customer_id=customer.id))
    assert response.status_code == 201
    visit = db.session.get(Visit, response.get_json()["id"])
    assert visit.customer_id == customer.id and visit.booked_by_id == agent.id
    assert visit.channel == "phone" and visit.events[0].channel == "phone"
    mine = client.get("/api/me/visits", headers=bearer(customer.email)).get_json()
    assert [v["id"] for v in mine] == [visit.id]


def test_an_agent_must_name_an_existing_customer(client, crew, make_user, bearer):
    agent = make_user("agent")
    response = client.post("/api/visits", headers=bearer(agent.email),
                           json=booking(f"{tomorrow()}T11:00:00", crew["li"]))
    assert response.status_code == 422 and "customer_id" in response.get_json()["errors"]["json"]


def test_engineers_and_managers_do_not_book(client, crew, make_user, bearer):
    for role in ("engineer", "manager"):
        response = client.post("/api/visits", headers=bearer(make_user(role).email),
                               json=booking(f"{tomorrow()}T11:00:00", crew["li"]))
        assert response.status_code == 403


def test_a_customer_reschedules_and_cancels_before_the_cut_off(client, crew, make_user, bearer):
    header = bearer(make_user("customer").email)
    visit = client.post("/api/visits", headers=header,
                        json=booking(f"{tomorrow()}T09:00:00", crew["wang"])).get_json()
    moved = client.post(f"/api/visits/{visit['id']}/reschedule", headers=header,
                        json={"window_start": f"{tomorrow()}T15:00:00"})
    assert moved.status_code == 200 and moved.get_json()["window_start"].endswith("15:00:00")
    assert moved.get_json()["engineer"]["id"] == crew["wang"].id  # the chosen engineer stays
    cancelled = client.post(f"/api/visits/{visit['id']}/status", headers=header, json={"status": "cancelled"})
    assert cancelled.get_json()["status"] == "cancelled"
    assert [(e["from_status"], e["to_status"]) for e in cancelled.get_json()["events"]] == [
        (None, "scheduled"), ("scheduled", "scheduled"), ("scheduled", "cancelled")]
    # the window is free again
    assert any(w["start"].endswith("15:00:00") for w in slots(client, crew["wang"]))


def test_too_close_to_the_visit_the_customer_must_call(client, crew, make_user, bearer):
    customer = make_user("customer")
    header = bearer(customer.email)
    visit_id = client.post("/api/visits", headers=header,
                           json=booking(f"{tomorrow()}T09:00:00", crew["wang"])).get_json()["id"]
    visit = db.session.get(Visit, visit_id)
    soon = local_now("Asia/Shanghai").replace(microsecond=0) + timedelta(minutes=30)
    visit.window_start, visit.window_end = soon, soon + timedelta(hours=2)
    db.session.commit()
    assert client.post(f"/api/visits/{visit_id}/status", headers=header,
                       json={"status": "cancelled"}).status_code == 409
    agent = bearer(make_user("agent").email)
    assert client.post(f"/api/visits/{visit_id}/status", headers=agent,
                       json={"status": "cancelled", "note": "客户来电取消"}).status_code == 200


def test_the_listing_shows_the_next_window_that_is_really_free(client, crew, make_user, bearer):
    """Book the engineer's first free day full; the listing's next free window moves on."""
    lat, lng = near(5)

    def next_free():
        body = client.get("/api/engineers", query_string={"lat": lat, "lng": lng}).get_json()
        return next(e for e in body["engineers"] if e["id"] == crew["wang"].id)["next_window"]["start"]

    first = next_free()
    day = first[:10]
    while free := [w for w in client.get(f"/api/engineers/{crew['wang'].id}/slots", query_string={
            "lat": lat, "lng": lng, "skill": "laptop", "from": day, "days": 1}).get_json()["windows"]]:
        assert client.post("/api/visits", headers=bearer(make_user("customer").email),
                           json=booking(free[0]["start"][:19], crew["wang"], km=8)).status_code == 201
    assert next_free()[:10] > day


def test_cached_listings_follow_bookings_and_cancellations(app, client, crew, make_user, bearer):
    """With the listing cache on (as in production), booking an engineer's first free day
    full moves the listing's next free window on at once, and cancelling brings it back:
    dispatch says what happened (dispatch.signals), the marketplace forgets the station."""
    from extensions import cache
    lat, lng = near(5)

    def next_free():
        body = client.get("/api/engineers", query_string={"lat": lat, "lng": lng}).get_json()
        return next(e for e in body["engineers"] if e["id"] == crew["wang"].id)["next_window"]["start"]

    app.config["LISTING_CACHE_SECONDS"] = 600
    try:
        first = next_free()
        booked = []
        while free := [w for w in client.get(f"/api/engineers/{crew['wang'].id}/slots", query_string={
                "lat": lat, "lng": lng, "skill": "laptop", "from": first[:10], "days": 1}).get_json()["windows"]]:
            header = bearer(make_user("customer").email)  # a customer each: the daily cap
            answer = client.post("/api/visits", headers=header,
                                 json=booking(free[0]["start"][:19], crew["wang"], km=8))
            booked.append((answer.get_json()["id"], header))
        assert next_free()[:10] > first[:10]
        visit_id, header = booked[0]
        assert client.post(f"/api/visits/{visit_id}/status", headers=header,
                           json={"status": "cancelled"}).status_code == 200
        assert next_free()[:10] == first[:10]
    finally:
        app.config["LISTING_CACHE_SECONDS"] = 0
        cache.clear()


def test_nobody_books_an_engineer_the_station_marked_absent(client, crew, make_user, bearer):
    from dispatch.planning import set_availability
    free = slots(client, crew["wang"])
    set_availability(crew["wang"], tomorrow(), crew["manager"], absent=True)
    db.session.commit()
    assert slots(client, crew["wang"]) == []
    answer = client.post("/api/visits", headers=bearer(make_user("customer").email),
                         json=booking(free[0]["start"][:19], crew["wang"]))
    assert answer.status_code == 409
    anyone = client.get("/api/slots", query_string={"lat": near(5)[0], "lng": near(5)[1], "skill": "laptop",
                                                    "from": tomorrow().isoformat(), "days": 1}).get_json()
    assert anyone["windows"] and all(crew["wang"].id not in w["engineers"] for w in anyone["windows"])


# --- The daily cap and the verified phone (issue 14, finding 5) --------------------------------

def active_of(customer, day):
    db.session.expire_all()
    return [v for v in db.session.query(Visit).filter_by(customer_id=customer.id)
            if v.status in ("scheduled", "en_route", "on_site") and v.window_start.date() == day]


def test_a_customer_holds_at_most_two_active_visits_a_day_whoever_books(client, crew, make_user, bearer):
    customer, agent = make_user("customer"), make_user("agent")
    mine = bearer(customer.email)
    first = client.post("/api/visits", headers=mine, json=booking(f"{tomorrow()}T09:00:00", crew["wang"]))
    second = client.post("/api/visits", headers=mine, json=booking(f"{tomorrow()}T11:00:00", crew["li"]))
    assert (first.status_code, second.status_code) == (201, 201)
    third = client.post("/api/visits", headers=mine, json=booking(f"{tomorrow()}T15:00:00", crew["li"]))
    assert third.status_code == 409 and "2" in third.get_json()["message"]
    by_phone = client.post("/api/visits", headers=bearer(agent.email), json=booking(
        f"{tomorrow()}T15:00:00", crew["wang"], customer_id=customer.id))
    assert by_phone.status_code == 409  # the call centre books under the same cap
    assert len(active_of(customer, tomorrow())) == 2
    next_day = (tomorrow() + timedelta(days=1)).isoformat()
    assert client.post("/api/visits", headers=mine,
                       json=booking(f"{next_day}T09:00:00", crew["wang"])).status_code == 201
    # Cancelling one frees its place in the day.
    assert client.post(f"/api/visits/{first.get_json()['id']}/status", headers=mine,
                       json={"status": "cancelled"}).status_code == 200
    assert client.post("/api/visits", headers=mine,
                       json=booking(f"{tomorrow()}T15:00:00", crew["li"])).status_code == 201


def test_moving_a_visit_into_a_full_day_is_refused(client, crew, make_user, bearer):
    customer = make_user("customer")
    mine = bearer(customer.email)
    for hour, engineer in ((9, crew["wang"]), (11, crew["li"])):
        assert client.post("/api/visits", headers=mine, json=booking(
            f"{tomorrow()}T{hour:02d}:00:00", engineer)).status_code == 201
    later = client.post("/api/visits", headers=mine, json=booking(
        f"{tomorrow() + timedelta(days=1)}T09:00:00", crew["wang"])).get_json()
    moved = client.post(f"/api/visits/{later['id']}/reschedule", headers=mine,
                        json={"window_start": f"{tomorrow()}T15:00:00"})
    assert moved.status_code == 409
    assert len(active_of(customer, tomorrow())) == 2


def test_booking_for_oneself_needs_a_verified_phone(client, crew, make_user, bearer):
    unverified = make_user("customer", verified=False)
    answer = client.post("/api/visits", headers=bearer(unverified.email),
                         json=booking(f"{tomorrow()}T09:00:00", crew["wang"]))
    assert answer.status_code == 403 and answer.get_json()["message"]
    assert db.session.query(Visit).count() == 0
    # On the phone the call centre speaks to the customer: an agent may book for them.
    by_phone = client.post("/api/visits", headers=bearer(make_user("agent").email), json=booking(
        f"{tomorrow()}T09:00:00", crew["wang"], customer_id=unverified.id))
    assert by_phone.status_code == 201
    # The customer proves the number with the texted code, and books for themself.
    header = bearer(unverified.email)
    outbox = client.application.extensions["sms_sender"].messages
    assert client.post("/api/me/phone/code", headers=header, json={"phone": unverified.phone}).status_code == 202
    code = re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)
    assert client.post("/api/me/phone/verify", headers=header, json={"code": code}).status_code == 200
    mine = client.post("/api/visits", headers=header, json=booking(f"{tomorrow()}T11:00:00", crew["wang"]))
    assert mine.status_code == 201


def test_simultaneous_bookings_of_one_customer_stay_within_the_cap(app, client, crew, make_user, bearer):
    """Six real concurrent requests of one customer for six windows of two engineers (so
    the engineers' locks alone would let them all through): exactly two are booked."""
    import threading
    customer = make_user("customer")
    header = bearer(customer.email)
    wanted = [(engineer, f"{tomorrow()}T{hour:02d}:00:00")
              for engineer in (crew["wang"], crew["li"]) for hour in (9, 11, 15)]
    bodies = [booking(start, engineer, km=3 + i) for i, (engineer, start) in enumerate(wanted)]
    results, barrier = [], threading.Barrier(len(bodies))

    def race(body):
        with app.test_client() as c:
            barrier.wait()
            results.append(c.post("/api/visits", headers=header, json=body).status_code)

    workers = [threading.Thread(target=race, args=(b,)) for b in bodies]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(results) == [201, 201, 409, 409, 409, 409]
    assert len(active_of(customer, tomorrow())) == 2
