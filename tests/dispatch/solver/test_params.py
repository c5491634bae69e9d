"""The solver's settings: one frozen `…Params` per part, checked when made."""
from __future__ import annotations

import pytest

from dispatch.__main__ import main
from dispatch.solver import RoutingParams, SearchParams
from dispatch.solver.model import SLOW_LNS_OPERATORS


def test_the_defaults_are_the_measured_best():
    """Tests that the defaults are the settings docs/solver.md measured best (stage 1, idea 8;
    stage 2, ideas 11-13, 21 and 23)."""
    routing, search = RoutingParams(), SearchParams()
    assert (routing.first_solution, routing.metaheuristic) == ("PARALLEL_CHEAPEST_INSERTION",
                                                              "ITERATED_LOCAL_SEARCH")
    assert routing.disabled_operators == SLOW_LNS_OPERATORS
    assert (routing.ils_initial_temperature, routing.ils_final_temperature) == (3.0, 0.03)
    assert routing.polish == "GREEDY_DESCENT" and not routing.finalizers
    assert search.enabled and search.time_share == 0.95
    assert (search.initial_temperature, search.final_temperature) == (10.0, 0.05)
    assert (search.max_string_size, search.mean_removed, search.split_depth, search.blink_rate) == (10, 10, 0.01,
                                                                                                   0.01)
    assert search.move_cost == 1.0
    assert (search.new_route_rate, search.tail_exchange) == (0.2, 1.0)  # ideas 21 and 23, at 30 s on gh200


@pytest.mark.parametrize(("kind", "field", "value"), [
    (RoutingParams, "first_solution", "CHEAPEST_GUESS"),
    (RoutingParams, "disabled_operators", ("use_no_such_operator",)),
    (RoutingParams, "neighbors_ratio", 0.0),
    (SearchParams, "time_share", 0.0),
    (SearchParams, "final_temperature", 20.0),
    (SearchParams, "blink_rate", 1.0),
    (SearchParams, "move_cost", -1.0),
    (SearchParams, "new_route_rate", 1.5),
    (SearchParams, "tail_exchange", -0.1),
    (SearchParams, "tail_exchange", 2),
])
def test_a_bad_setting_is_refused_by_name(kind, field, value):
    """Tests that a setting out of range raises a ValueError that names the field."""
    with pytest.raises(ValueError, match=f"^{field}: "):
        kind(**{field: value})


def test_the_params_are_frozen():
    """Tests that settings cannot change under a running solve."""
    with pytest.raises(AttributeError):
        SearchParams().time_share = 0.5


def test_json_lists_of_operators_become_tuples():
    """Tests that operator lists from `--params` JSON compare equal to the defaults' tuples."""
    assert RoutingParams(disabled_operators=list(SLOW_LNS_OPERATORS)) == RoutingParams()


def test_the_command_line_refuses_unknown_params(tmp_path, capsys):
    """Tests that `--params` with a field no part has is an error naming it, before any search."""
    problem = tmp_path / "p.json"
    problem.write_text("{}")
    assert main(["solve", str(problem), "--params", '{"search": {"improver_share": 0.9}}']) == 2
    assert "improver_share" in capsys.readouterr().err
    assert main(["solve", str(problem), "--params", '{"polish": {}}']) == 2
