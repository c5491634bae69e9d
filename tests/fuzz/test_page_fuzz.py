"""Tests that every page takes hostile input in stride: each form field and query parameter a
page reads gets empty, non-numeric, infinite, huge, out-of-range, very long, emoji and markup
values, signed in as the role the page is for. Expected: a 2xx, 3xx or 4xx (or the page with
a form message), never a 500, and the user's text only ever comes back escaped.

And the server errors once found on the running demo, each pinned by its own test.
"""
from __future__ import annotations

import pytest

from accounts.access import LIBRARY_ENDPOINTS

PASSWORD = "correct-horse-battery"  # the factories' password (tests/conftest.py)
SCRIPT = "<script>alert(1)</script>"
HOSTILE = ("", "abc", "inf", "NaN", "-1", "1e400", "9" * 30, "9999-12-31", "0000-00-00",
           "x" * 10_000, "😀🔧", SCRIPT)

# Each page: who it is for, its path (filled from the network), how it is sent, the fields or
# query parameters it reads, and valid values for the others (so one hostile value at a time
# reaches past the first check).
PAGES = {
    "accounts.login": ("anonymous", "/login", "POST", {
        "email": "nobody@example.test", "password": "wrong-password", "remember": "on", "next": "/"}),
    "accounts.signup": ("anonymous", "/signup", "POST", {
        "name": "新用户", "email": "new@example.test", "password": "long-enough-1",
        "password_confirm": "long-enough-1", "phone": "13800000000"}),
    "accounts.logout": ("customer", "/logout", "POST", {}),
    "accounts.set_language": ("anonymous", "/lang/en", "POST", {"next": "/"}),
    "feedback.resolve_flag": ("admin", "/admin/flags/1/resolve", "POST", {"note": "同一家人"}),
    "feedback.reply_to_review": ("engineer", "/reviews/1/reply", "POST", {"text": "谢谢您的好评"}),
    "accounts.phone": ("customer", "/me/phone", "POST", {"phone": "13812345678", "next": "/"}),
    "accounts.verify_phone": ("customer", "/me/phone/verify", "POST", {"code": "123456", "next": "/"}),
    "network.network_runs": ("admin", "/admin/network-runs", "POST", {"day": "{day}"}),
    "network.network_run": ("admin", "/admin/network-runs/1", "GET", {}),
    "network.coverage_gaps_page": ("admin", "/admin/coverage-gaps", "GET", {}),
    "network.set_auto_publish": ("manager", "/stations/{station}/auto-publish", "POST", {"auto_publish": "on"}),
    "dispatch.contact_read_log": ("admin", "/admin/contact-reads", "GET", {
        "customer_id": "1", "reader_id": "1", "since": "{day}", "until": "{day}", "page": "1",
        "per_page": "50"}),
    "dispatch.my_station": ("manager", "/station", "GET", {}),
    "dispatch.station": ("manager", "/stations/{station}", "GET", {"date": "{day}"}),
    "planning.planning_board": ("manager", "/stations/{station}/board", "GET", {"date": "{day}"}),
    "dispatch.book_engineer": ("customer", "/book/{engineer}", "POST", {
        "skill": "laptop", "lat": "{lat}", "lng": "{lng}", "address_text": "南京东路1号",
        "problem": "开不了机", "product_model": "X1", "serial_number": "SN", "window_start": "{free}"}),
    "dispatch.visit_step": ("engineer", "/visits/{booked}/status", "POST", {
        "status": "en_route", "note": "路上", "fault_found": "", "parts_used": "", "fixed_first_time": ""}),
    "dispatch.my_day": ("engineer", "/my/day", "GET", {"date": "{day}"}),
    "dispatch.confirm_visit": ("customer", "/visits/{done}/confirm", "POST", {}),
    "dispatch.reschedule_visit": ("customer", "/visits/{booked}/reschedule", "POST", {
        "window_start": "{free}"}),
    "console.search": ("agent", "/console", "GET", {"q": "138"}),
    "console.card": ("agent", "/console/customers/{customer}", "GET", {
        "address_id": "{address}", "skill": "laptop", "engineer_id": "{engineer}"}),
    "console.book": ("agent", "/console/customers/{customer}/book", "POST", {
        "address_id": "{address}", "skill": "laptop", "engineer_id": "", "window_start": "{free}",
        "problem": "开不了机", "product_model": "X1", "serial_number": "SN"}),
    "console.add_address": ("agent", "/console/customers/{customer}/addresses", "POST", {
        "label": "公司", "address_text": "上海市黄浦区", "lat": "{lat}", "lng": "{lng}"}),
    "console.new_customer": ("agent", "/console/customers/new", "POST", {
        "name": "新顾客", "phone": "13700000009", "email": "", "label": "家",
        "address_text": "上海市黄浦区", "lat": "", "lng": ""}),
    "dispatch.agent_visits": ("agent", "/agent/visits", "GET", {"customer_email": "{customer_email}"}),
    "marketplace.home": ("anonymous", "/", "GET", {}),
    "marketplace.healthz": ("anonymous", "/healthz", "GET", {}),
    "marketplace.favicon": ("anonymous", "/favicon.ico", "GET", {}),
    "marketplace.engineers": ("anonymous", "/engineers", "GET", {
        "lat": "{lat}", "lng": "{lng}", "skill": "laptop", "min_stars": "4", "level": "rookie",
        "day": "{day}", "sort": "stars", "page": "1", "per_page": "20"}),
    "marketplace.engineer": ("anonymous", "/engineers/{engineer}", "GET", {"page": "1", "back": "/"}),
    "marketplace.toggle_favourite": ("customer", "/engineers/{engineer}/favourite", "POST",
                                     {"favourite": "1"}),
    "marketplace.my_engineers": ("customer", "/me/engineers", "GET", {}),
    "marketplace.admin_tags": ("admin", "/admin/tags", "POST", {
        "code": "new_tag", "name_zh": "新", "name_en": "New", "positive": "1"}),
    "marketplace.admin_tags#toggle": ("admin", "/admin/tags", "POST", {"toggle": "{tag}"}),
    "feedback.review": ("customer", "/visits/{done}/review", "POST", {
        "stars": "4", "tags": "on_time", "text": "很好"}),
    "payments.tip_visit": ("customer", "/visits/{done}/tip", "POST", {"yuan": "10"}),
    "payments.my_earnings": ("engineer", "/my/earnings", "GET", {}),
    "payments.station_tips": ("manager", "/station/tips", "GET", {}),
    "payments.refund": ("manager", "/tips/999999/refund", "POST", {"reason": "顾客误操作"}),
    "payments_webhooks.stripe_webhook": ("anonymous", "/payments/stripe/webhook", "POST", {"id": "evt_1"}),
    "feedback.my_level": ("engineer", "/my/level", "GET", {}),
    "feedback.moderate": ("admin", "/admin/reviews", "POST", {"review": "{review}", "action": "hide"}),
    "feedback.my_visits": ("customer", "/me/visits", "GET", {}),
    "feedback.my_visit": ("customer", "/me/visits/{booked}", "GET", {}),
    "dispatch.my_addresses": ("customer", "/me/addresses", "POST", {
        "label": "家", "address_text": "上海市黄浦区", "lat": "{lat}", "lng": "{lng}", "is_default": "true"}),
    "dispatch.default_address": ("customer", "/me/addresses/999999/default", "POST", {}),
    "dispatch.delete_address": ("customer", "/me/addresses/999999/delete", "POST", {}),
    "feedback.report_review": ("customer", "/reviews/{review}/report", "POST", {"reason": "广告"}),
}


def filled(text: str, network: dict) -> str:
    lat, lng = network["place"]
    return text.format(lat=lat, lng=lng, customer_email=network["emails"]["customer"],
                       **{k: v for k, v in network.items() if not isinstance(v, (dict, tuple))})


@pytest.fixture
def clients(app, client, network):
    """A test client (of the isolating kind) signed in as each role, and one anonymous."""
    signed = {"anonymous": client}
    for role, email in network["emails"].items():
        signed[role] = app.test_client()
        response = signed[role].post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, role
    return signed


def test_every_page_is_fuzzed(app):
    """Tests that a new page cannot slip past the hostile-input test."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if not rule.rule.startswith("/api/") and rule.endpoint not in LIBRARY_ENDPOINTS}
    assert endpoints - {name.partition("#")[0] for name in PAGES} == set()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_survives_hostile_values(clients, network, page):
    """Tests that `page` answers each hostile value in each field without a server error, and
    never echoes markup unescaped."""
    role, path, method, fields = PAGES[page]
    url = filled(path, network)
    valid = {name: filled(value, network) for name, value in fields.items()}
    for name in fields or [""]:
        for value in HOSTILE:
            data = {**valid, name: value} if name else {}
            client = clients[role]
            if method == "GET":
                response = client.get(url, query_string=data)
            else:
                response = client.post(url, data=data)
            assert response.status_code < 500, (page, name, value[:40])
            assert SCRIPT.encode() not in response.data, (page, name)
            if page == "accounts.logout":
                client.post("/login", data={"email": network["emails"][role],
                                            "password": PASSWORD})


# --- Server errors found on the demo, each now a 4xx or a form message ----------------------

def signed_in(client, network, role):
    client.post("/login", data={"email": network["emails"][role], "password": PASSWORD})
    client.post("/lang/en")
    return client


def test_toggling_a_tag_by_a_non_numeric_id_is_a_form_message(client, network):
    admin = signed_in(client, network, "admin")
    response = admin.post("/admin/tags", data={"toggle": "abc"})
    assert response.status_code == 422
    assert "Not a known entry." in response.get_data(as_text=True)


def test_toggling_a_tag_by_a_30_digit_id_is_a_form_message(client, network):
    response = signed_in(client, network, "admin").post("/admin/tags", data={"toggle": "9" * 30})
    assert response.status_code == 422


def test_moderating_a_review_by_a_non_numeric_id_is_a_message(client, network):
    admin = signed_in(client, network, "admin")
    response = admin.post("/admin/reviews", data={"review": "abc", "action": "hide"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Choose a review, then hide or restore it." in response.get_data(as_text=True)


def test_moderating_an_unknown_review_is_404(client, network):
    admin = signed_in(client, network, "admin")
    assert admin.post("/admin/reviews", data={"review": "999999", "action": "hide"}).status_code == 404


@pytest.mark.parametrize("yuan", ["inf", "-inf", "NaN", "1e400", "abc", "", "0.001", "1001"])
def test_an_impossible_tip_is_a_message_and_records_nothing(client, network, yuan):
    from extensions import db
    from marketplace.models import Tip

    customer = signed_in(client, network, "customer")
    response = customer.post(f"/visits/{network['done']}/tip", data={"yuan": yuan}, follow_redirects=True)
    assert response.status_code == 200
    assert "A tip is 1 to 1,000 yuan." in response.get_data(as_text=True)
    assert db.session.execute(db.select(Tip)).scalars().all() == []


def test_a_tip_in_yuan_is_asked_for_in_fen():
    """The page's yuan become fen (the payment itself: tests/payments)."""
    from payments.schemas import TipFormSchema

    assert TipFormSchema().load({"yuan": "12.5"}) == {"amount_cents": 1250}


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0000-00-00", "abc"])
def test_my_day_out_of_range_shows_today_with_a_message(client, network, day):
    response = signed_in(client, network, "engineer").get("/my/day", query_string={"date": day})
    assert response.status_code == 200
    assert "That is not a day we can show; here is today." in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_station_day_out_of_range_shows_today_with_a_message(client, network, day):
    manager = signed_in(client, network, "manager")
    response = manager.get(f"/stations/{network['station']}", query_string={"date": day})
    assert response.status_code == 200
    assert "That is not a day we can show; here is today." in response.get_data(as_text=True)


def test_the_message_is_in_chinese_by_default(client, network):
    client.post("/login", data={"email": network["emails"]["engineer"], "password": PASSWORD})
    response = client.get("/my/day", query_string={"date": "9999-12-31"})
    assert "这一天无法显示，以下是今天。" in response.get_data(as_text=True)


@pytest.mark.parametrize("start", ["9999-12-31T23:00:00", "0001-01-01T00:00:00"])
def test_booking_or_moving_into_year_9999_is_422(client, network, bearer, start):
    header = bearer(network["emails"]["customer"])
    lat, lng = network["place"]
    booking = {"skill": "laptop", "problem": "x", "address_text": "y", "lat": lat, "lng": lng,
               "window_start": start, "engineer_id": network["engineer"]}
    assert client.post("/api/visits", json=booking, headers=header).status_code == 422
    moved = client.post(f"/api/visits/{network['booked']}/reschedule", json={"window_start": start},
                        headers=header)
    assert moved.status_code == 422


def test_slots_of_a_30_digit_engineer_id_is_404(client, network):
    response = client.get(f"/api/engineers/{'9' * 30}/slots",
                          query_string={"lat": network["place"][0], "lng": network["place"][1], "skill": "laptop"})
    assert response.status_code == 404


@pytest.mark.parametrize("query", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
def test_station_figures_over_an_out_of_range_period_are_422(client, network, bearer, query):
    response = client.get(f"/api/stations/{network['station']}/metrics", query_string=query,
                          headers=bearer(network["emails"]["manager"]))
    assert response.status_code == 422


def test_markup_typed_into_a_form_comes_back_escaped(client):
    response = client.post("/login", data={"email": SCRIPT, "password": "x"})
    assert response.status_code == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [f"/api/engineers/{2**63 - 1}", f"/api/engineers/{2**31}/rates"])
def test_an_id_beyond_the_database_integers_is_404(client, network, url):
    """Tests ids that fit the URL converter but not PostgreSQL's `integer` columns."""
    assert client.get(url).status_code == 404


def test_text_with_a_nul_character_is_refused_not_a_500(client, network, bearer):
    response = client.post("/api/me/addresses", headers=bearer(network["emails"]["customer"]),
                           json={"label": "家\x00", "text": "x", "lat": 31.2, "lng": 121.4})
    assert response.status_code in (201, 422)  # SQLite stores it; PostgreSQL refuses: 422
