"""Addresses as people write them: the offline gazetteer, the provider with its fallback,
and `GET /api/geocode`."""
import pytest
from geopy.exc import GeocoderUnavailable
from geopy.location import Location

from dispatch.geocode import Gazetteer, Provider, geocode
from dispatch.models import Station
from extensions import db

PLACES = [  # code, province, city, county, lat, lng
    ("JX0001", "江西省", "赣州市", "章贡区", 25.8311, 114.9350),
    ("JX0002", "江西省", "赣州市", "南康区", 25.6617, 114.7650),
    ("JX0003", "江西省", "南昌市", "东湖区", 28.6850, 115.8990),
    ("SH0001", "上海市", "上海市", "黄浦区", 31.2304, 121.4737),
]


@pytest.fixture
def places(ctx):
    for code, province, city, county, lat, lng in PLACES:
        db.session.add(Station(code=code, name=f"{city}{county}服务站", province=province, city=city,
                               county=county, lat=lat, lng=lng))
    db.session.commit()


@pytest.mark.parametrize("text", ["赣州市章贡区", "江西省赣州市章贡区红旗大道 18 号", "赣州章贡",
                                  "Ganzhou Zhanggong", "zhanggong qu"])
def test_a_county_named_in_chinese_or_pinyin_is_found_at_its_seat(places, text):
    found = Gazetteer().geocode(text)
    assert (found.lat, found.lng) == (25.8311, 114.9350)
    assert found.precision == "county"
    assert found.label == "江西省 赣州市 章贡区"


def test_a_city_alone_is_the_middle_of_its_counties_and_says_so(places):
    found = Gazetteer().geocode("赣州市")
    assert found.precision == "city"
    assert found.label == "江西省 赣州市"
    assert found.lat == pytest.approx((25.8311 + 25.6617) / 2)


def test_the_county_wins_over_a_city_named_elsewhere_in_the_text(places):
    assert Gazetteer().geocode("上海市黄浦区南京东路").label == "上海市 黄浦区"


def test_an_unknown_place_is_none(places):
    assert Gazetteer().geocode("火星基地") is None
    assert Gazetteer().geocode("") is None


class _Found:
    def geocode(self, text, exactly_one, timeout):
        return Location("江西省赣州市章贡区红旗大道18号", (25.85, 114.93), {})


class _Down:
    def geocode(self, text, exactly_one, timeout):
        raise GeocoderUnavailable("no route to host")


def test_a_configured_provider_answers_with_the_door(places):
    provider = Provider("nominatim", {"user_agent": "wenqing-test"}, Gazetteer())
    provider._geocoder = _Found()
    found = provider.geocode("红旗大道18号")
    assert (found.lat, found.lng, found.precision) == (25.85, 114.93, "address")


def test_a_provider_that_is_down_falls_back_to_the_gazetteer(places):
    provider = Provider("nominatim", {"user_agent": "wenqing-test"}, Gazetteer())
    provider._geocoder = _Down()
    found = provider.geocode("赣州市章贡区")
    assert found.precision == "county"


def test_the_app_uses_the_gazetteer_when_no_provider_is_configured(places, app):
    assert not app.config["GEOCODER"]
    assert geocode("南昌市东湖区").label == "江西省 南昌市 东湖区"


def test_the_api_answers_a_point_or_a_404_in_the_readers_language(client, places):
    answer = client.get("/api/geocode", query_string={"q": "赣州市章贡区"})
    assert answer.status_code == 200
    assert answer.get_json() == {"lat": 25.8311, "lng": 114.935, "label": "江西省 赣州市 章贡区",
                                 "precision": "county"}
    missing = client.get("/api/geocode", query_string={"q": "火星基地"},
                         headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert "could not find this address" in missing.get_json()["message"]
    short = client.get("/api/geocode", query_string={"q": "x"})
    assert short.status_code == 422
    assert "q" in short.get_json()["errors"]["query"]


def test_a_stations_own_name_is_the_last_resort(ctx):
    db.session.add(Station(code="BJ0001", name="海淀区服务站", province="北京市", city="北京市",
                           county="海淀区", lat=39.96, lng=116.30))
    db.session.add(Station(code="XX0001", name="中关村服务站", province="北京市", city="北京市",
                           county="朝阳区", lat=39.99, lng=116.31))
    db.session.commit()
    assert Gazetteer().geocode("海淀").label == "北京市 海淀区"  # the county, found by its short name
    found = Gazetteer().geocode("中关村")
    assert (found.label, found.lat, found.precision) == ("中关村服务站", 39.99, "county")


def test_a_place_without_a_station_is_found_at_its_county_seat(ctx):
    found = Gazetteer().geocode("赣州市章贡区")  # no station anywhere
    assert found.precision == "county" and found.label == "江西省 赣州市 章贡区"
    assert (round(found.lat, 1), round(found.lng, 1)) == (25.8, 114.9)
    assert Gazetteer().geocode("Beijing Haidian").label == "北京市 海淀区"


def test_an_address_no_station_covers_yet_says_so_rather_than_no_such_place(client, places):
    page = client.get("/engineers", query_string={"address": "北京市海淀区"},
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We could not find this address" not in page
    assert "cover this address yet; the nearest station is 上海市黄浦区服务站" in page
    from dispatch.models import UncoveredRequest
    assert db.session.query(UncoveredRequest).count() == 1  # headquarters sees the demand
