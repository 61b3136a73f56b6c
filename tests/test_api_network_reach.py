"""GET /v1/network/reach: the network's reach per department × service the rules in service
recommend, checked against the network's own gaps and the rules' own recommendations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from api.main import create_app
from api.routers.network_reach import REACH, ReachOut
from tokens import authorise, bearer, token_for


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        authorise(test_client, "caseworker")
        yield test_client


def test_reach_is_the_gaps_of_the_services_some_rule_recommends(client: TestClient) -> None:
    reach = client.get("/v1/network/reach").json()
    recommended = {
        entry["service"] for rule in client.get("/v1/rules").json() for entry in rule["recommend"]
    }
    gaps = client.get("/v1/network/gaps").json()
    expected = [g for g in gaps if g["service"] in recommended]
    assert recommended and len(reach) == len(expected)
    keys = ("department", "service", "level", "distance_km", "institution_id")
    assert [{k: r[k] for k in keys} for r in reach] == expected
    names = {r["department"]: r["department_name"] for r in reach}
    assert names["05"] == "Antioquia" and names["54"] == "Norte de Santander"
    assert {r["department"] for r in reach} == {g["department"] for g in gaps}


def test_reach_needs_a_token(client: TestClient) -> None:
    answer = client.get("/v1/network/reach", headers={"Authorization": ""})
    assert answer.status_code == 401
    store = client.app.state.service.store  # type: ignore[attr-defined]
    auditor = bearer(token_for(store, "auditor"))
    assert client.get("/v1/network/reach", headers=auditor).status_code == 200


def test_the_example_fits_the_schema_and_the_service(client: TestClient) -> None:
    TypeAdapter(list[ReachOut]).validate_python(REACH)
    found = {(r["department"], r["service"]): r for r in client.get("/v1/network/reach").json()}
    for shown in REACH:
        assert found[(shown["department"], shown["service"])] == shown
