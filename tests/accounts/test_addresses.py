"""Customers' saved addresses: their own, and nobody else's."""


def test_a_customer_saves_lists_and_deletes_an_address(client, make_user, bearer):
    header = bearer(make_user("customer").email)
    created = client.post("/api/me/addresses", headers=header, json={
        "label": "家", "text": "上海市黄浦区人民路 88 号", "lat": 31.23, "lng": 121.47})
    assert created.status_code == 201
    listed = client.get("/api/me/addresses", headers=header).get_json()
    assert [a["text"] for a in listed] == ["上海市黄浦区人民路 88 号"]
    address_id = created.get_json()["id"]
    assert client.delete(f"/api/me/addresses/{address_id}", headers=header).status_code == 204
    assert client.get("/api/me/addresses", headers=header).get_json() == []


def test_an_address_with_bad_coordinates_is_refused_naming_the_field(client, make_user, bearer):
    header = bearer(make_user("customer").email)
    response = client.post("/api/me/addresses", headers=header, json={
        "label": "家", "text": "somewhere", "lat": 31.23, "lng": 200})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["lng"]
    assert client.get("/api/me/addresses", headers=header).get_json() == []


def test_nobody_sees_or_deletes_another_customers_address(client, make_user, bearer):
    mine, theirs = bearer(make_user("customer").email), bearer(make_user("customer").email)
    address_id = client.post("/api/me/addresses", headers=mine, json={
        "label": "家", "text": "人民路 88 号", "lat": 31.23, "lng": 121.47}).get_json()["id"]
    assert client.get("/api/me/addresses", headers=theirs).get_json() == []
    assert client.delete(f"/api/me/addresses/{address_id}", headers=theirs).status_code == 404
    assert len(client.get("/api/me/addresses", headers=mine).get_json()) == 1


def test_staff_have_no_saved_addresses_endpoint(client, make_user, bearer):
    header = bearer(make_user("engineer").email)
    assert client.get("/api/me/addresses", headers=header).status_code == 403
