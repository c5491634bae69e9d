"""The booking page, my visits and the engineer's day, without a browser."""
from datetime import timedelta

from accounts.models import Address
from dispatch.models import Visit
from dispatch.slots import local_now
from extensions import db


def window(day_offset=1, hour=9):
    day = local_now("Asia/Shanghai").date() + timedelta(days=day_offset)
    return f"{day}T{hour:02d}:00:00"


def test_the_page_offers_the_engineers_free_windows_for_the_saved_address(client, wang, make_user, login):
    customer = make_user("customer")
    db.session.add(Address(user=customer, label="家", text="人民路 88 号", lat=31.25, lng=121.49))
    db.session.commit()
    login(customer.email)
    page = client.get(f"/book/{wang.id}?skill=laptop&lat=31.25&lng=121.49").get_data(as_text=True)
    assert page.count('name="window_start"') >= 4


def test_the_page_names_what_is_missing_and_keeps_what_was_typed(client, wang, make_user, login):
    login(make_user("customer").email)
    response = client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "", "product_model": "ThinkPad X1", "window_start": window()})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="problem-error"' in page and 'value="ThinkPad X1"' in page
    assert db.session.query(Visit).count() == 0


def test_an_address_out_of_the_engineers_area_is_explained(client, wang, make_user, login):
    login(make_user("customer").email)
    page = client.get(f"/book/{wang.id}?skill=laptop&lat=39.9&lng=116.4").get_data(as_text=True)
    assert "outside" in page or "服务范围" in page


def test_an_agent_books_on_the_page_for_a_customer(client, wang, make_user, login):
    customer = make_user("customer")
    login(make_user("agent").email)
    response = client.post(f"/book/{wang.id}", data={
        "customer_email": customer.email, "skill": "laptop", "lat": "31.25", "lng": "121.49",
        "address_text": "人民路 88 号", "problem": "打印不出来", "window_start": window()})
    assert response.status_code == 302
    visit = db.session.execute(db.select(Visit)).scalar_one()
    assert visit.customer_id == customer.id and visit.channel == "phone"


def test_the_customer_cancels_from_my_visits(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window()})
    visit = db.session.execute(db.select(Visit)).scalar_one()
    page = client.get("/me/visits").get_data(as_text=True)
    assert "开不了机" in page and "取消" in page
    client.post(f"/visits/{visit.id}/status", data={"status": "cancelled"})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "cancelled"


def test_the_engineers_day_shows_contacts_only_of_their_own_visits(client, wang, make_user, make_engineer, login):
    customer = make_user("customer", phone="13812345678")
    login(customer.email)
    client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window()})
    client.post("/logout")
    day = window()[:10]
    login(wang.user.email)
    assert "13812345678" in client.get(f"/my/day?date={day}").get_data(as_text=True)
    client.post("/logout")
    other = make_engineer(wang.station, name="李师傅")
    login(other.user.email)
    assert "13812345678" not in client.get(f"/my/day?date={day}").get_data(as_text=True)


def test_the_customer_moves_a_visit_to_another_window(client, wang, make_user, login):
    login(make_user("customer").email)
    client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window()})
    visit = db.session.execute(db.select(Visit)).scalar_one()
    page = client.get(f"/visits/{visit.id}/reschedule").get_data(as_text=True)
    assert window(hour=15) in page
    assert client.post(f"/visits/{visit.id}/reschedule", data={"window_start": window(hour=15)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).window_start.hour == 15


def test_an_agent_finds_a_customers_visits_and_cancels_by_phone(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window()})
    client.post("/logout")
    login(make_user("agent").email)
    page = client.get(f"/agent/visits?customer_email={customer.email}").get_data(as_text=True)
    assert "开不了机" in page
    visit = db.session.execute(db.select(Visit)).scalar_one()
    client.post(f"/visits/{visit.id}/status", data={"status": "cancelled", "note": "cancelled by phone"})
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "cancelled" and visit.events[-1].channel == "phone"


def test_the_station_page_shows_the_days_visits_to_its_manager(client, wang, make_user, login):
    customer = make_user("customer", phone="13812345678")
    login(customer.email)
    client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window()})
    client.post("/logout")
    manager = make_user("manager")
    wang.station.manager = manager
    db.session.commit()
    login(manager.email)
    page = client.get(f"/stations/{wang.station.code}?date={window()[:10]}").get_data(as_text=True)
    assert "13812345678" in page and "王师傅" in page and "人民路 88 号" in page


def test_the_page_asks_an_unverified_customer_to_verify_and_books_nothing(client, wang, make_user, login):
    login(make_user("customer", verified=False).email)
    page = client.get(f"/book/{wang.id}?skill=laptop&lat=31.25&lng=121.49").get_data(as_text=True)
    assert 'id="needs-phone"' in page
    response = client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window()})
    assert response.status_code == 200 and 'role="alert"' in response.get_data(as_text=True)
    assert db.session.query(Visit).count() == 0


def test_the_page_explains_the_daily_cap(client, wang, make_user, login):
    login(make_user("customer").email)
    answers = [client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": window(hour=hour)}) for hour in (9, 13, 15)]
    assert [a.status_code for a in answers] == [302, 302, 200]
    assert 'role="alert"' in answers[2].get_data(as_text=True)
    assert db.session.query(Visit).count() == 2


def test_the_days_map_numbers_only_the_visits_still_on(client, wang, make_user, login):
    import html
    import json
    import re
    for hour, status in ((9, "cancelled"), (11, "scheduled"), (13, "scheduled")):
        customer = make_user("customer")
        login(customer.email)
        client.post(f"/book/{wang.id}", data={
            "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": f"人民路 {hour} 号",
            "problem": "开不了机", "window_start": window(hour=hour)})
        visit = db.session.execute(db.select(Visit).order_by(Visit.id.desc())).scalars().first()
        if status == "cancelled":
            client.post(f"/visits/{visit.id}/status", data={"status": "cancelled"})
        client.post("/logout")
    login(wang.user.email)
    page = client.get(f"/my/day?date={window()[:10]}").get_data(as_text=True)
    stops = json.loads(html.unescape(re.search(r"data-stops='([^']*)'", page).group(1)))
    assert [s["label"] for s in stops] == ["1", "2"]


def test_my_visits_show_what_is_coming_first_and_cancel_asks_then_says_so(client, wang, make_user, login):
    customer = make_user("customer")
    login(customer.email)
    for offset, hour in ((3, 9), (1, 11), (2, 13)):
        client.post(f"/book/{wang.id}", data={
            "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
            "problem": f"第{offset}天", "window_start": window(offset, hour)})
    start = local_now("Asia/Shanghai").replace(tzinfo=None) - timedelta(days=3)
    db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=wang.station_id,
                         engineer_id=wang.id, skill_id=wang.skills[0].id, problem="上次的",
                         address_text="y", lat=31.25, lng=121.49, window_start=start,
                         window_end=start + timedelta(hours=2), duration_minutes=60, status="cancelled"))
    db.session.commit()
    page = client.get("/me/visits").get_data(as_text=True)
    order = [page.index(text) for text in ("第1天", "第2天", "第3天", "已过去或已取消的上门", "上次的")]
    assert order == sorted(order)
    soonest = db.session.execute(db.select(Visit).where(Visit.problem == "第1天")).scalar_one()
    card = page[page.index(f'id="visit-{soonest.id}"'):]
    assert f'id="cancel-{soonest.id}"' in card and "确定取消" in card
    done = client.post(f"/visits/{soonest.id}/status", data={"status": "cancelled"}, follow_redirects=True)
    assert "已取消" in done.get_data(as_text=True)
