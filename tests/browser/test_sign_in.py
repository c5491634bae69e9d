"""Signing up and in through the real forms (CSRF on), then a manager's station page."""
from playwright.sync_api import expect


def test_a_customer_signs_up_and_is_signed_in(page, ctx):
    page.goto("/signup")
    page.fill("#name", "林先生")
    page.fill("#email", "lin@example.test")
    page.fill("#password", "a-long-password")
    page.fill("#password_confirm", "a-long-password")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("账号已创建")
    expect(page.locator(".who")).to_have_text("林先生")


def test_a_mistyped_password_is_shown_next_to_the_field(page, ctx):
    page.goto("/signup")
    page.fill("#name", "林先生")
    page.fill("#email", "lin@example.test")
    page.fill("#password", "a-long-password")
    page.fill("#password_confirm", "another-password")
    page.click("main form button[type=submit]")
    expect(page.locator("#password_confirm-error")).to_have_text("两次输入的密码不一致。")
    expect(page.locator("#name")).to_have_value("林先生")


def test_a_manager_signs_in_and_sees_the_station(page, make_user, make_station, make_engineer):
    manager = make_user("manager", name="周经理")
    station = make_station("ST310101", manager=manager, name="黄浦区服务站")
    make_engineer(station, name="赵师傅", phone="13912345678")
    page.goto("/station")
    page.fill("#email", manager.email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("黄浦区服务站")
    expect(page.locator("#station-engineers")).to_contain_text("赵师傅")
    expect(page.locator("#station-engineers")).to_contain_text("139 1234 5678")
