"""Every page and page message in the reader's language: each page of the authorisation
matrix, opened as someone who may see it, and each page form sent empty (its validation
messages), read in Chinese must hold no English words and in English no Chinese, outside
proper names and what people wrote (names, addresses, problems, reviews), which are data.

What is read is what a person sees or hears: text outside scripts and styles, and the
attributes that are shown or spoken (placeholder, title, aria-label, alt, button values,
and the data-* messages the page's scripts show)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from tests import test_authorization as matrix
from tests.test_authorization import MATRIX, OK, fill, signed_in_as

world = matrix.world  # the matrix's people and rows, as a fixture here too

SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "label"}
SKIPPED_TAGS = {"script", "style", "noscript", "code"}  # commands and paths are notation
NOT_SHOWN_DATA = {"data-tiles", "data-attribution"}  # a URL; the map's own credit line
# Proper names and notation that are the same in every language.
NAMES = {"Wenqing", "English", "OpenStreetMap", "ThinkPad", "Leaflet", "km", "Stripe", "API",
         "OpenAPI", "CSV", "ETA", "SMS", "UTC", "OK"}
BRAND = "温情"  # the brand is written in Chinese on English pages too, beside "Wenqing"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"(?<![\w@/.-])[A-Za-z][A-Za-z'’]{2,}(?![\w@/.-])")
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/\S*|\b[\w-]*\d[\w-]*\b|\{\w+\}|%\(\w+\)[sd]")


class ShownText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            if name in SHOWN_ATTRIBUTES or (name == "value" and attributes.get("type") in ("submit", "button")):
                self.parts.append(value)
            elif name.startswith("data-") and name not in NOT_SHOWN_DATA:
                self.parts.extend(messages_in(value))

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def messages_in(value: str) -> list[str]:
    """A data-* attribute's text a script shows: a message, or the strings of a JSON table
    of messages (its keys are names in code); identifiers and numbers are not text."""
    try:
        table = json.loads(value)
    except ValueError:
        return [value] if " " in value.strip() else []
    if isinstance(table, dict):
        return [text for item in table.values() for text in messages_in(json.dumps(item))]
    if isinstance(table, list):
        return [text for item in table for text in messages_in(json.dumps(item))]
    return [table] if isinstance(table, str) and " " in table.strip() else []


def shown(html: str) -> str:
    parser = ShownText()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def data_strings() -> list[str]:
    """What people and the demo wrote: proper names, addresses, problems, reviews, labels."""
    from accounts.models import Address, User
    from dispatch.models import Engineer, Station, Visit
    from extensions import db
    from marketplace.models import AbuseFlag, Review, Tag

    values: set[str] = set()
    columns = [User.name, User.email, Station.name, Station.province, Station.city, Station.county,
               Station.code, Engineer.display_name, Engineer.bio, Address.label, Address.text,
               Visit.problem, Visit.address_text, Visit.product_model, Visit.serial_number,
               Review.text, AbuseFlag.detail, Tag.code, Tag.name_zh, Tag.name_en]  # admins edit all three
    for column in columns:
        values |= {v for v in db.session.execute(db.select(column)).scalars() if v}
    values |= {v[:1] for v in db.session.execute(db.select(Engineer.display_name)).scalars() if v}
    return sorted(values, key=len, reverse=True)


def foreign_words(text: str, language: str, data: list[str]) -> list[str]:
    for value in data:
        text = text.replace(value, " ")
    if language == "en":
        text = text.replace("中文", " ").replace(BRAND, " ")  # the language switch names itself
        return CJK.findall(text)
    text = NOT_WORDS.sub(" ", text)
    return [w for w in LATIN_WORD.findall(text) if w not in NAMES]


def pages() -> list[tuple[str, str]]:
    return sorted((endpoint, method) for (endpoint, method), (path, _body, _who) in MATRIX.items()
                  if not path.startswith("/api/") and endpoint not in
                  {"marketplace.healthz", "marketplace.favicon", "payments_webhooks.stripe_webhook",
                   "accounts.set_language"})  # which changes the language on purpose


def reader(expectations: dict) -> str | None:
    """Someone the page answers normally, the page's own people before admins."""
    for role in ("anonymous", "customer", "engineer", "manager", "agent", "admin"):
        if expectations.get(role) == OK:
            return role
    return None


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_page_speaks_only_the_readers_language(app, client, world, language):
    data = data_strings()
    found: dict[str, list[str]] = {}
    for endpoint, method in pages():
        path, body, expectations = MATRIX[(endpoint, method)]
        role = reader(expectations)
        if role is None:
            continue
        signed_in_as(client, world["people"].get(role))
        url = fill(path, world["ids"])
        headers = {"Accept-Language": language}
        if method == "GET":
            response = client.get(url, headers=headers, follow_redirects=True)
        else:  # the form sent empty: its messages, on the page or flashed on the next one
            response = client.post(url, data={}, headers=headers, follow_redirects=True)
        if response.mimetype != "text/html":
            continue
        words = foreign_words(shown(response.get_data(as_text=True)), language[:2], data)
        if words:
            found[f"{method} {url} as {role}"] = sorted(set(words))[:12]
    assert not found, "\n".join(f"{page}: {words}" for page, words in found.items())


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_error_pages_speak_the_readers_language(client, world, language):
    data = data_strings()
    signed_in_as(client, world["people"]["customer"])
    for url in ("/no-such-page", "/admin/reviews", f"/me/visits/{world['ids']['booked']}0"):
        response = client.get(url, headers={"Accept-Language": language})
        assert response.status_code in (403, 404)
        assert foreign_words(shown(response.get_data(as_text=True)), language[:2], data) == [], url
