"""A customer finds engineers for their address, filters by product, opens a profile and
favourites the engineer who served them before (only favourites of customers served count)."""
from datetime import datetime, timedelta

from playwright.sync_api import expect

from extensions import db
from marketplace.aggregates import review_counted
from marketplace.catalog import ensure_catalog
from marketplace.models import Review


def test_search_filter_open_a_profile_and_favourite(page, make_user, make_station, make_engineer):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST110108", 39.95993, 116.298262, name="海淀区服务站")
    printer_pro = make_engineer(station, skills=("printer",), name="孙师傅")
    make_engineer(station, skills=("laptop",), name="钱师傅")
    reviewer = make_user("customer", name="刘先生")
    review = Review(engineer_id=printer_pro.id, customer=reviewer, stars=5,
                    text="<b>很专业</b>，打印机修好了")
    db.session.add(review)
    db.session.flush()
    review_counted(review)
    db.session.commit()
    customer = make_user("customer", name="陈女士")
    from dispatch.lifecycle import confirm
    from dispatch.models import Visit
    start = datetime(2026, 11, 2, 9)
    served = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                   engineer_id=printer_pro.id, skill_id=printer_pro.skills[0].id, problem="卡纸",
                   address_text="海淀区", lat=39.96, lng=116.3, window_start=start,
                   window_end=start + timedelta(hours=2), duration_minutes=60, status="completed",
                   on_site_at=start, finished_at=start)
    db.session.add(served)
    db.session.flush()
    confirm(served, customer)
    db.session.commit()

    page.goto("/login")
    page.fill("#email", customer.email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")

    page.fill("#address", "海淀")
    page.click("text=查询服务范围")
    page.click("#choose-link")
    expect(page.locator("#total")).to_contain_text("2")
    page.select_option("select[name=skill]", "printer")
    page.click("form.filters button[type=submit]")
    cards = page.locator(".engineer-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("孙师傅")

    cards.first.click()
    expect(page.locator("h1")).to_contain_text("孙师傅")
    expect(page.locator(".review-text")).to_have_text("<b>很专业</b>，打印机修好了")  # shown as text
    page.click("#favourite-button")
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("#favourite-count")).to_have_text("1")
    page.click("text=我的工程师")
    expect(page.locator(".engineer-card")).to_contain_text("孙师傅")
