"""A customer's phone and address: who sees them, masked for the others, and the access log
of every read but the customer's own (issue 14, finding 11)."""
import re
from datetime import datetime, timedelta

import pytest
from geopy.distance import geodesic

from accounts.models import utcnow
from accounts.phone import readable
from dispatch.contacts import masked_phone
from dispatch.models import ContactRead, Visit
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog

HOME = (31.2304, 121.4737)
PHONE, MASKED, ADDRESS, DISTRICT = "13812345678", "138****5678", "人民路 1 号 3 楼", "上海市黄浦区"


@pytest.fixture
def day(ctx, make_station, make_engineer, make_user, bearer, client):
    """A customer's visit tomorrow with the station's engineer, and who might look at it."""
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager")
    station = make_station("ST310101", *HOME, manager=manager)
    engineer = make_engineer(station, skills=("laptop",), name="王师傅")
    engineer.work_days = "1234567"
    customer = make_user("customer", name="陈女士", phone=PHONE, email="chen@example.test")
    db.session.commit()
    tomorrow = local_now("Asia/Shanghai").date() + timedelta(days=1)
    point = geodesic(kilometers=5).destination(HOME, 45)
    response = client.post("/api/visits", headers=bearer(customer.email), json={
        "skill": "laptop", "problem": "屏幕不亮", "address_text": ADDRESS,
        "lat": point.latitude, "lng": point.longitude, "window_start": f"{tomorrow}T11:00:00",
        "engineer_id": engineer.id})
    assert response.status_code == 201, response.get_json()
    return {"visit_id": response.get_json()["id"], "engineer": engineer, "customer": customer,
            "manager": manager, "station": station, "tomorrow": tomorrow,
            "agent": make_user("agent"), "admin": make_user("admin")}


def reads(**where) -> list[ContactRead]:
    db.session.expire_all()
    return db.session.query(ContactRead).filter_by(**where).order_by(ContactRead.id).all()


def visit_path(day) -> str:
    return f"/api/visits/{day['visit_id']}"


def shown_in_full(body: dict) -> bool:
    return body["customer"]["phone"] == PHONE and body["address_text"] == ADDRESS


def close(visit_id: int, status: str, confirmed: bool = False) -> None:
    visit = db.session.get(Visit, visit_id)
    visit.status = status
    visit.confirmed_at = utcnow() if confirmed else None
    db.session.commit()


def test_a_phone_is_masked_to_its_first_three_and_last_four_digits():
    assert masked_phone(PHONE) == MASKED
    assert masked_phone("+8613812345678") == "+86 138****5678"  # E.164, as numbers are stored
    assert masked_phone("12345") == "*****" and masked_phone(None) is None


def test_an_agent_reading_a_visit_by_its_number_sees_the_contacts_masked(client, day, bearer):
    body = client.get(visit_path(day), headers=bearer(day["agent"].email)).get_json()
    assert body["customer"]["phone"] == MASKED
    assert body["address_text"] == DISTRICT and body["contacts_shown"] is False
    assert round(body["lat"], 2) == body["lat"]  # about a kilometre, not the door
    assert reads(reader_id=day["agent"].id) == []  # nothing was shown, nothing logged


def test_an_agent_handling_the_customer_sees_the_contacts_and_the_read_is_logged(client, day, bearer):
    before = utcnow()
    answer = client.get("/api/agent/visits", headers=bearer(day["agent"].email),
                        query_string={"customer_email": " Chen@Example.test "})
    assert answer.status_code == 200
    [body] = answer.get_json()
    assert body["id"] == day["visit_id"] and shown_in_full(body) and body["contacts_shown"] is True
    [row] = reads(reader_id=day["agent"].id)
    assert (row.customer_id, row.visit_id, row.channel, row.path, row.fields) == (
        day["customer"].id, day["visit_id"], "api", "/api/agent/visits", "phone,address")
    assert before - timedelta(seconds=1) <= row.at <= utcnow()


def test_the_agent_page_shows_the_named_customers_contacts_and_logs_them(client, day, login):
    login(day["agent"].email)
    page = client.get("/agent/visits", query_string={"customer_email": day["customer"].email})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and PHONE in html and ADDRESS in html
    [row] = reads(reader_id=day["agent"].id)
    assert (row.customer_id, row.visit_id, row.channel, row.path) == (
        day["customer"].id, day["visit_id"], "page", "/agent/visits")


def test_the_agent_look_up_of_an_unknown_customer_is_404_and_a_bad_email_422(client, day, bearer):
    header = bearer(day["agent"].email)
    assert client.get("/api/agent/visits", headers=header,
                      query_string={"customer_email": "nobody@example.test"}).status_code == 404
    bad = client.get("/api/agent/visits", headers=header, query_string={"customer_email": "x" * 300})
    assert bad.status_code == 422 and "customer_email" in bad.get_json()["errors"]["query"]
    assert client.get("/api/agent/visits", headers=bearer(day["customer"].email),
                      query_string={"customer_email": day["customer"].email}).status_code == 403


def test_agents_never_get_the_completion_code(client, day, bearer, login):
    code = client.get(visit_path(day), headers=bearer(day["customer"].email)).get_json()["completion_code"]
    assert code
    header = bearer(day["agent"].email)
    by_number = client.get(visit_path(day), headers=header)
    handled = client.get("/api/agent/visits", headers=header,
                         query_string={"customer_email": day["customer"].email})
    for answer in (by_number, handled):
        assert code not in answer.get_data(as_text=True)
    assert by_number.get_json()["completion_code"] is None
    assert handled.get_json()[0]["completion_code"] is None
    login(day["agent"].email)
    assert code not in client.get("/agent/visits", query_string={
        "customer_email": day["customer"].email}).get_data(as_text=True)


def test_the_customer_sees_their_own_contacts_and_is_not_logged(client, day, bearer):
    assert shown_in_full(client.get(visit_path(day), headers=bearer(day["customer"].email)).get_json())
    assert reads() == []


@pytest.fixture
def on_the_day(day, monkeypatch):
    """The station clock at 10:30 on the visit's day (its window is 11:00–13:00)."""
    at = datetime.combine(day["tomorrow"], datetime.min.time()) + timedelta(hours=10, minutes=30)
    for module in ("dispatch.visits_api", "dispatch.views"):
        monkeypatch.setattr(f"{module}.station_now", lambda: at)
    return day


def test_the_engineer_sees_the_contacts_until_the_customer_confirms_the_work(client, on_the_day, bearer):
    day, header = on_the_day, bearer(on_the_day["engineer"].user.email)
    assert shown_in_full(client.get(visit_path(day), headers=header).get_json())
    for status in ("en_route", "on_site"):
        answer = client.post(f"{visit_path(day)}/status", headers=header, json={"status": status})
        assert shown_in_full(answer.get_json())
    unconfirmed = client.post(f"{visit_path(day)}/status", headers=header,
                              json={"status": "completed"}).get_json()
    assert unconfirmed["confirmed_at"] is None and shown_in_full(unconfirmed)  # still to call about
    assert client.post(f"{visit_path(day)}/confirm", headers=bearer(day["customer"].email)).status_code == 200
    closed = client.get(visit_path(day), headers=header).get_json()
    assert closed["customer"]["phone"] == MASKED and closed["address_text"] == DISTRICT
    assert closed["contacts_shown"] is False and closed["problem"] == "屏幕不亮"  # the rest stays
    mine = client.get("/api/me/day", headers=header, query_string={"date": day["tomorrow"].isoformat()})
    assert PHONE not in mine.get_data(as_text=True) and ADDRESS not in mine.get_data(as_text=True)
    logged = reads(reader_id=day["engineer"].user_id)
    assert len(logged) == 4 and {r.visit_id for r in logged} == {day["visit_id"]}  # the open reads only


@pytest.mark.parametrize("status", ["cancelled", "no_show", "needs_second_visit"])
def test_the_engineer_no_longer_sees_the_contacts_of_a_closed_visit(client, day, bearer, login, status):
    close(day["visit_id"], status)
    body = client.get(visit_path(day), headers=bearer(day["engineer"].user.email)).get_json()
    assert body["customer"]["phone"] == MASKED and body["address_text"] == DISTRICT
    login(day["engineer"].user.email)
    page = client.get("/my/day", query_string={"date": day["tomorrow"].isoformat()}).get_data(as_text=True)
    assert f"visit-{day['visit_id']}" in page and PHONE not in page and ADDRESS not in page
    assert MASKED in page and "contacts-hidden" in page
    assert reads() == []


def test_the_engineers_day_page_shows_an_open_visits_contacts(client, day, login):
    login(day["engineer"].user.email)
    page = client.get("/my/day", query_string={"date": day["tomorrow"].isoformat()}).get_data(as_text=True)
    assert PHONE in page and ADDRESS in page
    [row] = reads(reader_id=day["engineer"].user_id)
    assert row.channel == "page" and row.path == "/my/day"


def test_the_serving_stations_manager_sees_the_contacts_even_closed_and_is_logged(client, day, bearer, login):
    close(day["visit_id"], "completed", confirmed=True)
    header = bearer(day["manager"].email)
    assert shown_in_full(client.get(visit_path(day), headers=header).get_json())
    listed = client.get(f"/api/stations/{day['station'].code}/visits", headers=header,
                        query_string={"date": day["tomorrow"].isoformat()}).get_json()
    assert [shown_in_full(v) for v in listed] == [True]
    login(day["manager"].email)
    page = client.get(f"/stations/{day['station'].code}", query_string={"date": day["tomorrow"].isoformat()})
    html = page.get_data(as_text=True)
    assert f'href="tel:{PHONE}">{readable(PHONE)}</a>' in html and ADDRESS in html
    assert [(r.channel, r.path) for r in reads(reader_id=day["manager"].id)] == [
        ("api", visit_path(day)), ("api", f"/api/stations/{day['station'].code}/visits"),
        ("page", f"/stations/{day['station'].code}")]


def test_the_planning_board_logs_the_addresses_its_manager_was_shown(client, day, bearer, login):
    answer = client.get(f"/api/stations/{day['station'].code}/board",
                        query_string={"date": day["tomorrow"].isoformat()},
                        headers=bearer(day["manager"].email))
    assert answer.status_code == 200
    assert [v["address"] for v in answer.get_json()["visits"]] == [ADDRESS]
    login(day["manager"].email)
    page = client.get(f"/stations/{day['station'].code}/board?date={day['tomorrow']}")
    assert page.status_code == 200
    reads = db.session.execute(db.select(ContactRead).order_by(ContactRead.id)).scalars().all()
    assert [(r.reader_id, r.visit_id, r.fields, r.channel) for r in reads] == [
        (day["manager"].id, day["visit_id"], "address", "api"),
        (day["manager"].id, day["visit_id"], "address", "page")]


def test_another_stations_staff_see_nothing_as_before(client, day, bearer, make_user, make_station,
                                                     make_engineer):
    other = make_station("ST999999", 39.9, 116.4, manager=make_user("manager"))
    strangers = (other.manager, make_engineer(other, name="李师傅").user,
                 make_engineer(day["station"], name="别人").user)
    for who in strangers:
        answer = client.get(visit_path(day), headers=bearer(who.email))
        assert answer.status_code == 404 and PHONE not in answer.get_data(as_text=True)
    assert client.get(f"/api/stations/{day['station'].code}/visits",
                      headers=bearer(other.manager.email)).status_code in (403, 404)
    assert reads() == []


# --- The access log (admins) ----------------------------------------------------------------

@pytest.fixture
def logged(day, make_user):
    """Three reads: the agent an hour ago, the manager yesterday and the agent now."""
    now = utcnow()
    rows = [(day["agent"], now - timedelta(hours=1)), (day["manager"], now - timedelta(days=1)),
            (day["agent"], now)]
    for reader, at in rows:
        db.session.add(ContactRead(reader_id=reader.id, customer_id=day["customer"].id,
                                   visit_id=day["visit_id"], fields="phone,address", channel="api",
                                   path="/api/agent/visits", at=at))
    other = make_user("customer", name="别的客户")
    db.session.add(ContactRead(reader_id=day["agent"].id, customer_id=other.id, visit_id=None,
                               fields="phone", channel="page", path="/agent/visits",
                               at=now - timedelta(minutes=5)))
    db.session.commit()
    return {**day, "now": now, "other": other}


def log_of(client, bearer, who, **query):
    return client.get("/api/contact-reads", headers=bearer(who.email), query_string=query)


def test_the_admin_reads_the_log_newest_first_with_who_whose_and_where(client, logged, bearer):
    body = log_of(client, bearer, logged["admin"]).get_json()
    assert body["total"] == 4 and body["page"] == 1
    first = body["items"][0]
    assert (first["reader_email"], first["reader_role"], first["customer_id"], first["visit_id"],
            first["fields"], first["channel"], first["path"]) == (
        logged["agent"].email, "agent", logged["customer"].id, logged["visit_id"], "phone,address",
        "api", "/api/agent/visits")
    assert first["customer_email"] == logged["customer"].email and first["at"].endswith("+00:00")
    stamps = [item["at"] for item in body["items"]]
    assert stamps == sorted(stamps, reverse=True)


def test_the_log_filters_by_customer_reader_and_instant_and_pages(client, logged, bearer):
    admin = logged["admin"]

    def ids(**query):
        answer = log_of(client, bearer, admin, **query)
        assert answer.status_code == 200, answer.get_json()
        return [(i["reader_id"], i["customer_id"]) for i in answer.get_json()["items"]]

    agent, manager = logged["agent"].id, logged["manager"].id
    customer, other = logged["customer"].id, logged["other"].id
    assert ids(customer_id=other) == [(agent, other)]
    assert ids(reader_id=manager) == [(manager, customer)]
    assert ids(reader_id=agent, customer_id=customer) == [(agent, customer)] * 2
    since = (logged["now"] - timedelta(minutes=30)).isoformat()
    assert ids(since=since) == [(agent, customer), (agent, other)]
    until = (logged["now"] - timedelta(minutes=30)).isoformat() + "+00:00"
    assert ids(until=until) == [(agent, customer), (manager, customer)]
    # An offset is an instant: 08:00 in Shanghai is midnight UTC.
    shanghai = (logged["now"] - timedelta(minutes=30) + timedelta(hours=8)).isoformat() + "+08:00"
    assert ids(since=shanghai) == ids(since=since)
    page_two = log_of(client, bearer, admin, per_page=3, page=2).get_json()
    assert page_two["total"] == 4 and len(page_two["items"]) == 1 and page_two["per_page"] == 3


@pytest.mark.parametrize("query, field", [
    ({"since": "9999-12-31T09:00:00"}, "since"), ({"until": "not-a-time"}, "until"),
    ({"customer_id": 10**30}, "customer_id"), ({"reader_id": "abc"}, "reader_id"),
    ({"page": 0}, "page"), ({"per_page": 1000}, "per_page"),
    ({"since": "9999-12-31T23:00:00-05:00"}, "since"),
])
def test_a_bad_filter_is_422_naming_the_field(client, logged, bearer, query, field):
    answer = log_of(client, bearer, logged["admin"], **query)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]["query"]


def test_only_admins_read_the_log(client, logged, bearer):
    for who in ("agent", "manager", "customer"):
        answer = log_of(client, bearer, logged[who])
        assert answer.status_code == 403 and logged["customer"].email not in answer.get_data(as_text=True)
    assert log_of(client, bearer, logged["engineer"].user).status_code == 403
    assert client.get("/api/contact-reads").status_code == 401


def test_the_log_page_lists_and_filters_for_admins_and_escapes_text(client, logged, login):
    customer = logged["customer"]
    customer.name = "<script>alert(1)</script>"
    db.session.commit()
    login(logged["admin"].email)
    page = client.get("/admin/contact-reads")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(re.findall(r'id="contact-read-\d+"', html)) == 4
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert logged["agent"].email in html and "/api/agent/visits" in html
    only_other = client.get("/admin/contact-reads", query_string={
        "customer_id": logged["other"].id, "reader_id": "", "since": ""}).get_data(as_text=True)
    assert logged["other"].email in only_other and customer.email not in only_other


def test_the_log_page_reads_and_shows_station_time(client, logged, login):
    """An admin in the station's city types and reads the station clock, as on every page:
    the read made now is listed at now + 8 h, and 'from half an hour ago' typed on that
    clock leaves the reads of an hour and a day ago out."""
    login(logged["admin"].email)
    shanghai = logged["now"] + timedelta(hours=8)
    html = client.get("/admin/contact-reads").get_data(as_text=True)
    assert shanghai.strftime("%Y-%m-%d %H:%M:%S") in html
    since = (shanghai - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    listed = client.get("/admin/contact-reads", query_string={"since": since}).get_data(as_text=True)
    assert len(re.findall(r'id="contact-read-\d+"', listed)) == 2


def test_the_log_page_answers_a_bad_filter_with_a_form_message(client, logged, login):
    login(logged["admin"].email)
    page = client.get("/admin/contact-reads", query_string={"since": "9999-12-31T09:00"})
    assert page.status_code == 422 and 'id="since-error"' in page.get_data(as_text=True)


def test_the_log_page_is_for_admins_only(client, logged, login):
    for who in ("agent", "manager", "customer"):
        login(logged[who].email)
        assert client.get("/admin/contact-reads").status_code == 403
