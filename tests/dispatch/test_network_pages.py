"""Headquarters' network run pages: an admin follows a run's progress (the page reloads
itself until the run is over) and reads its summary; the JSON status says the same; nobody
else gets in."""
from __future__ import annotations

import pytest

from dispatch.models import Plan
from dispatch.network import NetworkRun, start_run
from extensions import db
from tests.dispatch.test_network import DAY, SIZES, network  # noqa: F401  (three stations)


def queued_run(codes=None) -> NetworkRun:
    """A run whose jobs are not sent: it stays in progress until the test plans it."""
    return start_run(DAY, codes, 1.0, lambda plan_id: None)


def finish(run: NetworkRun) -> None:
    from dispatch.planning import run_plan
    for plan_id in run.plan_ids:
        run_plan(plan_id)


@pytest.mark.usefixtures("network")
def test_an_admin_follows_a_run_from_queued_to_its_summary(app, make_user, client, login):
    admin = make_user("admin")
    run = queued_run()
    login(admin.email)
    page = client.get(f"/admin/network-runs/{run.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "0 / 3" in page
    finish(run)
    page = client.get(f"/admin/network-runs/{run.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "3 / 3" in page
    assigned = sum(p.assigned for p in db.session.execute(db.select(Plan)).scalars())
    assert f'<dd id="summary-assigned">{assigned}</dd>' in page
    listing = client.get("/admin/network-runs").get_data(as_text=True)
    assert f"/admin/network-runs/{run.id}" in listing and "3 / 3" in listing


@pytest.mark.usefixtures("network")
def test_the_status_endpoint_counts_what_the_workers_have_done(app, make_user, client, login):
    admin = make_user("admin")
    run = queued_run(["ST100001", "ST100002"])
    login(admin.email)
    body = client.get(f"/api/network-runs/{run.id}").get_json()
    assert body["status"]["total"] == 2 and body["status"]["done"] == 0 and not body["status"]["finished"]
    finish(run)
    body = client.get(f"/api/network-runs/{run.id}").get_json()
    assert body["status"]["finished"] and body["summary"]["planned"] == 2
    assert body["summary"]["assigned"] + body["summary"]["unassigned"] == SIZES["ST100001"] + SIZES["ST100002"]
    assert client.get("/api/network-runs/999999").status_code == 404


@pytest.mark.usefixtures("network")
@pytest.mark.parametrize("role", ["manager", "engineer", "customer", "agent"])
def test_only_headquarters_sees_network_runs(app, make_user, client, login, role):
    run = queued_run()
    login(make_user(role).email)
    assert client.get(f"/admin/network-runs/{run.id}").status_code == 403
    assert client.get(f"/api/network-runs/{run.id}").status_code == 403


@pytest.mark.usefixtures("network")
def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    run = queued_run()
    assert client.get(f"/admin/network-runs/{run.id}").status_code in (302, 303)
    assert client.get(f"/api/network-runs/{run.id}").status_code == 401


@pytest.mark.usefixtures("network")
def test_registering_the_blueprint_gives_flask_dispatch_plan_network(app):
    result = app.test_cli_runner().invoke(args=["dispatch", "plan-network", "--date", DAY.isoformat(),
                                                "--stations", "ST100001", "--poll", "0.05"])
    assert result.exit_code == 0, result.output
    assert "Planned 1 of 1 stations" in result.output


def test_headquarters_starts_a_run_from_the_page_and_lands_on_its_progress(client, make_user, login,
                                                                          make_station):
    from datetime import timedelta

    from dispatch.booking import station_now
    from dispatch.network import NetworkRun
    from extensions import db

    make_station("ST100001", 31.23, 121.47)
    login(make_user("admin").email)
    page = client.get("/admin/network-runs").get_data(as_text=True)
    tomorrow = (station_now().date() + timedelta(days=1)).isoformat()
    assert f'value="{tomorrow}"' in page  # tomorrow unless chosen
    response = client.post("/admin/network-runs", data={"day": tomorrow})
    run = db.session.execute(db.select(NetworkRun)).scalar_one()
    assert response.headers["Location"].endswith(f"/admin/network-runs/{run.id}")
    assert run.day.isoformat() == tomorrow and len(run.plan_ids) == 1
    past = client.post("/admin/network-runs", data={"day": "2020-01-01"},
                       headers={"Accept-Language": "en"})
    assert past.status_code == 422 and "Pick a day from today" in past.get_data(as_text=True)
