"""The pages people see first, in Chinese and English."""


def test_home_page_has_the_address_box_and_the_map(client, ctx):
    page = client.get("/").get_data(as_text=True)
    assert 'id="address"' in page and 'id="map"' in page
    assert "vendor/leaflet-1.9.4/leaflet.js" in page


def test_chinese_is_the_default_and_english_is_a_click_away(client, ctx):
    assert "登录" in client.get("/").get_data(as_text=True)
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "登录" not in page.split("<main>")[1]


def test_the_language_choice_sticks_to_the_account(client, make_user, login):
    user = make_user("customer")
    login(user.email)
    client.post("/lang/en")
    assert user.locale == "en"


def test_an_unknown_page_is_a_friendly_404(client, ctx):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_the_openapi_document_is_served(client, ctx):
    spec = client.get("/openapi.json").get_json()
    assert "/api/stations/covering" in spec["paths"]
    assert "/api/auth/token" in spec["paths"]
