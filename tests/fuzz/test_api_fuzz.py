"""Tests that every operation of the served OpenAPI document survives generated input, as
every role: no 5xx, and every response conforms to the schema the document gives for it.

Schemathesis generates the requests from /openapi.json (so a schema change is fuzzed the
moment it ships). Each operation runs once per role (and anonymously), so that what a
customer's token only sees as 403 is really exercised by the role allowed to call it. Half
the cases put the ids of real rows (and a covered address) in, so that generation reaches
past the 404s; the other half are generated freely, valid and invalid. Bounded for CI:
few examples per operation, derandomized, no example database.
"""
from __future__ import annotations

import json
from functools import cache

import pytest
import schemathesis
from flask.testing import EnvironBuilder
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROLES = ("anonymous", "customer", "engineer", "manager", "agent", "admin")  # as conftest.ROLES
EXAMPLES = 10  # per operation, role and generation mode
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]
REJECTION = [not_a_server_error, negative_data_rejection, response_schema_conformance]


@cache
def document() -> dict:
    """The served OpenAPI document, read from an app built only for that (at collection)."""
    from app import create_app
    from config import TestConfig

    return create_app(TestConfig).test_client().get("/openapi.json").get_json()


def operations() -> list[tuple[str, bool]]:
    """Every operation as (label, whether it takes input that can be made invalid)."""
    found = []
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                params = item.get("parameters", []) + operation.get("parameters", [])
                found.append((f"{method.upper()} {path}", "requestBody" in operation
                              or any(constrained(p["schema"], p["in"]) for p in params)))
    return sorted(found)


def constrained(schema: dict, location: str) -> bool:
    """Whether some value breaks the schema (a bare string takes anything; in a path, an
    empty one cannot be sent)."""
    loose = {"type", "default", "nullable"} | ({"minLength"} if location == "path" else set())
    return schema.get("type") != "string" or bool(set(schema) - loose)


def fuzz_params():
    for label, negatable in operations():
        for role in ROLES:
            yield pytest.param(label, role, GenerationMode.POSITIVE, id=f"{label}-{role}-valid")
            if negatable:
                yield pytest.param(label, role, GenerationMode.NEGATIVE, id=f"{label}-{role}-invalid")


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


@pytest.fixture
def token_of(network):
    """Bearer headers of each role's account (issued directly: quicker than the endpoint)."""
    from accounts.models import ApiToken, User
    from extensions import db

    headers = {"anonymous": {}}
    for role, user_id in network["users"].items():
        row, plain = ApiToken.issue(db.session.get(User, user_id), 1)
        db.session.add(row)
        headers[role] = {"Authorization": f"Bearer {plain}"}
    db.session.commit()
    return headers


def real_path(operation, network: dict) -> dict:
    """Path parameters naming rows that exist (the booked visit; the reviewed one for
    review and tip operations)."""
    visit = network["done"] if operation.path.endswith(("/review", "/tips")) else network["booked"]
    known = {"engineer_id": network["engineer"], "visit_id": visit, "review_id": network["review"],
             "tag_id": network["tag"], "address_id": network["address"], "code": network["station"]}
    names = {p.name for p in operation.path_parameters}
    return {name: value for name, value in known.items() if name in names}


def real_query(operation, network: dict) -> dict:
    """A covered address and a skill its engineers have, where the operation asks for them."""
    known = {"lat": network["place"][0], "lng": network["place"][1], "skill": "laptop"}
    names = {p.name for p in operation.query}
    return {name: value for name, value in known.items() if name in names}


def real_body(operation, network: dict):
    """A booking (or a move) into a window that is really free; other bodies are generated."""
    lat, lng = network["place"]
    if operation.label == "POST /api/visits":
        return {"skill": "laptop", "problem": "屏幕不亮", "address_text": "上海市黄浦区南京东路1号",
                "lat": lat, "lng": lng, "window_start": network["free"], "engineer_id": network["engineer"],
                "customer_id": network["users"]["customer"]}
    if operation.label == "POST /api/visits/{visit_id}/reschedule":
        return {"window_start": network["free"]}
    return NOT_SET


def cases(operation, network: dict, mode: GenerationMode):
    """Free generation, and (valid mode) generation around real rows, twice as often."""
    free = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.NEGATIVE:
        return free
    grounded = operation.as_strategy(generation_mode=mode, path_parameters=real_path(operation, network),
                                     query=real_query(operation, network) or None,
                                     body=real_body(operation, network))
    return st.one_of(free, grounded, grounded)


@pytest.mark.parametrize("label, role, mode", list(fuzz_params()))
def test_operation_survives_generated_requests(api_schema, network, token_of, client, monkeypatch,
                                               label, role, mode):
    """Tests that `label`, called as `role`, answers every generated request without a 5xx and
    as documented (invalid input: a 4xx)."""
    # The test client would encode bodies with the app's orjson, which refuses integers beyond
    # 64 bits; a real client may send them, so encode as any client does.
    monkeypatch.setattr(EnvironBuilder, "json_dumps", lambda self, obj, **kwargs: json.dumps(obj))
    operation = api_schema.find_operation_by_label(label)
    checks = CONFORMANCE if mode is GenerationMode.POSITIVE else REJECTION

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=cases(operation, network, mode))
    def call(case):
        # Plain bodies: the test client does not undo Flask-Compress's brotli as a browser
        # does (tests/dispatch/test_station_layer.py tests the compression itself).
        case.call_and_validate(session=client, headers={**token_of[role], "Accept-Encoding": "identity"},
                               checks=checks)

    call()


@pytest.mark.parametrize("path", sorted(document()["paths"]))
def test_an_undeclared_method_is_405_naming_the_allowed_ones(client, path):
    """Tests that a method the document does not declare for `path` is a 405 whose `Allow`
    header lists the ones it does (flask-smorest's JSON error dropped the header)."""
    declared = {m.upper() for m in document()["paths"][path] if m != "parameters"}
    other = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in declared)
    url = path.replace("{code}", "ST310101").replace("{", "").replace("}", "")
    url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
    response = client.open(url, method=other)
    assert response.status_code == 405
    assert declared <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.get_json()["code"] == 405


def test_a_page_answers_an_undeclared_method_with_allow(client):
    """Tests that pages, too, say which methods they take."""
    response = client.put("/login")
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
