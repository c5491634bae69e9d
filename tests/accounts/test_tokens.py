"""Bearer tokens for the JSON API."""
from datetime import timedelta

from accounts.models import ApiToken, utcnow
from extensions import db


def test_a_token_signs_api_calls_in(client, make_user, bearer):
    user = make_user("engineer", name="王师傅")
    response = client.get("/api/me", headers=bearer(user.email))
    assert response.status_code == 200
    assert response.get_json()["role"] == "engineer"
    assert response.get_json()["email"] == user.email


def test_wrong_password_gets_401_and_no_token(client, make_user):
    user = make_user("customer")
    response = client.post("/api/auth/token", json={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    assert "token" not in response.get_json()


def test_token_request_names_the_missing_field(client, ctx):
    response = client.post("/api/auth/token", json={"email": "someone@example.test"})
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]["json"]


def test_only_the_tokens_digest_is_stored(client, make_user):
    user = make_user("customer")
    token = client.post("/api/auth/token", json={"email": user.email,
                                                 "password": "correct-horse-battery"}).get_json()["token"]
    stored = db.session.execute(db.select(ApiToken.token_hash)).scalar_one()
    assert stored != token and stored == ApiToken.digest(token)


def test_an_unknown_or_expired_token_gets_401(client, make_user, bearer):
    user = make_user("customer")
    assert client.get("/api/me", headers={"Authorization": "Bearer made-up"}).status_code == 401
    header = bearer(user.email)
    db.session.execute(db.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/me", headers=header).status_code == 401


def test_a_revoked_token_stops_working(client, make_user, bearer):
    user = make_user("customer")
    header = bearer(user.email)
    assert client.delete("/api/auth/token", headers=header).status_code == 204
    assert client.get("/api/me", headers=header).status_code == 401


def test_a_deactivated_account_cannot_use_its_token(client, make_user, bearer):
    user = make_user("customer")
    header = bearer(user.email)
    user.active = False
    db.session.commit()
    assert client.get("/api/me", headers=header).status_code == 401


def test_cookie_authenticated_api_writes_need_the_csrf_token(app, client, make_user, login):
    user = make_user("customer")
    login(user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.delete("/api/auth/token")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
