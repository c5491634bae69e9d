"""A station manager plans tomorrow on the planning board: routes on the map and rows on the
timeline, a visit moved to another engineer by hand, the day planned again around it, and
the draft published; then the engineer's day follows the plan and the customer sees the
new arrival time and a notice."""
from datetime import datetime, time, timedelta

import pytest
from geopy.distance import geodesic
from playwright.sync_api import expect

from dispatch.models import Plan, Visit
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog

HOME = (31.2304, 121.4737)


@pytest.fixture
def station_day(make_station, make_engineer, make_user):
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager", name="刘站长")
    station = make_station("ST310101", *HOME, manager=manager, name="黄浦区服务站")
    crew = [make_engineer(station, skills=("laptop",), name=n) for n in ("王师傅", "李师傅", "张师傅")]
    for engineer in crew:
        engineer.work_days = "1234567"
    customer = make_user("customer", name="陈女士")
    day = local_now("Asia/Shanghai").date() + timedelta(days=1)
    for k in range(6):
        p = geodesic(kilometers=3 + k).destination(HOME, 60 * k)
        start = datetime.combine(day, time(9 + 2 * (k % 4)))
        db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                             engineer_id=crew[k % 3].id, status="scheduled",
                             skill_id=crew[0].skills[0].id, problem="开不了机",
                             address_text=f"人民路 {k} 号", lat=p.latitude, lng=p.longitude,
                             window_start=start, window_end=start + timedelta(hours=2),
                             duration_minutes=60))
    db.session.commit()
    return {"manager": manager, "crew": crew, "day": day, "customer": customer}


def signed_in(browser, live_server, email):
    """A phone-sized page of its own, signed in as `email`, reading English."""
    other = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                locale="en-US").new_page()
    other.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    other.goto("/login")
    other.fill("#email", email)
    other.fill("#password", "correct-horse-battery")
    other.click("main form button[type=submit]")
    expect(other.locator("html")).to_have_attribute("lang", "en")  # the browser asks for English
    return other


def test_plan_move_replan_and_publish_on_the_board(page, station_day, browser, live_server):
    page.goto("/login")
    page.fill("#email", station_day["manager"].email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.click(".lang button[lang=en]")
    page.goto("/stations/ST310101/board")
    expect(page.locator("#board-day")).to_contain_text(station_day["day"].isoformat())
    expect(page.locator("#view-state")).to_contain_text("Nothing is planned yet")

    page.click("#plan-button")
    expect(page.locator("#compare")).to_be_visible(timeout=60_000)
    expect(page.locator("#compare-figures")).to_contain_text("6")  # all six served
    assert page.locator("path.route-line").count() >= 1  # routes drawn on the map
    assert page.locator(".leaflet-marker-icon .stop-dot").count() == 6
    expect(page.locator(".tl-row[data-engineer]")).to_have_count(3)
    expect(page.locator(".tl-row[data-engineer] .tl-visit")).to_have_count(6)

    first, second = station_day["crew"][0], station_day["crew"][1]
    block = page.locator(f'.tl-row[data-engineer="{first.id}"] .tl-visit').first
    visit_id = int(block.get_attribute("data-visit"))
    block.click()
    card = page.locator(f'.visit-card[data-visit="{visit_id}"]')
    expect(card).to_contain_text("人民路")
    card.locator(".move-select").select_option(str(second.id))
    card.locator(".move-button").click()
    expect(page.locator("#board-notice")).to_contain_text(second.display_name)

    page.click("#plan-button")
    moved = page.locator(f'.tl-row[data-engineer="{second.id}"] .tl-visit[data-visit="{visit_id}"]')
    expect(moved).to_be_visible(timeout=60_000)
    expect(moved).to_contain_text("◆")  # pinned there by the move
    expect(page.locator(f'.tl-row[data-engineer="{first.id}"] .tl-visit[data-visit="{visit_id}"]')).to_have_count(0)

    page.click("#publish-button")
    expect(page.locator("#board-notice")).to_contain_text("Published")
    expect(page.locator("#published-state")).to_contain_text("Published at")
    expect(page.locator("#compare")).to_be_hidden()
    expect(page.locator("#view-state")).to_contain_text("published plan")
    db.session.expire_all()
    assert db.session.get(Visit, visit_id).engineer_id == second.id
    assert db.session.execute(db.select(Plan.status).order_by(Plan.id.desc())).scalars().first() == "published"

    # The engineer who took the visit sees their day in the plan's order.
    db.session.expire_all()
    mine = db.session.execute(db.select(Visit).where(Visit.engineer_id == second.id)
                              .order_by(Visit.route_order)).scalars().all()
    engineer = signed_in(browser, live_server, second.user.email)
    engineer.goto(f"/my/day?date={station_day['day'].isoformat()}")
    cards = engineer.locator("[id^=visit-]")
    expect(cards).to_have_count(len(mine))
    assert [c.get_attribute("id") for c in cards.all()] == [f"visit-{v.id}" for v in mine]

    # The customer sees the planned arrival time and why it changed.
    moved_visit = db.session.get(Visit, visit_id)
    customer = signed_in(browser, live_server, station_day["customer"].email)
    customer.goto("/me/visits")
    expect(customer.locator(f"#visit-{visit_id} .next")).to_contain_text(
        moved_visit.planned_start.strftime("%H:%M"))
    expect(customer.locator("#notices")).to_contain_text(second.display_name)
