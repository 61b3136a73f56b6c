"""Auditors audit a rule-base version through the API: POST /v1/audits answers at once with a
job, GET /v1/audits/{id} gives its stage and then the report as JSON, and …/report.html the
one-page report; suites and requirements are read before anything is recorded, and only
auditors (and administrators) may ask."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from sqlalchemy import update

from api.main import create_app
from api.settings import Settings
from audit import audit_report, load_suite, suite_from_files
from engine import default_cases_dir, load_rule_base
from network import load_network
from store import Store
from store.models import AuditRow, utc_now
from tokens import bearer, token_for

#: A two-case suite an auditor writes: one case P20 applies to, one it does not.
SUITE = """\
- name: P20 applies with one school-age child out of school
  as_of: 2026-11-27
  profile: {age: 35, department: "11", municipality: "11001", years_abroad: 1,
            months_since_return: 24, return_kind: voluntary, school_age_children: 1,
            employment: employed, health_coverage: contributory}
  services:
    EDU_SCHOOL_ENROLLMENT: high

- name: P20 does not apply without children
  as_of: 2026-11-27
  profile: {age: 35, department: "11", municipality: "11001", years_abroad: 1,
            months_since_return: 24, return_kind: voluntary,
            employment: employed, health_coverage: contributory}
  services: {}
"""

#: The same first case, expecting a priority the protocols do not give.
WRONG = SUITE.replace("EDU_SCHOOL_ENROLLMENT: high", "EDU_SCHOOL_ENROLLMENT: urgent", 1)


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=store_url, simulation_workers=1, poll_seconds=0.2)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def people(client: TestClient) -> dict[str, dict[str, str]]:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    return {
        role: bearer(token_for(store, role))
        for role in ("caseworker", "policy_author", "policy_approver", "auditor", "admin")
    }


def _wait(client: TestClient, audit: str, who: dict[str, str]) -> dict[str, Any]:
    stages: list[str | None] = []
    for _ in range(600):
        body: dict[str, Any] = client.get(f"/v1/audits/{audit}", headers=who).json()
        stages.append(body["progress"]["stage"])
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"the audit did not finish in 120 s (stages seen: {set(stages)})")


def _ask(client: TestClient, who: dict[str, str], **asked: Any) -> dict[str, Any]:
    answer = client.post("/v1/audits", json=asked, headers=who)
    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"] == f"/v1/audits/{answer.json()['id']}"
    return _wait(client, answer.json()["id"], who)


def test_an_audit_of_sent_files_gives_the_report_the_audit_package_gives(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    done = _ask(client, auditor, files={"school.yaml": SUITE}, rules=["P20"])
    assert done["status"] == "done", done["error"]
    published = client.get("/v1/rule-bases", headers=auditor).json()["published"]
    assert done["rule_base"] == published
    assert done["suite"] == {"source": "files", "files": ["school.yaml"], "cases": 2}
    assert done["progress"] == {"stage": None, "done": 5, "total": 5}
    assert done["report_html"] == f"/v1/audits/{done['id']}/report.html"
    # The same audit run by hand with the audit package, outside the service.
    expected = audit_report(
        suite_from_files({"school.yaml": SUITE}),
        load_rule_base(),
        load_network(),
        workers=1,
        rules=["P20"],
    ).as_json()
    result = done["result"]
    assert set(result) == {"suite", "coverage", "mutation", "verification", "network"}
    assert result["suite"] == expected["suite"]
    assert result["coverage"] == expected["coverage"]
    assert result["network"] == expected["network"]
    mutation, by_hand = result["mutation"], expected["mutation"]
    assert (mutation["score"], mutation["mutants"], mutation["killed"]) == (
        by_hand["score"],
        by_hand["mutants"],
        by_hand["killed"],
    )
    assert mutation["mutants"] > 0 and {s["rule"] for s in mutation["survivors"]} <= {"P20"}
    assert [d["rule"] for d in result["verification"]["dead"]] == []


def test_the_report_page_is_one_offline_file_opening_in_the_language_asked(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    done = _ask(client, auditor, files={"school.yaml": SUITE}, rules=["P20"])
    spanish = client.get(done["report_html"], headers=auditor)
    assert spanish.status_code == 200
    assert spanish.headers["content-type"].startswith("text/html")
    assert spanish.text.startswith('<!DOCTYPE html><html lang="es">')
    assert '<body class="es">' in spanish.text
    english = client.get(done["report_html"], params={"lang": "en"}, headers=auditor)
    assert english.text.startswith('<!DOCTYPE html><html lang="en">')
    assert '<body class="en">' in english.text and '<body class="es">' not in english.text
    # Self-contained: nothing fetched from anywhere else.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", spanish.text)
    assert "<link" not in spanish.text
    for heading in ("Cobertura por regla", "Coverage per rule", "Alcance de la red"):
        assert heading in spanish.text
    assert "P20" in spanish.text


def test_the_shipped_cases_audit_the_published_version(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    done = _ask(client, people["admin"], cases=True, rules=["P01"])
    assert done["status"] == "done", done["error"]
    shipped = sorted(p.name for p in default_cases_dir().glob("*.yaml"))
    counted = sum(
        len(YAML(typ="safe").load(path.read_text(encoding="utf-8")))
        for path in default_cases_dir().glob("*.yaml")
    )
    assert done["suite"] == {"source": "cases", "files": shipped, "cases": counted}
    result = done["result"]
    assert result["suite"]["failed"] == 0 and result["suite"]["cases"] == counted
    assert result["mutation"]["score"] == 1.0
    # The shipped requirements are used: the one the protocols miss is refuted.
    refuted = [r["requirement"] for r in result["verification"]["requirements"] if not r["holds"]]
    assert refuted == ["DEPORTED_ADULT_LEGAL"]


def test_a_failing_suite_shows_expected_against_got_and_no_mutation_score(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    done = _ask(client, people["auditor"], files={"school.yaml": WRONG}, rules=["P20"])
    assert done["status"] == "done", done["error"]
    suite = done["result"]["suite"]
    assert (suite["cases"], suite["failed"]) == (2, 1)
    (failure,) = suite["failures"]
    assert failure["file"] == "school.yaml" and failure["line"] == 1
    assert any("EDU_SCHOOL_ENROLLMENT" in d and "urgent" in d for d in failure["differences"])
    assert done["result"]["mutation"] is None


def test_a_broken_suite_file_is_refused_at_once_naming_file_and_line(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    broken = SUITE.replace("  services: {}", "  services: {}\n  surprise: 1")
    answer = client.post(
        "/v1/audits", json={"files": {"a.yaml": SUITE, "b.yaml": broken}}, headers=auditor
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_audit_input"
    assert error["problems"][0]["field"] == "files"
    assert "b.yaml" in error["message"] and "b.yaml" in error["message_es"]
    assert "b.yaml:9: case 2: surprise" in error["message"]  # the second case, at its line
    assert error["message"].startswith("the suite was refused")
    assert error["message_es"].startswith("la batería fue rechazada")
    # A control character YAML does not allow is named by file and line, not a server error.
    garbled = SUITE.replace("  services: {}", "  services: {}\n  # \u0011", 1)
    answer = client.post("/v1/audits", json={"files": {"c.yaml": garbled}}, headers=auditor)
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (422, "invalid_audit_input")
    assert "c.yaml:15:" in error["message"] and "control character" in error["message"]
    assert "carácter de control" in error["message_es"]
    # Aliases, which would unfold into gigabytes once read, are refused at their line.
    aliased = SUITE.replace("profile: {", "profile: &p {", 1)
    aliased += "\n- name: again\n  as_of: 2026-11-27\n  profile: *p\n  services: {}\n"
    answer = client.post("/v1/audits", json={"files": {"d.yaml": aliased}}, headers=auditor)
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (422, "invalid_audit_input")
    line = aliased.split("\n").index("  profile: *p") + 1
    assert f"d.yaml:{line}: YAML: an alias" in error["message"]
    assert "un alias" in error["message_es"]
    # Nothing was recorded.
    assert client.get("/v1/audits", headers=auditor).json() == {"audits": []}


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({}, "body"),
        ({"cases": True, "files": {"a.yaml": SUITE}}, "body"),
        ({"files": {"a.yaml": "[]"}}, "files"),
        ({"files": {"a.yaml": SUITE.replace("age: 35", "age: 350", 1)}}, "files"),
        ({"files": {"a.yaml": SUITE}, "rules": ["P99"]}, "rules"),
        ({"files": {"a.yaml": SUITE}, "requirements": "requirements: [{id: X}]"}, "requirements"),
    ],
)
def test_an_audit_that_cannot_be_run_is_refused_naming_its_field(
    client: TestClient, people: dict[str, dict[str, str]], asked: dict[str, Any], field: str
) -> None:
    answer = client.post("/v1/audits", json=asked, headers=people["auditor"])
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_audit_input"
    assert error["problems"][0]["field"] == field
    assert error["message"] and error["message_es"] and error["message"] != error["message_es"]


def test_a_case_whose_profile_breaks_the_vocabulary_is_named_without_its_value(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    odd = SUITE.replace("age: 35", "age: 4321", 1)
    answer = client.post("/v1/audits", json={"files": {"a.yaml": odd}}, headers=people["auditor"])
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (
        "a.yaml:1: case 'P20 applies with one school-age child out of school'" in (error["message"])
    )
    assert "profile.age" in error["message"] and "profile.age" in error["message_es"]
    assert "4321" not in answer.text


@pytest.mark.parametrize("name", ["../x.yaml", "x.txt", "a/b.yaml", ".yaml"])
def test_a_suite_file_name_must_be_a_plain_yaml_name(
    client: TestClient, people: dict[str, dict[str, str]], name: str
) -> None:
    answer = client.post("/v1/audits", json={"files": {name: SUITE}}, headers=people["auditor"])
    assert answer.status_code == 422
    assert answer.json()["error"]["problems"][0]["field"].startswith("files")


def test_requirements_sent_with_the_audit_are_proved_or_refuted(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    requirements = """\
requirements:
  - id: EVERYONE_SCHOOL
    title: {es: Todos reciben cupo escolar, en: Everyone gets a school place}
    expect: {service: EDU_SCHOOL_ENROLLMENT}
"""
    done = _ask(
        client,
        people["auditor"],
        files={"school.yaml": SUITE},
        rules=["P20"],
        requirements=requirements,
    )
    (requirement,) = done["result"]["verification"]["requirements"]
    assert requirement["requirement"] == "EVERYONE_SCHOOL" and requirement["holds"] is False


def test_a_named_version_is_audited_and_an_unknown_one_is_404(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    published = client.get("/v1/rule-bases", headers=auditor).json()["published"]
    done = _ask(client, auditor, rule_base=published[:9], files={"s.yaml": SUITE}, rules=["P20"])
    assert done["rule_base"] == published
    missing = client.post(
        "/v1/audits", json={"rule_base": "0" * 12, "files": {"s.yaml": SUITE}}, headers=auditor
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", ["caseworker", "policy_author", "policy_approver"])
def test_only_auditors_and_administrators_may_ask_for_or_read_audits(
    client: TestClient, people: dict[str, dict[str, str]], role: str
) -> None:
    who = people[role]
    refused = client.post("/v1/audits", json={"files": {"s.yaml": SUITE}}, headers=who)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert client.get("/v1/audits", headers=who).status_code == 403
    assert client.get("/v1/audits/abc", headers=who).status_code == 403
    assert client.post("/v1/audits", json={"cases": True}).status_code == 401


def test_the_report_is_409_until_the_audit_is_done_and_unknown_audits_are_404(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    store = client.app.state.service.store  # type: ignore[attr-defined]
    queued = store.audits.create(
        rule_base_hash="0" * 64, suite="files", suite_files=[], cases=1, stages=5, actor="x"
    )
    page = client.get(f"/v1/audits/{queued.id}/report.html", headers=auditor)
    assert page.status_code == 409
    assert page.json()["error"]["code"] == "audit_not_ready"
    store.audits.fail(queued.id, "broke", "se rompió")
    failed = client.get(f"/v1/audits/{queued.id}/report.html", headers=auditor)
    assert failed.status_code == 409 and "failed" in failed.json()["error"]["message"]
    assert client.get("/v1/audits/nope", headers=auditor).status_code == 404
    assert client.get("/v1/audits/nope/report.html", headers=auditor).status_code == 404


def test_the_list_names_the_latest_audits_newest_first(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    auditor = people["auditor"]
    first = _ask(client, auditor, files={"a.yaml": SUITE}, rules=["P20"])
    second = _ask(client, auditor, files={"b.yaml": SUITE}, rules=["P20"])
    listed = client.get("/v1/audits", headers=auditor).json()["audits"]
    assert [a["id"] for a in listed] == [second["id"], first["id"]]
    assert all(a["result"] is None and a["status"] == "done" for a in listed)


def test_an_audit_held_by_a_live_process_is_never_reported_interrupted(
    client: TestClient,
) -> None:
    state = client.app.state.service  # type: ignore[attr-defined]
    audits = state.store.audits
    held = audits.create(
        rule_base_hash="0" * 64, suite="files", suite_files=[], cases=1, stages=5, actor="x"
    )
    orphan = audits.create(
        rule_base_hash="0" * 64, suite="files", suite_files=[], cases=1, stages=5, actor="x"
    )
    long_ago = utc_now() - timedelta(minutes=5)
    with state.store.db.write() as session:
        session.execute(update(AuditRow).values(updated_at=long_ago))
    state.held.hold("audit", held.id)
    state.keep_alive()
    assert audits.get(held.id).status == "queued"
    interrupted = audits.get(orphan.id)
    assert interrupted.status == "failed"
    assert interrupted.error is not None and "stopped" in interrupted.error["message"]


def test_the_shipped_suite_loads_the_same_from_files_as_from_its_folder() -> None:
    folder = default_cases_dir()
    sent = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}
    from_files = [(c.case, c.file, c.line) for c in suite_from_files(sent)]
    from_folder = [(c.case, c.file, c.line) for c in load_suite([Path(folder)])]
    assert from_files == from_folder


def test_stopping_lets_a_running_audit_finish_and_records_queued_ones_as_interrupted(
    store_url: str,
) -> None:
    """A service stopping (a deployment, a restart) gives the audit it is running time to
    finish and record its report; one queued behind it will not run, and says so at once
    rather than after a minute of silence."""
    settings = Settings(database_url=store_url, simulation_workers=1, poll_seconds=0.2)
    with TestClient(create_app(settings)) as client:
        store = client.app.state.service.store  # type: ignore[attr-defined]
        auditor = bearer(token_for(store, "auditor"))
        asked = [
            client.post("/v1/audits", json={"cases": True}, headers=auditor).json()["id"]
            for _ in range(2)
        ]
        for _ in range(300):  # until the first has started
            if client.get(f"/v1/audits/{asked[0]}", headers=auditor).json()["status"] == "running":
                break
            time.sleep(0.05)
    reopened = Store(store_url)
    try:
        first, second = (reopened.audits.get(audit_id) for audit_id in asked)
        assert first.to_json()["status"] == "done"
        assert second.to_json()["status"] == "failed"
        assert second.to_json()["error"] == {
            "message": "the service stopped before the audit finished; ask for it again",
            "message_es": second.to_json()["error"]["message_es"],
        }
    finally:
        reopened.close()
