"""Every endpoint declares who may call it, and the gate enforces it."""
from flask import Blueprint

from accounts.access import LIBRARY_ENDPOINTS, access_of


def test_every_endpoint_declares_who_may_call_it(app):
    with app.test_request_context():
        undeclared = [rule.endpoint for rule in app.url_map.iter_rules()
                      if rule.endpoint not in LIBRARY_ENDPOINTS and access_of(rule.endpoint) is None]
    assert undeclared == []


def test_an_undeclared_view_is_refused_not_opened(tmp_path):
    from app import create_app
    from config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'x.db'}"

    app = create_app(Config)
    forgot = Blueprint("forgot", __name__)
    forgot.add_url_rule("/api/forgot", "forgot", lambda: "secret")
    app.register_blueprint(forgot)
    response = app.test_client().get("/api/forgot")
    assert response.status_code == 403
    assert b"secret" not in response.data


def test_anonymous_api_call_gets_401_with_bearer_challenge(client, make_station):
    make_station("ST000001")
    response = client.get("/api/stations/ST000001/engineers")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["code"] == 401


def test_anonymous_page_visit_is_sent_to_sign_in_and_back(client, make_station):
    make_station("ST000001")
    response = client.get("/stations/ST000001")
    assert response.status_code == 302
    assert "/login?next=/stations/ST000001" in response.headers["Location"]


def test_customer_calling_a_manager_endpoint_gets_403(client, make_user, make_station, bearer):
    customer = make_user("customer")
    make_station("ST000001")
    response = client.get("/api/stations/ST000001/engineers", headers=bearer(customer.email))
    assert response.status_code == 403


def test_customer_opening_a_manager_page_gets_403(client, make_user, make_station, login):
    customer = make_user("customer")
    make_station("ST000001")
    login(customer.email)
    assert client.get("/stations/ST000001").status_code == 403


def test_manager_sees_own_station_engineers_with_contact(client, make_user, make_station,
                                                        make_engineer, bearer):
    manager = make_user("manager")
    station = make_station("ST000001", manager=manager)
    make_engineer(station, skills=("laptop", "printer"), name="李师傅", phone="13911112222")
    response = client.get("/api/stations/ST000001/engineers", headers=bearer(manager.email))
    assert response.status_code == 200
    [engineer] = response.get_json()
    assert engineer["display_name"] == "李师傅"
    assert engineer["phone"] == "13911112222"
    assert [s["code"] for s in engineer["skills"]] == ["laptop", "printer"]


def test_manager_of_another_station_gets_403(client, make_user, make_station, bearer):
    mine, theirs = make_user("manager"), make_user("manager")
    make_station("ST000001", manager=mine)
    make_station("ST000002", manager=theirs)
    response = client.get("/api/stations/ST000002/engineers", headers=bearer(mine.email))
    assert response.status_code == 403


def test_admin_may_see_any_station(client, make_user, make_station, bearer):
    admin = make_user("admin")
    make_station("ST000001", manager=make_user("manager"))
    assert client.get("/api/stations/ST000001/engineers",
                      headers=bearer(admin.email)).status_code == 200


def test_unknown_station_is_404_json(client, make_user, bearer):
    admin = make_user("admin")
    response = client.get("/api/stations/NOPE/engineers", headers=bearer(admin.email))
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_manager_page_lists_engineers(client, make_user, make_station, make_engineer, login):
    manager = make_user("manager")
    station = make_station("ST000001", manager=manager, name="黄浦区服务站")
    make_engineer(station, name="赵师傅")
    login(manager.email)
    response = client.get("/station", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "黄浦区服务站" in page and "赵师傅" in page
