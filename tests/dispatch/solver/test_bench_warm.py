"""The warm-start benchmark's yardstick (`dispatch/solver/bench/warm.py`): a re-plan misses
only when it leaves more work undone than the cold runs usually do, not than one lucky seed."""
from __future__ import annotations

import json

import pytest

from dispatch.__main__ import main
from dispatch.solver.bench.warm import misses


def test_a_warm_replan_misses_only_above_the_median_cold_run():
    """Tests that, against cold runs leaving 5, 5 and 6 undone, warm runs leaving 5 and 4 do
    not miss and each one leaving 6 does."""
    assert misses([5, 5, 6], [5, 4]) == 0
    assert misses([5, 5, 6], [6, 6, 5]) == 2
    assert misses([6, 5, 5], [6]) == 1  # the median, not the first seed's result


@pytest.mark.parametrize("seeds", ["1,x", "1,1", "-1"])
def test_bench_warm_refuses_seeds_it_cannot_use(seeds, capsys):
    """Tests that `bench warm --seeds` names the option and the reason for a bad list
    instead of starting a ten-minute run with it."""
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "warm", "--seeds", seeds])
    assert exit_.value.code == 2
    assert "--seeds" in capsys.readouterr().err


@pytest.mark.parametrize("argv, option", [
    (["bench", "vroom", "--params", "{}"], "--params"),
    (["bench", "warm", "--instances", "c101"], "--instances"),
    (["bench", "stations", "--seeds", "1,2"], "--seeds"),
])
def test_bench_refuses_an_option_its_kind_would_ignore(argv, option, capsys):
    """Tests that a benchmark given an option it does not use says so and stops, instead of
    running for minutes and printing numbers the reader believes the option shaped."""
    assert main(argv) == 2
    assert f"does not use {option}" in capsys.readouterr().err


def test_bench_warm_writes_every_run_it_prints_as_json(monkeypatch, tmp_path, capsys):
    """Tests that `--results` gets one verified row per change, run and seed, and the published
    plan they start from (on one small day at tiny budgets, so the test is quick): what a reader
    compares later is what was printed."""
    from dispatch.solver.bench import warm

    monkeypatch.setattr(warm, "DAYS", ((20, 4, 5),))
    monkeypatch.setattr(warm, "BUDGETS", (0.1,))
    monkeypatch.setattr(warm, "FREE_BUDGETS", (0.1,))
    out = tmp_path / "warm.json"
    assert main(["bench", "warm", "--seconds", "0.2", "--seeds", "1,2", "--results", str(out)]) == 0
    rows = json.loads(out.read_text())
    runs = {"cold 0.2 s", "warm 0.1 s", "free 0.1 s", "cold 0.1 s"}
    assert {(r["change"], r["run"], r["seed"]) for r in rows} == {
        (change, run, seed) for change, _ in warm.CHANGES for run in runs for seed in (1, 2)} | {
        ("none", "published", 1)}
    assert all(r["ok"] and r["day"] == "20/4" for r in rows)
    assert "misses: " in capsys.readouterr().out
