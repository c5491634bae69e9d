"""An agent finds a caller by phone and books for them from the card, at phone and desk
width, in Chinese and English: search, open the card, choose the product and the engineer
the caller names, take a free window, book — without leaving the console."""
import os

import pytest
from playwright.sync_api import expect

from accounts.models import Address
from dispatch.models import Visit
from extensions import db
from marketplace.catalog import ensure_catalog

SHOTS = os.environ.get("WENQING_SCREENSHOTS")  # a folder to save screenshots in, if set


def shot(page, name, locale, width):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"console-{name}-{locale}-{width}.png"), full_page=True)


@pytest.mark.parametrize("locale,width", [("zh-CN", 390), ("en", 1280)])
def test_an_agent_finds_a_caller_by_phone_and_books_for_them_from_the_card(
        browser, live_server, sign_in, make_user, make_station, make_engineer, locale, width):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    for name, phone in (("王师傅", "13900000000"), ("周师傅", "13900000001")):
        make_engineer(station, skills=("laptop",), name=name, phone=phone).work_days = "1234567"
    caller = make_user("customer", name="张伟", phone="+8613812345678", verified=False)
    make_user("customer", name="张伟强", phone="+8613912340000")
    db.session.add(Address(user=caller, label="家", text="上海市黄浦区人民路88号", lat=31.25, lng=121.49,
                           is_default=True))
    agent = make_user("agent", name="小刘")
    db.session.commit()

    page = browser.new_context(base_url=live_server, viewport={"width": width, "height": 844},
                               locale=locale).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, agent.email)
    page.goto("/console")
    page.fill("#q", "138-1234-5678")  # as the caller reads it out
    page.click("#find")
    results = page.locator("#results li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("+86 138****5678")
    shot(page, "search", locale, width)
    results.first.locator("a").click()

    expect(page.locator("#customer-name")).to_have_text("张伟")
    expect(page.locator("#customer-phone")).to_have_text("138 1234 5678")
    page.select_option("#skill", "laptop")
    page.click("#show-windows")
    page.select_option("#engineer_id", label="周师傅 · 黄浦区服务站")  # the engineer the caller names
    page.click("#show-windows")
    expect(page.locator("#windows input[name=window_start]").first).to_be_checked()
    assert "csrf_token" not in page.url
    expect(page.locator("[data-action=locate]")).to_have_count(0)  # the agent's desk is not the door
    chosen = page.locator("#windows input[name=window_start]:checked").get_attribute("value")
    page.fill("#problem", "笔记本开不了机")
    shot(page, "card", locale, width)
    page.click("#book-button")

    expect(page.locator(".flash-success")).to_contain_text("周师傅")
    assert "/console/customers/" in page.url and "#visit-" in page.url  # still on the card
    visit = db.session.execute(db.select(Visit)).scalar_one()
    assert (visit.customer_id, visit.engineer.display_name, visit.channel, visit.booked_by_id) == \
        (caller.id, "周师傅", "phone", agent.id)
    assert visit.window_start.isoformat() == chosen
    expect(page.locator(f"#visit-{visit.id}")).to_contain_text("笔记本开不了机")
    expect(page.locator(f"#visit-{visit.id} .status-scheduled")).to_be_visible()
    shot(page, "booked", locale, width)
