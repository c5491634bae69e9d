"""Coverage arithmetic, without a database."""
import math

from geopy.distance import geodesic
from hypothesis import given, settings, strategies as st

from dispatch.coverage import Point, bounding_box, covers, distance_km, nearest, rank_by_distance


def destination(point: Point, km: float, bearing: float) -> Point:
    d = geodesic(kilometers=km).destination((point.lat, point.lng), bearing)
    return Point(d.latitude, d.longitude)


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-85, 85), lng=st.floats(-179, 179), km=st.floats(0.1, 500),
       bearing=st.floats(0, 360), fraction=st.floats(0, 1))
def test_the_bounding_box_holds_every_point_of_the_circle(lat, lng, km, bearing, fraction):
    centre = Point(lat, lng)
    box = bounding_box(centre, km)
    p = destination(centre, km * fraction, bearing)
    assert box.south <= p.lat <= box.north
    if box.west is not None:
        assert box.west <= p.lng <= box.east


def test_the_box_is_tight_enough_to_be_worth_an_index():
    box = bounding_box(Point(31.23, 121.47), 30)
    assert (box.north - box.south) < 0.6 and (box.east - box.west) < 0.75


def test_the_box_spans_all_longitudes_near_a_pole_and_across_the_antimeridian():
    assert bounding_box(Point(89.9, 0), 30).west is None
    assert bounding_box(Point(0, 179.9), 30).west is None


def test_distance_is_geodesic_not_spherical():
    # Beijing to Shanghai: 1,065.85 km on the WGS-84 ellipsoid; a sphere says 1,067.31.
    km = distance_km(Point(39.9042, 116.4074), Point(31.2304, 121.4737))
    assert math.isclose(km, 1065.846, abs_tol=0.001)


def test_the_edge_of_the_radius_is_covered_and_a_step_beyond_is_not():
    assert covers(30, 30.0)
    assert covers(30, 30.0005)
    assert not covers(30, 30.01)


def test_sites_are_ranked_nearest_first():
    class Site:
        def __init__(self, name, lat, lng):
            self.name, self.lat, self.lng = name, lat, lng
    here = Point(30.0, 120.0)
    ranked = rank_by_distance(here, [Site("far", 31, 121), Site("near", 30.01, 120.0),
                                     Site("mid", 30.2, 120.1)])
    assert [s.name for s, _ in ranked] == ["near", "mid", "far"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(18, 53), st.floats(74, 134)), min_size=1, max_size=40),
       st.floats(18, 53), st.floats(74, 134))
def test_the_nearest_site_is_the_geodesic_nearest(coords, lat, lng):
    class Site:
        def __init__(self, lat, lng):
            self.lat, self.lng = lat, lng
    sites = [Site(a, b) for a, b in coords]
    here = Point(lat, lng)
    site, km = nearest(here, sites)
    assert km == min(distance_km(here, Point(s.lat, s.lng)) for s in sites)
