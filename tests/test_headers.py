"""Security headers (issue 14, finding 8): every page and API answer carries a CSP that
forbids framing, nosniff and a referrer policy; HSTS only where configured; private API
answers are never cached; the templates hold nothing the CSP would block."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from headers import content_security_policy, tile_sources

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ROLES = ("anonymous", "customer", "engineer", "manager", "agent", "admin")


@pytest.fixture
def world(make_user, make_station, make_engineer):
    """One station with its manager and an engineer; a customer, an agent and an admin."""
    manager = make_user("manager")
    station = make_station(manager=manager)
    engineer = make_engineer(station)
    return {"customer": make_user("customer"), "engineer": engineer.user, "manager": manager,
            "agent": make_user("agent"), "admin": make_user("admin"),
            # Pages with arguments the walk cannot fill by itself.
            "paths": [f"/engineers/{engineer.id}", f"/book/{engineer.id}", f"/stations/{station.code}",
                      f"/stations/{station.code}/board", f"/engineers?lat={station.lat}&lng={station.lng}"]}


def argument_free_get_paths(app) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments})


def policy_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_and_api_answer_forbids_framing_and_sniffing(app, client, world, login, role):
    """Tests that each argument-free GET page and API operation, opened by each kind of
    person, cannot be framed by another site and says how browsers must treat it."""
    if role != "anonymous":
        login(world[role].email)
    for path in argument_free_get_paths(app) + world["paths"]:
        response = client.get(path)
        where = f"{path} as {role} ({response.status_code})"
        assert response.status_code < 500, where
        policy = policy_of(response)
        assert policy.get("frame-ancestors") == "'none'", where
        assert policy.get("default-src") == "'self'" and policy.get("script-src") == "'self'", where
        assert policy.get("style-src") == "'self'" and policy.get("object-src") == "'none'", where
        assert policy.get("form-action") == "'self'" and policy.get("base-uri") == "'self'", where
        assert response.headers.get("X-Frame-Options") == "DENY", where
        assert response.headers.get("X-Content-Type-Options") == "nosniff", where
        assert response.headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin",
                                                           "same-origin"), where


def test_error_pages_carry_the_headers_too(client, ctx):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert policy_of(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_map_tiles_host_may_serve_images_and_nothing_else(app, client, ctx):
    """Tests that the configured tile host is allowed for images only (the maps render) and
    that scripts may come from our own origin alone."""
    policy = policy_of(client.get("/"))
    assert app.config["MAP_TILE_URL"].startswith("https://{s}.tile.openstreetmap.org/")
    assert policy["img-src"].split() == ["'self'", "data:", "https://*.tile.openstreetmap.org"]
    assert "openstreetmap" not in policy["script-src"] + policy["connect-src"]


@pytest.mark.parametrize("tile_url, sources", [
    ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://*.tile.openstreetmap.org"]),
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
    ("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", ["https://*.is.autonavi.com"]),
    ("http://localhost:8080/tiles/{z}/{x}/{y}.png", ["http://localhost:8080"]),
    ("/static/tiles/{z}/{x}/{y}.png", []),
])
def test_the_tile_host_becomes_a_csp_source(tile_url, sources):
    assert tile_sources(tile_url) == sources
    assert content_security_policy(tile_url)["img-src"].split()[2:] == sources


def test_no_hsts_and_no_https_redirect_in_development_and_tests(client, ctx):
    """Tests that plain-HTTP development keeps working: no redirect to HTTPS, and no HSTS
    even when a request does arrive over HTTPS (a browser would pin localhost to HTTPS)."""
    assert client.get("/healthz").status_code == 200
    secure = client.get("/healthz", base_url="https://localhost")
    assert "Strict-Transport-Security" not in secure.headers


def test_signing_in_over_plain_http_in_development_keeps_the_cookie_config(app, client, make_user,
                                                                          login):
    """Tests that the headers extension does not rewrite the cookie settings: the session
    cookie is not marked Secure in development (or the browser would never send it back
    over HTTP) and keeps the configured SameSite."""
    user = make_user("customer")
    response = login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" not in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert f"SameSite={app.config['SESSION_COOKIE_SAMESITE']}" in cookie
    assert client.get("/api/me").status_code == 200


@pytest.fixture
def production_like_app():
    """An app configured as production is for the headers (HSTS, secure cookies)."""
    from app import create_app
    from config import TestConfig

    class ProductionHeaders(TestConfig):
        TESTING = False
        STRICT_TRANSPORT_SECURITY = True
        SESSION_COOKIE_SECURE = True
        SESSION_COOKIE_SAMESITE = "Strict"

    return create_app(ProductionHeaders)


def test_production_sends_hsts_and_moves_plain_http_to_https(production_like_app):
    client = production_like_app.test_client()
    secure = client.get("/static/css/site.css", base_url="https://wenqing.example")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/static/css/site.css", base_url="http://wenqing.example")
    assert plain.status_code in (301, 302)
    assert plain.headers["Location"].startswith("https://wenqing.example/")
    # The cookie settings stay what the configuration says.
    assert production_like_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_like_app.config["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_api_answers_to_a_signed_in_session_are_never_cached(client, make_user, login):
    user = make_user("customer")
    login(user.email)
    for path in ("/api/me", "/api/me/visits", "/api/me/favorites"):  # the station layer is public
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_api_answers_to_a_bearer_token_are_never_cached(client, make_user, bearer):
    user = make_user("engineer")
    token = client.post("/api/auth/token", json={"email": user.email,
                                                 "password": "correct-horse-battery"})
    assert token.headers["Cache-Control"] == "no-store"  # the answer holds the secret
    response = client.get("/api/me", headers=bearer(user.email))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    refused = client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"


def test_anonymous_public_answers_are_not_forced_out_of_caches(client, make_station):
    make_station()
    for path in ("/api/stations", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path


INLINE = {
    "a style attribute": re.compile(r"\sstyle\s*="),
    "a <style> block": re.compile(r"<style[\s>]", re.I),
    "an inline event handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
}


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.html")))
def test_templates_hold_nothing_the_csp_blocks(template):
    """Tests that no template carries inline styles, scripts or handlers, which the policy
    (no 'unsafe-inline') would refuse and so break the page."""
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    found = [what for what, pattern in INLINE.items() if pattern.search(source)]
    assert not found, f"{template} has {', '.join(found)}"
