"""A manager publishes a plan that cannot keep the engineer a customer chose (absent that
day); on their phone the customer sees the notice on "my visits" and what to do instead."""
from datetime import datetime, timedelta

from playwright.sync_api import expect

from dispatch.models import EngineerDay, Notice, Visit
from dispatch.planning import publish, request_plan, run_plan
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog


def test_a_published_plan_shows_its_notice_on_my_visits_at_phone_width(page, make_user, make_station,
                                                                      make_engineer):
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager")
    station = make_station("ST310101", 31.2304, 121.4737, manager=manager, name="黄浦区服务站")
    wang = make_engineer(station, skills=("laptop",), name="王师傅")
    li = make_engineer(station, skills=("laptop",), name="李师傅")
    for engineer in (wang, li):
        engineer.work_days = "1234567"
    customer = make_user("customer", name="陈女士")
    day = local_now("Asia/Shanghai").date() + timedelta(days=1)
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                  engineer_id=wang.id, chosen_by_customer=True, status="scheduled",
                  skill_id=wang.skills[0].id, problem="笔记本开不了机", address_text="人民路 88 号",
                  lat=31.25, lng=121.49, window_start=start, window_end=start + timedelta(hours=2),
                  duration_minutes=60)
    db.session.add_all([visit, EngineerDay(engineer_id=wang.id, day=day, absent=True)])
    db.session.commit()
    plan = request_plan(station, day, manager, 1.0)
    db.session.commit()
    publish(run_plan(plan.id), manager)
    db.session.commit()
    assert db.session.query(Notice).filter_by(visit_id=visit.id, kind="cannot_keep").count() == 1

    page.goto("/login")
    page.fill("#email", customer.email)
    page.fill("#password", "correct-horse-battery")
    page.click("main form button[type=submit]")
    page.goto("/me/visits")
    expect(page.locator("#notices .notice.unread")).to_contain_text("王师傅")
    expect(page.locator(f"#cannot-keep-{visit.id}")).to_contain_text("王师傅不能在这个时间上门")
    expect(page.locator(f"#cannot-keep-{visit.id} .similar-engineers")).to_contain_text("李师傅")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing widens the phone's page
    page.reload()
    expect(page.locator("#notices .notice")).to_have_count(1)
    expect(page.locator("#notices .notice.unread")).to_have_count(0)
