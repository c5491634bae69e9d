"""Coverage gaps as plain numbers: the suggested sites on a small hand-built network are
the ones a person would pick, existing stations' discs are not suggested again, heavily
overlapping stations are found and barely touching ones are not."""
from __future__ import annotations

import random

import numpy as np
import pytest

from dispatch.coverage import Point
from dispatch.gaps import (
    cell_of,
    cells_of_points,
    heavy_overlaps,
    overlap_share,
    sites_from,
    still_uncovered,
    suggest_sites,
)

STATION = ("S1", "Station one", 30.0, 110.0, 30.0)


def cluster(lat: float, lng: float, n: int, spread_km: float = 4.0, seed: int = 1) -> list[tuple[float, float]]:
    """`n` requests scattered a few km around a town."""
    rnd = random.Random(seed)
    return [(lat + rnd.gauss(0, spread_km / 111), lng + rnd.gauss(0, spread_km / 96)) for _ in range(n)]


def suggestions(points, stations=(STATION,), radius_km=30.0):
    cells, sites = cells_of_points(points), sites_from(list(stations))
    return suggest_sites(cells, still_uncovered(cells, sites), radius_km)


def test_a_recorded_place_is_rounded_to_about_a_kilometre():
    assert cell_of(Point(30.123456, 110.987654)) == (3012, 11099)


def test_the_bigger_cluster_comes_first_and_the_smaller_second():
    big, small = cluster(31.5, 112.0, 300), cluster(29.0, 107.0, 120, seed=2)
    picks = suggestions(big + small)
    assert len(picks) == 2
    assert picks[0]["adds"] == 300 and picks[1]["adds"] == 120
    assert abs(picks[0]["lat"] - 31.5) < 0.1 and abs(picks[0]["lng"] - 112.0) < 0.1
    assert abs(picks[1]["lat"] - 29.0) < 0.1 and abs(picks[1]["lng"] - 107.0) < 0.1
    assert picks[0]["share"] == pytest.approx(300 / 420, abs=0.001)


def test_a_second_cluster_already_covered_by_the_first_pick_is_not_suggested_again():
    # Two towns 20 km apart: one new station at the bigger covers both.
    picks = suggestions(cluster(31.5, 112.0, 300, spread_km=2) + cluster(31.5, 112.21, 100, spread_km=2, seed=3))
    assert len(picks) == 1 and picks[0]["adds"] == 400


def test_demand_an_existing_station_covers_now_is_not_suggested():
    # Refused before station S1 opened: S1 covers them now; only the far town is a gap.
    inside, outside = cluster(30.05, 110.05, 500, spread_km=3), cluster(33.0, 115.0, 50, seed=4)
    picks = suggestions(inside + outside)
    assert [p["adds"] for p in picks] == [50]


def test_a_site_between_two_clusters_wins_when_it_covers_both():
    # Towns 50 km apart with a village halfway: a site at the village covers all three,
    # so greedy picks it, then nothing is left.
    west, east = cluster(31.0, 112.0, 100, spread_km=1), cluster(31.0, 112.52, 100, spread_km=1, seed=5)
    middle = cluster(31.0, 112.26, 30, spread_km=1, seed=6)
    picks = suggestions(west + east + middle)
    assert picks[0]["adds"] == 230 and len(picks) == 1


def test_no_demand_no_suggestion():
    assert suggestions([]) == []


def test_overlap_share_of_discs():
    assert overlap_share(30, 30, 0) == 1.0
    assert overlap_share(30, 30, 60) == 0.0
    assert overlap_share(10, 30, 15) == 1.0  # the small disc lies inside the big one
    assert overlap_share(30, 30, 24.3) == pytest.approx(0.5, abs=0.01)


def test_stations_sharing_most_of_their_discs_are_listed_and_neighbours_are_not():
    sites = sites_from([
        ("A", "A", 30.0, 110.0, 30.0),
        ("B", "B", 30.0, 110.1, 30.0),    # ≈ 9.6 km from A: overlap ≈ 80 %
        ("C", "C", 30.0, 110.5, 30.0),    # ≈ 38 km from B: they touch, not heavily
        ("D", "D", 40.0, 110.0, 30.0),
    ])
    found = heavy_overlaps(sites)
    assert [(p["a"], p["b"]) for p in found] == [("A", "B")]
    assert 0.75 < found[0]["share"] < 0.85


def test_overlaps_over_a_dense_grid_match_all_pairs():
    rnd = random.Random(7)
    rows = [(f"S{i:04d}", "", 25 + rnd.random() * 10, 105 + rnd.random() * 10, 30.0) for i in range(800)]
    sites = sites_from(rows)
    found = {(p["a"], p["b"]) for p in heavy_overlaps(sites)}
    brute = set()
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            d = 2 * 6371.0088 * np.arcsin(np.sqrt(
                np.sin(np.radians(rows[j][2] - rows[i][2]) / 2) ** 2 + np.cos(np.radians(rows[i][2]))
                * np.cos(np.radians(rows[j][2])) * np.sin(np.radians(rows[j][3] - rows[i][3]) / 2) ** 2))
            if overlap_share(30, 30, float(d)) >= 0.5:
                brute.add((rows[i][0], rows[j][0]))
    assert found == brute and found
