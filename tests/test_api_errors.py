"""Bad input to the HTTP API, one test each: the status, the shared error shape, the field named
in English and Spanish, and never the value sent (a returnee's data is not echoed or logged)."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

import durable_rules_engine
import pytest
from fastapi.testclient import TestClient

from api import examples
from api.deps import engine_in_service
from api.main import create_app
from api.settings import Settings
from engine import ReferenceEvaluator, load_rule_base
from tokens import authorise

PROFILE: dict[str, Any] = examples.RECOMMENDATION_REQUEST["profile"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        authorise(test_client)
        yield test_client


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The error object, after checking the status and that it has the one shared shape."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_es"] and error["message"] != error["message_es"]
    for problem in error["problems"]:
        assert set(problem) == {"field", "message", "message_es"}
        assert problem["message"] and problem["message_es"]
    return error


def _recommend(client: TestClient, **body: Any) -> Any:
    return client.post("/v1/recommendations", json={"profile": PROFILE, **body})


def _profile_problem(client: TestClient, **changes: Any) -> dict[str, str]:
    """The one problem reported for the example profile with ``changes``."""
    response = client.post("/v1/recommendations", json={"profile": {**PROFILE, **changes}})
    (problem,) = _error(response, 422, "invalid_profile")["problems"]
    found: dict[str, str] = problem
    return found


def test_an_unknown_profile_field_is_named_with_a_suggestion(client: TestClient) -> None:
    problem = _profile_problem(client, pregnat=True)
    assert problem["field"] == "pregnat"
    assert "pregnant" in problem["message"] and "pregnant" in problem["message_es"]


def test_a_wrong_type_names_the_field_not_the_value(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations", json={"profile": {**PROFILE, "age": "treinta y cuatro"}}
    )
    (problem,) = _error(response, 422, "invalid_profile")["problems"]
    assert problem["field"] == "age"
    assert "treinta" not in response.text


def test_a_value_outside_the_allowed_set_lists_the_allowed_values(client: TestClient) -> None:
    problem = _profile_problem(client, return_kind="kidnapped")
    assert problem["field"] == "return_kind"
    assert "deported" in problem["message"] and "kidnapped" not in str(problem)


def test_a_municipality_outside_its_department(client: TestClient) -> None:
    problem = _profile_problem(client, municipality="05001")
    assert problem["field"] == "municipality"
    assert "54" in problem["message"] or "department" in problem["message"]


def test_age_200_is_refused_without_repeating_it(client: TestClient) -> None:
    response = client.post("/v1/recommendations", json={"profile": {**PROFILE, "age": 200}})
    (problem,) = _error(response, 422, "invalid_profile")["problems"]
    assert problem["field"] == "age" and "120" in problem["message_es"]
    assert "200" not in response.text


def test_every_invalid_field_is_reported_at_once(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        json={"profile": {**PROFILE, "age": -1, "return_kind": "x", "children": "many"}},
    )
    fields = {p["field"] for p in _error(response, 422, "invalid_profile")["problems"]}
    assert fields == {"age", "return_kind", "children"}


def test_an_empty_body(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations", content=b"", headers={"content-type": "application/json"}
    )
    error = _error(response, 422, "invalid_request")
    assert error["problems"][0]["field"] == "body"


def test_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        content=b"age=34&department=54",
        headers={"content-type": "application/json"},
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["message_es"] == "el cuerpo de la solicitud no es JSON válido"
    assert "department" not in response.text


def test_a_body_of_10_mb_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        content=b" " * 10_000_000,
        headers={"content-type": "application/json"},
    )
    error = _error(response, 413, "body_too_large")
    assert "1000000" in error["message"] and "1000000" in error["message_es"]


def test_a_body_without_content_length_is_counted_as_it_arrives() -> None:
    """Chunked upload: no Content-Length to check up front, the limit applies to what arrives
    (tests/test_server.py shows the real server stops reading it)."""

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 10_000

    with TestClient(create_app(Settings(max_body_bytes=50_000))) as small:
        response = small.post(
            "/v1/recommendations", content=chunks(), headers={"content-type": "application/json"}
        )
    _error(response, 413, "body_too_large")


def test_a_batch_over_the_limit_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch",
        content=b"age\n" + b"34\n" * 400_000,
        headers={"content-type": "text/csv"},
    )
    _error(response, 413, "body_too_large")


def test_an_unknown_request_key(client: TestClient) -> None:
    response = _recommend(client, profil={})
    fields = {p["field"] for p in _error(response, 422, "invalid_request")["problems"]}
    assert fields == {"profil"}


def test_a_profile_that_is_not_an_object(client: TestClient) -> None:
    response = client.post("/v1/recommendations", json={"profile": [34, "54"]})
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem == {
        "field": "profile",
        "message": "must be a JSON object",
        "message_es": "debe ser un objeto JSON",
    }


def test_a_missing_profile(client: TestClient) -> None:
    response = client.post("/v1/recommendations", json={"lang": "en"})
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "profile" and problem["message_es"] == "este campo es obligatorio"


def test_a_language_ruta_does_not_speak(client: TestClient) -> None:
    (problem,) = _error(_recommend(client, lang="fr"), 422, "invalid_request")["problems"]
    assert problem["field"] == "lang" and "'es'" in problem["message_es"]


def test_a_day_that_is_no_date(client: TestClient) -> None:
    (problem,) = _error(_recommend(client, as_of="27/11/2026"), 422, "invalid_request")["problems"]
    assert problem["field"] == "as_of" and "AAAA-MM-DD" in problem["message_es"]


def test_too_many_targets(client: TestClient) -> None:
    response = _recommend(client, targets_per_service=500)
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "targets_per_service"
    assert problem["message_es"] == "debe ser como máximo 20"


def test_batch_items_are_named_by_position(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch", json=[{"profile": PROFILE}, {"profile": PROFILE, "lang": 1}]
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "[1].lang"


def test_a_batch_that_is_not_an_array(client: TestClient) -> None:
    response = client.post("/v1/recommendations/batch", json={"profile": PROFILE})
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "body" and problem["message_es"] == "debe ser una lista JSON"


def test_a_csv_that_is_not_utf8(client: TestClient) -> None:
    sheet = "age,department,municipality\n34,54,54001\n".replace("age", "año").encode("latin-1")
    response = client.post(
        "/v1/recommendations/batch", content=sheet, headers={"content-type": "text/csv"}
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert "UTF-8" in problem["message"] and "UTF-8" in problem["message_es"]


def test_a_csv_answer_in_an_unknown_language(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch?lang=fr",
        content=b"age\n34\n",
        headers={"content-type": "text/csv"},
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "query.lang"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"service": "HUM_SHELTER"}, "query.service"),
        ({"department": "98"}, "query.department"),
        ({"municipality": "Cúcuta"}, "query.municipality"),
        ({"municipality": "54ab1"}, "query.municipality"),
    ],
)
def test_an_institution_filter_naming_nothing(
    client: TestClient, query: dict[str, str], field: str
) -> None:
    """An empty list would read as 'nobody offers this'; a misspelt filter is an error."""
    response = client.get("/v1/institutions", params=query)
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == field


def test_unknown_records_are_404_with_where_to_look(client: TestClient) -> None:
    error = _error(client.get("/v1/rules/P99"), 404, "not_found")
    assert "GET /v1/rules" in error["message"] and "GET /v1/rules" in error["message_es"]
    error = _error(client.get("/v1/institutions/nobody"), 404, "not_found")
    assert "/v1/institutions" in error["message_es"]


def test_an_unknown_address_and_a_wrong_method(client: TestClient) -> None:
    _error(client.get("/v1/nothing"), 404, "not_found")
    _error(client.get("/v1/recommendations"), 405, "method_not_allowed")


def test_an_unexpected_failure_has_a_correlation_id_and_no_profile_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The 500 is answered and the failure stops there: nothing reaches the server process,
    which would log the exception's text (here, the profile) with its traceback."""

    class BrokenEngine:
        def evaluate(self, profile: dict[str, Any], as_of: object) -> None:
            raise RuntimeError(f"could not evaluate {profile}")

    # raise_server_exceptions=True: an exception let through to the server fails the test.
    with TestClient(create_app(), raise_server_exceptions=True) as strict:
        authorise(strict)
        strict.app.dependency_overrides[engine_in_service] = BrokenEngine  # type: ignore[attr-defined]
        with caplog.at_level(logging.DEBUG):
            response = strict.post("/v1/recommendations", json={"profile": PROFILE})
    error = _error(response, 500, "internal_error")
    assert len(error["correlation_id"]) == 32
    assert error["correlation_id"] in caplog.text
    assert "54001" not in caplog.text and "deported" not in caplog.text
    assert "54001" not in response.text


def test_a_csv_that_cannot_be_read_names_the_line(client: TestClient) -> None:
    sheet = b"age,notes\n34,ok\n35," + b"x" * 200_000 + b"\n"  # a cell over csv's field limit
    response = client.post(
        "/v1/recommendations/batch", content=sheet, headers={"content-type": "text/csv"}
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "body" and "línea 3" in problem["message_es"]
    assert "xxx" not in response.text


def test_a_csv_row_with_more_cells_than_columns_is_an_error_in_its_row(
    client: TestClient,
) -> None:
    sheet = b"age,department,municipality\n34,54,54001,extra\n"
    response = client.post(
        "/v1/recommendations/batch?lang=en", content=sheet, headers={"content-type": "text/csv"}
    )
    assert response.status_code == 200
    assert "(row): the row has more cells than the header has columns" in response.text
    assert "extra" not in response.text


def test_a_body_that_is_not_utf8(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        content='{"profile": {"name": "Muñoz"}}'.encode("latin-1"),
        headers={"content-type": "application/json"},
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "body" and "JSON" in problem["message_es"]
    assert "Mu" not in response.text


def test_a_yes_no_where_a_number_belongs(client: TestClient) -> None:
    (problem,) = _error(_recommend(client, targets_per_service=False), 422, "invalid_request")[
        "problems"
    ]
    assert problem["field"] == "targets_per_service"
    assert problem["message_es"] == "debe ser un número entero"


@pytest.mark.parametrize("day", [0, 1764201600, "1764201600", "2026-11-27T10:00:00", "2026-02-30"])
def test_a_day_must_be_written_as_a_date(client: TestClient, day: object) -> None:
    """A number would otherwise be read as seconds since 1970 and apply that day's rules."""
    (problem,) = _error(_recommend(client, as_of=day), 422, "invalid_request")["problems"]
    assert problem["field"] == "as_of"


def test_an_unknown_key_that_is_not_a_field_name_is_not_repeated(client: TestClient) -> None:
    """A caseworker may type a name where a key belongs; it is never sent back."""
    response = _recommend(client, **{"María Pérez, cédula 1093": True})
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "(unknown field)"
    assert "Pérez" not in response.text and "1093" not in response.text


def test_a_json_syntax_error_is_placed_in_the_body_not_in_a_list(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations",
        content=b'{"profile": {"age": 34,}}',
        headers={"content-type": "application/json"},
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert problem["field"] == "body"


def test_a_csv_header_naming_a_column_twice(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch",
        content=b"age,department,age\n34,54,200\n",
        headers={"content-type": "text/csv"},
    )
    (problem,) = _error(response, 422, "invalid_request")["problems"]
    assert "age" in problem["message"] and "dos veces" in problem["message_es"]


@pytest.mark.parametrize("cell", ["3_4", "٣٤", "²", "9" * 5000, "34.0", "+34x"])
def test_a_csv_number_must_be_written_with_digits(client: TestClient, cell: str) -> None:
    """Python would read '3_4' as 34 and '٣٤' as 34: a cell is a number only as written."""
    header = "age,department,municipality,years_abroad,months_since_return,return_kind\n"
    sheet = f"{header}{cell},54,54001,4,1,deported\n"
    response = client.post(
        "/v1/recommendations/batch?lang=en",
        content=sheet.encode(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 200
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["errors"].startswith("age: must be a whole number")


def test_the_csv_media_type_is_read_whatever_its_case(client: TestClient) -> None:
    response = client.post(
        "/v1/recommendations/batch",
        content=b"age,department,municipality,years_abroad,months_since_return,return_kind\n"
        b"34,54,54001,4,1,deported\n",
        headers={"content-type": "Text/CSV; charset=utf-8"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


def test_a_long_batch_is_answered_in_order_across_slices(client: TestClient) -> None:
    """Batches are evaluated a slice at a time (so single requests get in between)."""
    rows = "".join(f"{20 + n % 60},54,54001,4,1,deported\n" for n in range(123))
    sheet = "age,department,municipality,years_abroad,months_since_return,return_kind\n" + rows
    response = client.post(
        "/v1/recommendations/batch", content=sheet.encode(), headers={"content-type": "text/csv"}
    )
    answered = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["row"] for r in answered] == [str(n) for n in range(1, 124)]
    assert all(r["errors"] == "" for r in answered)
    items = [{"profile": {**PROFILE, "age": 20 + n}} for n in range(60)]
    answers = client.post("/v1/recommendations/batch", json=items).json()
    assert len(answers) == 60 and all("services" in a for a in answers)


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    """An ASGI-level check that the body is never asked for when its declared length is over
    the limit."""
    import asyncio

    from api.limits import BodyLimitMiddleware

    asked: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()

    async def receive() -> dict[str, Any]:
        asked.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "headers": [(b"content-length", b"10000000")]}
    asyncio.run(BodyLimitMiddleware(app, 1_000_000)(scope, receive, send))
    assert sent[0]["status"] == 413 and not asked


def _fail_once_mid_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """durable-rules raises once, after it has started a match (the engine then holds a session
    it cannot trust, and must not answer from it)."""
    start = durable_rules_engine.start_action_for_state
    armed = True

    def failing(*args: Any) -> Any:
        nonlocal armed
        started = start(*args)
        if armed:
            armed = False
            raise RuntimeError("injected durable-rules failure")
        return started

    monkeypatch.setattr(durable_rules_engine, "start_action_for_state", failing)


def test_an_engine_failure_is_a_503_to_retry_then_the_right_answer(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    before = _recommend(client).json()
    _fail_once_mid_match(monkeypatch)
    with caplog.at_level(logging.DEBUG):
        failed = _recommend(client)
    error = _error(failed, 503, "engine_unavailable")
    assert failed.headers["retry-after"] == "1"
    assert error["problems"] == [] and "correlation_id" not in error
    assert "again" in error["message"] and "de nuevo" in error["message_es"]
    assert "54001" not in caplog.text and "deported" not in caplog.text
    answered = _recommend(client)
    assert answered.status_code == 200
    assert answered.json() == before
    expected = ReferenceEvaluator(load_rule_base()).evaluate(PROFILE)
    assert [s["code"] for s in answered.json()["services"]] == [s.code for s in expected.services]


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_an_engine_failure_in_a_batch_is_a_503_for_the_whole_batch(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """No batch is answered with some rows silently empty: the whole batch is sent again."""
    if kind == "json":
        send: dict[str, Any] = {"json": [{"profile": PROFILE}] * 3}
    else:
        sheet = "age,department,municipality,years_abroad,months_since_return,return_kind\n"
        sheet += "34,54,54001,4,0.5,deported\n" * 3
        send = {"content": sheet.encode(), "headers": {"content-type": "text/csv"}}
    before = client.post("/v1/recommendations/batch", **send)
    _fail_once_mid_match(monkeypatch)
    failed = client.post("/v1/recommendations/batch", **send)
    _error(failed, 503, "engine_unavailable")
    assert failed.headers["retry-after"] == "1"
    again = client.post("/v1/recommendations/batch", **send)
    assert again.status_code == 200 and again.content == before.content
