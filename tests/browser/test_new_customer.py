"""A new customer's first booking, as a person does it: sign up, prove the phone, type the
place ("赣州市章贡区") on the home page, choose an engineer, book without typing a single
coordinate, land on the visit page with its timeline, and cancel it after being asked."""
import os
import re

import pytest
from playwright.sync_api import expect

from dispatch.models import Station, Visit
from extensions import db
from marketplace.catalog import ensure_catalog

SHOTS = os.environ.get("WENQING_SCREENSHOTS")  # a folder to save screenshots in, if set
WORDS = {"zh-CN": {"booked": "已预约", "cancelled": "已取消", "covered": "服务站"},
         "en": {"booked": "Booked", "cancelled": "is cancelled", "covered": "station"}}


@pytest.mark.parametrize("locale,width", [("zh-CN", 390), ("en", 1280)])
def test_a_new_customer_books_by_place_name_and_cancels(browser, live_server, app, make_engineer,
                                                        locale, width):
    ensure_catalog()
    station = Station(code="JX360702", name="赣州章贡服务站", province="江西省", city="赣州市",
                      county="章贡区", lat=25.8311, lng=114.9350)
    db.session.add(station)
    db.session.commit()
    engineer = make_engineer(station, skills=("laptop",), name="刘师傅")
    engineer.work_days = "1234567"
    db.session.commit()
    outbox = app.extensions["sms_sender"].messages
    outbox.clear()
    words = WORDS[locale]
    page = browser.new_context(base_url=live_server, viewport={"width": width, "height": 844},
                               locale=locale).new_page()
    page.set_default_timeout(10_000)

    # Sign up, then prove the phone with the code the text message brings.
    page.goto("/signup")
    page.fill("#name", "钟女士")
    page.fill("#email", f"zhong-{locale}@example.test")
    page.fill("#phone", "13907970001")
    page.fill("#password", "a long and new password 7")
    page.fill("#password_confirm", "a long and new password 7")
    page.click("main form button[type=submit]")
    page.goto("/me/phone")
    page.click("#send-code button[type=submit]")
    code = re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)
    page.fill("#code", code)
    page.click("#verify-code button[type=submit]")

    # The place as people say it, on the home page; then the engineers who come there.
    page.goto("/")
    page.fill("#address", "赣州市章贡区")
    page.click("#address-form button[type=submit]")
    expect(page.locator("#coverage-result")).to_contain_text(words["covered"])
    page.click("#choose-link")
    page.click(f"article[data-engineer='{engineer.id}'] a.card-link")
    page.click("#choose-engineer")

    # The booking page has the place and its pin already; no coordinate box anywhere.
    expect(page.locator("#address_text")).to_have_value("赣州市章贡区")
    expect(page.locator("input[name=lat]")).not_to_have_value("")
    assert page.locator("input[name=lat]:visible, input[name=lng]:visible").count() == 0
    expect(page.locator(".picker-map .leaflet-marker-icon")).to_have_count(1)
    page.fill("#address_text", "赣州市章贡区红旗大道 18 号")  # the door, in words
    page.click("[data-action=find]")
    expect(page.locator(".picker-status")).to_contain_text("章贡区")
    page.fill("#problem", "笔记本开不了机")
    page.click("#show-windows")
    expect(page.locator(".window").first).to_be_visible()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"book-by-place-{locale}-{width}.png"), full_page=True)
    page.click("#book-button")

    # The visit page: the confirmation on top, the timeline, then cancel after being asked.
    expect(page.locator(".flash")).to_contain_text("刘师傅")
    expect(page.locator("#timeline .step-booked")).to_contain_text(words["booked"])
    visit = db.session.execute(db.select(Visit)).scalar_one()
    assert (visit.lat, visit.lng) == (25.8311, 114.935)  # the county seat: the pin was not moved
    assert visit.address_text == "赣州市章贡区红旗大道 18 号"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"visit-page-{locale}-{width}.png"), full_page=True)
    page.click(f"#cancel-{visit.id} summary")
    expect(page.locator(f"#cancel-{visit.id} .confirm-cancel")).to_be_visible()
    page.click(f"#cancel-{visit.id} .confirm-cancel")
    expect(page.locator(".flash")).to_contain_text(words["cancelled"])
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "cancelled"


@pytest.mark.parametrize("locale,width", [("zh-CN", 390), ("en", 1280)])
def test_a_customer_saves_addresses_by_words_and_by_the_map_and_books_from_the_default(
        browser, live_server, sign_in, make_user, make_station, make_engineer, locale, width):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop",), name="周师傅")
    customer = make_user("customer", name="陈女士")
    page = browser.new_context(base_url=live_server, viewport={"width": width, "height": 844},
                               locale=locale).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, customer.email)
    page.goto("/me/addresses")
    # By words: found at the county, then saved with its pin.
    page.fill("#label", "家")
    page.fill("#address_text", "上海市黄浦区南京东路 1 号")
    page.click("[data-action=find]")
    expect(page.locator(".picker-map .leaflet-marker-icon")).to_have_count(1)
    page.click("#add-address button[type=submit]")
    expect(page.locator("#saved-addresses .address")).to_have_count(1)
    # By the map: a tap where the office is, a little north-west of the county seat.
    page.fill("#label", "公司")
    page.fill("#address_text", "公司大楼 5 楼")
    page.click("[data-action=find]")  # words the gazetteer does not know: a message, no pin
    expect(page.locator(".picker-status")).to_have_class(re.compile("warn"))
    page.locator(".picker-map").scroll_into_view_if_needed()
    box = page.locator(".picker-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("input[name=lat]")).not_to_have_value("")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"addresses-{locale}-{width}.png"), full_page=True)
    page.click("#add-address button[type=submit]")
    office = page.locator("#saved-addresses .address", has_text="公司")
    office.locator("form button").first.click()  # make default
    expect(page.locator("#saved-addresses .address.default")).to_contain_text("公司")
    # Booking starts from the default: its words and its pin, chosen in the list.
    page.goto(f"/book/{engineer.id}")
    expect(page.locator("#address_text")).to_have_value("公司大楼 5 楼")
    expect(page.locator("#saved-address option:checked")).to_contain_text("公司")
    # The home page checks the default address at once (the tapped office: wherever it fell).
    page.goto("/")
    expect(page.locator("#address")).to_have_value("公司大楼 5 楼")
    expect(page.locator("#coverage-result")).to_have_class(re.compile(r"result (ok|warn)"))
