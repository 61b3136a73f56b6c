"""``GET /v1/audit-trail/verification``: auditors check the trail's hash chain over the API, as
``ruta audit verify-trail`` does, without changing anything; an event altered in the database
behind the service's back is reported by its number, in both languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.main import create_app
from api.policy_examples import TRAIL_VERIFICATION
from api.policy_schemas import TrailVerificationOut
from api.settings import Settings
from store import Store
from texts import both
from tokens import bearer, token_for

PATH = "/v1/audit-trail/verification"
Headers = dict[str, str]


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=store_url))) as test_client:
        yield test_client


def _store(client: TestClient) -> Store:
    store: Store = client.app.state.service.store  # type: ignore[attr-defined]
    return store


def _auditor(client: TestClient) -> Headers:
    return bearer(token_for(_store(client), "auditor"))


def _trail(client: TestClient, auditor: Headers) -> list[dict[str, object]]:
    events: list[dict[str, object]] = client.get(
        "/v1/audit-trail", params={"limit": 1000}, headers=auditor
    ).json()["events"]
    return events


def test_a_whole_trail_is_reported_whole_with_its_head(client: TestClient) -> None:
    auditor = _auditor(client)
    events = _trail(client, auditor)
    answer = client.get(PATH, headers=auditor)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "ok": True,
        "events": len(events),
        "broken_at": None,
        "message": "",
        "message_es": "",
        "head": events[-1]["hash"],
    }


def test_an_event_altered_in_the_database_is_reported_by_its_number(client: TestClient) -> None:
    for _ in range(3):
        token_for(_store(client), "caseworker")
    auditor = _auditor(client)
    events = _trail(client, auditor)
    assert len(events) >= 4
    with _store(client).db.write() as session:
        session.execute(text("UPDATE audit_trail SET subject = 'mallory' WHERE seq = 3"))
    answer = client.get(PATH, headers=auditor)
    assert answer.status_code == 200, answer.text
    verdict = answer.json()
    assert (verdict["ok"], verdict["events"], verdict["broken_at"]) == (False, 2, 3)
    assert (verdict["message"], verdict["message_es"]) == both("store.trail_altered", seq=3)
    assert verdict["head"] == events[1]["hash"]  # the last event still whole: the second
    # Asking changes nothing: the same answer again, the trail as it was.
    assert client.get(PATH, headers=auditor).json() == verdict
    assert len(_trail(client, auditor)) == len(events)


def test_a_removed_event_is_reported_where_the_chain_breaks(client: TestClient) -> None:
    for _ in range(2):
        token_for(_store(client), "caseworker")
    auditor = _auditor(client)
    with _store(client).db.write() as session:
        session.execute(text("DELETE FROM audit_trail WHERE seq = 2"))
    verdict = client.get(PATH, headers=auditor).json()
    assert (verdict["ok"], verdict["events"], verdict["broken_at"]) == (False, 1, 2)
    assert (verdict["message"], verdict["message_es"]) == both("store.trail_gap", seq=2, next=3)


@pytest.mark.parametrize(("role", "status"), [("caseworker", 403), ("policy_author", 403)])
def test_only_those_who_read_the_trail_may_check_it(
    client: TestClient, role: str, status: int
) -> None:
    answer = client.get(PATH, headers=bearer(token_for(_store(client), role)))
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == "forbidden"
    assert client.get(PATH).status_code == 401
    admin = client.get(PATH, headers=bearer(token_for(_store(client), "admin")))
    assert admin.status_code == 200 and admin.json()["ok"] is True


def test_the_example_fits_the_answer_and_is_in_the_openapi(client: TestClient) -> None:
    TrailVerificationOut.model_validate(TRAIL_VERIFICATION)
    assert TRAIL_VERIFICATION["message_es"] == both("store.trail_altered", seq=43)[1]
    assert TRAIL_VERIFICATION["message"] == both("store.trail_altered", seq=43)[0]
    operation = client.get("/openapi.json").json()["paths"][PATH]["get"]
    assert set(operation) >= {"responses", "description"}
    schema = client.get("/openapi.json").json()["components"]["schemas"]["TrailVerificationOut"]
    assert schema["examples"] == [TRAIL_VERIFICATION]
