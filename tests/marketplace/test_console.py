"""The call-centre console: the agent finds the caller, reads their card, books for them
from it and opens an account for a first-time caller; nobody else gets in."""
import re

import pytest

from accounts.models import Address, User
from dispatch.models import ContactRead, Visit
from extensions import db
from marketplace.favourites import add_favourite

HOME = (31.25, 121.49)  # Huangpu, Shanghai: inside both engineers' station


@pytest.fixture
def station(ctx, make_station, make_user):
    from marketplace.catalog import ensure_catalog
    ensure_catalog()
    db.session.commit()
    return make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站",
                        manager=make_user("manager", phone="+8602158880000"))


@pytest.fixture
def wang(station, make_engineer):
    engineer = make_engineer(station, skills=("laptop",), name="王师傅")
    engineer.work_days = "1234567"
    db.session.commit()
    return engineer


@pytest.fixture
def li(station, make_engineer):
    engineer = make_engineer(station, skills=("laptop",), name="李师傅", phone="13900000001")
    engineer.work_days = "1234567"
    db.session.commit()
    return engineer


@pytest.fixture
def caller(make_user):
    """张伟, who has called before: a saved address at home, not a verified phone."""
    customer = make_user("customer", name="张伟", phone="+8613812345678", verified=False)
    db.session.add(Address(user=customer, label="家", text="上海市黄浦区人民路88号", lat=HOME[0],
                           lng=HOME[1], is_default=True))
    db.session.commit()
    return customer


@pytest.fixture
def agent(make_user, login):
    user = make_user("agent", name="小刘")
    login(user.email)
    return user


def free_window(client, caller, engineer=None) -> str:
    """The first window the card offers (for the engineer named, else the station)."""
    query = {"skill": "laptop", "address_id": caller.addresses[0].id}
    if engineer is not None:
        query["engineer_id"] = engineer.id
    page = client.get(f"/console/customers/{caller.id}", query_string=query).get_data(as_text=True)
    marker = 'name="window_start" value="'
    assert marker in page, "the card offers no window"
    return page.split(marker, 1)[1].split('"', 1)[0]


def book(client, caller, window, engineer=None, problem="开不了机"):
    return client.post(f"/console/customers/{caller.id}/book", data={
        "address_id": caller.addresses[0].id, "skill": "laptop", "window_start": window,
        "engineer_id": engineer.id if engineer else "", "problem": problem})


@pytest.mark.parametrize("typed", ["138 1234 5678", "+86-138-1234-5678", "5678"])
def test_the_agent_finds_the_caller_by_phone_and_sees_a_masked_number(client, agent, caller, typed):
    page = client.get("/console", query_string={"q": typed}).get_data(as_text=True)
    assert "张伟" in page and "+86 138****5678" in page
    assert "13812345678" not in page and "人民路" not in page  # a list across customers
    assert f"/console/customers/{caller.id}" in page


def test_the_agent_finds_the_caller_by_name_or_email(client, agent, caller):
    assert f"/console/customers/{caller.id}" in client.get("/console?q=张伟").get_data(as_text=True)
    assert f"/console/customers/{caller.id}" in client.get(
        "/console", query_string={"q": caller.email}).get_data(as_text=True)


def test_nobody_matching_offers_to_open_an_account_with_the_number(client, agent, caller):
    page = client.get("/console?q=13700001111").get_data(as_text=True)
    assert 'id="no-results"' in page and "/console/customers/new?phone=13700001111" in page


def test_the_api_finds_customers_for_agents(client, agent, caller, station):
    found = client.get("/api/customers?q=13812345678").get_json()
    assert [(row["id"], row["name"], row["phone"], row["address_label"], row["area"]) for row in found] \
        == [(caller.id, "张伟", "+86 138****5678", "家", "黄浦区服务站")]


def test_the_api_wants_a_query(client, agent):
    assert client.get("/api/customers").status_code == 422


@pytest.mark.parametrize("role", ["customer", "engineer", "manager"])
def test_only_agents_may_search_customers_or_open_a_card(client, make_user, login, caller, role):
    login(make_user(role).email)
    assert client.get("/api/customers?q=张伟").status_code == 403
    assert client.get("/console?q=张伟").status_code == 403
    assert client.get(f"/console/customers/{caller.id}").status_code == 403
    assert client.post(f"/console/customers/{caller.id}/book", data={}).status_code == 403
    assert client.post("/console/customers/new", data={"name": "x"}).status_code == 403


def test_signed_out_the_api_is_401(client, caller):
    assert client.get("/api/customers?q=张伟").status_code == 401


def test_the_card_shows_contact_addresses_visits_and_favourites_and_logs_the_read(
        client, agent, caller, wang, li):
    add_favourite(caller.id, li.id)
    db.session.commit()
    assert book(client, caller, free_window(client, caller, wang), wang, "屏幕碎了").status_code == 302
    page = client.get(f"/console/customers/{caller.id}").get_data(as_text=True)
    assert "+8613812345678" in page and "上海市黄浦区人民路88号" in page
    visits = page.split('id="visits"', 1)[1].split('id="favourites"', 1)[0]
    assert "屏幕碎了" in visits and "王师傅" in visits and "status-scheduled" in visits
    favourites = page.split('id="favourites"', 1)[1]
    assert "李师傅" in favourites and f"engineer_id={li.id}" in favourites
    reads = db.session.execute(db.select(ContactRead).where(ContactRead.reader_id == agent.id,
                                                            ContactRead.visit_id.is_(None))).scalars().all()
    assert reads and reads[-1].customer_id == caller.id and reads[-1].fields == "phone,address"


def test_the_card_lists_visits_to_come_soonest_first_then_earlier_ones(client, agent, caller, wang):
    first = free_window(client, caller, wang)
    assert book(client, caller, first, wang, "第一次").status_code == 302
    later = free_window(client, caller, wang)  # the first still free: the same window when it holds two
    assert book(client, caller, later, wang, "第二次").status_code == 302
    # Both may share a window (ties have no order on PostgreSQL): cancel the first by its words.
    first_visit = db.session.execute(db.select(Visit).where(Visit.problem == "第一次")).scalar_one()
    client.post(f"/visits/{first_visit.id}/status", data={"status": "cancelled", "note": "by phone"})
    page = client.get(f"/console/customers/{caller.id}").get_data(as_text=True)
    coming, earlier = page.split('id="visits"', 1)[1].split("status-cancelled", 1)
    assert "第二次" in coming and "第一次" not in coming and "第一次" in earlier


def test_booking_from_the_card_books_the_engineer_named_by_phone(client, agent, caller, wang, li):
    window = free_window(client, caller, li)
    response = book(client, caller, window, li)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/console/customers/{caller.id}#visit-")
    visit = db.session.execute(db.select(Visit)).scalar_one()
    assert (visit.customer_id, visit.engineer_id, visit.channel, visit.booked_by_id) == \
        (caller.id, li.id, "phone", agent.id)
    assert visit.chosen_by_customer and visit.address_text == "上海市黄浦区人民路88号"
    assert visit.window_start.isoformat() == window


def test_letting_the_station_choose_books_someone_who_can_come(client, agent, caller, wang, li):
    window = free_window(client, caller)
    assert book(client, caller, window).status_code == 302
    visit = db.session.execute(db.select(Visit)).scalar_one()
    assert visit.engineer_id in (wang.id, li.id) and not visit.chosen_by_customer
    assert visit.channel == "phone" and visit.window_start.isoformat() == window


def test_the_station_chooses_the_engineer_still_free_when_the_other_is_taken(
        client, agent, caller, wang, li, make_user):
    window = free_window(client, caller, wang)
    other = make_user("customer", name="别人")
    db.session.add(Address(user=other, label="家", text="人民路90号", lat=HOME[0], lng=HOME[1]))
    db.session.commit()
    assert book(client, other, window, wang).status_code == 302
    assert book(client, caller, window).status_code == 302
    mine = db.session.execute(db.select(Visit).where(Visit.customer_id == caller.id)).scalar_one()
    assert mine.engineer_id == li.id


def test_a_booking_without_a_problem_names_the_field_and_books_nothing(client, agent, caller, wang):
    response = book(client, caller, free_window(client, caller, wang), wang, problem="")
    assert response.status_code == 422
    assert 'id="problem-error"' in response.get_data(as_text=True)
    assert db.session.query(Visit).count() == 0


def test_another_customers_address_cannot_be_booked(client, agent, caller, wang, make_user):
    other = make_user("customer")
    db.session.add(Address(user=other, label="公司", text="别处", lat=HOME[0], lng=HOME[1]))
    db.session.commit()
    window = free_window(client, caller, wang)
    response = client.post(f"/console/customers/{caller.id}/book", data={
        "address_id": other.addresses[0].id, "skill": "laptop", "window_start": window,
        "engineer_id": wang.id, "problem": "x"})
    assert response.status_code == 422 and 'id="address_id-error"' in response.get_data(as_text=True)
    assert db.session.query(Visit).count() == 0


def test_a_first_time_caller_gets_an_account_placed_by_their_address(client, agent, station):
    response = client.post("/console/customers/new", data={
        "name": "陈静", "phone": "137 0000 1234", "label": "家", "address_text": "上海市黄浦区"})
    assert response.status_code == 302
    customer = db.session.execute(db.select(User).where(User.name == "陈静")).scalar_one()
    assert response.headers["Location"] == f"/console/customers/{customer.id}#book"
    assert customer.phone == "+8613700001234" and customer.phone_verified_at is None
    assert [(a.text, round(a.lat, 1), round(a.lng, 1)) for a in customer.addresses] == \
        [("上海市黄浦区", 31.2, 121.5)]


def test_creating_a_customer_refuses_a_taken_phone(client, agent, caller, station):
    response = client.post("/console/customers/new?phone=13700001111", data={
        "name": "冒名", "phone": "138-1234-5678", "label": "家", "address_text": "上海市黄浦区"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="phone-error"' in page and f"/console/customers/{caller.id}" in page
    assert db.session.execute(db.select(db.func.count()).select_from(User).where(
        User.role == "customer")).scalar() == 1


def test_an_address_nobody_can_place_is_a_message_on_its_field(client, agent, station):
    response = client.post("/console/customers/new", data={
        "name": "陈静", "phone": "13700001234", "label": "家", "address_text": "不存在的地方"})
    assert response.status_code == 422 and 'id="address_text-error"' in response.get_data(as_text=True)
    assert db.session.execute(db.select(User).where(User.name == "陈静")).first() is None


def test_an_agent_books_for_a_new_customer_whose_number_is_not_verified(client, agent, station, wang):
    client.post("/console/customers/new", data={
        "name": "陈静", "phone": "13700001234", "label": "家", "address_text": "上海市黄浦区"})
    customer = db.session.execute(db.select(User).where(User.name == "陈静")).scalar_one()
    assert book(client, customer, free_window(client, customer, wang), wang).status_code == 302
    assert db.session.execute(db.select(Visit)).scalar_one().customer_id == customer.id


def test_cancelling_and_moving_from_the_card_come_back_to_the_card(client, agent, caller, wang):
    assert book(client, caller, free_window(client, caller, wang), wang).status_code == 302
    visit = db.session.execute(db.select(Visit)).scalar_one()
    card = client.get(f"/console/customers/{caller.id}").get_data(as_text=True)
    assert f"/visits/{visit.id}/reschedule" in card and f"/visits/{visit.id}/status" in card
    later = free_window(client, caller, wang)
    moved = client.post(f"/visits/{visit.id}/reschedule", data={"window_start": later})
    assert moved.headers["Location"] == f"/console/customers/{caller.id}#visit-{visit.id}"
    cancelled = client.post(f"/visits/{visit.id}/status", data={"status": "cancelled", "note": "by phone"})
    assert cancelled.headers["Location"] == f"/console/customers/{caller.id}#visit-{visit.id}"
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "cancelled"


def test_the_customer_search_is_in_the_openapi_document(client, ctx):
    operation = client.get("/openapi.json").get_json()["paths"]["/api/customers"]["get"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["q"]
    assert "200" in operation["responses"]


# --- A caller who later opens an account of their own ----------------------------------------

def open_on_call(client, agent_email, login):
    """The agent opens 陈静's account on the phone and books 王师傅 for her."""
    login(agent_email)
    client.post("/console/customers/new", data={
        "name": "陈静", "phone": "13700001234", "label": "家", "address_text": "上海市黄浦区"})
    return db.session.execute(db.select(User).where(User.name == "陈静")).scalar_one()


def sign_up(client, phone="137 0000 1234"):
    """陈静 signs up on the website, with the number she gave on the phone unless None."""
    client.post("/logout")
    client.post("/signup", data={"name": "陈静", "email": "chen.jing@example.test",
                                 "password": "paper-kite-harbour-71", "password_confirm": "paper-kite-harbour-71",
                                 "phone": phone or ""})
    return db.session.execute(db.select(User).where(User.email == "chen.jing@example.test")).scalar_one()


def prove(client, outbox, phone="137 0000 1234"):
    """The signed-in customer proves the number with the code sent to it."""
    client.post("/me/phone", data={"phone": phone})
    code = re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)
    return client.post("/me/phone/verify", data={"code": code}, follow_redirects=True)


@pytest.fixture
def outbox(app):
    sender = app.extensions["sms_sender"]
    sender.messages.clear()
    return sender.messages


def test_a_caller_who_signs_up_and_proves_the_number_finds_what_was_booked_by_phone(
        client, agent, station, wang, login, outbox):
    opened = open_on_call(client, agent.email, login)
    assert opened.opened_on_call
    assert book(client, opened, free_window(client, opened, wang), wang, "打印机卡纸").status_code == 302
    opened_id = opened.id
    me = sign_up(client)
    page = prove(client, outbox).get_data(as_text=True)
    assert "已在您的账户中" in page or "is in your account now" in page
    assert db.session.get(User, opened_id) is None  # one person, one account
    visits = client.get("/me/visits").get_data(as_text=True)
    assert "打印机卡纸" in visits and "王师傅" in visits
    assert [a.text for a in me.addresses] == ["上海市黄浦区"]
    # the call centre now finds that one account by the number
    login(agent.email)
    found = client.get("/api/customers?q=13700001234").get_json()
    assert [row["id"] for row in found] == [me.id]


def test_a_favourite_counts_once_the_calls_visits_join_the_account(
        client, agent, station, wang, login, outbox, serve):
    from marketplace.models import EngineerStats, PointEvent
    opened = open_on_call(client, agent.email, login)
    serve(opened, wang)  # served on the phone account, confirmed with the code read aloud
    me = sign_up(client, phone=None)
    add_favourite(me.id, wang.id)
    db.session.commit()
    assert db.session.get(EngineerStats, wang.id).favourite_count == 0  # she was not served yet
    prove(client, outbox)
    db.session.expire_all()
    assert db.session.get(EngineerStats, wang.id).favourite_count == 1
    points = db.session.execute(db.select(db.func.sum(PointEvent.points)).where(
        PointEvent.source_key.startswith(f"favourite:{wang.id}:{me.id}:"))).scalar()
    assert points == 5


def test_only_an_unproven_account_opened_on_a_call_is_joined(client, make_user, outbox, login):
    someone = make_user("customer", name="别人", phone="+8613700001234", verified=False)  # signed up, never proved
    other_call = make_user("customer", name="打过电话", phone="+8613700009999", verified=False)
    other_call.opened_on_call = True
    db.session.commit()
    sign_up(client)
    page = prove(client, outbox).get_data(as_text=True)
    assert "is in your account now" not in page and "已在您的账户中" not in page
    assert db.session.get(User, someone.id) is not None and db.session.get(User, other_call.id) is not None


def test_proving_the_number_through_the_api_joins_the_call_account_too(
        client, agent, station, wang, login, outbox, bearer):
    opened = open_on_call(client, agent.email, login)
    assert book(client, opened, free_window(client, opened, wang), wang, "鼠标失灵").status_code == 302
    me = sign_up(client)
    header = bearer(me.email, "paper-kite-harbour-71")
    assert client.post("/api/me/phone/code", headers=header, json={"phone": "13700001234"}).status_code == 202
    code = re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)
    assert client.post("/api/me/phone/verify", headers=header, json={"code": code}).status_code == 200
    visits = db.session.execute(db.select(Visit.problem).where(Visit.customer_id == me.id)).scalars().all()
    assert visits == ["鼠标失灵"]


def test_the_card_offers_no_window_on_a_day_the_caller_can_no_longer_book(client, agent, caller, wang):
    first = free_window(client, caller, wang)
    assert book(client, caller, first, wang, "第一次").status_code == 302
    assert book(client, caller, free_window(client, caller, wang), wang, "第二次").status_code == 302
    days = {v.window_start.date() for v in db.session.execute(db.select(Visit)).scalars()}
    assert len(days) == 1  # both on the first day with room: the cap (2 a day) is reached
    for engineer in (wang, None):  # named or "let the station choose"
        offered = free_window(client, caller, engineer)
        assert offered[:10] != first[:10]
        assert book(client, caller, offered, engineer, "第三次").status_code == 302
        db.session.execute(db.delete(Visit).where(Visit.problem == "第三次"))
        db.session.commit()
