"""Tests that no date, instant or id the API takes can reach the database out of range: every
operation of the served OpenAPI document is called with 9999-12-31 in each date parameter,
in each station-local time and with a 30-digit number in each id (path, query or body), as
the role it is for, the other values valid, and must answer a 4xx — never a 500 (issue 14,
finding 10). Runs on SQLite and on PostgreSQL (whose 32-bit id columns refuse a big id).

The walk reads the document, so a new operation with a date or an id is walked the moment
it ships; one without a valid baseline below fails `test_every_bounded_operation_is_walked`.
"""
from __future__ import annotations

import json

import pytest
from flask.testing import EnvironBuilder

from tests.fuzz.conftest import network  # noqa: F401  (the fixture: real rows to aim at)

HUGE_ID = 10**30  # 30 digits
LATE_DAY = "9999-12-31"
LATE_TIME = "9999-12-31T09:00:00"

# Each operation with a date or an id: the role it is for, valid query and body (filled from
# the network: "{free}" a free window, "{day}" a day with visits, ids by name).
BASELINES = {
    "GET /api/engineers": ("anonymous", {"lat": "{lat}", "lng": "{lng}", "day": "{day}"}, None),
    "GET /api/engineers/{engineer_id}": ("anonymous", {}, None),
    "DELETE /api/engineers/{engineer_id}/favorite": ("customer", {}, None),
    "PUT /api/engineers/{engineer_id}/favorite": ("customer", {}, None),
    "GET /api/engineers/{engineer_id}/rates": ("anonymous", {}, None),
    "GET /api/engineers/{engineer_id}/reviews": ("anonymous", {}, None),
    "GET /api/engineers/{engineer_id}/slots": (
        "anonymous", {"lat": "{lat}", "lng": "{lng}", "skill": "laptop", "from": "{day}"}, None),
    "GET /api/slots": ("anonymous", {"lat": "{lat}", "lng": "{lng}", "skill": "laptop", "from": "{day}"},
                       None),
    "DELETE /api/me/addresses/{address_id}": ("customer", {}, None),
    "POST /api/me/addresses": ("customer", {}, {"label": "家", "text": "南京东路1号", "lat": "{lat}",
                                                "lng": "{lng}"}),
    "GET /api/me/day": ("engineer", {"date": "{day}"}, None),
    "GET /api/me/metrics": ("engineer", {"since": "{day}", "until": "{day}"}, None),
    "GET /api/plans/{plan_id}": ("manager", {}, None),
    "POST /api/plans/{plan_id}/publish": ("manager", {}, None),
    "PATCH /api/reviews/{review_id}": ("customer", {}, {"stars": 4}),
    "POST /api/reviews/{review_id}/hide": ("admin", {}, None),
    "POST /api/reviews/{review_id}/reply": ("engineer", {}, {"text": "谢谢"}),
    "POST /api/reviews/{review_id}/report": ("customer", {}, {"reason": "广告"}),
    "POST /api/reviews/{review_id}/restore": ("admin", {}, None),
    "GET /api/stations/{code}/board": ("manager", {"date": "{day}"}, None),
    "PUT /api/stations/{code}/engineers/{engineer_id}/day": ("manager", {"date": "{day}"},
                                                             {"absent": False}),
    "GET /api/stations/{code}/metrics": ("manager", {"since": "{day}", "until": "{day}"}, None),
    "POST /api/stations/{code}/plans": ("manager", {}, {"date": "{day}"}),
    "GET /api/stations/{code}/visits": ("manager", {"date": "{day}"}, None),
    "POST /api/tags": ("admin", {}, {"code": "new_tag", "name_zh": "新", "name_en": "New"}),
    "PATCH /api/tags/{tag_id}": ("admin", {}, {"name_en": "New"}),
    "POST /api/tips/{tip_id}/confirm": ("customer", {}, {"payment_method": "pm_card_visa"}),
    "POST /api/tips/{tip_id}/refund": ("manager", {}, {"reason": "误操作"}),
    "POST /api/visits": ("agent", {}, {
        "skill": "laptop", "problem": "屏幕不亮", "address_text": "南京东路1号", "lat": "{lat}",
        "lng": "{lng}", "window_start": "{free}", "engineer_id": "{engineer}", "customer_id": "{customer}"}),
    "GET /api/visits/{visit_id}": ("customer", {}, None),
    "POST /api/visits/{visit_id}/confirm": ("customer", {}, None),
    "DELETE /api/visits/{visit_id}/pin": ("manager", {}, None),
    "PUT /api/visits/{visit_id}/pin": ("manager", {}, {"engineer_id": "{engineer}", "start": "{free}"}),
    "POST /api/visits/{visit_id}/reschedule": ("customer", {}, {"window_start": "{free}"}),
    "POST /api/visits/{visit_id}/review": ("customer", {}, {"stars": 5}),
    "POST /api/visits/{visit_id}/status": ("engineer", {}, {"status": "en_route"}),
    "POST /api/visits/{visit_id}/tips": ("customer", {}, {"amount_cents": 1000}),
    "GET /api/contact-reads": ("admin", {"since": "{day}", "until": "{day}"}, None),
}


def document() -> dict:
    from tests.fuzz.test_api_fuzz import document as served
    return served()


def resolved(schema: dict) -> dict:
    ref = schema.get("$ref")
    return document()["components"]["schemas"][ref.split("/")[-1]] if ref else schema


def bounded_kind(name: str, schema: dict) -> str | None:
    """What out-of-range value a parameter or property takes: a day, a time or an id."""
    schema = resolved(schema)
    if schema.get("format") == "date":
        return "day"
    if schema.get("format") in ("station-local-date-time", "date-time"):
        return "time"
    if schema.get("type") == "integer" and (name == "id" or name.endswith("_id")):
        return "id"
    return None


HOSTILE = {"day": LATE_DAY, "time": LATE_TIME, "id": HUGE_ID}


def walks() -> list[tuple[str, str, str]]:
    """(operation, where, name) for every bounded parameter and body property."""
    found = []
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            label = f"{method.upper()} {path}"
            for param in item.get("parameters", []) + operation.get("parameters", []):
                if "$ref" in param:  # a shared header (If-None-Match), no bounded value
                    continue
                if bounded_kind(param["name"], param["schema"]):
                    found.append((label, param["in"], param["name"]))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            for name, schema in resolved(body["schema"]).get("properties", {}).items() if body else ():
                if bounded_kind(name, schema) and not resolved(schema).get("readOnly"):
                    found.append((label, "body", name))
    return sorted(found)


def test_every_bounded_operation_is_walked():
    """Tests that each operation taking a date or an id has a baseline here."""
    missing = {label for label, _where, _name in walks()} - BASELINES.keys()
    assert not missing, f"add a baseline to BASELINES for {sorted(missing)}"


def fill(value, network: dict):  # noqa: F811
    if not isinstance(value, str) or not value.startswith("{"):
        return value
    lat, lng = network["place"]
    known = {"lat": lat, "lng": lng, "day": network["day"], "free": network["free"],
             "engineer": network["engineer"], "customer": network["users"]["customer"]}
    return known[value.strip("{}")]


@pytest.fixture
def tokens(network):  # noqa: F811
    from accounts.models import ApiToken, User
    from extensions import db

    headers = {"anonymous": {}}
    for role, user_id in network["users"].items():
        row, plain = ApiToken.issue(db.session.get(User, user_id), 1)
        db.session.add(row)
        headers[role] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    return headers


@pytest.mark.parametrize("label, where, name", walks(), ids=["-".join(w) for w in walks()])
def test_an_out_of_range_date_or_id_is_a_4xx(client, network, tokens, monkeypatch,  # noqa: F811
                                              label, where, name):
    """Tests that 9999-12-31 or a 30-digit id in `name` (in `where`) of `label` is refused
    with a 4xx, as the role the operation is for, everything else valid."""
    # The test client would encode with orjson, which refuses integers beyond 64 bits.
    monkeypatch.setattr(EnvironBuilder, "json_dumps", lambda self, obj, **kwargs: json.dumps(obj))
    role, query, body = BASELINES[label]
    method, path = label.split(" ", 1)
    ids = {"engineer_id": network["engineer"], "visit_id": network["booked"],
           "review_id": network["review"], "tag_id": network["tag"], "address_id": network["address"],
           "plan_id": 1, "tip_id": 1}
    query = {k: fill(v, network) for k, v in query.items()}
    body = {k: fill(v, network) for k, v in body.items()} if body is not None else None
    hostile = HOSTILE[bounded_kind(name, parameter_schema(label, where, name))]
    if where == "path":
        ids[name] = "9" * 30
    elif where == "query":
        query[name] = hostile
    else:
        body = {**(body or {}), name: hostile}
    url = path.replace("{code}", network["station"])
    for key, value in ids.items():
        url = url.replace("{" + key + "}", str(value))

    response = client.open(url, method=method, query_string=query, json=body, headers=tokens[role])

    assert 400 <= response.status_code < 500, (label, where, name, response.status_code,
                                              response.get_data(as_text=True)[:300])
    if where != "path":  # the refusal names the field
        assert name in json.dumps(response.get_json().get("errors", {})), response.get_json()


def parameter_schema(label: str, where: str, name: str) -> dict:
    method, path = label.split(" ", 1)
    item = document()["paths"][path]
    operation = item[method.lower()]
    if where == "body":
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        return resolved(body)["properties"][name]
    params = item.get("parameters", []) + operation.get("parameters", [])
    return next(p["schema"] for p in params if p["name"] == name and p["in"] == where)
