"""Every message in the reader's language: marshmallow's own validation messages, the error
pages and API refusals, and English plurals (issue 13)."""
import re

import pytest

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def texts(errors) -> list[str]:
    if isinstance(errors, dict):
        return [t for value in errors.values() for t in texts(value)]
    if isinstance(errors, list):
        return [t for value in errors for t in texts(value)]
    return [str(errors)]


def test_validation_messages_of_the_api_are_in_chinese_and_in_english(ctx, client):
    query = "/api/slots?lat=abc&lng=999&skill=laptop&days=99&from=tomorrow"
    zh = client.get(query).get_json()
    assert zh["errors"]["query"].keys() >= {"lat", "lng", "days", "from"}
    for message in texts(zh["errors"]) + [zh["message"]]:
        assert not LATIN_WORD.search(message), message
    assert "1 到 14" in " ".join(texts(zh["errors"]["query"]["days"]))
    en = client.get(query, headers={"Accept-Language": "en"}).get_json()
    assert texts(en["errors"]["query"]["lat"]) == ["Not a valid number."]
    assert texts(en["errors"]["query"]["days"]) == ["Must be between 1 and 14."]


def test_unknown_and_missing_fields_are_said_in_chinese(ctx, client):
    body = client.post("/api/auth/token", json={"mail": "x"}).get_json()
    assert texts(body["errors"]["json"]["mail"]) == ["未知字段。"]
    assert texts(body["errors"]["json"]["password"]) == ["请填写此项。"]


@pytest.mark.parametrize("path,status", [("/no-such-page", 404), ("/api/no-such-thing", 404)])
def test_error_answers_are_in_the_readers_language(ctx, client, path, status):
    zh = client.get(path)
    assert zh.status_code == status
    text = zh.get_json()["message"] if path.startswith("/api/") else \
        re.search(r"<main>(.*)</main>", zh.get_data(as_text=True), re.S).group(1)
    assert "这里什么也没有" in text
    assert not LATIN_WORD.search(re.sub(r"<[^>]+>|&\w+;", " ", text).replace("Error", ""))
    en = client.get(path, headers={"Accept-Language": "en"})
    assert "There is nothing here" in en.get_data(as_text=True)


def test_english_counts_say_one_review_and_two_reviews(app):
    from flask import render_template_string
    from flask_babel import force_locale
    with app.test_request_context(), force_locale("en"):
        one = render_template_string("{{ ngettext('%(num)s review', '%(num)s reviews', 1) }}")
        two = render_template_string("{{ ngettext('%(num)s review', '%(num)s reviews', 2) }}")
    with app.test_request_context(), force_locale("zh_CN"):
        zh = render_template_string("{{ ngettext('%(num)s review', '%(num)s reviews', 2) }}")
    assert (one, two, zh) == ("1 review", "2 reviews", "2 条评价")
