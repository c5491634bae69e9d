"""The planning board page: its station's manager sees it in either language; other managers
and customers do not; a wrong day is explained, not a 500; customers' words stay text."""
from datetime import datetime, time, timedelta

import pytest

from dispatch.models import Visit
from dispatch.slots import local_now
from extensions import db
from marketplace.catalog import ensure_catalog

HOSTILE = '<img src=x onerror="alert(1)">'


def tomorrow():
    return local_now("Asia/Shanghai").date() + timedelta(days=1)


@pytest.fixture
def station_day(ctx, make_station, make_engineer, make_user):
    ensure_catalog()
    db.session.commit()
    manager = make_user("manager", name="刘站长")
    station = make_station("ST310101", 31.2304, 121.4737, manager=manager, name="黄浦区服务站")
    engineer = make_engineer(station, skills=("laptop",), name="王师傅")
    engineer.work_days = "1234567"
    customer = make_user("customer", name=HOSTILE)
    start = datetime.combine(tomorrow(), time(10))
    db.session.add(Visit(customer_id=customer.id, booked_by_id=customer.id, station_id=station.id,
                         engineer_id=engineer.id, status="scheduled", skill_id=engineer.skills[0].id,
                         problem=f"屏幕坏了 {HOSTILE}", address_text=f"人民路 1 号 {HOSTILE}",
                         lat=31.25, lng=121.49, window_start=start,
                         window_end=start + timedelta(hours=2), duration_minutes=60))
    db.session.commit()
    return {"station": station, "manager": manager, "customer": customer, "engineer": engineer}


def test_the_station_s_manager_sees_the_board_for_tomorrow_in_chinese(client, login, station_day):
    login(station_day["manager"].email)
    response = client.get("/stations/ST310101/board")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "规划看板" in page and "黄浦区服务站" in page and "规划这一天" in page
    assert tomorrow().isoformat() in page and "王师傅" in page
    assert 'id="board-map"' in page and 'id="timeline"' in page and 'id="plan-button"' in page


def test_the_board_speaks_english_when_asked(client, login, station_day):
    login(station_day["manager"].email)
    client.post("/lang/en")
    page = client.get(f"/stations/ST310101/board?date={tomorrow().isoformat()}").get_data(as_text=True)
    assert "Planning board" in page and "Plan the day" in page and "Not assigned" in page


def test_another_manager_and_a_customer_are_refused(client, login, station_day, make_user):
    login(make_user("manager").email)
    assert client.get("/stations/ST310101/board").status_code == 403
    client.post("/logout")
    login(station_day["customer"].email)
    assert client.get("/stations/ST310101/board").status_code == 403


def test_an_admin_sees_any_station_s_board(client, login, station_day, make_user):
    login(make_user("admin").email)
    assert client.get("/stations/ST310101/board").status_code == 200


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-40", "1999-01-01", "9999-12-31", "20260101" * 30])
def test_a_day_that_cannot_be_shown_says_so_and_shows_tomorrow(client, login, station_day, bad):
    login(station_day["manager"].email)
    client.post("/lang/en")
    response = client.get("/stations/ST310101/board", query_string={"date": bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "flash-error" in page and "here is tomorrow" in page
    assert f'data-day="{tomorrow().isoformat()}"' in page


def test_customers_words_are_text_not_markup(client, login, station_day):
    login(station_day["manager"].email)
    page = client.get("/stations/ST310101/board").get_data(as_text=True)
    assert HOSTILE not in page  # only escaped: the JSON island escapes < and >
    assert "\\u003cimg" in page


def test_an_unknown_station_is_a_404(client, login, station_day):
    login(station_day["manager"].email)
    assert client.get("/stations/NOPE/board").status_code == 404
