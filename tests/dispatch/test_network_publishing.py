"""Automatic publishing: a station whose manager chose it gets its network-run plan
published (engineers' days and customers' ETAs follow it) while other stations keep a
draft; only the station's manager (or an admin) changes the choice, which starts off."""
from dispatch.models import Plan, Visit
from dispatch.network import summary
from extensions import db
from tests.dispatch import test_network as base
from tests.dispatch.test_network import DAY, plan_network

network = base.network  # the three stations of the network run tests


def plans_of(code):
    return db.session.execute(db.select(Plan).where(Plan.day == DAY, Plan.station.has(code=code))
                              .order_by(Plan.id)).scalars().all()


def test_a_station_choosing_automatic_publishing_gets_its_plan_published_and_others_a_draft(app, network):
    assert not any(s.auto_publish for s in network.values())  # off unless chosen
    network["ST100002"].auto_publish = True
    db.session.commit()
    run, _ = plan_network(app)
    [published] = plans_of("ST100002")
    assert published.status == "published" and published.published_at is not None
    assert [p.status for p in plans_of("ST100001")] == ["draft"]
    assert [p.status for p in plans_of("ST100003")] == ["draft"]
    placed = {s["visit"] for r in published.result["routes"] for s in r["stops"]}
    visits = db.session.execute(db.select(Visit).where(Visit.station_id == network["ST100002"].id)).scalars()
    assert {f"v-{v.id}" for v in visits if v.planned_start is not None} == placed and placed
    report = summary(run)
    assert report["published"] == 1 and report["planned"] == 3


def test_a_second_run_publishes_anew_and_supersedes_the_first(app, network):
    network["ST100001"].auto_publish = True
    db.session.commit()
    plan_network(app)
    plan_network(app)
    assert [p.status for p in plans_of("ST100001")] == ["superseded", "published"]


def test_the_manager_switches_automatic_publishing_on_and_off(app, network, client, make_user, login):
    manager, other = make_user("manager"), make_user("manager")
    station = network["ST100001"]
    station.manager_id = manager.id
    db.session.commit()
    login(other.email)
    assert client.post(f"/stations/{station.code}/auto-publish", data={"auto_publish": "on"}).status_code == 403
    client.get("/logout")
    login(manager.email)
    response = client.post(f"/stations/{station.code}/auto-publish", data={"auto_publish": "on"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/stations/{station.code}")
    assert db.session.get(type(station), station.id).auto_publish is True
    client.post(f"/stations/{station.code}/auto-publish", data={})
    assert db.session.get(type(station), station.id).auto_publish is False


def test_the_station_page_form_shows_the_current_choice(app, network):
    from flask import render_template_string
    station = network["ST100003"]
    form = '{% from "dispatch/network_auto_publish.html" import auto_publish_form %}{{ auto_publish_form(s) }}'
    with app.test_request_context():
        assert "checked" not in render_template_string(form, s=station)
        station.auto_publish = True
        html = render_template_string(form, s=station)
    assert "checked" in html and f'action="/stations/{station.code}/auto-publish"' in html
