"""What a customer sees of the latest plans on "my visits": the notices, newest first and
read on opening, each visit's latest notice, and a chosen engineer who cannot come."""
from datetime import datetime, timedelta

import pytest

from dispatch.models import EngineerDay, Notice, Visit
from dispatch.slots import local_now
from extensions import db
from tests.dispatch.test_alternatives import crew  # noqa: F401  (the fixture)


@pytest.fixture
def chosen_absent(crew):  # noqa: F811
    """王师傅, chosen for tomorrow 09:00, is absent tomorrow; the plan left a notice."""
    day = local_now("Asia/Shanghai").date() + timedelta(days=1)
    wang, customer = crew["wang"], crew["customer"]
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=9)
    visit = Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=wang.station_id,
                  engineer_id=wang.id, chosen_by_customer=True, status="scheduled",
                  skill_id=wang.skills[0].id, problem="开不了机", address_text="人民路 88 号",
                  lat=31.25, lng=121.49, window_start=start, window_end=start + timedelta(hours=2),
                  duration_minutes=60, unplanned_reason="the engineer the customer chose is absent")
    db.session.add_all([visit, EngineerDay(engineer_id=wang.id, day=day, absent=True)])
    db.session.flush()
    db.session.add_all([Notice(user_id=customer.id, visit_id=visit.id, kind="eta_moved",
                               facts={"from": "09:00", "to": "10:30"}),
                        Notice(user_id=customer.id, visit_id=visit.id, kind="cannot_keep",
                               facts={"engineer": "王师傅"})])
    db.session.commit()
    return {**crew, "visit": visit, "day": day}


def test_notices_are_listed_newest_first_and_read_on_opening(client, chosen_absent, login):
    login(chosen_absent["customer"].email)
    page = client.get("/me/visits").get_data(as_text=True)
    notices = page[page.index('id="notices"'):page.index("</section>")]
    assert notices.index("王师傅") < notices.index("10:30")  # the newest first
    assert notices.count('class="notice unread"') == 2 and "2 条新" in page
    assert all(n.read_at is not None for n in db.session.query(Notice))
    again = client.get("/me/visits").get_data(as_text=True)
    assert 'class="notice unread"' not in again and "10:30" in again


def test_the_visit_card_shows_its_latest_notice(client, chosen_absent, login):
    login(chosen_absent["customer"].email)
    page = client.get("/me/visits").get_data(as_text=True)
    card = page[page.index(f'id="visit-{chosen_absent["visit"].id}"'):]
    assert card.index('class="result info visit-notice"') < card.index("王师傅不能")


def test_a_chosen_engineer_who_cannot_come_offers_their_next_windows_and_similar_engineers(
        client, chosen_absent, login):
    login(chosen_absent["customer"].email)
    page = client.get("/me/visits").get_data(as_text=True)
    visit = chosen_absent["visit"]
    card = page[page.index(f'id="cannot-keep-{visit.id}"'):]
    assert "王师傅不能在这个时间上门" in card
    nearest = card[card.index('class="next-windows"'):card.index("</p>", card.index('class="next-windows"'))]
    assert f"/visits/{visit.id}/reschedule?window_start=" in nearest
    assert chosen_absent["day"].strftime("%m-%d") not in nearest  # not on the day they are away
    similar = card[card.index('class="similar-engineers"'):]
    assert similar.index("赵师傅") < similar.index("李师傅") and "钱师傅" not in similar


def test_the_page_in_english(client, chosen_absent, login):
    chosen_absent["customer"].locale = "en"
    db.session.commit()
    login(chosen_absent["customer"].email)
    page = client.get("/me/visits").get_data(as_text=True)
    assert "王师傅 can no longer come at this time." in page
    assert "王师傅 cannot come at this time: they are not working that day." in page
    assert "Or an engineer like them, free at the time you asked:" in page and "2 new" in page


def test_the_reschedule_page_preselects_the_offered_window(client, chosen_absent, login):
    login(chosen_absent["customer"].email)
    visit = chosen_absent["visit"]
    offered = (chosen_absent["day"] + timedelta(days=1)).isoformat() + "T11:00:00"
    page = client.get(f"/visits/{visit.id}/reschedule?window_start={offered}").get_data(as_text=True)
    assert f'value="{offered}" checked' in page
    assert chosen_absent["day"].isoformat() + "T" not in page  # none on the day away
