"""A person checks whether Wenqing serves their address, on a phone-sized screen."""
import os

from playwright.sync_api import expect

SHOTS = os.environ.get("WENQING_SCREENSHOTS")  # a folder to save screenshots in, if set


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_an_address_inside_coverage_lists_the_stations(page, make_station):
    make_station("ST110108", 39.95993, 116.298262, name="海淀区服务站")
    make_station("ST110102", 39.912235, 116.365873, name="西城区服务站")
    make_station("ST650102", 43.794399, 87.631676, name="天山区服务站")
    page.goto("/")
    expect(page.locator("#map")).to_have_attribute("data-stations", "3")
    page.fill("#address", "海淀")
    page.click("text=查询服务范围")
    result = page.locator("#coverage-result")
    expect(result).to_contain_text("有 2 个服务站覆盖此地址")
    expect(page.locator("#covering-list li").first).to_contain_text("海淀区服务站")
    shot(page, "home-covered")


def test_an_address_outside_coverage_says_how_far_the_nearest_station_is(page, make_station):
    make_station("ST650102", 43.794399, 87.631676, name="天山区服务站")
    page.goto("/")
    page.fill("#address", "43.794399, 88.5")  # about 70 km east of the station
    page.keyboard.press("Enter")
    expect(page.locator("#coverage-result")).to_contain_text("暂不在服务范围内")
    expect(page.locator("#coverage-result")).to_contain_text("天山区服务站")
    expect(page.locator("#covering-list li")).to_have_count(0)
    shot(page, "home-uncovered")


def test_bad_coordinates_are_explained_not_ignored(page, ctx):
    page.goto("/")
    page.fill("#address", "95, 120")
    page.keyboard.press("Enter")
    expect(page.locator("#coverage-result")).to_contain_text("lat")


def test_the_page_switches_to_english(page, ctx):
    page.goto("/")
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("On-site service from an engineer you choose")
