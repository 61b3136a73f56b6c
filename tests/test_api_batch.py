"""POST /v1/recommendations/batch with spreadsheets as offices save them, the limits on one
batch, and answers streamed a part at a time (the service's memory stays bounded)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tracemalloc
from collections.abc import Iterator
from functools import partial
from typing import Any

import durable_rules_engine
import pytest
from fastapi.testclient import TestClient

from api import examples
from api.batch import answer_lines
from api.main import create_app
from api.recommend import batch_json
from api.routers import caseworkers
from api.schemas import RecommendationRequest
from api.settings import Settings
from api.streaming import answer_stream
from api.worker import EvaluationThread
from engine import PRIORITY_LABELS, Priority, ReferenceEvaluator, RuleEngine, load_rule_base
from network import load_network
from tokens import authorise

PROFILE: dict[str, Any] = examples.RECOMMENDATION_REQUEST["profile"]
HEADER = "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter"
PEOPLE = ["34,54,54001,4,0.5,deported,no", "30,11,11001,1,1,voluntary,"]
PROFILES = [
    {"age": 34, "department": "54", "municipality": "54001", "years_abroad": 4,
     "months_since_return": 0.5, "return_kind": "deported", "has_shelter": False},
    {"age": 30, "department": "11", "municipality": "11001", "years_abroad": 1,
     "months_since_return": 1, "return_kind": "voluntary"},
]  # fmt: skip


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        authorise(test_client)
        yield test_client


@pytest.fixture(scope="module")
def capped() -> Iterator[TestClient]:
    """A service allowing 3 people per batch and 3 referral institutions per service."""
    settings = Settings(max_batch_items=3, max_batch_targets=3)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        authorise(test_client)
        yield test_client


def _csv(client: TestClient, sheet: str, **params: str) -> Any:
    return client.post(
        "/v1/recommendations/batch",
        params=params,
        content=sheet.encode("utf-8"),
        headers={"content-type": "text/csv"},
    )


def _expected(lang: str = "es") -> list[dict[str, str]]:
    """Each person's priorities by service code, from the reference evaluator."""
    reference = ReferenceEvaluator(load_rule_base())
    return [
        {
            s.code: PRIORITY_LABELS[Priority(s.priority)][lang]
            for s in reference.evaluate(profile).services
        }
        for profile in PROFILES
    ]


def _problems(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    problems: list[dict[str, str]] = error["problems"]
    for problem in problems:
        assert set(problem) == {"field", "message", "message_es"}
    return problems


# --- spreadsheets as offices save them --------------------------------------------------------


def test_a_spanish_excel_sheet_is_answered_with_its_own_separator(client: TestClient) -> None:
    sheet = (
        "\ufeffCaso;Edad;Departamento;Municipio;Años en el exterior;Meses desde el regreso;"
        "Forma de retorno;Tiene dónde dormir\r\n"
        "A-1;34;54;54001;4;0,5;deported;no\r\nA-2;30;11;11001;1;1;voluntary;\r\n"
    )
    response = _csv(client, sheet)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text), delimiter=";"))
    assert response.text.startswith("Caso;row;rule_base_version;")
    assert [r["Caso"] for r in rows] == ["A-1", "A-2"]
    own = {"Caso", "row", "rule_base_version", "errors"}
    shown = [{k: v for k, v in r.items() if k not in own and v} for r in rows]
    assert shown == _expected()


def test_an_unknown_column_is_refused_naming_it(client: TestClient) -> None:
    (problem,) = _problems(_csv(client, f"{HEADER},nombre\n{PEOPLE[0]},Juana Pérez\n"))
    assert problem["field"] == "body"
    assert "H (nombre)" in problem["message"] and "H (nombre)" in problem["message_es"]
    assert "Juana" not in problem["message"] + problem["message_es"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_answer_can_be_headed_by_service_labels(client: TestClient, lang: str) -> None:
    response = _csv(client, f"{HEADER}\n{PEOPLE[0]}\n", lang=lang, headers="labels")
    header, row = csv.reader(io.StringIO(response.text))
    services = load_rule_base().catalogue.services
    label = {s.code: s.label.es if lang == "es" else s.label.en for s in services}
    assert header[2:-1] == [label[s.code] for s in services]
    assert header[0] == ("fila" if lang == "es" else "row")
    shown = {header[i]: cell for i, cell in enumerate(row) if cell and 1 < i < len(row) - 1}
    assert shown == {label[code]: p for code, p in _expected(lang)[0].items()}


def test_codes_stay_the_default_header(client: TestClient) -> None:
    response = _csv(client, f"{HEADER}\n{PEOPLE[0]}\n", lang="en")
    header = next(csv.reader(io.StringIO(response.text)))
    assert header[:3] == ["row", "rule_base_version", "HEALTH_SUBSIDIZED_ENROLLMENT"]
    assert header[-1] == "errors"


def test_an_unknown_header_style_is_refused(client: TestClient) -> None:
    (problem,) = _problems(_csv(client, f"{HEADER}\n{PEOPLE[0]}\n", headers="names"))
    assert problem["field"] == "query.headers"


# --- limits on one batch ----------------------------------------------------------------------


def test_a_batch_of_more_people_than_allowed_is_refused(capped: TestClient) -> None:
    at_limit = capped.post("/v1/recommendations/batch", json=[{"profile": PROFILE}] * 3)
    assert at_limit.status_code == 200 and len(at_limit.json()) == 3
    (problem,) = _problems(
        capped.post("/v1/recommendations/batch", json=[{"profile": PROFILE}] * 4)
    )
    assert problem["field"] == "body"
    assert "at most 3 people" in problem["message"] and "RUTA_MAX_BATCH_ITEMS" in problem["message"]
    assert "como máximo 3 personas" in problem["message_es"]


def test_a_sheet_of_more_rows_than_allowed_is_refused(capped: TestClient) -> None:
    assert _csv(capped, "\n".join([HEADER, *PEOPLE, PEOPLE[0]])).status_code == 200
    (problem,) = _problems(_csv(capped, "\n".join([HEADER, *PEOPLE, *PEOPLE])))
    assert problem["field"] == "body" and "RUTA_MAX_BATCH_ITEMS" in problem["message_es"]


def test_items_asking_too_many_institutions_are_each_named(capped: TestClient) -> None:
    items = [
        {"profile": PROFILE},  # 3, the default
        {"profile": PROFILE, "targets_per_service": 4},
        {"profile": PROFILE, "targets_per_service": 20},
    ]
    problems = _problems(capped.post("/v1/recommendations/batch", json=items))
    assert [p["field"] for p in problems] == ["[1].targets_per_service", "[2].targets_per_service"]
    assert "RUTA_MAX_BATCH_TARGETS" in problems[0]["message"]
    assert "POST /v1/recommendations" in problems[0]["message_es"]
    alone = capped.post("/v1/recommendations", json={"profile": PROFILE, "targets_per_service": 20})
    assert alone.status_code == 200


def test_the_default_limits() -> None:
    settings = Settings()
    assert (settings.max_batch_items, settings.max_batch_targets) == (5_000, 5)


# --- streamed answers -------------------------------------------------------------------------


def _failing_from(monkeypatch: pytest.MonkeyPatch, call: int, times: int) -> None:
    """durable-rules fails at its ``call``-th match start, and the ``times - 1`` after it."""
    start = durable_rules_engine.start_action_for_state
    seen = 0

    def failing(*args: Any) -> Any:
        nonlocal seen
        seen += 1
        started = start(*args)
        if call <= seen < call + times:
            raise RuntimeError("injected durable-rules failure")
        return started

    monkeypatch.setattr(durable_rules_engine, "start_action_for_state", failing)


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_part_failing_once_after_the_answer_started_is_worked_out_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The answer's status is sent with its first part; a later part whose evaluation failed
    (the engine rebuilt itself, no answer given) is asked once more: the answer is whole."""
    send = _batch_of(120, kind)
    before = client.post("/v1/recommendations/batch", **send)
    _failing_from(monkeypatch, call=70, times=1)  # in the second part of 50
    again = client.post("/v1/recommendations/batch", **send)
    assert again.status_code == 200 and again.content == before.content


def test_a_part_that_keeps_failing_cuts_the_answer_short(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Never an answer that ends as if whole: the JSON array is left open (a real server also
    ends the transfer without its last chunk)."""
    send = _batch_of(120, "json")
    whole = client.post("/v1/recommendations/batch", **send)
    _failing_from(monkeypatch, call=70, times=1_000)
    cut = client.post("/v1/recommendations/batch", **send)
    assert len(cut.content) < len(whole.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)
    assert "cut short" in caplog.text and "54001" not in caplog.text


def test_the_version_answering_is_held_until_the_last_part_is_sent(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A publication while a batch streams must not free the engine still answering it."""
    served = client.app.state.service.rule_bases  # type: ignore[attr-defined]
    held: list[int] = []
    answer = answer_lines

    def watched(*args: Any) -> bytes:
        held.append(served.current.leases)
        return answer(*args)

    monkeypatch.setattr(caseworkers, "answer_lines", watched)
    response = client.post("/v1/recommendations/batch", **_batch_of(120, "csv"))
    assert response.status_code == 200 and len(held) == 3
    assert all(leases >= 1 for leases in held)
    assert served.current.leases == 0


def _batch_of(people: int, kind: str) -> dict[str, Any]:
    if kind == "json":
        return {"json": [{"profile": {**PROFILE, "age": 20 + n % 60}} for n in range(people)]}
    rows = [f"{20 + n % 60},54,54001,4,0.5,deported,no" for n in range(people)]
    sheet = "\n".join([HEADER, *rows]) + "\n"
    return {"content": sheet.encode(), "headers": {"content-type": "text/csv"}}


def test_a_large_batch_answer_is_held_a_part_at_a_time() -> None:
    """The largest memory the service holds while answering (tracemalloc's peak, every thread)
    stays the same for 100 or 600 people with 20 institutions each: it is a few parts of 50,
    not the answer, whose size grows with the batch (6 times over)."""
    engine, network = RuleEngine(load_rule_base()), load_network()
    evaluation = EvaluationThread()
    items = [
        RecommendationRequest(profile={**PROFILE, "age": 20 + n % 60}, targets_per_service=20)
        for n in range(600)
    ]

    async def answer(people: list[RecommendationRequest]) -> int:
        parts = (
            partial(batch_json, engine, network, people[start : start + 50])
            for start in range(0, len(people), 50)
        )
        chunks = await answer_stream(evaluation, parts, opening=b"[", separator=b",", closing=b"]")
        return sum([len(chunk) async for chunk in chunks])

    try:
        asyncio.run(answer(items[:50]))  # the institutions chosen once, kept for every answer
        tracemalloc.start()
        small = asyncio.run(answer(items[:100]))
        small_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        large = asyncio.run(answer(items))
        large_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        evaluation.close()
        engine.close()
    assert large > 5.5 * small
    assert large_peak < 1.25 * small_peak
    assert large_peak < large / 3
