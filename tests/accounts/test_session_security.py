"""Sessions that end, keys nobody else holds, a language switch no other site can flip,
and attempts that are limited (issue 14, findings 1, 6, 7 and 12)."""
import os
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask.sessions import SecureCookieSessionInterface

PASSWORD = "correct-horse-battery"


def forged_cookie(secret_key: str, user) -> str:
    """A session cookie for `user` signed with `secret_key`, as an attacker would make it."""
    from flask import Flask

    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": user.get_id(), "_fresh": True})


def test_without_a_configured_key_the_app_signs_with_its_own_random_key(app, make_user, tmp_path,
                                                                         monkeypatch):
    import app as factory
    from config import Config

    class Development(Config):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        SECRET_KEY = None

    monkeypatch.setattr(factory, "INSTANCE_DIR", tmp_path)
    dev = factory.create_app(Development)
    key = dev.config["SECRET_KEY"]
    assert key and key != "dev-only-not-secret" and len(key) >= 32
    assert (tmp_path / "secret_key").read_text() == key
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"
    assert factory.create_app(Development).config["SECRET_KEY"] == key  # survives a restart

    admin = make_user("admin", name="管理员")
    client = dev.test_client()
    client.set_cookie("session", forged_cookie("dev-only-not-secret", admin))
    assert client.get("/api/me").status_code == 401  # the key in the repository signs nothing
    client.set_cookie("session", forged_cookie(key, admin))
    assert client.get("/api/me").get_json()["role"] == "admin"  # (the forgery itself works)


def test_a_session_cookie_copied_before_sign_out_no_longer_works(client, make_user, login):
    user = make_user("customer")
    login(user.email)
    copied = client.get_cookie("session").value
    assert client.get("/api/me").status_code == 200
    client.post("/logout")
    client.set_cookie("session", copied)
    assert client.get("/api/me").status_code == 401


def test_a_new_password_ends_the_sessions_made_before(client, make_user, login):
    from extensions import db

    user = make_user("customer")
    login(user.email)
    user.set_password("another-long-passphrase")
    db.session.commit()
    assert client.get("/api/me").status_code == 401


def test_remember_me_is_lax_short_and_ends_at_sign_out(client, make_user):
    user = make_user("customer")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "remember": "on"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires - datetime.now(UTC) <= timedelta(days=14, minutes=1)
    remembered = client.get_cookie("remember_token").value
    client.post("/logout")
    client.delete_cookie("session")
    client.set_cookie("remember_token", remembered)
    assert client.get("/api/me").status_code == 401


def test_the_language_switch_is_a_post_with_csrf(app, client, make_user, login):
    user = make_user("customer")
    login(user.email)
    assert client.get("/lang/en").status_code == 405  # a link on another site changes nothing
    assert user.locale != "en"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/lang/en").status_code == 400  # no token: refused
        page = client.get("/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/lang/en", data={"csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert user.locale == "en"


def test_signing_in_starts_a_new_csrf_secret(app, client, make_user):
    user = make_user("customer")
    client.get("/login")
    with client.session_transaction() as session:
        session["csrf_token"] = "planted-by-someone-else"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert session.get("csrf_token") != "planted-by-someone-else"


@pytest.mark.parametrize("password", ["12345678", "password", "qwertyuiop", "88888888"])
def test_sign_up_refuses_a_common_password(client, ctx, password):
    response = client.post("/signup", data={
        "name": "林先生", "email": "lin@example.test", "password": password,
        "password_confirm": password})
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True) or "太常见" in response.get_data(as_text=True)


def test_sign_up_with_an_overlong_email_is_a_form_message(client, ctx):
    email = "a" * 300 + "@example.test"
    response = client.post("/signup", data={
        "name": "林先生", "email": email, "password": "a-long-password",
        "password_confirm": "a-long-password"})
    assert response.status_code == 422


def test_an_unknown_email_costs_the_same_hash_check(monkeypatch, ctx):
    import accounts.models as models

    checked = []
    real = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash",
                        lambda h, p: checked.append(h) or real(h, p))
    assert models.User.authenticate("nobody@example.test", "whatever-password") is None
    assert len(checked) == 1 and checked[0].startswith(("scrypt:", "pbkdf2:"))


@pytest.fixture
def limited(app):
    """The app as it runs outside tests: attempts are limited (memory storage)."""
    import app as factory
    from config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_ENABLED = True

    return factory.create_app(Config)


def test_sign_in_attempts_are_limited_per_account(limited, make_user):
    user = make_user("customer")
    client = limited.test_client()
    for _ in range(10):
        assert client.post("/login", data={"email": user.email, "password": "wrong-one"}
                           ).status_code == 422
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429  # the right password after 10 wrong ones: not yet
    assert int(refused.headers["Retry-After"]) > 0
    text = refused.get_data(as_text=True)
    assert "try again" in text or "稍候" in text
    # Another account from the same address is not locked out by this one.
    other = make_user("customer")
    assert client.post("/login", data={"email": other.email, "password": PASSWORD}
                       ).status_code == 302


def test_token_attempts_are_limited_with_a_json_429(limited, make_user):
    user = make_user("customer")
    client = limited.test_client()
    for _ in range(10):
        client.post("/api/auth/token", json={"email": user.email, "password": "wrong-one"})
    refused = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"]
    assert refused.get_json()["message"]


def test_successful_sign_ins_do_not_use_up_the_account_limit(limited, make_user):
    user = make_user("customer")
    client = limited.test_client()
    for _ in range(12):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}
                           ).status_code == 302


def test_sign_ups_are_limited_per_address(limited, ctx):
    client = limited.test_client()
    codes = [client.post("/signup", data={"name": "x", "email": f"u{i}@example.test",
                                          "password": "a-long-password",
                                          "password_confirm": "a-long-password"}).status_code
             for i in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429


@pytest.mark.parametrize("back", ["/%5Cevil.example", "/\\evil.example", "/%09/evil.example",
                                  "//evil.example", "https://evil.example/"])
def test_the_profile_back_link_never_leaves_the_site(client, make_station, make_engineer, back):
    engineer = make_engineer(make_station())
    page = client.get(f"/engineers/{engineer.id}?back={back}")
    assert page.status_code == 200
    back_link = re.search(r'<a href="([^"]*)">‹ ', page.get_data(as_text=True)).group(1)
    assert back_link == "/"  # home, not the other site
    kept = client.get(f"/engineers/{engineer.id}?back=/engineers?lat=31").get_data(as_text=True)
    assert re.search(r'<a href="([^"]*)">‹ ', kept).group(1) == "/engineers?lat=31"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "/ok\n", "//x"])
def test_sign_in_never_returns_to_another_site(client, make_user, target):
    user = make_user("customer")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "next": target})
    assert response.headers["Location"] in ("/", "http://localhost/")
