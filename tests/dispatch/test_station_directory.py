"""The admins' station directory, and station search in Chinese or pinyin (issue 13)."""
import pytest

from extensions import db


@pytest.fixture
def network(ctx, make_user):
    from dispatch.models import Station
    rows = [("ST360702", "章贡区服务站", "江西省", "赣州市", "章贡区", 25.83, 114.93),
            ("ST110101", "东城区服务站", "北京市", "北京市", "东城区", 39.93, 116.42),
            ("ST500101", "万州区服务站", "重庆市", "重庆市", "万州区", 30.81, 108.41)]
    db.session.add_all(Station(code=c, name=n, province=p, city=ci, county=co, lat=la, lng=ln,
                               coverage_km=30) for c, n, p, ci, co, la, ln in rows)
    db.session.commit()


@pytest.mark.parametrize("text, codes", [
    ("章贡", ["ST360702"]), ("Ganzhou", ["ST360702"]), ("zhang gong", ["ST360702"]),
    ("Beijing", ["ST110101"]), ("chongqing", ["ST500101"]), ("ST5001", ["ST500101"]),
    ("nowhere", [])])
def test_stations_are_found_in_chinese_pinyin_or_by_code(client, network, text, codes):
    found = client.get("/api/stations", query_string={"q": text}).get_json()
    assert [s["code"] for s in found] == codes


def test_an_admin_opens_any_station_from_the_directory(client, network, make_user, login):
    login(make_user("admin").email)
    page = client.get("/station?q=Beijing")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "东城区服务站" in text and "章贡区服务站" not in text and "1 个服务站" in text
    assert 'href="/stations/ST110101"' in text and 'href="/stations/ST110101/board"' in text
    assert client.get("/stations/ST110101").status_code == 200


def test_a_manager_still_goes_to_their_own_station(client, network, make_user, make_station, login):
    manager = make_user("manager")
    make_station("ST310101", manager=manager)
    login(manager.email)
    assert client.get("/station").headers["Location"].endswith("/stations/ST310101")


def test_a_manager_without_a_station_is_told_so_in_chinese(client, network, make_user, login):
    login(make_user("manager").email)
    page = client.get("/station")
    assert page.status_code == 404 and "您还没有管理的服务站" in page.get_data(as_text=True)
