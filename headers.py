"""Security headers on every answer (issue 14, finding 8).

A Content-Security-Policy every page passes (our own scripts and styles only, map tiles from
the configured tile host), no framing (the one-click forms: cancel, tip, favourite, sign out),
no MIME sniffing, a referrer that never leaks paths to other sites, HSTS where the site is
always served over HTTPS, and no caching of private API answers.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_talisman import Talisman

from accounts.access import SAFE_METHODS, is_api_request

SELF = "'self'"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that an answer its view declared public (the
    same for everyone) does not vary by cookie: reading the session to see who asked does
    not make the answer personal, and `Vary: Cookie` would keep every browser from reusing
    its cached copy once it holds a session."""

    def save_session(self, app, session, response) -> None:
        public = response.cache_control.public and "Cookie" not in response.vary
        super().save_session(app, session, response)
        if public:
            response.vary.discard("cookie")  # lower case: werkzeug matches it so


def init_app(app: Flask) -> None:
    """Send the headers on every response of `app`; the cookie settings in app.config stay
    authoritative (Talisman would otherwise rewrite them)."""
    hsts = bool(app.config.get("STRICT_TRANSPORT_SECURITY", False))
    app.session_interface = SessionInterface()
    Talisman(
        app,
        content_security_policy=content_security_policy(app.config.get("MAP_TILE_URL", "")),
        frame_options="DENY",  # old browsers that ignore frame-ancestors
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        x_xss_protection=False,  # obsolete filter, itself a source of leaks; the CSP does this
        force_https=hsts,  # dev and tests are served over plain HTTP
        strict_transport_security=hsts,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE", False)),
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY", True)),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE"),
    )
    app.after_request(no_store_for_signed_in_api)


def content_security_policy(tile_url: str) -> dict[str, str]:
    """The policy: everything from our origin, images also from the map's tile host and
    `data:` (Leaflet's and our CSS's small icons); nothing may frame us, and forms post
    only to us."""
    images = " ".join([SELF, "data:", *tile_sources(tile_url)])
    return {
        "default-src": SELF,
        "script-src": SELF,
        "style-src": SELF,
        "img-src": images,
        "connect-src": SELF,
        "frame-ancestors": "'none'",
        "form-action": SELF,
        "base-uri": SELF,
        "object-src": "'none'",
    }


def tile_sources(tile_url: str) -> list[str]:
    """The CSP source of a Leaflet tile URL template: `https://{s}.tile.openstreetmap.org/
    {z}/{x}/{y}.png` becomes `https://*.tile.openstreetmap.org` (a placeholder in the host
    becomes a wildcard for its label and those left of it, the only place CSP allows one).
    A relative URL (tiles served by us) needs nothing beyond 'self'."""
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return []
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1:]]
    source = f"{parts.scheme}://{'.'.join(labels)}"
    return [f"{source}:{port}" if port else source]


def no_store_for_signed_in_api(response: Response) -> Response:
    """An API answer to a signed-in caller (session cookie or bearer token) is private:
    no browser or proxy may keep it; nor may they keep the answer to a write (a new API
    token is one). Anonymous reads keep their own caching, as does an answer its view
    declared public (the same for everyone: the station layer)."""
    if response.cache_control.public and request.method in SAFE_METHODS:
        return response
    if is_api_request() and (request.method not in SAFE_METHODS or _signed_in_caller()):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def _signed_in_caller() -> bool:
    """A token in the request counts even when it was refused: the answer is about it."""
    if "Authorization" in request.headers:
        return True
    return bool(current_user and current_user.is_authenticated)
