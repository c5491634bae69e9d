"""A customer reviews and tags a completed visit; the engineer sees the points and the
progress to the next level change."""
from datetime import datetime, timedelta

from playwright.sync_api import expect

from dispatch.models import Visit
from extensions import db
from marketplace.catalog import ensure_catalog


def sign_in(page, email):
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")


def test_a_review_with_tags_moves_the_engineers_points(page, browser, live_server, make_user,
                                                       make_station, make_engineer):
    from dispatch.lifecycle import move
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop",), name="周师傅")
    customer = make_user("customer", name="陈女士")
    start = datetime(2026, 11, 20, 9)
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                  engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="屏幕不亮",
                  address_text="人民路 88 号", lat=31.25, lng=121.49, window_start=start,
                  window_end=start + timedelta(hours=2), duration_minutes=60, created_at=start)
    db.session.add(visit)
    db.session.commit()
    for status in ("en_route", "on_site"):
        move(visit, status, engineer.user, start)
    move(visit, "completed", engineer.user, start)  # without the code: the customer confirms
    db.session.commit()

    staff = browser.new_context(base_url=live_server, locale="zh-CN").new_page()
    staff.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    sign_in(staff, engineer.user.email)
    staff.goto("/my/level")
    expect(staff.locator("#my-points")).to_have_text("0")  # the engineer's word alone: nothing

    sign_in(page, customer.email)
    page.goto("/me/visits")
    expect(page.locator(f"#visit-{visit.id} .review-form")).to_have_count(0)
    page.locator(f"#visit-{visit.id} button.confirm").click()
    expect(page.locator(".flash")).to_be_visible()
    staff.reload()
    expect(staff.locator("#my-points")).to_have_text("2")
    expect(staff.locator("#missing")).to_contain_text("298")
    form = page.locator(f"#visit-{visit.id} .review-form")
    form.locator("input[name=stars][value='5']").check()
    form.locator("input[name=tags][value=on_time]").check()
    form.locator("input[name=tags][value=explains_clearly]").check()
    form.locator("textarea").fill('<script>alert("x")</script>讲得很清楚')
    form.locator("button.submit-review").click()
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator(f"#visit-{visit.id} .review-mine")).to_contain_text('<script>alert("x")</script>讲得很清楚')

    staff.reload()
    expect(staff.locator("#my-points")).to_have_text(str(2 + 10 + 2))
    expect(staff.locator("#missing")).to_contain_text("286")
    expect(staff.locator("#ledger")).to_contain_text("5 星评价")
    expect(staff.locator(".tag-cloud")).to_contain_text("准时")
