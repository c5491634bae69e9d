"""An admin finds a station in the directory by its pinyin and opens it as its manager sees it."""
import os

from playwright.sync_api import expect

SHOTS = os.environ.get("WENQING_SCREENSHOTS")  # a folder to save screenshots in, if set


def test_an_admin_finds_a_station_by_pinyin_and_opens_it(page, sign_in, make_user, make_station, make_engineer):
    admin = make_user("admin", name="总部管理员")
    station = make_station("ST360702", 25.83, 114.93, name="章贡区服务站")
    make_station("ST110101", 39.93, 116.42, name="东城区服务站")
    make_engineer(station, name="赵师傅", phone="13912345678")
    sign_in(page, admin.email)
    page.click("nav a:has-text('服务站')")
    expect(page.locator("#station-count")).to_have_text("2 个服务站")
    page.fill("#q", "zhanggong")
    page.click("#station-directory form button[type=submit]")
    expect(page.locator("#station-count")).to_have_text("1 个服务站")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "stations-zh-390.png"), full_page=True)
    page.click("text=章贡区服务站")
    expect(page.locator("h1")).to_have_text("章贡区服务站")
    expect(page.locator("#station-engineers")).to_contain_text("赵师傅")


def test_an_admin_handles_a_reported_review_with_its_context(page, sign_in, make_user, make_station,
                                                            make_engineer):
    """The report shows what a decision needs (the review, engineer, reviewer, date, each
    reason); hiding it takes it off the engineer's profile."""
    from datetime import datetime

    from extensions import db
    from marketplace.aggregates import review_counted
    from marketplace.models import Review, ReviewReport

    admin = make_user("admin", name="总部管理员")
    engineer = make_engineer(make_station("ST360702", 25.83, 114.93, name="章贡区服务站"), name="赵师傅")
    reviewer, reporter = make_user("customer", name="孙先生"), make_user("customer", name="李女士")
    review = Review(engineer_id=engineer.id, customer=reviewer, stars=1, text="加微信 wx123 买便宜配件",
                    created_at=datetime(2026, 11, 20, 2, 0))
    db.session.add(review)
    db.session.flush()
    review_counted(review)
    db.session.add(ReviewReport(review_id=review.id, reporter_id=reporter.id, reason="advertising"))
    db.session.commit()

    sign_in(page, admin.email)
    page.click("nav a:has-text('被举报的评价')")
    row = page.locator(f"#reported-{review.id}")
    expect(row).to_contain_text("加微信 wx123 买便宜配件")
    expect(row).to_contain_text("赵师傅")
    expect(row).to_contain_text("孙先生")
    expect(row).to_contain_text("2026-11-20")
    expect(row.locator(".reports")).to_contain_text("广告")
    expect(row.locator(".reports")).to_contain_text("李女士")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "moderation-zh-390.png"), full_page=True)
    row.locator("button[value=hide]").click()
    expect(page.locator(f"#reported-{review.id}")).to_contain_text("已隐藏")
    page.goto(f"/engineers/{engineer.id}")
    expect(page.locator("main")).not_to_contain_text("加微信 wx123")
