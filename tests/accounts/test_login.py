"""Signing in and up on the pages, signing out, and CSRF on forms."""
import re

import pytest

from accounts.models import User
from extensions import db


def test_sign_in_with_the_right_password_starts_a_session(client, make_user, login):
    user = make_user("customer", name="陈女士")
    response = login(user.email)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "陈女士" in page


def test_sign_in_with_a_wrong_password_is_refused_with_a_message(client, make_user, login):
    user = make_user("customer")
    response = login(user.email, "not-the-password")
    assert response.status_code == 422
    assert "Wrong email or password" in response.get_data(as_text=True) or \
        "邮箱或密码错误" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, make_user):
    user = make_user("customer")
    ok = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                     "next": "/station"})
    assert ok.headers["Location"].endswith("/station")
    client.post("/logout")
    evil = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                       "next": "//evil.example/steal"})
    assert "evil.example" not in evil.headers["Location"]


def test_sign_up_makes_a_customer_with_a_hashed_password(client, ctx):
    response = client.post("/signup", data={
        "name": "林先生", "email": "Lin@Example.test", "password": "a-long-password",
        "password_confirm": "a-long-password", "phone": "13812345678"})
    assert response.status_code == 302
    user = db.session.execute(db.select(User).where(User.email == "lin@example.test")).scalar_one()
    assert user.role == "customer"
    assert "a-long-password" not in user.password_hash
    assert user.check_password("a-long-password")


@pytest.mark.parametrize("field, data", [
    ("email", {"email": "not-an-email"}),
    ("password", {"password": "short", "password_confirm": "short"}),
    ("password_confirm", {"password_confirm": "something-else"}),
    ("phone", {"phone": "call me<script>"}),
])
def test_sign_up_names_the_field_that_is_wrong_and_keeps_the_rest(client, ctx, field, data):
    form = {"name": "林先生", "email": "lin@example.test", "password": "a-long-password",
            "password_confirm": "a-long-password", **data}
    response = client.post("/signup", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert 'value="林先生"' in page  # what was typed is not lost
    assert "<script>" not in page
    assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 0


def test_sign_up_refuses_an_email_already_taken(client, make_user):
    user = make_user("customer")
    response = client.post("/signup", data={
        "name": "x", "email": user.email.upper(), "password": "a-long-password",
        "password_confirm": "a-long-password"})
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_sign_out_ends_the_session(client, make_user, login):
    user = make_user("manager")
    login(user.email)
    client.post("/logout")
    assert client.get("/station").status_code == 302


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_forms_without_the_csrf_token_are_refused(csrf_app, client, make_user):
    user = make_user("customer")
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_forms_with_the_csrf_token_work(csrf_app, client, make_user):
    user = make_user("customer")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                           "csrf_token": token})
    assert response.status_code == 302


def test_sign_up_without_a_phone_is_fine(client, ctx):
    response = client.post("/signup", data={
        "name": "林先生", "email": "lin@example.test", "password": "a-long-password",
        "password_confirm": "a-long-password", "phone": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_up_from_a_booking_proves_the_phone_then_goes_back_to_the_booking(client, ctx):
    booking = "/book/7?address_text=赣州市章贡区"
    login_page = client.get("/login", query_string={"next": booking}).get_data(as_text=True)
    assert "/signup?next=" in login_page  # "Create an account" keeps where they were going
    response = client.post("/signup", data={
        "name": "林先生", "email": "lin@example.test", "password": "a-long-password",
        "password_confirm": "a-long-password", "phone": "138 1234 5678", "next": booking})
    assert response.status_code == 302 and response.headers["Location"].startswith("/me/phone?next=")
    phone_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/book/7?address_text=赣州市章贡区"' in phone_page


def test_sign_up_never_sends_anyone_off_site(client, ctx):
    response = client.post("/signup", data={
        "name": "林先生", "email": "lin@example.test", "password": "a-long-password",
        "password_confirm": "a-long-password", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
