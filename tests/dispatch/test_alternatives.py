"""Why a window was refused (the rule the check found) and the ranked alternatives, as
plain functions and as the booking page and the API show them."""
from datetime import date, datetime, time, timedelta

import pytest

from dispatch.alternatives import Standing, most_similar, nearest_windows, why_window_refused
from dispatch.models import Visit
from dispatch.rules import TravelRules
from dispatch.slots import Booked, DayRules, Place, Window, WorkPattern, local_now
from extensions import db
from marketplace.catalog import ensure_catalog
from marketplace.models import EngineerStats

HOME = Place(31.2304, 121.4737)
NEAR = Place(31.25, 121.49)
MONDAY = date(2026, 12, 7)


def rules(window_minutes=120, lunch=(11 * 3600 + 1800, 14 * 3600), lunch_minutes=60) -> DayRules:
    return DayRules(WorkPattern(9 * 60, 18 * 60, "123456"), HOME, window_minutes, lunch, lunch_minutes,
                    TravelRules(30, 1.3))


def at(hour: float, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time()) + timedelta(hours=hour)


def window(hour: float, minutes: int = 120, day: date = MONDAY) -> Window:
    return Window(at(hour, day), at(hour, day) + timedelta(minutes=minutes))


EARLY = at(0)


def test_a_free_window_has_no_why():
    assert why_window_refused(rules(), [], NEAR, 60, window(9), EARLY) is None


def test_a_window_before_the_booking_lead_is_too_soon():
    assert why_window_refused(rules(), [], NEAR, 60, window(9), at(10)).code == "too_soon"


def test_a_day_the_engineer_does_not_work_is_a_day_off():
    sunday = MONDAY + timedelta(days=6)
    assert why_window_refused(rules(), [], NEAR, 60, window(9, day=sunday), EARLY).code == "day_off"


def test_a_window_past_the_shift_is_outside_the_shift():
    assert why_window_refused(rules(), [], NEAR, 60, window(17), EARLY).code == "outside_shift"


def test_a_trip_too_long_to_come_back_in_the_shift_is_outside_the_shift():
    far = Place(31.95, 121.47)  # 80 km: hours there and back
    assert why_window_refused(rules(), [], far, 60, window(15), EARLY).code == "outside_shift"


def test_the_lunch_break_is_named_only_when_without_it_the_visit_would_fit():
    noon = rules(window_minutes=60, lunch=(12 * 3600, 13 * 3600))
    assert why_window_refused(noon, [], NEAR, 90, window(11, 60), EARLY).code == "lunch_break"
    assert why_window_refused(noon, [], NEAR, 30, window(11, 60), EARLY) is None


def test_visits_already_booked_that_leave_no_room_make_a_full_day():
    long_job = Booked(1, NEAR, 240, (at(9), at(9)))
    assert why_window_refused(rules(), [long_job], NEAR, 60, window(9), EARLY).code == "day_full"


def test_nearest_windows_rank_by_distance_from_the_asked_time():
    free = [window(9), window(13), window(15), window(9, day=MONDAY + timedelta(days=1))]
    assert nearest_windows(free, at(14), 2) == [window(13), window(15)]


def test_similar_engineers_rank_by_level_then_stars():
    chosen = Standing(2, 4.8)
    others = {1: Standing(0, 4.8), 2: Standing(2, 4.2), 3: Standing(2, 4.7), 4: None}
    assert most_similar(chosen, others) == [3, 2, 1]


# --- On the page and in the API -----------------------------------------------------------

@pytest.fixture
def crew(ctx, make_station, make_engineer, make_user):
    ensure_catalog()
    db.session.commit()
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站")
    wang = make_engineer(station, skills=("laptop",), name="王师傅")
    li = make_engineer(station, skills=("laptop",), name="李师傅")
    zhao = make_engineer(station, skills=("laptop",), name="赵师傅")
    printer = make_engineer(station, skills=("printer",), name="钱师傅")
    for engineer, level, stars in ((wang, "expert", 4.9), (li, "rookie", 3.9), (zhao, "expert", 4.8),
                                   (printer, "expert", 4.9)):
        engineer.work_days = "1234567"
        stats = db.session.get(EngineerStats, engineer.id) or EngineerStats(engineer_id=engineer.id)
        stats.level, stats.average_stars = level, stars
        db.session.add(stats)
    db.session.commit()
    return {"station": station, "wang": wang, "li": li, "zhao": zhao, "printer": printer,
            "customer": make_user("customer")}


def tomorrow(hour=9) -> str:
    return f"{local_now('Asia/Shanghai').date() + timedelta(days=1)}T{hour:02d}:00:00"


def fill(engineer, customer, start: str, minutes=480):
    begin = datetime.fromisoformat(start)
    db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=engineer.station_id,
                         engineer_id=engineer.id, chosen_by_customer=True, status="scheduled",
                         skill_id=engineer.skills[0].id, problem="满", address_text="人民路 1 号",
                         lat=31.25, lng=121.49, window_start=begin,
                         window_end=begin + timedelta(hours=2), duration_minutes=minutes))
    db.session.commit()


def booking(engineer, start, skill="laptop", lat=31.25, lng=121.49):
    return {"skill": skill, "lat": lat, "lng": lng, "address_text": "人民路 88 号", "problem": "开不了机",
            "window_start": start, "engineer_id": engineer.id}


def test_the_booking_page_says_the_day_is_full_and_offers_nearest_windows_and_similar_engineers(
        client, crew, login):
    fill(crew["wang"], crew["customer"], tomorrow(9))
    login(crew["customer"].email)
    page = client.post(f"/book/{crew['wang'].id}", data=booking(crew["wang"], tomorrow(9))).get_data(as_text=True)
    assert 'data-why="day_full"' in page and "没有空档" in page
    assert 'id="nearest-windows"' in page
    similar = page[page.index('id="similar-engineers"'):]
    assert similar.index("赵师傅") < similar.index("李师傅")  # an expert like 王师傅 comes first
    assert "钱师傅" not in similar  # does not repair laptops


def english(user):
    user.locale = "en"
    db.session.commit()
    return user


def test_the_booking_page_in_english(client, crew, login):
    fill(crew["wang"], crew["customer"], tomorrow(9))
    login(english(crew["customer"]).email)
    page = client.post(f"/book/{crew['wang'].id}", data=booking(crew["wang"], tomorrow(9))).get_data(as_text=True)
    assert "The visits already booked that day leave the engineer no room at this time." in page
    assert "Engineers like 王师傅, free at the time you asked" in page


def test_the_api_explains_a_product_not_repaired_with_engineers_who_do(client, crew, bearer):
    headers = bearer(crew["customer"].email)
    response = client.post("/api/visits", json=booking(crew["printer"], tomorrow(9)), headers=headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["why"]["code"] == "skill"
    assert [a["engineer_name"] for a in errors["alternatives"]][:1] == ["王师傅"]
    assert {a["kind"] for a in errors["alternatives"]} == {"similar_engineer"}


def test_the_api_explains_an_address_outside_the_area(client, crew, bearer):
    headers = bearer(english(crew["customer"]).email)
    response = client.post("/api/visits", json=booking(crew["wang"], tomorrow(9), lat=39.9, lng=116.4),
                           headers=headers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"]["why"] == {"code": "area",
                                     "message": "This address is outside the engineer's service area."}
    assert body["errors"]["alternatives"] == []


def test_the_api_409_keeps_the_free_windows(client, crew, bearer):
    fill(crew["wang"], crew["customer"], tomorrow(9))
    response = client.post("/api/visits", json=booking(crew["wang"], tomorrow(9)),
                           headers=bearer(crew["customer"].email))
    assert response.status_code == 409
    assert response.get_json()["errors"]["free"]


def test_the_api_409_says_why_and_offers_alternatives(client, crew, bearer):
    fill(crew["wang"], crew["customer"], tomorrow(9))
    response = client.post("/api/visits", json=booking(crew["wang"], tomorrow(9)),
                           headers=bearer(crew["customer"].email))
    errors = response.get_json()["errors"]
    assert errors["why"]["code"] == "day_full" and errors["free"]
    assert errors["alternatives"][0]["kind"] == "same_engineer"
    assert "赵师傅" in [a["engineer_name"] for a in errors["alternatives"]]
