"""Policy staff change the rules through the API: the issue's worked example end to end —
P01's threshold from 3 to 4 years, simulated, approved by another person, published, seen in
the next answer, rolled back — with every step in the trail; and the roles that may do each."""

from __future__ import annotations

import copy
import io
import logging
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from p01 import PERSON, p01_at
from tokens import bearer, token_for


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=store_url, simulation_workers=1, poll_seconds=0.2)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def people(client: TestClient) -> dict[str, dict[str, str]]:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    return {
        role: bearer(token_for(store, role, name))
        for role, name in (
            ("caseworker", "carla"),
            ("policy_author", "ana"),
            ("policy_approver", "marta"),
            ("auditor", "aurelio"),
        )
    }


def _services(client: TestClient, who: dict[str, str]) -> tuple[str, list[str]]:
    answer = client.post("/v1/recommendations", json={"profile": PERSON}, headers=who)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["rule_base"]["hash"], [s["code"] for s in body["services"]]


def _wait(client: TestClient, simulation: str, who: dict[str, str]) -> dict[str, Any]:
    for _ in range(240):
        body: dict[str, Any] = client.get(f"/v1/simulations/{simulation}", headers=who).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.25)
    raise AssertionError("the simulation did not finish in 60 s")


def test_p01_from_3_to_4_years_end_to_end(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    author, approver = people["policy_author"], people["policy_approver"]
    caseworker, auditor = people["caseworker"], people["auditor"]
    original, services = _services(client, caseworker)
    assert "LEGAL_RUR_REGISTRATION" in services

    created = client.post(
        "/v1/rule-bases/drafts",
        json={"from": "published", "message": "P01: four years abroad"},
        headers=author,
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    draft = created.json()["id"]
    rule = client.get(f"/v1/rule-bases/drafts/{draft}/rules/P01", headers=author)
    edited = client.put(
        f"/v1/rule-bases/drafts/{draft}/rules/P01",
        json=p01_at(rule.json(), 4),
        headers={**author, "If-Match": rule.headers["ETag"]},
    )
    assert edited.status_code == 200 and edited.json()["revision"] == 2

    diff = client.get(f"/v1/rule-bases/drafts/{draft}/diff", headers=author).json()
    [changed] = diff["rules"]["changed"]
    assert changed["id"] == "P01"
    assert [(c["old"], c["new"]) for c in changed["changes"]] == [(3, 4)]

    people_sent = [PERSON, {**PERSON, "years_abroad": 5}, {**PERSON, "department": "11"}]
    asked = client.post(
        f"/v1/rule-bases/drafts/{draft}/simulations",
        json={"profiles": people_sent, "as_of": "2026-11-27"},
        headers=author,
    )
    assert asked.status_code == 202
    done = _wait(client, asked.json()["id"], author)
    assert done["status"] == "done", done["error"]
    result = done["result"]
    assert (result["profiles"], result["changed"]) == (3, 1)
    [rur] = result["services"]
    assert (rur["code"], rur["lost"], rur["gained"]) == ("LEGAL_RUR_REGISTRATION", 1, 0)
    assert rur["by_department"]["54"]["lost"] == 1
    assert result["broken_cases"], "P01's boundary cases break at 4 years"

    assert client.post(f"/v1/rule-bases/drafts/{draft}/submit", headers=author).status_code == 200
    selfish = client.post(f"/v1/rule-bases/drafts/{draft}/approve", headers=author)
    assert selfish.status_code == 403
    approved = client.post(f"/v1/rule-bases/drafts/{draft}/approve", headers=approver)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    refused = client.post(f"/v1/rule-bases/drafts/{draft}/publish", headers=approver)
    assert refused.status_code == 409 and "protocol case" in refused.json()["error"]["message"]
    published = client.post(
        f"/v1/rule-bases/drafts/{draft}/publish",
        json={"override_reason": "Decreto de 2026: cuatro años en el exterior"},
        headers=approver,
    )
    assert published.status_code == 200
    new_hash = published.json()["hash"]
    answered, services = _services(client, caseworker)
    assert answered == new_hash and "LEGAL_RUR_REGISTRATION" not in services

    rollback = client.post(
        f"/v1/rule-bases/{original}/publish", json={"reason": "premature"}, headers=approver
    )
    assert rollback.status_code == 200 and rollback.json()["kind"] == "rollback"
    answered, services = _services(client, caseworker)
    assert answered == original and "LEGAL_RUR_REGISTRATION" in services

    trail = client.get("/v1/audit-trail", headers=auditor).json()["events"]
    steps = [(e["actor"], e["action"]) for e in trail if e["actor"] in ("ana", "marta")]
    assert steps == [
        ("ana", "draft_created"),
        ("ana", "rule_changed"),
        ("ana", "draft_submitted"),
        ("marta", "draft_approved"),
        ("marta", "published"),
        ("marta", "rolled_back"),
    ]
    published_event = next(e for e in trail if e["action"] == "published")
    assert published_event["reason"].startswith("Decreto")
    assert published_event["detail"]["failing_cases"]
    assert "P01" in published_event["rule_ids"]
    by_rule = client.get("/v1/audit-trail", params={"rule": "P01"}, headers=auditor).json()
    assert {e["action"] for e in by_rule["events"]} >= {"rule_changed", "published"}


def test_a_refused_edit_answers_every_problem_and_stores_nothing(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    author = people["policy_author"]
    draft = client.post(
        "/v1/rule-bases/drafts", json={"from": "published", "message": "typo"}, headers=author
    ).json()["id"]
    rule = client.get(f"/v1/rule-bases/drafts/{draft}/rules/P01", headers=author)
    broken = copy.deepcopy(rule.json())
    broken["when"]["all"][0]["field"] = "agee"
    broken["recommend"][0]["priority"] = "very high"
    answer = client.put(
        f"/v1/rule-bases/drafts/{draft}/rules/P01",
        json=broken,
        headers={**author, "If-Match": rule.headers["ETag"]},
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_rule_base"
    assert len(error["problems"]) == 2
    for problem in error["problems"]:
        assert problem["rule"] == "P01" and problem["file"] == "ley-retorno.yaml"
        assert problem["field"] and problem["message"] and problem["message_es"]
        assert problem["message_es"] != problem["message"]  # in Spanish, not a copy
    again = client.get(f"/v1/rule-bases/drafts/{draft}/rules/P01", headers=author)
    assert again.json() == rule.json() and again.headers["ETag"] == rule.headers["ETag"]


def test_two_editors_of_one_draft_never_overwrite_each_other(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    author = people["policy_author"]
    draft = client.post(
        "/v1/rule-bases/drafts", json={"from": "published", "message": "x"}, headers=author
    ).json()["id"]
    rule = client.get(f"/v1/rule-bases/drafts/{draft}/rules/P01", headers=author)
    etag = rule.headers["ETag"]
    first = client.put(
        f"/v1/rule-bases/drafts/{draft}/rules/P01",
        json=p01_at(rule.json(), 4),
        headers={**author, "If-Match": etag},
    )
    second = client.put(
        f"/v1/rule-bases/drafts/{draft}/rules/P01",
        json=p01_at(rule.json(), 5),
        headers={**author, "If-Match": etag},
    )
    assert first.status_code == 200 and second.status_code == 412
    blind = client.put(
        f"/v1/rule-bases/drafts/{draft}/rules/P01", json=p01_at(rule.json(), 6), headers=author
    )
    assert blind.status_code == 428
    kept = client.get(f"/v1/rule-bases/drafts/{draft}/rules/P01", headers=author).json()
    assert kept == p01_at(rule.json(), 4)


def test_versions_list_one_and_export_their_files(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    listing = client.get("/v1/rule-bases", headers=auditor).json()
    [version] = listing["versions"]
    assert version["published"] and listing["published"] == version["hash"]
    detail = client.get(f"/v1/rule-bases/{version['hash']}", headers=auditor).json()
    assert detail["manifest"]["version"] == "2026.11"
    assert "ley-retorno.yaml" in detail["files"]
    exported = client.get(f"/v1/rule-bases/{version['hash'][:12]}/export", headers=auditor)
    assert exported.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert {"base.yaml", "catalogue.yaml", "ley-retorno.yaml"} <= set(names)
    missing = client.get(f"/v1/rule-bases/{'0' * 64}", headers=auditor)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


# Who may do what: the roles, as an independent table (not read from access.yaml).
ALLOWED = {
    ("POST", "/v1/recommendations"): {"caseworker", "policy_author", "policy_approver", "auditor"},
    ("GET", "/v1/rule-bases"): {"policy_author", "policy_approver", "auditor"},
    ("POST", "/v1/rule-bases/drafts"): {"policy_author"},
    ("GET", "/v1/audit-trail"): {"auditor"},
}


@pytest.mark.parametrize(("method", "path"), sorted(ALLOWED))
def test_each_role_may_do_only_what_it_is_for(
    client: TestClient, people: dict[str, dict[str, str]], method: str, path: str
) -> None:
    bodies = {
        "/v1/recommendations": {"profile": PERSON},
        "/v1/rule-bases/drafts": {"from": "published", "message": "x"},
    }
    for role, headers in people.items():
        answer = client.request(method, path, json=bodies.get(path), headers=headers)
        allowed = role in ALLOWED[(method, path)]
        assert (answer.status_code < 400) == allowed, (role, answer.status_code, answer.text)
        if not allowed:
            assert answer.status_code == 403
            assert answer.json()["error"]["code"] == "forbidden"
            assert answer.json()["error"]["message_es"]


def test_no_token_or_a_bad_one_is_401_and_health_stays_open(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer ruta_nonsense"}, {"Authorization": "Basic x"}):
        answer = client.get("/v1/services", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json()["error"]["code"] == "unauthenticated"
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_a_token_never_reaches_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    token = token_for(store, "policy_author")
    with caplog.at_level(logging.DEBUG):
        client.get("/v1/rule-bases", headers=bearer(token))
        client.get("/v1/rule-bases", headers=bearer(token + "x"))
        client.post(
            "/v1/rule-bases/drafts",
            json={"from": "published", "message": "m"},
            headers=bearer(token),
        )
    assert caplog.records, "the requests were logged"
    assert token[8:] not in caplog.text
