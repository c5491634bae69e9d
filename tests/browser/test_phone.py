"""A new customer who has not proven a phone number is sent from the booking page to the
phone page, gets the code by text message, types it and is back at the booking, at phone
and desk width, in Chinese and English."""
import os
import re

import pytest
from playwright.sync_api import expect

from extensions import db
from marketplace.catalog import ensure_catalog

SHOTS = os.environ.get("WENQING_SCREENSHOTS")  # a folder to save screenshots in, if set
WORDS = {"zh-CN": {"verify": "验证手机号", "sent": "验证码已发送", "done": "您的手机号码已验证",
                   "wrong": "验证码不正确"},
         "en": {"verify": "Verify my phone", "sent": "We sent a code", "done": "Your phone number is verified",
                "wrong": "That is not the code we sent"}}


@pytest.mark.parametrize("locale,width", [("zh-CN", 390), ("en", 1280)])
def test_verify_the_phone_from_the_booking_page_and_come_back(browser, live_server, app, sign_in, make_user,
                                                              make_station, make_engineer, locale, width):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop",), name="周师傅")
    engineer.work_days = "1234567"
    customer = make_user("customer", name="陈女士", phone="13812345678", verified=False)
    db.session.commit()
    outbox = app.extensions["sms_sender"].messages
    outbox.clear()
    words = WORDS[locale]

    page = browser.new_context(base_url=live_server, viewport={"width": width, "height": 844},
                               locale=locale).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, customer.email)
    # The browser's language (Accept-Language) is the page's until the reader picks another.
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if locale == "zh-CN" else "en")
    booking = f"/book/{engineer.id}?skill=laptop&lat=31.25&lng=121.49"
    page.goto(booking)
    page.click(f"#needs-phone a:has-text('{words['verify']}')")
    expect(page.locator("#phone")).to_have_value("13812345678")  # the number given at sign-up
    page.click("#send-code button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(words["sent"])
    expect(page.locator("#verify-code")).to_contain_text("138****5678")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"phone-code-{locale}-{width}.png"), full_page=True)
    code = re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)
    page.fill("#code", "000000" if code != "000000" else "111111")
    page.click("#verify-code button[type=submit]")
    expect(page.locator("#code-error")).to_contain_text(words["wrong"])
    page.fill("#code", code)
    page.click("#verify-code button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(words["done"])
    assert page.url.endswith(booking)  # back where the customer was, the address kept
    expect(page.locator("#needs-phone")).to_have_count(0)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"phone-back-{locale}-{width}.png"), full_page=True)
