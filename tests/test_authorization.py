"""The authorisation matrix: every endpoint and page, called as each kind of person, answers
what that person may get — allowed, 401 (or the sign-in page), 403 or 404.

The world has two stations, each with its manager and an engineer; a customer with a booked
visit, a completed one with a review and a saved address at the first station; another
customer; an agent and an admin. "Another" roles are the same role one step away: another
customer, the other station's engineer, the other station's manager. An endpoint missing from
MATRIX fails the test, so a new endpoint cannot ship without saying who may call it.

"ok" means the gate and the ownership checks let the call through: any answer that is not
401, 403, 404, the sign-in redirect or a 5xx (a 409 or 422 about the request itself is fine;
the calls carry valid bodies so that ownership is reached before validation could refuse).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from accounts.access import LIBRARY_ENDPOINTS

ROLES = ("anonymous", "customer", "other_customer", "engineer", "other_engineer", "manager",
         "other_manager", "agent", "admin")
OK, LOGIN = "ok", "login"


def expect(anonymous=None, customer=None, other_customer=None, engineer=None,
           other_engineer=None, manager=None, other_manager=None, agent=None, admin=None,
           default=403) -> dict:
    """One row of the matrix; unnamed signed-in roles get `default`."""
    given = dict(anonymous=anonymous, customer=customer, other_customer=other_customer,
                 engineer=engineer, other_engineer=other_engineer, manager=manager,
                 other_manager=other_manager, agent=agent, admin=admin)
    return {role: (value if value is not None else default) for role, value in given.items()}


def everyone(**but) -> dict:
    return expect(**{"default": OK, "anonymous": OK, **but})


def api(**allowed) -> dict:
    """An API operation: anonymous 401, the named roles as given, everyone else 403."""
    return expect(anonymous=401, **allowed)


def page(**allowed) -> dict:
    """A page: anonymous goes to the sign-in page, the named roles as given, others 403."""
    return expect(anonymous=LOGIN, **allowed)


SIGNED_IN_API = api(default=OK)
CUSTOMER_OWN_API = api(customer=OK, other_customer=OK, admin=OK)

# (endpoint, method) → (path template, body or None, who gets what)
MATRIX: dict[tuple[str, str], tuple[str, dict | None, dict]] = {
    # Pages anyone may open.
    ("marketplace.home", "GET"): ("/", None, everyone()),
    ("marketplace.healthz", "GET"): ("/healthz", None, everyone()),
    ("marketplace.favicon", "GET"): ("/favicon.ico", None, everyone()),
    ("marketplace.engineers", "GET"): ("/engineers?lat={lat}&lng={lng}", None, everyone()),
    ("marketplace.engineer", "GET"): ("/engineers/{engineer}", None, everyone()),
    ("accounts.login", "GET"): ("/login", None, everyone()),
    ("accounts.signup", "GET"): ("/signup", None, everyone()),
    # Public API.
    ("accounts_api.issue_token", "POST"): ("/api/auth/token", {"email": "x@example.test",
                                                               "password": "wrong-password"},
                                           everyone(**{r: 401 for r in ROLES})),
    ("marketplace_api.engineers", "GET"): ("/api/engineers?lat={lat}&lng={lng}", None, everyone()),
    ("marketplace_api.engineer", "GET"): ("/api/engineers/{engineer}", None, everyone()),
    ("marketplace_api.engineer_reviews", "GET"): ("/api/engineers/{engineer}/reviews", None,
                                                  everyone()),
    ("feedback_api.engineer_rates", "GET"): ("/api/engineers/{engineer}/rates", None, everyone()),
    ("visits_api.engineer_free_windows", "GET"): (
        "/api/engineers/{engineer}/slots?lat={lat}&lng={lng}&skill=laptop", None, everyone()),
    ("visits_api.station_free_windows", "GET"): (
        "/api/slots?lat={lat}&lng={lng}&skill=laptop", None, everyone()),
    ("stations_api.stations", "GET"): ("/api/stations", None, everyone()),
    ("geocode_api.geocode_address", "GET"): ("/api/geocode?q=上海市黄浦区", None, everyone()),
    ("stations_api.covering", "GET"): ("/api/stations/covering?lat={lat}&lng={lng}", None,
                                       everyone()),
    ("marketplace_api.tags", "GET"): ("/api/tags", None, everyone()),

    # Signing in and out, the language, the account.
    ("accounts.login", "POST"): ("/login", {"email": "x@example.test", "password": "wrong-pass"},
                                 everyone()),
    ("accounts.signup", "POST"): ("/signup", {"name": "新人", "email": "new@example.test",
                                              "password": "long-enough-1",
                                              "password_confirm": "long-enough-1",
                                              "phone": "13800000009"}, everyone()),
    ("accounts.logout", "POST"): ("/logout", {}, page(default=OK)),
    ("accounts.set_language", "POST"): ("/lang/en", {"next": "/"}, everyone()),
    ("accounts.phone", "GET"): ("/me/phone", None, page(default=OK)),
    ("accounts.phone", "POST"): ("/me/phone", {"phone": "13812345678"}, page(default=OK)),
    ("accounts.verify_phone", "POST"): ("/me/phone/verify", {"code": "123456"}, page(default=OK)),
    ("accounts_api.send_phone_code", "POST"): ("/api/me/phone/code", {"phone": "13812345678"},
                                               SIGNED_IN_API),
    ("accounts_api.verify_phone_code", "POST"): ("/api/me/phone/verify", {"code": "123456"},
                                                 SIGNED_IN_API),
    ("accounts_api.revoke_token", "DELETE"): ("/api/auth/token", None, SIGNED_IN_API),
    ("accounts_api.me", "GET"): ("/api/me", None, SIGNED_IN_API),
    ("accounts_api.my_addresses", "GET"): ("/api/me/addresses", None, CUSTOMER_OWN_API),
    ("accounts_api.save_address", "POST"): ("/api/me/addresses", {
        "label": "公司", "text": "上海市黄浦区", "lat": "{lat}", "lng": "{lng}"}, CUSTOMER_OWN_API),
    # Someone else's address is as absent as one that never was.
    ("accounts_api.delete_address", "DELETE"): ("/api/me/addresses/{address}", None,
                                                api(customer=OK, other_customer=404, admin=404)),

    # The customer's own lists and favourites.
    ("marketplace_api.my_favourites", "GET"): ("/api/me/favorites", None, CUSTOMER_OWN_API),
    ("marketplace_api.favourite", "PUT"): ("/api/engineers/{engineer}/favorite", None,
                                          CUSTOMER_OWN_API),
    ("marketplace_api.unfavourite", "DELETE"): ("/api/engineers/{engineer}/favorite", None,
                                               CUSTOMER_OWN_API),
    ("visits_api.my_visits", "GET"): ("/api/me/visits", None, CUSTOMER_OWN_API),
    ("visits_api.my_notices", "GET"): ("/api/me/notices", None, CUSTOMER_OWN_API),
    ("marketplace.toggle_favourite", "POST"): ("/engineers/{engineer}/favourite",
                                               {"favourite": "1"},
                                               page(customer=OK, other_customer=OK, admin=OK)),
    ("marketplace.my_engineers", "GET"): ("/me/engineers", None,
                                          page(customer=OK, other_customer=OK, admin=OK)),
    ("feedback.my_visits", "GET"): ("/me/visits", None,
                                    page(customer=OK, other_customer=OK, admin=OK)),
    ("feedback.my_visit", "GET"): ("/me/visits/{booked}", None,
                                   page(customer=OK, other_customer=404, admin=403)),
    ("dispatch.my_addresses", "GET"): ("/me/addresses", None,
                                       page(customer=OK, other_customer=OK, admin=OK)),
    ("dispatch.my_addresses", "POST"): ("/me/addresses", {
        "label": "公司", "address_text": "上海市黄浦区", "lat": "{lat}", "lng": "{lng}"},
        page(customer=OK, other_customer=OK, admin=OK)),
    ("dispatch.default_address", "POST"): ("/me/addresses/{address}/default", {},
                                           page(customer=OK, other_customer=404, admin=404)),
    ("dispatch.delete_address", "POST"): ("/me/addresses/{address}/delete", {},
                                          page(customer=OK, other_customer=404, admin=404)),

    # Booking: customers for themselves, agents for the customer they handle.
    ("visits_api.create_visit", "POST"): ("/api/visits", {
        "engineer_id": "{engineer}", "skill": "laptop", "lat": "{lat}", "lng": "{lng}",
        "address_text": "上海市黄浦区南京东路1号", "problem": "开不了机",
        "window_start": "{free}", "customer_id": "{customer_id}"},
        api(customer=OK, other_customer=OK, agent=OK, admin=OK)),
    ("dispatch.book_engineer", "GET"): ("/book/{engineer}", None,
                                        page(customer=OK, other_customer=OK, agent=OK, admin=OK)),
    ("dispatch.book_engineer", "POST"): ("/book/{engineer}", {
        "skill": "laptop", "lat": "{lat}", "lng": "{lng}", "address_text": "南京东路1号",
        "problem": "开不了机", "window_start": "{free}"},
        page(customer=OK, other_customer=OK, agent=OK, admin=OK)),

    # One visit: its customer, its engineer, its station's manager, the agent handling its
    # customer, admins. Anyone else finds nothing there.
    ("visits_api.get_visit", "GET"): ("/api/visits/{booked}", None, api(
        customer=OK, other_customer=404, engineer=OK, other_engineer=404, manager=OK,
        other_manager=404, agent=OK, admin=OK)),
    ("visits_api.step", "POST"): ("/api/visits/{booked}/status", {"status": "cancelled"}, api(
        customer=OK, other_customer=404, engineer=OK, other_engineer=404, manager=OK,
        other_manager=404, agent=OK, admin=OK)),
    ("visits_api.move_window", "POST"): ("/api/visits/{booked}/reschedule",
                                         {"window_start": "{free}"}, api(
        customer=OK, other_customer=404, manager=OK, other_manager=404, agent=OK, admin=OK)),
    ("dispatch.visit_step", "POST"): ("/visits/{booked}/status", {"status": "cancelled"}, page(
        customer=OK, other_customer=404, engineer=OK, other_engineer=404, manager=OK,
        other_manager=404, agent=OK, admin=OK)),
    ("dispatch.reschedule_visit", "GET"): ("/visits/{booked}/reschedule", None, page(
        customer=OK, other_customer=404, manager=OK, other_manager=404, agent=OK, admin=OK)),
    ("dispatch.reschedule_visit", "POST"): ("/visits/{booked}/reschedule",
                                            {"window_start": "{free}"}, page(
        customer=OK, other_customer=404, manager=OK, other_manager=404, agent=OK, admin=OK)),

    # Confirming the work done: only the visit's customer (admins see it, confirm nothing).
    ("visits_api.confirm_done", "POST"): ("/api/visits/{done}/confirm", None, api(
        customer=OK, other_customer=404, admin=403)),
    ("dispatch.confirm_visit", "POST"): ("/visits/{done}/confirm", {}, page(  # admins: a flash
        customer=OK, other_customer=404, admin=OK)),

    # Feedback on a completed visit: only its customer.
    ("feedback_api.create_review", "POST"): ("/api/visits/{done}/review", {"stars": 4}, api(
        customer=OK, other_customer=404, admin=403)),
    ("feedback.review", "POST"): ("/visits/{done}/review", {"stars": "4"}, page(
        customer=OK, other_customer=404, admin=403)),
    # A review is public on the engineer's profile: changing or answering someone else's
    # is a 403, there is nothing to hide.
    ("feedback_api.change_review", "PATCH"): ("/api/reviews/{review}", {"stars": 3}, api(
        customer=OK, other_customer=403, admin=403)),
    ("feedback_api.reply_to_review", "POST"): ("/api/reviews/{review}/reply",
                                               {"text": "谢谢"}, api(
        engineer=OK, other_engineer=403, admin=403)),
    ("feedback.reply_to_review", "POST"): ("/reviews/{review}/reply", {"text": "谢谢"}, page(
        engineer=OK, other_engineer=403, admin=403)),
    ("feedback_api.report_review", "POST"): ("/api/reviews/{review}/report",
                                             {"reason": "广告"}, SIGNED_IN_API),
    ("feedback.report_review", "POST"): ("/reviews/{review}/report", {"reason": "广告"},
                                         page(default=OK)),
    ("feedback_api.hide_review", "POST"): ("/api/reviews/{review}/hide", {}, api(admin=OK)),
    ("feedback_api.restore_review", "POST"): ("/api/reviews/{review}/restore", {}, api(admin=OK)),
    ("feedback.moderate", "GET"): ("/admin/reviews", None, page(admin=OK)),
    ("feedback.moderate", "POST"): ("/admin/reviews", {"review": "{review}", "action": "hide"},
                                    page(admin=OK)),
    ("feedback.resolve_flag", "POST"): ("/admin/flags/{flag}/resolve", {"note": "同一家人"},
                                        page(admin=OK)),
    ("marketplace.admin_tags", "GET"): ("/admin/tags", None, page(admin=OK)),
    ("marketplace.admin_tags", "POST"): ("/admin/tags", {"code": "new_tag", "name_zh": "新",
                                                         "name_en": "New", "positive": "1"},
                                         page(admin=OK)),
    ("marketplace_api.create_tag", "POST"): ("/api/tags", {"code": "new_tag", "name_zh": "新",
                                                           "name_en": "New", "positive": True},
                                             api(admin=OK)),
    ("marketplace_api.update_tag", "PATCH"): ("/api/tags/{tag}", {"active": False}, api(admin=OK)),

    # The engineer's own day, metrics and level.
    # An admin passes the role check but has no day or level of his own: 404.
    ("visits_api.my_day", "GET"): ("/api/me/day?date={day}", None,
                                   api(engineer=OK, other_engineer=OK, admin=404)),
    ("visits_api.my_metrics", "GET"): ("/api/me/metrics", None,
                                       api(engineer=OK, other_engineer=OK, admin=404)),
    ("feedback_api.my_level", "GET"): ("/api/me/level", None,
                                       api(engineer=OK, other_engineer=OK, admin=404)),
    ("dispatch.my_day", "GET"): ("/my/day", None, page(engineer=OK, other_engineer=OK, admin=404)),
    ("feedback.my_level", "GET"): ("/my/level", None,
                                   page(engineer=OK, other_engineer=OK, admin=404)),

    # A station's day: its manager and admins; another station's manager finds nothing.
    # "My station": a manager's own; for an admin the directory of every station.
    ("dispatch.my_station", "GET"): ("/station", None, page(manager=OK, other_manager=OK, admin=OK)),
    ("dispatch.station", "GET"): ("/stations/{station}", None,
                                  page(manager=OK, other_manager=403, admin=OK)),
    ("planning.planning_board", "GET"): ("/stations/{station}/board", None,
                                         page(manager=OK, other_manager=403, admin=OK)),
    ("planning_api.station_board", "GET"): ("/api/stations/{station}/board?date={day}", None,
                                            api(manager=OK, other_manager=403, admin=OK)),
    ("stations_api.station_engineers_api", "GET"): ("/api/stations/{station}/engineers", None,
                                                    api(manager=OK, other_manager=403, admin=OK)),
    ("visits_api.station_visits", "GET"): ("/api/stations/{station}/visits?date={day}", None,
                                           api(manager=OK, other_manager=403, admin=OK)),
    ("visits_api.station_metrics", "GET"): ("/api/stations/{station}/metrics", None,
                                            api(manager=OK, other_manager=403, admin=OK)),
    ("planning_api.plan_day", "POST"): ("/api/stations/{station}/plans", {"date": "{day}"},
                                        api(manager=OK, other_manager=403, admin=OK)),
    ("planning_api.engineer_day", "PUT"): (
        "/api/stations/{station}/engineers/{engineer}/day?date={day}",
        {"absent": False}, api(manager=OK, other_manager=403, admin=OK)),
    ("planning_api.get_plan", "GET"): ("/api/plans/{plan}", None,
                                       api(manager=OK, other_manager=403, admin=OK)),
    ("planning_api.publish_plan", "POST"): ("/api/plans/{plan}/publish", {},
                                            api(manager=OK, other_manager=403, admin=OK)),
    # Another station's visit is not there for its manager, as for GET /api/visits/<id>.
    ("planning_api.pin", "PUT"): ("/api/visits/{booked}/pin", {"engineer_id": "{engineer}"},
                                  api(manager=OK, other_manager=404, admin=OK)),
    ("planning_api.unpin", "DELETE"): ("/api/visits/{booked}/pin", None,
                                       api(manager=OK, other_manager=404, admin=OK)),

    # Tips: the visit's customer pays once; the engineer sees his earnings; the manager of
    # the engineer's station (or an admin) refunds. {tipped} has a paid tip, {paying} one
    # being paid.
    ("payments_api.tip_visit", "POST"): ("/api/visits/{tipped}/tips", {"amount_cents": 1000},
                                         api(customer=OK, other_customer=404, admin=403)),
    ("payments.tip_visit", "POST"): ("/visits/{tipped}/tip", {"yuan": "10"},
                                     page(customer=OK, other_customer=404, admin=403)),
    ("payments_api.confirm", "POST"): ("/api/tips/{paying_tip}/confirm",
                                       {"payment_method": "pm_card_visa"},
                                       api(customer=OK, other_customer=404, admin=OK)),
    ("payments_api.refund", "POST"): ("/api/tips/{paying_tip}/refund", {"reason": "重复打赏"},
                                      api(manager=OK, other_manager=403, admin=OK)),
    ("payments.refund", "POST"): ("/tips/{paying_tip}/refund", {"reason": "重复打赏"},
                                  page(manager=OK, other_manager=403, admin=OK)),
    ("payments.station_tips", "GET"): ("/station/tips", None,
                                       page(manager=OK, other_manager=OK, admin=OK)),
    ("payments_api.my_earnings", "GET"): ("/api/me/earnings", None,
                                          api(engineer=OK, other_engineer=OK, admin=404)),
    ("payments.my_earnings", "GET"): ("/my/earnings", None,
                                      page(engineer=OK, other_engineer=OK, admin=404)),
    # The provider calls it; its signature, not a session, decides (a bad one is a 400).
    ("payments_webhooks.stripe_webhook", "POST"): ("/payments/stripe/webhook", {}, everyone()),

    # The call centre: the customer an agent is handling, named on every call.
    ("dispatch.agent_visits", "GET"): ("/agent/visits?customer_email={customer_email}", None,
                                       page(agent=OK, admin=OK)),
    ("console.search", "GET"): ("/console?q=138", None, page(agent=OK, admin=OK)),
    ("console.card", "GET"): ("/console/customers/{customer_id}", None, page(agent=OK, admin=OK)),
    ("console.book", "POST"): ("/console/customers/{customer_id}/book", {
        "address_id": "{address}", "skill": "laptop", "engineer_id": "{engineer}",
        "window_start": "{free}", "problem": "开不了机"}, page(agent=OK, admin=OK)),
    ("console.add_address", "POST"): ("/console/customers/{customer_id}/addresses", {
        "label": "公司", "address_text": "上海市黄浦区"}, page(agent=OK, admin=OK)),
    ("console.new_customer", "GET"): ("/console/customers/new", None, page(agent=OK, admin=OK)),
    ("console.new_customer", "POST"): ("/console/customers/new", {
        "name": "新顾客", "phone": "13700000009", "label": "家", "address_text": "上海市黄浦区"},
        page(agent=OK, admin=OK)),
    ("customers_api.find_customers", "GET"): ("/api/customers?q=customer", None, api(agent=OK, admin=OK)),
    ("visits_api.agent_customer_visits", "GET"): (
        "/api/agent/visits?customer_email={customer_email}", None, api(agent=OK, admin=OK)),

    # Headquarters: the network's runs, their progress pages and status.
    ("network.network_runs", "GET"): ("/admin/network-runs", None, page(admin=OK)),
    ("network.network_run", "GET"): ("/admin/network-runs/{network_run}", None, page(admin=OK)),
    ("network.network_run_status", "GET"): ("/api/network-runs/{network_run}", None, api(admin=OK)),
    ("network.network_runs", "POST"): ("/admin/network-runs", {"day": "{day}"}, page(admin=OK)),
    ("network.coverage_gaps_page", "GET"): ("/admin/coverage-gaps", None, page(admin=OK)),
    ("gaps_api.coverage_gaps_data", "GET"): ("/api/coverage-gaps", None, api(admin=OK)),
    # A station's own choice: its manager's (and an admin's), not another station's.
    ("network.set_auto_publish", "POST"): ("/stations/{station}/auto-publish", {"auto_publish": "on"},
                                           page(manager=OK, admin=OK, other_manager=403)),

    # Who read which customer's contacts: admins only.
    ("visits_api.contact_read_log", "GET"): ("/api/contact-reads", None, api(admin=OK)),
    ("dispatch.contact_read_log", "GET"): ("/admin/contact-reads", None, page(admin=OK)),
}


@pytest.fixture
def world(ctx, make_user, make_station, make_engineer) -> dict:
    """Two stations' worth of people and rows; returns ids for the paths and users by role."""
    from accounts.models import Address
    from dispatch.booking import Request, book, engineer_slots, station_now
    from dispatch.models import Plan
    from dispatch.network import NetworkRun
    from dispatch.slots import Place
    from extensions import db
    from marketplace.catalog import ensure_catalog
    from marketplace.models import AbuseFlag, Tag, Tip
    from marketplace.reviews import review_visit

    skills, _tags = ensure_catalog()
    db.session.commit()
    people = {role: make_user(role.removeprefix("other_"), name=role)
              for role in ("customer", "other_customer", "manager", "other_manager", "agent", "admin")}
    here = make_station("ST000001", 31.2304, 121.4737, manager=people["manager"])
    there = make_station("ST000002", 39.9042, 116.4074, manager=people["other_manager"])
    engineer = make_engineer(here, skills=("laptop",), name="王师傅", phone="13900000001")
    other = make_engineer(there, skills=("laptop",), name="李师傅", phone="13900000002")
    people["engineer"], people["other_engineer"] = engineer.user, other.user
    customer = people["customer"]
    place = Place(31.2404, 121.4837)
    address = Address(user=customer, label="家", text="上海市黄浦区南京东路1号",
                      lat=place.lat, lng=place.lng)
    db.session.add(address)
    db.session.commit()

    laptop = next(s for s in skills if s.code == "laptop")
    now = station_now()
    slots = engineer_slots(engineer, Request(laptop, place), now.date() + timedelta(days=1), 3, now)
    details = {"product_model": "ThinkPad X1", "serial_number": "SN1", "problem": "开不了机",
               "address_text": "上海市黄浦区南京东路1号"}
    booked = book(customer.id, customer.id, "web", Request(laptop, place, slots[0].start),
                  details, engineer)
    done = book(customer.id, customer.id, "web", Request(laptop, place, slots[1].start),
                details, engineer)
    db.session.flush()
    # The completed visit, confirmed by its customer, as the visit's life leaves it.
    done.status, done.finished_at = "completed", slots[1].start
    done.confirmed_at, done.confirmed_via = slots[1].start, "code"
    db.session.commit()
    review = review_visit(done, customer, 5, ["on_time"], "很专业")
    tipped = book(customer.id, customer.id, "web", Request(laptop, place, slots[3].start),
                  details, engineer)
    db.session.flush()
    tipped.status, tipped.finished_at = "completed", slots[3].start
    tipped.confirmed_at, tipped.confirmed_via = slots[3].start, "code"
    review_visit(tipped, customer, 5, [], "")
    paid = Tip(engineer_id=engineer.id, customer_id=customer.id, visit_id=tipped.id,
               amount_cents=1000, status="paid", intent_id="pi_matrix_paid")
    paying = Tip(engineer_id=engineer.id, customer_id=customer.id, visit_id=done.id,
                 amount_cents=1000, status="processing", intent_id="pi_matrix_paying")
    db.session.add_all([paid, paying])
    plan = Plan(station_id=here.id, day=slots[0].start.date(), status="draft",
                result={"routes": [], "unassigned": []})
    db.session.add(plan)
    db.session.commit()
    tag = db.session.execute(db.select(Tag).order_by(Tag.id)).scalars().first()
    flag = AbuseFlag(engineer_id=engineer.id, customer_id=customer.id, kind="review",
                     detail="phone not verified")
    run = NetworkRun(day=slots[0].start.date(), most_seconds=1.0, plan_ids=[plan.id], skipped=[])
    db.session.add_all([flag, run])
    db.session.commit()
    return {"people": people, "ids": {
        "station": here.code, "engineer": engineer.id, "booked": booked.id, "done": done.id,
        "review": review.id, "tag": tag.id, "flag": flag.id, "network_run": run.id,
        "tipped": tipped.id, "paying_tip": paying.id, "address": address.id, "plan": plan.id,
        "day": slots[0].start.date().isoformat(), "lat": place.lat, "lng": place.lng,
        "free": slots[2].start.isoformat(), "customer_email": customer.email,
        "customer_id": customer.id}}


def signed_in_as(client, user) -> None:
    """Put `user`'s session on the client as signing in would (the matrix is about who may
    call what, not about passwords)."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


def outcome(response) -> object:
    if response.status_code == 503 and not current_app.config.get("STRIPE_SECRET_KEY"):
        return OK  # past the gate and the ownership checks; no payment provider in this run
    if response.status_code >= 500:
        return f"5xx ({response.status_code})"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code in (401, 403, 404):
        return response.status_code
    return OK


def fill(template, ids: dict):
    if isinstance(template, str) and template.startswith("{") and template.endswith("}") \
            and not isinstance(ids.get(template[1:-1], ""), str):
        return ids[template[1:-1]]  # a number stays a number in JSON
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {key: fill(value, ids) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, ids) for value in template]
    return template


def test_every_endpoint_is_in_the_matrix(app):
    operations = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint not in LIBRARY_ENDPOINTS
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert operations - MATRIX.keys() == set(), "endpoints nobody said who may call"
    assert MATRIX.keys() - operations == set(), "rows for endpoints that no longer exist"


# Roles that may change something go last, so that what they change (a cancelled visit, a
# deleted address) cannot turn another role's refusal into something else.
ORDER = sorted(ROLES, key=lambda role: role in ("customer", "manager", "engineer", "admin"))


@pytest.mark.parametrize("operation", sorted(MATRIX), ids=lambda op: f"{op[1]} {op[0]}")
def test_who_may_call(operation, client, world):
    path, body, expected = MATRIX[operation]
    method = operation[1]
    got = {}
    for role in ORDER:
        signed_in_as(client, world["people"].get(role))
        url = fill(path, world["ids"])
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.open(url, method=method, json=fill(body, world["ids"]) or {})
        else:
            response = client.open(url, method=method, data=fill(body, world["ids"]) or {})
        got[role] = outcome(response)
    assert got == {role: expected[role] for role in ORDER}
