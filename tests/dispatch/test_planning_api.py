"""The planning API: a manager plans a day in a job, reads the draft, publishes it, pins a
visit and marks an engineer absent; nobody else may."""
from datetime import datetime, time, timedelta

import pytest
from geopy.distance import geodesic

from dispatch.models import Plan, Visit
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog

HOME = (31.2304, 121.4737)


def tomorrow():
    return local_now("Asia/Shanghai").date() + timedelta(days=1)


@pytest.fixture
def station_day(ctx, make_station, make_engineer, make_user):
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager")
    manager.locale = "en"  # reads the API's messages in English (the default is Chinese)
    station = make_station("ST310101", *HOME, manager=manager, name="黄浦区服务站")
    crew = [make_engineer(station, skills=("laptop",), name=n) for n in ("王师傅", "李师傅")]
    for engineer in crew:
        engineer.work_days = "1234567"
    customer = make_user("customer")
    day = tomorrow()
    visits = []
    for k in range(6):
        p = geodesic(kilometers=3 + k).destination(HOME, 60 * k)
        start = datetime.combine(day, time(9 + 2 * (k % 4)))
        visits.append(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                            engineer_id=crew[k % 2].id, chosen_by_customer=k == 0, status="scheduled",
                            skill_id=crew[0].skills[0].id, problem="开不了机", address_text=f"人民路 {k} 号",
                            lat=p.latitude, lng=p.longitude, window_start=start,
                            window_end=start + timedelta(hours=2), duration_minutes=60))
    db.session.add_all(visits)
    db.session.commit()
    return {"station": station, "manager": manager, "crew": crew, "customer": customer,
            "visits": visits, "day": day}


def plan_day(client, headers, code="ST310101", day=None):
    return client.post(f"/api/stations/{code}/plans", headers=headers,
                       json={"date": (day or tomorrow()).isoformat()})


def test_the_manager_plans_reads_and_publishes_a_day(client, station_day, bearer):
    manager = bearer(station_day["manager"].email)
    answer = plan_day(client, manager)
    assert answer.status_code == 202
    plan_id = answer.get_json()["id"]
    plan = client.get(f"/api/plans/{plan_id}", headers=manager).get_json()
    assert plan["status"] == "draft" and plan["assigned"] == 6
    assert sum(len(r["stops"]) for r in plan["routes"]) == 6
    assert plan["changes"]["dropped"] == []
    published = client.post(f"/api/plans/{plan_id}/publish", headers=manager)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert client.post(f"/api/plans/{plan_id}/publish", headers=manager).status_code == 409
    board = client.get("/api/stations/ST310101/board", headers=manager,
                       query_string={"date": tomorrow().isoformat()}).get_json()
    assert board["published"]["id"] == plan_id and board["draft"] is None
    starts = {v["id"]: v["planned_start"] for v in board["visits"]}
    assert all(starts.values())
    chosen = station_day["visits"][0]
    stop = next(s for r in plan["routes"] for s in r["stops"] if s["visit_id"] == chosen.id)
    route = next(r for r in plan["routes"] if stop in r["stops"])
    assert route["engineer_id"] == chosen.engineer_id  # the customer's choice holds


def test_only_the_station_s_manager_or_an_admin_plans(client, station_day, bearer, make_user):
    other = make_user("manager")
    assert plan_day(client, bearer(other.email)).status_code == 403
    assert plan_day(client, bearer(station_day["customer"].email)).status_code == 403
    assert plan_day(client, {}).status_code == 401
    assert plan_day(client, bearer(make_user("admin").email)).status_code == 202
    plan_id = db.session.execute(db.select(Plan.id)).scalar_one()
    assert client.get(f"/api/plans/{plan_id}", headers=bearer(other.email)).status_code == 403
    assert client.post(f"/api/plans/{plan_id}/publish", headers=bearer(other.email)).status_code == 403


def test_days_in_the_past_or_far_ahead_are_refused_by_name(client, station_day, bearer):
    manager = bearer(station_day["manager"].email)
    for day in (tomorrow() - timedelta(days=3), tomorrow() + timedelta(days=400)):
        answer = plan_day(client, manager, day=day)
        assert answer.status_code == 422 and "month" in answer.get_json()["message"]
    answer = client.post("/api/stations/ST310101/plans", headers=manager, json={"date": "9999-99-99"})
    assert answer.status_code == 422 and "date" in answer.get_json()["errors"]["json"]


def test_a_day_being_planned_is_not_planned_twice_at_once(client, station_day, bearer):
    manager = bearer(station_day["manager"].email)
    db.session.add(Plan(station_id=station_day["station"].id, day=tomorrow(), status="running"))
    db.session.commit()
    assert plan_day(client, manager).status_code == 409


def test_a_chosen_visit_cannot_be_pinned_to_someone_else(client, station_day, bearer):
    manager = bearer(station_day["manager"].email)
    chosen, free = station_day["visits"][0], station_day["visits"][1]
    wang, li = station_day["crew"]
    answer = client.put(f"/api/visits/{chosen.id}/pin", headers=manager, json={"engineer_id": li.id})
    assert answer.status_code == 409 and "chose" in answer.get_json()["message"]
    start = datetime.combine(tomorrow(), time(11, 30))
    assert client.put(f"/api/visits/{free.id}/pin", headers=manager,
                      json={"engineer_id": wang.id, "start": start.isoformat()}).status_code == 204
    plan = client.get(f"/api/plans/{plan_day(client, manager).get_json()['id']}", headers=manager).get_json()
    stop = next(s for r in plan["routes"] for s in r["stops"] if s["visit_id"] == free.id)
    route = next(r for r in plan["routes"] if stop in r["stops"])
    assert route["engineer_id"] == wang.id and stop["start"] == start.isoformat()


def test_an_absent_engineer_s_chosen_visit_is_left_with_its_reason(client, station_day, bearer):
    manager = bearer(station_day["manager"].email)
    chosen = station_day["visits"][0]
    answer = client.put(f"/api/stations/ST310101/engineers/{chosen.engineer_id}/day", headers=manager,
                        query_string={"date": tomorrow().isoformat()}, json={"absent": True})
    assert answer.status_code == 204
    plan = client.get(f"/api/plans/{plan_day(client, manager).get_json()['id']}", headers=manager).get_json()
    assert {"visit_id": chosen.id, "reason": "the customer's chosen engineer is not working that day"} \
        in plan["unassigned"]
    placed = {s["visit_id"] for r in plan["routes"] for s in r["stops"]}
    assert chosen.id not in placed and len(placed) >= 4  # the others go to whoever works
    bad = client.put(f"/api/stations/ST310101/engineers/{chosen.engineer_id}/day", headers=manager,
                     query_string={"date": tomorrow().isoformat()},
                     json={"shift_start": "18:00", "shift_end": "09:00"})
    assert bad.status_code == 422 and "shift_end" in bad.get_json()["errors"]["json"]


def test_after_publishing_the_engineer_s_day_and_the_customer_s_eta_follow_the_plan(
        client, station_day, bearer):
    manager = bearer(station_day["manager"].email)
    plan_id = plan_day(client, manager).get_json()["id"]
    plan = client.post(f"/api/plans/{plan_id}/publish", headers=manager).get_json()
    for engineer in station_day["crew"]:
        route = next(r for r in plan["routes"] if r["engineer_id"] == engineer.id)
        day = client.get("/api/me/day", headers=bearer(engineer.user.email),
                         query_string={"date": tomorrow().isoformat()}).get_json()
        assert [v["id"] for v in day] == [s["visit_id"] for s in route["stops"]]
        assert [v["eta"] for v in day] == [s["start"] for s in route["stops"]]
    mine = client.get("/api/me/visits", headers=bearer(station_day["customer"].email)).get_json()
    starts = {s["visit_id"]: s["start"] for r in plan["routes"] for s in r["stops"]}
    assert {v["id"]: v["eta"] for v in mine} == starts


def test_customers_hear_when_a_plan_moves_their_eta_or_changes_their_engineer(
        client, station_day, bearer):
    manager, customer = bearer(station_day["manager"].email), bearer(station_day["customer"].email)
    plan_id = plan_day(client, manager).get_json()["id"]
    client.post(f"/api/plans/{plan_id}/publish", headers=manager)
    first = client.get("/api/me/notices", headers=customer).get_json()
    wang, li = station_day["crew"]
    moved = station_day["visits"][1]  # not chosen: the station may give it to someone else
    db.session.refresh(moved)
    other = li if moved.engineer_id == wang.id else wang
    assert client.put(f"/api/visits/{moved.id}/pin", headers=manager,
                      json={"engineer_id": other.id}).status_code == 204
    chosen = station_day["visits"][0]
    client.put(f"/api/stations/ST310101/engineers/{chosen.engineer_id}/day", headers=manager,
               query_string={"date": tomorrow().isoformat()}, json={"absent": True})
    plan_id = plan_day(client, manager).get_json()["id"]
    published = client.post(f"/api/plans/{plan_id}/publish", headers=manager)
    assert published.status_code == 200, client.get(f"/api/plans/{plan_id}", headers=manager).get_json()["error"]
    station_day["customer"].locale = "en"
    db.session.commit()
    notices = client.get("/api/me/notices", headers=customer).get_json()
    new = {n["visit_id"]: n for n in notices[:len(notices) - len(first)]}
    assert new[chosen.id]["kind"] == "cannot_keep" and "no longer come" in new[chosen.id]["text"]
    assert client.get("/api/me/notices", headers=bearer(station_day["manager"].email)).status_code == 403


def test_where_a_mail_server_is_set_publishing_mails_each_notice_once_committed(
        app, client, station_day, bearer):
    from extensions import mail
    manager = bearer(station_day["manager"].email)
    plan_id = plan_day(client, manager).get_json()["id"]
    app.config["MAIL_SERVER"] = "smtp.example.test"
    try:
        with mail.record_messages() as outbox:
            assert client.post(f"/api/plans/{plan_id}/publish", headers=manager).status_code == 200
    finally:
        app.config["MAIL_SERVER"] = None
    notices = client.get("/api/me/notices", headers=bearer(station_day["customer"].email)).get_json()
    assert notices and len(outbox) == len(notices)
    assert {m.recipients[0] for m in outbox} == {station_day["customer"].email}
    assert sorted(m.body for m in outbox) == sorted(n["text"] for n in notices)
