"""Points cannot be farmed (issue 14): the engineer's own loop fails at its first step and
earns nothing; fresh accounts do not move the favourites sort; suspicious feedback is flagged."""
from datetime import timedelta

from accounts.models import utcnow
from dispatch.models import Visit
from extensions import db
from marketplace.models import AbuseFlag, EngineerStats
from tests.dispatch.test_booking import booking, tomorrow


def test_the_farming_loop_fails_at_its_first_step_and_earns_nothing(client, station, make_engineer,
                                                                    make_user, bearer, catalog):
    engineer = make_engineer(station, name="王师傅", phone="150-4209-9100")
    engineer.work_days = "1234567"
    second = make_user("customer", phone="15042099100", verified=False)  # his own second account
    third = make_user("customer")
    db.session.commit()
    ahead = f"{tomorrow() + timedelta(days=2)}T09:00:00"
    assert client.post("/api/visits", headers=bearer(second.email),
                       json=booking(ahead, engineer)).status_code == 403  # no verified phone
    visit_id = client.post("/api/visits", headers=bearer(third.email),
                           json=booking(ahead, engineer)).get_json()["id"]
    header = bearer(engineer.user.email)
    started = client.post(f"/api/visits/{visit_id}/status", headers=header, json={"status": "en_route"})
    assert started.status_code == 409  # three days ahead: the first step fails
    for status in ("on_site", "completed"):
        assert client.post(f"/api/visits/{visit_id}/status", headers=header,
                           json={"status": status}).status_code == 409
    assert client.post(f"/api/visits/{visit_id}/review", headers=bearer(third.email),
                       json={"stars": 5, "tags": ["on_time"]}).status_code == 409
    client.put(f"/api/engineers/{engineer.id}/favorite", headers=bearer(second.email))
    db.session.expire_all()
    stats = db.session.get(EngineerStats, engineer.id)
    assert (stats.points, stats.favourite_count, stats.review_count) == (0, 0, 0)
    assert db.session.get(Visit, visit_id).status == "scheduled"
    flags = db.session.query(AbuseFlag).filter_by(customer_id=second.id).all()
    assert flags and "same phone number" in flags[0].detail and "phone not verified" in flags[0].detail


def test_five_fresh_accounts_do_not_move_an_engineer_up_the_favourites_sort(
        client, station, make_engineer, make_user, favourite, bearer, listing):
    liked, farmer = make_engineer(station, name="甲"), make_engineer(station, name="乙")
    for _ in range(2):
        favourite(make_user("customer"), liked)  # customers he served
    fresh = [make_user("customer") for _ in range(5)]
    for customer in fresh:
        assert client.put(f"/api/engineers/{farmer.id}/favorite",
                          headers=bearer(customer.email)).status_code == 200
    body = listing(sort="favourites")
    assert [e["display_name"] for e in body["engineers"]][:2] == ["甲", "乙"]
    assert {e["display_name"]: e["favourite_count"] for e in body["engineers"]} == {"甲": 2, "乙": 0}
    mine = client.get("/api/me/favorites", headers=bearer(fresh[0].email)).get_json()
    assert [e["display_name"] for e in mine] == ["乙"]  # their own list keeps working


def test_a_pair_that_keeps_repeating_is_flagged(station, make_engineer, make_user, serve):
    engineer, customer = make_engineer(station), make_user("customer")
    for _ in range(3):
        serve(customer, engineer)
    flags = db.session.query(AbuseFlag).filter_by(kind="visit").all()
    assert len(flags) == 1 and "confirmed visit 3" in flags[0].detail


def test_feedback_from_a_new_account_is_flagged_an_old_one_is_not(station, make_engineer, make_user,
                                                                   favourite):
    engineer = make_engineer(station)
    old, new = make_user("customer"), make_user("customer")
    old.created_at = utcnow() - timedelta(days=60)
    db.session.commit()
    favourite(old, engineer)
    favourite(new, engineer)
    flagged = {f.customer_id: f.detail for f in db.session.query(AbuseFlag).filter_by(kind="favourite")}
    assert set(flagged) == {new.id} and "younger" in flagged[new.id]


def test_reviewing_needs_a_verified_phone(client, station, make_engineer, make_user, serve, bearer, catalog):
    engineer, customer = make_engineer(station), make_user("customer", verified=False)
    visit = serve(customer, engineer)
    answer = client.post(f"/api/visits/{visit.id}/review", headers=bearer(customer.email),
                         json={"stars": 5, "tags": []})
    assert answer.status_code == 403
    assert db.session.get(EngineerStats, engineer.id).review_count == 0
