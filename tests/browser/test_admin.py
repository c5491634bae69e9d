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
