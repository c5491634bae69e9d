"""A customer rates a visit, then tips its engineer from the visit page, and the engineer
sees the tip on the earnings page. The payment is Stripe's SDK against localstripe; Stripe.js
cannot load offline, so the button takes the server-side confirmation path (the configured
test card) and localstripe's signed webhook reaches the live server and marks it paid."""
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from dispatch.models import Visit
from extensions import db
from marketplace.catalog import ensure_catalog
from tests.payments.stripe_server import WEBHOOK_SECRET, register_webhook, start_localstripe

SHOTS = None  # set to a folder to keep screenshots of the pages at phone and desk width


@pytest.fixture
def paying_app(app, live_server):
    base, process = start_localstripe()
    register_webhook(base, "browser-test", f"{live_server}/payments/stripe/webhook")
    saved = dict(app.config)
    app.config.update(STRIPE_API_BASE=base, STRIPE_SECRET_KEY="sk_test_wenqing",
                      STRIPE_PUBLISHABLE_KEY="pk_test_wenqing", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      TIP_TEST_PAYMENT_METHOD="pm_card_visa")
    app.extensions.pop("payment_provider", None)
    yield app
    app.config.clear()
    app.config.update(saved)
    app.extensions.pop("payment_provider", None)
    if process is not None:
        process.terminate()
        process.wait(10)


def sign_in(page, email):
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")


def test_rate_then_tip_from_the_visit_page_and_the_engineer_sees_it(
        paying_app, page, browser, live_server, make_user, make_station, make_engineer):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop",), name="周师傅")
    customer = make_user("customer", name="陈女士")
    start = datetime(2026, 11, 20, 9)
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                  engineer_id=engineer.id, skill_id=engineer.skills[0].id, problem="屏幕不亮",
                  address_text="人民路 88 号", lat=31.25, lng=121.49, window_start=start,
                  window_end=start + timedelta(hours=2), duration_minutes=60, created_at=start,
                  status="completed", on_site_at=start, finished_at=start + timedelta(hours=1),
                  confirmed_at=start + timedelta(hours=1), confirmed_via="app")
    db.session.add(visit)
    db.session.commit()

    sign_in(page, customer.email)
    page.goto("/me/visits")
    card = page.locator(f"#visit-{visit.id}")
    expect(card.locator(".tip-form")).to_have_count(0)  # rating first
    card.locator(".review-form input[name=stars][value='5']").check()
    card.locator("button.submit-review").click()
    expect(card.locator(".review-mine")).to_be_visible()
    card.locator("button.tip-preset[value='1000']").click()
    expect(page.locator(".flash")).to_contain_text("¥10.00")
    # localstripe delivers the signed webhook about a second later; the receipt then says paid.
    for _ in range(40):
        page.reload()
        if card.locator(".tip-status.tip-paid").count():
            break
        page.wait_for_timeout(250)
    expect(card.locator(".tip-status.tip-paid")).to_be_visible()
    expect(card.locator(".tip-form")).to_have_count(0)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/my_visits_390_zh.png", full_page=True)

    staff = browser.new_context(base_url=live_server, locale="en",
                                viewport={"width": 1280, "height": 900}).new_page()
    sign_in(staff, engineer.user.email)
    staff.goto("/my/earnings?lang=en")
    expect(staff.locator("#tips .tip-row.tip-paid")).to_contain_text("¥10.00")
    expect(staff.locator("#earned")).to_have_text("¥10.00")
    expect(staff.locator("#pending")).to_have_text("¥10.00")
    if SHOTS:
        staff.screenshot(path=f"{SHOTS}/earnings_1280_en.png", full_page=True)
