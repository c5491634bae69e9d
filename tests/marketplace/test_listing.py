"""GET /api/engineers: the engineers a customer can choose from, and the listing page."""
import json
from datetime import date, datetime, time, timedelta

import pytest
from geopy.distance import geodesic

from extensions import cache, db

CENTRE = (31.2304, 121.4737)


def names(body):
    return [e["display_name"] for e in body["engineers"]]


@pytest.fixture
def crew(station, make_station, make_engineer, make_review, make_tip, make_user, favourite, catalog):
    """Four engineers of the covering station with distinct records, one far away."""
    far_point = geodesic(kilometers=20).destination(CENTRE, 90)
    second = make_station("ST310102", far_point.latitude, far_point.longitude, name="浦东服务站")
    veteran = make_engineer(station, skills=("laptop",), name="老王", phone="13900000001")
    for _ in range(30):
        make_review(veteran, 5, tags=("on_time", "expert"))
    for _ in range(3):
        make_review(veteran, 4, tags=("patient",))
    lucky = make_engineer(station, skills=("printer",), name="小李", phone="13900000002")
    make_review(lucky, 5, tags=("tidy",))
    rookie = make_engineer(station, skills=("laptop", "printer"), name="新人张")
    rookie.work_days = "67"
    meh = make_engineer(second, skills=("server",), name="老赵")
    for stars in (3, 4, 3, 3, 4, 3, 3, 4, 3, 3) * 3:
        make_review(meh, stars, tags=("late",) if stars == 3 else ())
    for _ in range(3):
        make_tip(lucky)
        favourite(make_user("customer"), meh)
    db.session.commit()
    return {"veteran": veteran, "lucky": lucky, "rookie": rookie, "meh": meh}


def test_lists_every_engineer_of_the_covering_stations_with_their_record(crew, listing):
    body = listing(sort="stars")
    assert body["covered"] is True and body["total"] == 4
    veteran = next(e for e in body["engineers"] if e["display_name"] == "老王")
    assert veteran["review_count"] == 33
    assert veteran["average_stars"] == pytest.approx((30 * 5 + 3 * 4) / 33, abs=0.01)
    assert [t["code"] for t in veteran["top_tags"]] == ["on_time", "expert", "patient"]
    assert veteran["top_tags"][0]["count"] == 30
    assert veteran["station"]["name"] == "黄浦区服务站" and veteran["distance_km"] == 0.0
    assert veteran["level"] == "rookie" and veteran["level_name"] in ("新秀", "Rookie")
    assert veteran["next_window"] is not None


def test_recommended_order_is_the_fair_score(crew, listing):
    assert names(listing()) == ["老王", "小李", "新人张", "老赵"]


@pytest.mark.parametrize("sort, first", [
    ("stars", "小李"),          # 5.0 over one review
    ("distance", "老王"),       # the covering station at 0 km before the one 20 km away
    ("tips", "小李"),
    ("favourites", "老赵"),
])
def test_each_sort(crew, listing, sort, first):
    assert names(listing(sort=sort))[0] == first


def test_distance_sort_puts_the_far_station_last(crew, listing):
    body = listing(sort="distance")
    assert body["engineers"][-1]["display_name"] == "老赵"
    assert body["engineers"][-1]["distance_km"] == pytest.approx(20, abs=0.1)


def test_level_sort_and_filter(crew, listing):
    crew["meh"].stats.level = "expert"
    crew["rookie"].stats.level = "backbone"
    db.session.commit()
    assert names(listing(sort="level"))[:2] == ["老赵", "新人张"]
    assert names(listing(level="backbone")) == ["新人张"]


def test_filter_by_skill(crew, listing):
    assert sorted(names(listing(skill="printer"))) == ["小李", "新人张"]


def test_filter_by_minimum_stars_leaves_out_the_unreviewed(crew, listing):
    assert sorted(names(listing(min_stars=4.5))) == ["小李", "老王"]


def next_weekday(isoweekday: int) -> date:
    """The next such day after today on the station clock (never today: windows may be gone)."""
    from dispatch.booking import station_now
    day = station_now().date() + timedelta(days=1)
    return day + timedelta(days=(isoweekday - day.isoweekday()) % 7)


def test_filter_by_day_available(crew, listing):
    monday = next_weekday(1)
    assert "新人张" not in names(listing(day=monday.isoformat()))
    sunday = next_weekday(7)
    assert names(listing(day=sunday.isoformat())) == ["新人张"]  # the others work Mon-Sat


def test_available_on_a_day_shows_that_days_window_and_leaves_out_the_fully_booked(crew, listing):
    from dispatch.models import Visit
    wednesday = next_weekday(3)
    body = listing(day=wednesday.isoformat())
    assert body["engineers"] and all(e["next_window"]["start"].startswith(wednesday.isoformat())
                                     for e in body["engineers"])
    veteran = crew["veteran"]
    for hour in range(0, 24, 2):  # a whole day of booked two-hour visits: no room left
        start = datetime.combine(wednesday, time(hour))
        db.session.add(Visit(customer_id=veteran.user_id, booked_by_id=veteran.user_id,
                             station_id=veteran.station_id, engineer_id=veteran.id,
                             skill_id=veteran.skills[0].id, problem="x", address_text="y",
                             lat=CENTRE[0], lng=CENTRE[1], window_start=start,
                             window_end=start + timedelta(hours=2), duration_minutes=120,
                             status="scheduled"))
    db.session.commit()
    cache.clear()
    assert "老王" not in names(listing(day=wednesday.isoformat()))
    assert "老王" in names(listing(day=next_weekday(4).isoformat()))


def test_a_day_gone_by_is_refused_with_the_reason(crew, client):
    from dispatch.booking import station_now
    yesterday = station_now().date() - timedelta(days=1)
    response = client.get("/api/engineers", query_string={"lat": CENTRE[0], "lng": CENTRE[1],
                                                         "day": yesterday.isoformat()})
    assert response.status_code == 422
    assert "今天" in response.get_json()["errors"]["query"]["day"][0]


def test_pagination(crew, listing):
    first, second = listing(per_page=3, page=1), listing(per_page=3, page=2)
    assert first["pages"] == 2 and first["total"] == 4
    assert len(first["engineers"]) == 3 and len(second["engineers"]) == 1
    assert set(names(first)).isdisjoint(names(second))
    assert listing(per_page=3, page=3)["engineers"] == []


def test_an_address_out_of_coverage_names_the_nearest_station(crew, client):
    point = geodesic(kilometers=80).destination(CENTRE, 270)
    body = client.get("/api/engineers", query_string={"lat": point.latitude,
                                                      "lng": point.longitude}).get_json()
    assert body["covered"] is False and body["engineers"] == [] and body["total"] == 0
    assert body["nearest"]["code"] == "ST310101"
    assert "黄浦区服务站" in body["message"] and "80" in body["message"]


@pytest.mark.parametrize("query, field", [
    ({"skill": "spaceship"}, "skill"), ({"sort": "cheapest"}, "sort"),
    ({"level": "god"}, "level"), ({"min_stars": 6}, "min_stars"), ({"page": 0}, "page"),
    ({"day": "tomorrow"}, "day")])
def test_bad_filters_get_422_naming_them(crew, client, query, field):
    response = client.get("/api/engineers", query_string={"lat": CENTRE[0], "lng": CENTRE[1], **query})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == [field]


def test_no_contact_data_in_listings(crew, client, listing):
    text = json.dumps(listing(), ensure_ascii=False)
    assert "1390000000" not in text and "@" not in text
    page = client.get("/engineers", query_string={"lat": CENTRE[0], "lng": CENTRE[1]}).get_data(as_text=True)
    assert "1390000000" not in page


def test_a_customers_favourites_come_first_and_are_marked(crew, make_user, favourite, client, bearer):
    me = make_user("customer")
    favourite(me, crew["meh"])
    body = client.get("/api/engineers", headers=bearer(me.email),
                      query_string={"lat": CENTRE[0], "lng": CENTRE[1]}).get_json()
    assert names(body)[0] == "老赵" and body["engineers"][0]["favourite"] is True
    assert body["engineers"][1]["favourite"] is False


def test_the_listing_page_filters_and_pages(crew, client):
    page = client.get("/engineers", query_string={"lat": CENTRE[0], "lng": CENTRE[1],
                                                  "skill": "printer"}).get_data(as_text=True)
    assert "小李" in page and "新人张" in page and "老王" not in page


def test_the_listing_page_explains_bad_input(crew, client):
    response = client.get("/engineers", query_string={"lat": 99, "lng": CENTRE[1]})
    assert response.status_code == 422
    assert 'id="lat-error"' in response.get_data(as_text=True)


def test_listings_are_cached_until_a_review_favourite_or_tip_changes_them(
        app, crew, listing, make_review, make_tip, make_user, favourite):
    """With caching on (as in production): what the cache holds is served, and every kind
    of feedback drops it at once."""
    from dispatch.models import Engineer

    def rookie():
        return next(e for e in listing()["engineers"] if e["id"] == crew["rookie"].id)

    app.config["LISTING_CACHE_SECONDS"] = 600
    try:
        assert rookie()["display_name"] == "新人张"
        db.session.execute(db.update(Engineer).where(Engineer.id == crew["rookie"].id)
                           .values(display_name="张新人"))  # behind the cache's back
        db.session.commit()
        assert rookie()["display_name"] == "新人张"  # served from the cache
        make_review(crew["rookie"], 5)
        assert rookie()["display_name"] == "张新人" and rookie()["review_count"] == 1
        favourite(make_user("customer"), crew["rookie"])
        assert rookie()["favourite_count"] == 1
        make_tip(crew["rookie"])
        assert rookie()["tip_count"] == 1
    finally:
        app.config["LISTING_CACHE_SECONDS"] = 0
        cache.clear()


def test_the_listing_json_is_what_the_openapi_document_says(crew, client, listing):
    from marketplace.schemas import EngineerCardSchema, ListingSchema
    body = listing()
    assert set(body) == set(ListingSchema().fields)
    card = body["engineers"][0]
    assert set(card) == set(EngineerCardSchema().fields)
    assert EngineerCardSchema().load(  # the documented types, ISO dates included
        {k: v for k, v in card.items() if k not in ("favourite",)}, partial=True)
    assert "T" in card["next_window"]["start"]
