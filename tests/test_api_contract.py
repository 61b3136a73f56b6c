"""The API's documented contract: every endpoint has examples and typed responses in the
OpenAPI, and the examples are still true of the running service."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from api import examples, policy_examples
from api.main import create_app
from api.policy_schemas import (
    DiffOut,
    DraftCreate,
    DraftOut,
    PublicationOut,
    SimulationOut,
    SimulationRequest,
    TrailOut,
    VersionDetail,
    VersionList,
)
from api.schemas import (
    BatchItemError,
    CoverageGap,
    ErrorResponse,
    RecommendationRequest,
    RecommendationResponse,
)
from engine.rule_model import Rule, ServiceEntry
from network.models import Institution
from tokens import authorise


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        authorise(test_client)
        yield test_client


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def _operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _has_example(media: dict[str, Any], openapi: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    reference = media.get("schema", {}).get("$ref", "")
    schema = openapi["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {})
    return "examples" in schema


def test_every_success_response_has_an_example_and_a_schema(openapi: dict[str, Any]) -> None:
    for path, method, operation in _operations(openapi):
        [success] = [r for status, r in operation["responses"].items() if status.startswith("2")]
        for media_type, media in success["content"].items():
            where = f"{method.upper()} {path} {media_type}"
            assert "schema" in media and media["schema"] != {}, where
            assert _has_example(media, openapi), where


def test_every_request_body_has_an_example(openapi: dict[str, Any]) -> None:
    for path, method, operation in _operations(openapi):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            assert _has_example(media, openapi), f"{method.upper()} {path} {media_type}"


def test_every_error_is_documented_in_the_shared_shape(openapi: dict[str, Any]) -> None:
    shared = "#/components/schemas/ErrorResponse"
    for path, method, operation in _operations(openapi):
        errors = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
        assert "500" in errors, f"{method.upper()} {path}"
        for status, response in errors.items():
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": shared}, f"{method.upper()} {path} {status}"
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_the_profile_is_documented_field_by_field(openapi: dict[str, Any]) -> None:
    profile = openapi["components"]["schemas"]["RecommendationRequest"]["properties"]["profile"]
    assert {"age", "department", "municipality", "return_kind"} <= set(profile["properties"])
    assert profile["properties"]["age"]["labels"]["es"].startswith("Edad")


@pytest.mark.parametrize(
    ("example", "shape"),
    [
        (examples.RECOMMENDATION_REQUEST, RecommendationRequest),
        (examples.RECOMMENDATION_RESPONSE, RecommendationResponse),
        (examples.ISLAND_REQUEST, RecommendationRequest),
        (examples.ISLAND_RESPONSE, RecommendationResponse),
        (examples.BATCH_REQUEST, list[RecommendationRequest]),
        (examples.BATCH_RESPONSE, list[RecommendationResponse | BatchItemError]),
        (examples.SERVICES, list[ServiceEntry]),
        (examples.RULE, Rule),
        (examples.INSTITUTION, Institution),
        (examples.GAPS, list[CoverageGap]),
        (examples.INVALID_PROFILE, ErrorResponse),
        (examples.INVALID_REQUEST, ErrorResponse),
        (examples.NOT_FOUND, ErrorResponse),
        (examples.BODY_TOO_LARGE, ErrorResponse),
        (examples.INTERNAL_ERROR, ErrorResponse),
        (examples.ENGINE_UNAVAILABLE, ErrorResponse),
        (examples.UNAUTHENTICATED, ErrorResponse),
        (examples.FORBIDDEN, ErrorResponse),
        (examples.CONFLICT, ErrorResponse),
        (examples.PRECONDITION_FAILED, ErrorResponse),
        (examples.PRECONDITION_REQUIRED, ErrorResponse),
        (examples.UNAVAILABLE, ErrorResponse),
        (policy_examples.VERSION_LIST, VersionList),
        (policy_examples.VERSION_DETAIL, VersionDetail),
        (policy_examples.DRAFT_CREATE, DraftCreate),
        (policy_examples.DRAFT_OUT, DraftOut),
        (policy_examples.PUBLICATION, PublicationOut),
        (policy_examples.DIFF, DiffOut),
        (policy_examples.SIMULATION_REQUEST, SimulationRequest),
        (policy_examples.SIMULATION, SimulationOut),
        (policy_examples.TRAIL, TrailOut),
    ],
    ids=lambda value: getattr(value, "__name__", None) or "",
)
def test_each_example_fits_its_schema(example: Any, shape: Any) -> None:
    TypeAdapter(shape).validate_python(example)


@pytest.mark.parametrize(
    ("request_body", "response"),
    [
        (examples.RECOMMENDATION_REQUEST, examples.RECOMMENDATION_RESPONSE),
        (examples.ISLAND_REQUEST, examples.ISLAND_RESPONSE),
    ],
    ids=["cucuta", "san-andres"],
)
def test_the_example_request_gets_the_services_shown(
    client: TestClient, request_body: dict[str, Any], response: dict[str, Any]
) -> None:
    answer = client.post("/v1/recommendations", json=request_body).json()
    served = {s["code"]: s for s in answer["services"]}
    for shown in response["services"]:
        real = served[shown["code"]]
        assert real["priority"] == shown["priority"] and real["rules"] == shown["rules"]
        assert [t["institution_id"] for t in real["targets"]] == [
            t["institution_id"] for t in shown["targets"]
        ]
        assert [t["reason"] for t in real["targets"]] == [t["reason"] for t in shown["targets"]]
        assert real["no_target_reason"] == shown["no_target_reason"]
    assert answer["network"] == response["network"]
    # The questions still to ask shown are the first ones of the real answer, as they are.
    shown_open = response.get("open_fields")
    if shown_open is not None:
        assert answer["open_fields"][: len(shown_open)] == shown_open


@pytest.mark.parametrize(
    ("method", "path", "body", "example"),
    [
        (
            "POST",
            "/v1/recommendations",
            {"profile": {**examples.RECOMMENDATION_REQUEST["profile"], "age": 200, "pregnat": 1}},
            examples.INVALID_PROFILE,
        ),
        (
            "POST",
            "/v1/recommendations",
            {**examples.RECOMMENDATION_REQUEST, "lang": "fr"},
            examples.INVALID_REQUEST,
        ),
        ("GET", "/v1/rules/P99", None, examples.NOT_FOUND),
        ("GET", "/v1/rules", {"no": "token"}, examples.UNAUTHENTICATED),
        ("PUT", "/v1/rule-bases/drafts/x/rules/P01", {}, examples.PRECONDITION_REQUIRED),
    ],
)
def test_the_error_examples_are_what_the_service_answers(
    client: TestClient, method: str, path: str, body: Any, example: dict[str, Any]
) -> None:
    headers = {"Authorization": ""} if body == {"no": "token"} else None
    answer = client.request(method, path, json=body if headers is None else None, headers=headers)
    assert answer.json() == example


def test_the_examples_name_real_records(client: TestClient) -> None:
    assert client.get(f"/v1/rules/{examples.RULE['id']}").status_code == 200
    assert client.get(f"/v1/institutions/{examples.INSTITUTION['id']}").status_code == 200
    codes = {s["code"] for s in client.get("/v1/services").json()}
    assert {s["code"] for s in examples.SERVICES} <= codes


def test_the_gaps_example_rows_are_what_the_service_answers(client: TestClient) -> None:
    answer = client.get("/v1/network/gaps").json()
    for row in examples.GAPS:
        assert row in answer


def test_the_csv_example_is_what_the_service_answers(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch",
        content=examples.BATCH_CSV_REQUEST.encode(),
        headers={"content-type": "text/csv"},
    )
    real = list(csv.DictReader(io.StringIO(response.text)))
    shown = list(csv.DictReader(io.StringIO(examples.BATCH_CSV_RESPONSE)))
    assert len(real) == len(shown)
    for real_row, shown_row in zip(real, shown, strict=True):
        assert {column: real_row[column] for column in shown_row} == shown_row
