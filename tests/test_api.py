"""The HTTP API through the ASGI client: recommendations, reads, and one error shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import examples
from api.main import create_app
from tokens import authorise

PROFILE: dict[str, Any] = examples.RECOMMENDATION_REQUEST["profile"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        authorise(test_client)
        yield test_client


def test_recommendations_give_the_roadmap_with_targets_and_reasons(client: TestClient) -> None:
    response = client.post("/v1/recommendations", json={"profile": PROFILE, "as_of": "2026-11-27"})
    assert response.status_code == 200
    body = response.json()
    assert body["rule_base"]["version"] == "2026.11" and len(body["rule_base"]["hash"]) == 64
    assert body["network"]["version"]
    codes = [s["code"] for s in body["services"]]
    assert codes[:2] == ["HUM_FOOD_AID", "HUM_TEMPORARY_SHELTER"]
    shelter = body["services"][1]
    assert shelter["priority"] == "urgent" and shelter["rules"] == ["P27"]
    assert shelter["targets"][0]["institution_id"] == "centro-migraciones-cucuta"
    assert "Hogar de Paso" in shelter["targets"][0]["reason"]
    assert shelter["label"] == "Alojamiento temporal (Hogar de Paso)"
    p27 = shelter["explanation"][0]
    assert p27["rule"] == "P27" and all(c["holds"] for c in p27["conditions"])


def test_english_labels_and_no_targets_on_request(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations", json={"profile": PROFILE, "lang": "en", "targets_per_service": 0}
    )
    body = response.json()
    assert body["services"][1]["label"] == "Temporary shelter"
    assert all(s["targets"] == [] for s in body["services"])


def test_an_invalid_profile_names_each_field_and_never_the_value(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        json={"profile": {**PROFILE, "age": 200, "municipality": "05001", "pregnat": True}},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_profile"
    fields = {p["field"] for p in error["problems"]}
    assert {"age", "pregnat"} <= fields
    assert all(p["message_es"] for p in error["problems"])
    assert "200" not in response.text.replace("120", "")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 422, "invalid_request"),
        (b"", 422, "invalid_request"),
        (b'{"profile": {}, "unknown": 1}', 422, "invalid_request"),
    ],
)
def test_bad_bodies_get_the_shared_error_shape(
    client: TestClient, body: bytes, status: int, code: str
) -> None:
    response = client.post(
        "/v1/recommendations", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_body_over_the_limit_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        content=b" " * 10_000_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_unknown_routes_and_records_are_404(client: TestClient) -> None:
    assert client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    assert client.get("/v1/rules/P99").status_code == 404
    assert client.get("/v1/institutions/nobody").status_code == 404


def test_reads(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert len(client.get("/v1/services").json()) == 27
    assert client.get("/v1/rules/P30").json()["regions"]["departments"] == ["54", "52"]
    assert len(client.get("/v1/rules").json()) == 32
    shelters = client.get(
        "/v1/institutions", params={"service": "HUM_TEMPORARY_SHELTER", "department": "54"}
    ).json()
    assert "centro-migraciones-cucuta" in [i["id"] for i in shelters]
    assert len(client.get("/v1/network/gaps").json()) == 33 * 27
    schema = client.get("/v1/profile-schema").json()
    assert schema["properties"]["age"]["labels"]["es"].startswith("Edad")
    assert "/v1/recommendations" in client.get("/openapi.json").json()["paths"]


def test_batch_json_answers_in_order_with_errors_in_place(client: TestClient) -> None:
    items = [
        {"profile": PROFILE, "as_of": "2026-11-27", "targets_per_service": 0},
        {"profile": {**PROFILE, "age": 7391}},
        {"profile": {**PROFILE, "has_shelter": True}, "lang": "en"},
    ]
    response = client.post("/v1/recommendations/batch", json=items)
    assert response.status_code == 200
    first, second, third = response.json()
    assert first["services"][0]["code"] == "HUM_FOOD_AID"
    assert second["error"]["problems"][0]["field"] == "age"
    assert "7391" not in response.text
    assert "HUM_TEMPORARY_SHELTER" not in [s["code"] for s in third["services"]]


def test_the_answer_says_what_to_ask_next(client: TestClient) -> None:
    # has_funds not sent: P28 and P32 would give urgent food aid to a person with no shelter.
    profile = {k: v for k, v in PROFILE.items() if k != "has_funds"}
    body = client.post(
        "/v1/recommendations", json={"profile": profile, "as_of": "2026-11-27", "lang": "en"}
    ).json()
    still = {item["field"]: item for item in body["open_fields"]}
    funds = still["has_funds"]
    assert funds["label"] == "Can cover food and basic needs for 7 days"
    assert funds["default"] is True and funds["example"] is False
    assert funds["services"] == [
        {
            "code": "HUM_FOOD_AID",
            "label": "Emergency food aid",
            "priority": "urgent",
            "current_priority": None,
            "example": False,
        }
    ]
    assert not set(still) & set(profile)
    # Sent, it is answered: the service is on the roadmap and the question is gone.
    answered = client.post("/v1/recommendations", json={"profile": PROFILE}).json()
    assert "has_funds" not in {item["field"] for item in answered["open_fields"]}


def test_batch_json_answers_say_what_to_ask_next_too(client: TestClient) -> None:
    items = [{"profile": PROFILE, "lang": "en"}, {"profile": {**PROFILE, "age": 15}}]
    first, second = client.post("/v1/recommendations/batch", json=items).json()
    assert "urgent_medical_need" in {item["field"] for item in first["open_fields"]}
    assert "unaccompanied_minor" not in {item["field"] for item in first["open_fields"]}
    assert "unaccompanied_minor" in {item["field"] for item in second["open_fields"]}


def test_batch_csv_gives_a_row_per_person(client: TestClient) -> None:
    sheet = (
        "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter\n"
        "34,54,54001,4,0.5,deported,no\n"
        "200,11,11001,1,1,voluntary,\n"
    )
    response = client.post(
        "/v1/recommendations/batch", content=sheet.encode(), headers={"content-type": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["row"] for r in rows] == ["1", "2"]
    assert rows[0]["HUM_TEMPORARY_SHELTER"] == "Urgente" and rows[0]["errors"] == ""
    assert rows[1]["errors"].startswith("age:") and "200" not in rows[1]["errors"]


def test_batch_with_a_malformed_json_body_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch",
        content=b'[{"profile": 1}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_batch_csv_priorities_in_english_when_asked(client: TestClient) -> None:
    sheet = "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter\n"
    sheet += "34,54,54001,4,0.5,deported,no\n"
    response = client.post(
        "/v1/recommendations/batch?lang=en",
        content=sheet.encode(),
        headers={"content-type": "text/csv"},
    )
    import csv
    import io

    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["HUM_TEMPORARY_SHELTER"] == "Urgent" and row["LEGAL_RUR_REGISTRATION"] == "Normal"
