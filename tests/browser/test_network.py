"""Headquarters in the browser: an admin watches a network run's progress page while the
stations are planned (the page reloads itself and ends on the summary), and opens the
coverage-gap map with its heat layer, suggested sites and overlapping stations; at phone
and desktop widths. Screenshots go to WENQING_SCREENSHOTS when it is set."""
import os
from datetime import date, timedelta

from playwright.sync_api import expect

from dispatch.models import UncoveredRequest
from dispatch.network import start_run
from dispatch.planning import run_plan
from extensions import db
from tests.dispatch import test_network as base
from tests.dispatch.test_network import DAY

SHOTS = os.environ.get("WENQING_SCREENSHOTS")
network = base.network  # three stations of 3, 6 and 14 visits


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_an_admin_watches_a_network_run_to_its_summary(page, sign_in, make_user, network):
    admin = make_user("admin", name="总部管理员")
    run = start_run(DAY, None, 1.0, lambda plan_id: None)  # queued: planned below, page open
    sign_in(page, admin.email)
    page.goto(f"/admin/network-runs/{run.id}")
    expect(page.locator("#network-bar")).to_have_attribute("value", "0")
    expect(page.locator("#network-state")).to_contain_text("3")
    shot(page, "run-in-progress-390.png")
    run_plan(run.plan_ids[0])
    expect(page.locator("#network-bar")).to_have_attribute("value", "1", timeout=10_000)  # it reloaded
    for plan_id in run.plan_ids[1:]:
        run_plan(plan_id)
    expect(page.locator("#network-bar")).to_have_attribute("value", "3", timeout=10_000)
    expect(page.locator("#summary-planned")).to_have_text("3 / 3")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "run-finished-1280.png")


def far_town(lat, lng, n):
    """`n` refused requests a few hundred metres around a place no station covers."""
    for k in range(n):
        db.session.add(UncoveredRequest(day=date.today() - timedelta(days=k % 20), source="search",
                                        lat_cell=round(lat * 100) + k % 3, lng_cell=round(lng * 100) - k % 2))


def test_an_admin_opens_the_coverage_gap_map(page, sign_in, make_user, make_station):
    admin = make_user("admin", name="总部管理员")
    make_station("ST310101", 31.23, 121.47, name="黄浦区服务站")
    make_station("ST310104", 31.19, 121.44, name="徐汇区服务站")  # 5 km away: heavy overlap
    far_town(34.56, 117.73, 40)
    far_town(33.10, 119.00, 12)
    db.session.commit()
    sign_in(page, admin.email)
    page.goto("/admin/coverage-gaps")
    rows = page.locator("#gaps-suggestion-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("40")
    expect(rows.nth(0)).to_contain_text("公里")  # where: "距…服务站 N 公里", not coordinates
    expect(rows.nth(1)).to_contain_text("12")
    expect(page.locator("#gaps-overlap-rows")).to_contain_text("黄浦区服务站 · 徐汇区服务站")
    expect(page.locator("#gaps-totals")).to_contain_text("52")
    expect(page.locator("#gaps-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    expect(page.locator("#gaps-map .leaflet-marker-icon")).to_have_count(2)
    shot(page, "gaps-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.locator("#gaps-suggestion-rows tr")).to_have_count(2)
    shot(page, "gaps-1280.png")
