"""The home page's station layer is light on a phone connection: compressed, cacheable and
revalidated with an ETag; pages themselves are not compressed (BREACH); a favicon (issue 13)."""
import json

import brotli
import pytest

from extensions import db

COMPRESSING = {"Accept-Encoding": "br, gzip"}


@pytest.fixture
def network(ctx, make_station):
    from dispatch.models import Station
    db.session.add_all(Station(code=f"ST{i:06d}", name=f"第{i}服务站", province="江西省", city="赣州市",
                               county="章贡区", lat=25.8 + i / 1000, lng=114.9, coverage_km=30)
                       for i in range(400))
    db.session.commit()


def test_the_layer_comes_compressed_and_whole(client, network):
    plain = client.get("/api/stations")
    packed = client.get("/api/stations", headers=COMPRESSING)
    assert packed.headers["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(packed.data)) == plain.get_json()
    assert len(plain.get_json()) == 400
    assert len(packed.data) * 5 < len(plain.data)


def test_an_unchanged_layer_is_a_304_and_a_changed_one_is_sent_again(client, network, make_station):
    first = client.get("/api/stations", headers=COMPRESSING)
    again = client.get("/api/stations", headers={**COMPRESSING, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    make_station("ST999999", name="新开服务站")
    changed = client.get("/api/stations", headers={**COMPRESSING, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert "新开服务站" in brotli.decompress(changed.data).decode()


def test_the_layer_is_cacheable_even_for_a_signed_in_customer(client, network, make_user, login):
    login(make_user("customer").email)
    answer = client.get("/api/stations")
    assert "public" in answer.headers["Cache-Control"] and "max-age=600" in answer.headers["Cache-Control"]
    assert client.get("/api/me").headers["Cache-Control"] == "no-store"  # private answers stay private


def test_pages_with_a_csrf_token_are_not_compressed(client, network):
    page = client.get("/login", headers=COMPRESSING)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers


def test_the_favicon_is_found(client, ctx):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    svg = client.get(icon.headers["Location"])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_a_compressed_script_revalidates_to_a_304(client, ctx):
    first = client.get("/static/js/home.js", headers=COMPRESSING)
    assert first.headers["Content-Encoding"] == "br"
    again = client.get("/static/js/home.js", headers={**COMPRESSING, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_layer_does_not_vary_by_cookie(client, network):
    assert "Cookie" not in client.get("/api/stations").headers.get("Vary", "")
