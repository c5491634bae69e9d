"""The warm-start benchmark's yardstick (`dispatch/solver/bench/warm.py`): a re-plan misses
only when it leaves more work undone than the cold runs usually do, not than one lucky seed."""
from __future__ import annotations

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
