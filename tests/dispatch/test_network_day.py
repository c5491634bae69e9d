"""The demo day: every station with engineers on duty gets 10 to 60 visits following its
crew, each with an engineer who works that day and repairs the product, inside that
engineer's shift; a second run books nothing more."""
from datetime import date, datetime

from demo.day import book_demo_day, day_counts, visits_for
from dispatch.models import Station, Visit
from extensions import db
from marketplace.catalog import ensure_catalog

DAY = date(2026, 12, 8)  # a Tuesday


def test_the_demo_day_follows_each_stations_crew(app, ctx, make_station, make_engineer, make_user):
    ensure_catalog()
    db.session.commit()
    make_user("customer")
    crews = {"ST300001": 1, "ST300002": 6, "ST300003": 20}
    for n, (code, size) in enumerate(crews.items()):
        station = make_station(code, 30.0 + n, 120.0)
        for k in range(size):
            make_engineer(station, skills=("laptop", "printer"), name=f"师傅{k}", phone=f"1390{n}{k:06d}")
    idle = make_station("ST300004", 34.0, 120.0)
    off = make_engineer(idle, name="休息")
    off.work_days = "67"  # weekends only: nobody on duty on a Tuesday
    db.session.commit()

    report = book_demo_day(DAY)
    counts = {db.session.get(Station, sid).code: n for sid, n in day_counts(DAY).items()}
    assert counts == {"ST300001": 10, "ST300002": 24, "ST300003": 60}
    assert visits_for(1) == 10 and visits_for(20) == 60
    assert report.visits == 94 and report.skipped == 1
    for visit in db.session.execute(db.select(Visit)).scalars():
        engineer = visit.engineer
        assert engineer.station_id == visit.station_id and visit.skill in engineer.skills
        midnight = datetime.combine(DAY, datetime.min.time())
        assert engineer.shift_start <= (visit.window_start - midnight).total_seconds() / 60
        assert (visit.window_end - midnight).total_seconds() / 60 <= engineer.shift_end

    again = book_demo_day(DAY)
    assert again.visits == 0 and sum(day_counts(DAY).values()) == 94


def test_the_demo_day_brings_refused_requests_from_beyond_every_disc(app, ctx, make_station):
    from dispatch.gaps import sphere_km
    from dispatch.models import UncoveredRequest

    sites = [make_station("ST300001", 30.0, 120.0), make_station("ST300002", 31.0, 121.0)]
    db.session.commit()
    report = book_demo_day(DAY)
    rows = db.session.execute(db.select(UncoveredRequest)).scalars().all()
    assert report.refused == len(rows) > 1000
    for row in rows[:300]:
        lat, lng = row.lat_cell / 100, row.lng_cell / 100
        assert min(sphere_km(lat, lng, s.lat, s.lng) for s in sites) > 29  # beyond the 30 km disc, to a cell
        assert (DAY - row.day).days in range(90)  # inside the map's default 90 days
    assert book_demo_day(DAY).refused == 0
