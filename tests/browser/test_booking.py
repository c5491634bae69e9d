"""A customer books a visit from an engineer's profile; on the day the engineer works it
through on their phone and completes it with a work report and the code the customer's
visit page shows."""
import os
from datetime import timedelta

from playwright.sync_api import expect

from dispatch.models import Visit
from extensions import db
from marketplace.catalog import ensure_catalog

SHOTS = os.environ.get("WENQING_SCREENSHOTS")  # a folder to save screenshots in, if set


def test_book_from_the_profile_then_the_engineer_completes_it(page, make_user, make_station,
                                                               make_engineer, browser, live_server,
                                                               monkeypatch):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop",), name="周师傅")
    engineer.work_days = "1234567"
    customer = make_user("customer", name="陈女士", phone="13812345678")
    from accounts.models import Address
    db.session.add(Address(user=customer, label="家", text="人民路 88 号", lat=31.25, lng=121.49))
    db.session.commit()

    page.goto("/login")
    page.fill("#email", customer.email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")
    page.goto(f"/engineers/{engineer.id}")
    page.click("#choose-engineer")
    expect(page.locator("#address_text")).to_have_value("人民路 88 号")
    page.fill("#problem", "笔记本开不了机")
    page.click("#show-windows")
    expect(page.locator(".window").first).to_be_visible()
    assert "csrf_token" not in page.url  # a GET leaves the form's token out of the address
    page.fill("#problem", "笔记本开不了机")  # the GET round trip keeps it, but be explicit
    page.click("#book-button")
    expect(page.locator(".flash")).to_contain_text("周师傅")
    expect(page.locator(".visit")).to_contain_text("笔记本开不了机")
    visit = db.session.execute(db.select(Visit)).scalar_one()
    # The station clock half an hour before the window: the engineer may set off.
    monkeypatch.setattr("dispatch.views.station_now", lambda: visit.window_start - timedelta(minutes=30))

    engineer_page = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                        locale="zh-CN").new_page()
    engineer_page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    engineer_page.goto("/login")
    engineer_page.fill("#email", engineer.user.email)
    engineer_page.fill("#password", "correct-horse-battery")
    engineer_page.click("main form button[type=submit]")
    engineer_page.goto(f"/my/day?date={visit.window_start.date().isoformat()}")
    card = engineer_page.locator(f"#visit-{visit.id}")
    expect(card).to_contain_text("138 1234 5678")  # the assigned engineer sees the contact, as people write it
    card.locator("button.step").click()           # on my way
    engineer_page.locator(f"#visit-{visit.id} button.step").click()  # arrived
    expect(engineer_page.locator(f"#code-{visit.id}")).to_be_visible()
    page.goto("/me/visits")  # the customer reads the code out while the engineer is on site
    code = page.locator(f"#code-{visit.id} .code").inner_text().strip()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "visit-code-customer-zh-390.png"), full_page=True)
        engineer_page.screenshot(path=os.path.join(SHOTS, "visit-code-engineer-zh-390.png"), full_page=True)
    assert len(code) == 6 and code not in engineer_page.content()
    engineer_page.fill(f"#fault-{visit.id}", "电源适配器损坏")
    engineer_page.fill(f"#parts-{visit.id}", "适配器 x1")
    engineer_page.fill(f"#code-{visit.id}", code)
    engineer_page.locator(f"#visit-{visit.id} button[value=completed]").click()
    expect(engineer_page.locator(f"#visit-{visit.id}")).to_contain_text("电源适配器损坏")
    expect(engineer_page.locator(f"#visit-{visit.id} .confirmation")).to_have_attribute("data-confirmed", "yes")
    db.session.expire_all()
    done = db.session.get(Visit, visit.id)
    assert done.status == "completed" and done.fixed_first_time is True
    assert done.confirmed_via == "code" and done.confirmed_at is not None
    assert [e.to_status for e in done.events] == ["scheduled", "en_route", "on_site", "completed"]
    page.goto("/me/visits")  # confirmed: the review is open, no confirm button
    expect(page.locator(f"#visit-{visit.id} .review-form")).to_be_visible()
    expect(page.locator(f"#visit-{visit.id} .confirm-done")).to_have_count(0)
