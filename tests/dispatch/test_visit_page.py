"""The customer's visit page: where a booking lands, its timeline with times, who comes and
how to reach the station, the work report, and the review and tip state."""
from datetime import timedelta

import pytest

from dispatch.lifecycle import move
from dispatch.models import Visit
from dispatch.slots import local_now
from extensions import db


@pytest.fixture
def booked(client, wang, make_user, login):
    """A customer books tomorrow 09:00 on the page and lands on the visit page."""
    customer = make_user("customer")
    login(customer.email)
    day = local_now("Asia/Shanghai").date() + timedelta(days=1)
    response = client.post(f"/book/{wang.id}", data={
        "skill": "laptop", "lat": "31.25", "lng": "121.49", "address_text": "人民路 88 号",
        "problem": "开不了机", "window_start": f"{day}T09:00:00"}, headers={"Accept-Language": "en"})
    visit = db.session.execute(db.select(Visit)).scalar_one()
    return response, visit, customer


def page_of(client, visit, language="en"):
    return client.get(f"/me/visits/{visit.id}", headers={"Accept-Language": language})


def test_a_booking_lands_on_its_visit_page_with_the_confirmation_on_top(client, booked):
    response, visit, _customer = booked
    assert response.headers["Location"].endswith(f"/me/visits/{visit.id}")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.index("Booked. 王师傅 will come") < page.index('id="timeline"')


def test_the_timeline_shows_the_steps_done_with_times_and_the_ones_to_come(client, booked, wang):
    _response, visit, _customer = booked
    page = page_of(client, visit).get_data(as_text=True)
    assert 'class="step done step-booked"' in page
    assert 'class="step ahead step-en_route"' in page and 'class="step ahead step-confirmed"' in page
    # The engineer sets off on the day: the step is done, with its time.
    move(visit, "en_route", wang.user, visit.window_start - timedelta(minutes=30))
    db.session.commit()
    page = page_of(client, visit).get_data(as_text=True)
    assert 'class="step done step-en_route"' in page
    assert "Station phone" in page and "+8602158880000" in page


def test_the_work_report_shows_once_the_work_is_done(client, booked, wang):
    _response, visit, _customer = booked
    at = visit.window_start
    move(visit, "en_route", wang.user, at)
    move(visit, "on_site", wang.user, at + timedelta(minutes=20))
    move(visit, "completed", wang.user, at + timedelta(minutes=80),
         report={"fault_found": "主板电容鼓包", "parts_used": "电容 ×2", "fixed_first_time": True})
    db.session.commit()
    page = page_of(client, visit, "zh-CN").get_data(as_text=True)
    assert "主板电容鼓包" in page and "电容 ×2" in page
    assert "confirm-done" in page  # and the customer is asked to confirm it


def test_a_cancelled_visit_shows_no_steps_to_come(client, booked):
    _response, visit, _customer = booked
    client.post(f"/visits/{visit.id}/status", data={"status": "cancelled"})
    page = page_of(client, visit).get_data(as_text=True)
    assert 'step-cancelled' in page and 'class="step ahead' not in page


def test_another_customer_gets_a_404(client, booked, make_user, login):
    _response, visit, _customer = booked
    login(make_user("customer").email)
    assert page_of(client, visit).status_code == 404
