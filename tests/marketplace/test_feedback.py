"""Reviews, replies, reports and moderation, tips: the rules and the points they move."""
from datetime import datetime, timedelta

import pytest

from accounts.models import Address, utcnow
from dispatch.models import Visit
from extensions import db
from marketplace.models import AbuseFlag, EngineerStats, PointEvent, Review, Tip


@pytest.fixture
def done(ctx, station, make_engineer, make_user, catalog):
    """A completed visit (fixed first time) of 王师傅 for 陈女士, through the real steps."""
    from dispatch.lifecycle import move
    engineer = make_engineer(station, skills=("laptop",), name="王师傅", phone="13900000000")
    customer = make_user("customer", name="陈女士", phone="13812345678")
    start = datetime(2026, 11, 20, 9)
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                  engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="x", address_text="y",
                  lat=31.25, lng=121.49, window_start=start, window_end=start + timedelta(hours=2),
                  duration_minutes=60, status="scheduled", created_at=start - timedelta(days=1))
    db.session.add(visit)
    db.session.commit()
    for status in ("en_route", "on_site"):
        move(visit, status, engineer.user, start)
    move(visit, "completed", engineer.user, start + timedelta(hours=1), report={"fixed_first_time": True},
         code=visit.completion_code)  # the code the customer read out: confirmed at once
    db.session.commit()
    return {"visit": visit, "engineer": engineer, "customer": customer}


def points(engineer):
    db.session.expire_all()
    return db.session.get(EngineerStats, engineer.id).points


def review(client, bearer, who, visit, **body):
    return client.post(f"/api/visits/{visit.id}/review", headers=bearer(who.email),
                       json={"stars": 5, "tags": ["on_time", "expert"], **body})


def test_a_completed_visit_earns_its_points(done):
    assert points(done["engineer"]) == 2 + 3  # completed, fixed first time


def test_the_customer_reviews_and_tags_the_visit(client, bearer, done):
    response = review(client, bearer, done["customer"], done["visit"], text="很专业")
    assert response.status_code == 201
    assert points(done["engineer"]) == 5 + 10 + 2  # 5 stars, two positive tags
    stats = db.session.get(EngineerStats, done["engineer"].id)
    assert (stats.review_count, stats.stars_5) == (1, 1)


def test_at_most_three_positive_tags_count(client, bearer, done):
    review(client, bearer, done["customer"], done["visit"], stars=4,
           tags=["on_time", "expert", "patient", "tidy", "friendly"])
    assert points(done["engineer"]) == 5 + 5 + 3


@pytest.mark.parametrize("body, field", [({"stars": 0}, "stars"), ({"stars": 6}, "stars"),
                                         ({"tags": ["sneaky"]}, "tags"), ({"text": "长" * 1001}, "text")])
def test_bad_reviews_are_refused_and_nothing_is_stored(client, bearer, done, body, field):
    response = review(client, bearer, done["customer"], done["visit"], **body)
    assert response.status_code == 422 and field in response.get_json()["errors"]["json"]
    assert db.session.query(Review).count() == 0 and points(done["engineer"]) == 5


def test_only_once_only_by_the_customer_only_when_completed(client, bearer, done, make_user):
    assert review(client, bearer, make_user("customer"), done["visit"]).status_code == 404
    assert review(client, bearer, done["customer"], done["visit"]).status_code == 201
    assert review(client, bearer, done["customer"], done["visit"]).status_code == 409
    done["visit"].status = "scheduled"
    db.session.commit()
    db.session.query(Review).delete()
    db.session.commit()
    assert review(client, bearer, done["customer"], done["visit"]).status_code == 409


def test_an_edit_within_seven_days_moves_the_points_with_a_new_line(client, bearer, done):
    review_id = review(client, bearer, done["customer"], done["visit"]).get_json()["id"]
    lines = db.session.query(PointEvent).count()
    response = client.patch(f"/api/reviews/{review_id}", headers=bearer(done["customer"].email),
                            json={"stars": 2, "tags": ["late"], "text": "其实迟到了"})
    assert response.status_code == 200
    assert points(done["engineer"]) == 5 - 5
    assert db.session.query(PointEvent).count() == lines + 1  # a compensating line, nothing rewritten
    db.session.get(Review, review_id).created_at -= timedelta(days=8)
    db.session.commit()
    assert client.patch(f"/api/reviews/{review_id}", headers=bearer(done["customer"].email),
                        json={"stars": 5}).status_code == 409


def test_the_engineer_replies_once(client, bearer, done, make_engineer, station):
    review_id = review(client, bearer, done["customer"], done["visit"]).get_json()["id"]
    other = make_engineer(station, name="李师傅")
    assert client.post(f"/api/reviews/{review_id}/reply", headers=bearer(other.user.email),
                       json={"text": "谢谢"}).status_code == 403
    mine = bearer(done["engineer"].user.email)
    assert client.post(f"/api/reviews/{review_id}/reply", headers=mine, json={"text": "谢谢您！"}).status_code == 200
    assert client.post(f"/api/reviews/{review_id}/reply", headers=mine, json={"text": "再谢"}).status_code == 409
    body = client.get(f"/api/engineers/{done['engineer'].id}/reviews").get_json()
    assert body["reviews"][0]["reply"] == "谢谢您！"


def test_a_hidden_review_stops_counting_and_its_points_are_reversed_not_deleted(
        client, bearer, done, make_user):
    review_id = review(client, bearer, done["customer"], done["visit"]).get_json()["id"]
    assert client.post(f"/api/reviews/{review_id}/report", headers=bearer(make_user("engineer").email),
                       json={"reason": "辱骂"}).status_code == 202
    admin = bearer(make_user("admin").email)
    lines = [(p.points, p.reason) for p in db.session.query(PointEvent).order_by(PointEvent.id)]
    assert client.post(f"/api/reviews/{review_id}/hide", headers=admin).status_code == 200
    assert points(done["engineer"]) == 5
    after = [(p.points, p.reason) for p in db.session.query(PointEvent).order_by(PointEvent.id)]
    assert after[:len(lines)] == lines and after[-1] == (-12, "review hidden")
    assert db.session.get(EngineerStats, done["engineer"].id).review_count == 0
    assert client.get(f"/api/engineers/{done['engineer'].id}/reviews").get_json()["total"] == 0
    assert client.post(f"/api/reviews/{review_id}/restore", headers=admin).status_code == 200
    assert points(done["engineer"]) == 17
    assert client.post(f"/api/reviews/{review_id}/hide", headers=bearer(done["customer"].email)).status_code == 403


def test_replayed_events_do_not_count_twice(done):
    from accounts.models import utcnow
    from marketplace.points import award_visit_points, review_counted_points
    award_visit_points(done["visit"], utcnow())
    award_visit_points(done["visit"], utcnow())
    assert points(done["engineer"]) == 5
    from marketplace.reviews import review_visit
    made = review_visit(done["visit"], done["customer"], 5, [], None)
    review_counted_points(made, utcnow())
    review_counted_points(made, utcnow())
    db.session.commit()
    assert points(done["engineer"]) == 15


def test_a_favourite_by_a_customer_served_counts_once_however_often_toggled(client, bearer, done, make_user):
    header = bearer(done["customer"].email)
    path = f"/api/engineers/{done['engineer'].id}/favorite"
    for _ in range(3):
        client.put(path, headers=header)
        client.delete(path, headers=header)
    client.put(path, headers=header)
    assert points(done["engineer"]) == 5 + 5
    stranger = bearer(make_user("customer").email)  # never served: no points
    client.put(path, headers=stranger)
    assert points(done["engineer"]) == 10


def paid_tip(done, cents=1000) -> Tip:
    """The visit's tip as the payment provider's webhook leaves it (tests/payments pays
    them through localstripe end to end)."""
    from payments.tips import mark_paid
    tip = Tip(engineer_id=done["engineer"].id, customer_id=done["customer"].id,
              visit_id=done["visit"].id, amount_cents=cents, status="processing")
    db.session.add(tip)
    db.session.flush()
    mark_paid(tip, utcnow())
    db.session.commit()
    return tip


def test_feedback_from_the_engineers_own_second_account_is_flagged(client, bearer, done, make_user):
    engineer_user = done["engineer"].user
    db.session.add(Address(user=engineer_user, label="家", text="x", lat=31.30, lng=121.50))
    db.session.add(Address(user=done["customer"], label="家", text="x", lat=31.3002, lng=121.5001))
    db.session.commit()
    review(client, bearer, done["customer"], done["visit"])
    flags = db.session.query(AbuseFlag).all()
    assert [(f.kind, f.engineer_id) for f in flags] == [("review", done["engineer"].id)]
    assert "address" in flags[0].detail


def test_rates_over_the_window_and_all_time(client, bearer, done):
    review(client, bearer, done["customer"], done["visit"])
    paid_tip(done)
    client.put(f"/api/engineers/{done['engineer'].id}/favorite", headers=bearer(done["customer"].email))
    body = client.get(f"/api/engineers/{done['engineer'].id}/rates").get_json()
    assert body == {"praise_rate": 1.0, "favourite_rate": 1.0, "tip_rate": 1.0}
    mine = client.get("/api/me/level", headers=bearer(done["engineer"].user.email)).get_json()
    assert mine["points"] == 5 + 12 + 5 + 5 and mine["next_level"] == "backbone"
    assert mine["missing"] == {"points": 300 - 27}
    assert mine["rates"]["all_time"]["praise_rate"] == 1.0
    assert [line["reason"] for line in mine["ledger"]][-1] == "visit completed"


def test_a_completion_the_customer_never_confirmed_does_not_move_the_rates(client, bearer, done, make_user):
    """The engineer's word alone is not a served visit: an unconfirmed "completed" visit for
    a stranger neither lowers the tip rate nor counts the stranger as a customer served."""
    from dispatch.lifecycle import move
    paid_tip(done)
    client.put(f"/api/engineers/{done['engineer'].id}/favorite", headers=bearer(done["customer"].email))
    stranger = make_user("customer")
    start = datetime(2026, 11, 21, 9)
    visit = Visit(customer_id=stranger.id, booked_by_id=stranger.id, station_id=done["visit"].station_id,
                  engineer_id=done["engineer"].id, skill_id=done["visit"].skill_id, problem="x",
                  address_text="y", lat=31.25, lng=121.49, window_start=start,
                  window_end=start + timedelta(hours=2), duration_minutes=60, status="scheduled",
                  created_at=start - timedelta(days=1))
    db.session.add(visit)
    db.session.commit()
    for status in ("en_route", "on_site", "completed"):
        move(visit, status, done["engineer"].user, start)  # no code: awaits the customer
    db.session.commit()
    body = client.get(f"/api/engineers/{done['engineer'].id}/rates").get_json()
    assert (body["tip_rate"], body["favourite_rate"]) == (1.0, 1.0)


def test_anyone_signed_in_reports_a_review_from_the_profile(client, bearer, done, make_user, login):
    review_id = review(client, bearer, done["customer"], done["visit"]).get_json()["id"]
    login(make_user("customer").email)
    profile = client.get(f"/engineers/{done['engineer'].id}").get_data(as_text=True)
    reasons = profile.split(f'id="reason-{review_id}"', 1)[1].split("</select>", 1)[0]
    assert reasons.split("<option", 2)[1].startswith(' value=""')  # no reason chosen for them
    response = client.post(f"/reviews/{review_id}/report", data={"reason": "广告"})
    assert response.status_code == 302
    from marketplace.models import ReviewReport
    assert db.session.query(ReviewReport).filter_by(review_id=review_id).count() == 1


def test_the_engineer_replies_from_the_level_page_once(client, bearer, done, login, make_engineer):
    review_id = review(client, bearer, done["customer"], done["visit"], text="很专业").get_json()["id"]
    login(done["engineer"].user.email)
    level = client.get("/my/level").get_data(as_text=True)
    assert f'action="/reviews/{review_id}/reply"' in level
    blank = client.post(f"/reviews/{review_id}/reply", data={"text": "  "}, follow_redirects=True)
    assert "请先写下回复" in blank.get_data(as_text=True)
    sent = client.post(f"/reviews/{review_id}/reply", data={"text": "谢谢您的信任"}, follow_redirects=True)
    assert "您的回复已显示在个人主页上" in sent.get_data(as_text=True)
    profile = client.get(f"/engineers/{done['engineer'].id}").get_data(as_text=True)
    assert "谢谢您的信任" in profile
    assert f'action="/reviews/{review_id}/reply"' not in client.get("/my/level").get_data(as_text=True)
    again = client.post(f"/reviews/{review_id}/reply", data={"text": "再说一次"}, follow_redirects=True)
    assert "再说一次" not in client.get(f"/engineers/{done['engineer'].id}").get_data(as_text=True)
    assert again.status_code == 200
    client.post("/logout")
    other = make_engineer(done["engineer"].station, name="李师傅", phone="13900000009")
    login(other.user.email)
    assert client.post(f"/reviews/{review_id}/reply", data={"text": "冒充"}).status_code == 403


def test_the_points_ledger_shows_station_time_not_utc(client, done, login):
    """A line written at 17:30 UTC happened at 01:30 the next morning in Shanghai."""
    db.session.execute(db.update(PointEvent).values(created_at=datetime(2026, 11, 20, 17, 30)))
    db.session.commit()
    login(done["engineer"].user.email)
    page = client.get("/my/level").get_data(as_text=True)
    assert "2026-11-21 01:30" in page and "2026-11-20 17:30" not in page


def test_a_report_needs_a_reason_and_the_admin_sees_the_review_and_its_tags(client, bearer, done, make_user,
                                                                          login):
    review_id = review(client, bearer, done["customer"], done["visit"], text="广告：加微信").get_json()["id"]
    reporter = make_user("customer", name="路人甲")
    login(reporter.email)
    profile = client.get(f"/engineers/{done['engineer'].id}").get_data(as_text=True)
    assert 'name="reason"' in profile and "广告或垃圾信息" in profile
    refused = client.post(f"/reviews/{review_id}/report", data={"reason": " "}, follow_redirects=True)
    assert "请说明举报原因" in refused.get_data(as_text=True)
    client.post(f"/reviews/{review_id}/report", data={"reason": "advertising"})
    client.post("/logout")
    login(make_user("admin").email)
    page = client.get("/admin/reviews").get_data(as_text=True)
    row = page[page.index(f'id="reported-{review_id}"'):]
    for seen in ("广告：加微信", "准时", "专业", "王师傅", "陈女士", "广告或垃圾信息", "路人甲", "1 条举报",
                 f"/engineers/{done['engineer'].id}#review-{review_id}"):
        assert seen in row, seen


def test_a_flag_is_shown_in_chinese_and_closed_with_a_note(client, done, make_user, login):
    flag = AbuseFlag(engineer_id=done["engineer"].id, customer_id=done["customer"].id, kind="favourite",
                     detail="same phone number; account younger than 14 days")
    db.session.add(flag)
    db.session.commit()
    admin = make_user("admin")
    login(admin.email)
    page = client.get("/admin/reviews").get_data(as_text=True)
    card = page[page.index(f'id="flag-{flag.id}"'):]
    assert "与工程师的手机号码相同" in card and "注册不满 14 天的账号" in card and "same phone" not in card
    assert "请写下您的发现" in client.post(f"/admin/flags/{flag.id}/resolve", data={"note": ""},
                                          follow_redirects=True).get_data(as_text=True)
    client.post(f"/admin/flags/{flag.id}/resolve", data={"note": "确认是本人家属，已提醒"})
    db.session.expire_all()
    closed = db.session.get(AbuseFlag, flag.id)
    assert closed.resolved and closed.resolution_note == "确认是本人家属，已提醒"
    assert closed.resolved_by_id == admin.id and closed.resolved_at is not None
    assert f'id="flag-{flag.id}"' not in client.get("/admin/reviews").get_data(as_text=True)
