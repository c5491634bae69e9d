"""App, database and client fixtures, and small factories.

The database is SQLite in a temporary file, or the server named by
WENQING_TEST_DATABASE_URL (`make test` starts a throwaway PostgreSQL and runs the suite a
second time against it). The schema comes from the migrations, as in production.
"""
from __future__ import annotations

import functools
import os
from datetime import date

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(items):
    """Tests that touch the database carry the `db` mark: the PostgreSQL pass runs only those."""
    for item in items:
        if {"app", "client", "db_session"} & set(getattr(item, "fixturenames", ())):
            item.add_marker("db")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from config import TestConfig, database_url

    url = os.environ.get("WENQING_TEST_DATABASE_URL")
    uri = database_url(url) if url else f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = uri

    from app import create_app
    from extensions import db

    app = create_app(Config)
    with app.app_context():
        _drop_everything(db)
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything(db)
        db.engine.dispose()


def _drop_everything(db) -> None:
    """Leave no schema behind (a configured PostgreSQL may be reused between runs)."""
    meta = sa.MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Each database test starts from empty tables (the schema stays)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    yield
    from extensions import db
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


class IsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in a real server: its own `g`
    (so Flask-Login's cached user does not leak between requests) and its own database
    session. What the test wrote is committed first, and the test's objects are expired
    after, so both sides see what the other wrote."""

    def open(self, *args, **kwargs):
        from extensions import db
        if has_app_context():
            db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            if has_app_context():
                db.session.expire_all()


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@functools.lru_cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD)


@pytest.fixture
def make_user(ctx):
    from accounts.models import User, utcnow
    from extensions import db

    def make(role="customer", email=None, name="测试用户", phone=None, verified=True):
        """A user; customers get a phone of their own, verified unless `verified=False`
        (booking, reviewing and tipping need a verified phone)."""
        make.count += 1
        if phone is None and role == "customer":
            phone = f"137{make.count:08d}"
        user = User(email=email or f"{role}{make.count}@example.test", role=role, name=name,
                    phone=phone, password_hash=_password_hash(),
                    phone_verified_at=utcnow() if phone and verified else None)
        db.session.add(user)
        db.session.commit()
        return user
    make.count = 0
    return make


@pytest.fixture
def make_station(ctx):
    from dispatch.models import Station
    from extensions import db

    def make(code="ST000001", lat=31.2304, lng=121.4737, coverage_km=30.0, manager=None,
             name=None):
        station = Station(code=code, name=name or f"{code}服务站", province="上海市",
                          city="上海市", county="黄浦区", lat=lat, lng=lng,
                          coverage_km=coverage_km, manager=manager)
        db.session.add(station)
        db.session.commit()
        return station
    return make


@pytest.fixture
def make_engineer(ctx, make_user):
    from dispatch.models import Engineer, Skill
    from extensions import db

    def make(station, skills=("laptop",), name="王师傅", phone="13900000000"):
        user = make_user("engineer", name=name, phone=phone)
        rows = []
        for code in skills:
            skill = db.session.execute(db.select(Skill).where(Skill.code == code)).scalar()
            rows.append(skill or Skill(code=code, name_zh=code, name_en=code))
        engineer = Engineer(user=user, station=station, display_name=name, skills=rows,
                            started_on=date(2020, 1, 1))
        db.session.add(engineer)
        db.session.commit()
        return engineer
    return make


@pytest.fixture
def login(client):
    """Sign `email` in on the test client's session (the page flow)."""
    def sign_in(email, password=PASSWORD):
        return client.post("/login", data={"email": email, "password": password})
    return sign_in


@pytest.fixture
def bearer(client):
    """Authorization header carrying a fresh API token of `email`."""
    def header(email, password=PASSWORD) -> dict:
        response = client.post("/api/auth/token", json={"email": email, "password": password})
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}
    return header
