"""Favourites (收藏): idempotent, one per customer and engineer, customers only."""
from extensions import db
from marketplace.models import EngineerStats, Favourite


def test_favouriting_twice_is_one_favourite(client, station, make_engineer, make_user, bearer, serve):
    engineer = make_engineer(station)
    customer = make_user("customer")
    serve(customer, engineer)
    header = bearer(customer.email)
    for _ in range(2):
        response = client.put(f"/api/engineers/{engineer.id}/favorite", headers=header)
        assert response.status_code == 200
        assert response.get_json() == {"engineer_id": engineer.id, "favourite": True,
                                       "favourite_count": 1}
    assert db.session.query(Favourite).count() == 1


def test_unfavouriting_twice_is_harmless(client, station, make_engineer, make_user, bearer):
    engineer = make_engineer(station)
    header = bearer(make_user("customer").email)
    client.put(f"/api/engineers/{engineer.id}/favorite", headers=header)
    for _ in range(2):
        body = client.delete(f"/api/engineers/{engineer.id}/favorite", headers=header).get_json()
        assert body["favourite"] is False and body["favourite_count"] == 0
    assert db.session.get(EngineerStats, engineer.id).favourite_count == 0


def test_my_engineers_lists_my_favourites_newest_first(client, station, make_engineer, make_user,
                                                       bearer):
    first, second = make_engineer(station, name="甲"), make_engineer(station, name="乙")
    header = bearer(make_user("customer").email)
    client.put(f"/api/engineers/{first.id}/favorite", headers=header)
    client.put(f"/api/engineers/{second.id}/favorite", headers=header)
    body = client.get("/api/me/favorites", headers=header).get_json()
    assert {e["display_name"] for e in body} == {"甲", "乙"}
    assert all(e["favourite"] for e in body)


def test_only_customers_favourite(client, station, make_engineer, make_user, bearer):
    engineer = make_engineer(station)
    assert client.put(f"/api/engineers/{engineer.id}/favorite").status_code == 401
    staff = bearer(make_user("engineer").email)
    assert client.put(f"/api/engineers/{engineer.id}/favorite", headers=staff).status_code == 403
    assert db.session.get(EngineerStats, engineer.id).favourite_count == 0


def test_favouriting_someone_who_does_not_exist_is_404(client, make_user, bearer):
    header = bearer(make_user("customer").email)
    assert client.put("/api/engineers/999999/favorite", headers=header).status_code == 404


def test_the_profile_button_toggles_the_favourite(client, station, make_engineer, make_user, login, serve):
    engineer = make_engineer(station, name="周师傅")
    customer = make_user("customer")
    serve(customer, engineer)
    login(customer.email)
    client.post(f"/engineers/{engineer.id}/favourite", data={"favourite": "1"})
    assert db.session.get(EngineerStats, engineer.id).favourite_count == 1
    page = client.get("/me/engineers").get_data(as_text=True)
    assert "周师傅" in page
    client.post(f"/engineers/{engineer.id}/favourite", data={"favourite": "0"})
    assert db.session.get(EngineerStats, engineer.id).favourite_count == 0
