"""Cases and closed-loop referrals through the API, on SQLite and PostgreSQL: issue 10's "done
when" as examples. A caseworker opens a case, gets a roadmap kept as a receipt, refers the
person with their consent, records acceptance and attendance and closes the referral; reports
and the access log show it; the person's data is exported whole and their identity erased, from
the API and from every table of the database. Other offices see nothing, auditors see the log
and the reports but no case, and every refusal names what is wrong and changes nothing. No
name, document number or phone ever reaches a log.

The expectations come from the issue's text and ``store/referrals.yaml`` (see
``referral_oracle``), not from the code under test.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from api.main import create_app
from api.settings import Settings
from p01 import PERSON, approved_p01
from referral_oracle import lifecycle
from store import Store
from store.models import ReferralEventRow
from tokens import bearer

KEY = Fernet.generate_key().decode()
NAME = "Yolanda Quintero Zapata"
DOCUMENT = "CC 1.098.765.432"
PHONE = "3157654321"
IDENTITY = {"name": NAME, "document_number": DOCUMENT, "phone": PHONE}
SECRETS = (NAME, DOCUMENT, PHONE)
AS_OF = "2026-12-01"
POLICY = lifecycle()

Headers = dict[str, str]


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    settings = Settings(
        database_url=store_url, data_key=KEY, simulation_workers=1, poll_seconds=0.2
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.service.store  # type: ignore[attr-defined]
    return store


@pytest.fixture
def people(client: TestClient) -> dict[str, Headers]:
    """carla and camilo work at the Cúcuta office, beto at Bogotá's; aurelio audits."""
    store = store_of(client)
    return {
        "carla": bearer(store.add_user("carla", "caseworker", by="t", office="oam-cucuta")),
        "camilo": bearer(store.add_user("camilo", "caseworker", by="t", office="oam-cucuta")),
        "beto": bearer(store.add_user("beto", "caseworker", by="t", office="oam-bogota")),
        "aurelio": bearer(store.add_user("aurelio", "auditor", by="t")),
        "ana": bearer(store.add_user("ana", "policy_author", by="t")),
        "root": bearer(store.add_user("root", "admin", by="t")),
    }


# -- helpers ----------------------------------------------------------------------------------


def open_case(client: TestClient, who: Headers, profile: dict[str, Any] | None = None) -> str:
    answer = client.post(
        "/v1/cases", json={"profile": profile or PERSON, "person": IDENTITY}, headers=who
    )
    assert answer.status_code == 201, answer.text
    case_id = str(answer.json()["id"])
    assert answer.headers["ETag"] == f'"{case_id}.1"'
    assert answer.headers["Location"] == f"/v1/cases/{case_id}"
    return case_id


def recommend(client: TestClient, who: Headers, case_id: str) -> dict[str, Any]:
    answer = client.post(f"/v1/cases/{case_id}/recommendations", json={"as_of": AS_OF}, headers=who)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert answer.headers["Location"] == f"/v1/cases/{case_id}/receipts/{body['receipt']}"
    return body


def first_target(roadmap: dict[str, Any], skip: int = 0) -> tuple[str, str]:
    """The ``skip``-th recommended service that has a target, and that target."""
    offered = [(s["code"], s["targets"][0]["institution_id"]) for s in roadmap["services"]]
    return offered[skip]


def consent(
    client: TestClient, who: Headers, case_id: str, institution: str, given: bool = True
) -> None:
    answer = client.post(
        f"/v1/cases/{case_id}/consents",
        json={"institution_id": institution, "given": given},
        headers=who,
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["institution_id"], answer.json()["given"]) == (institution, given)


def refer(
    client: TestClient, who: Headers, case_id: str, service: str, institution: str
) -> tuple[str, str]:
    answer = client.post(
        f"/v1/cases/{case_id}/referrals",
        json={"service": service, "institution_id": institution},
        headers=who,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == POLICY.start and body["revision"] == 1
    assert body["allowed"] == list(POLICY.allowed(POLICY.start))
    assert answer.headers["ETag"] == f'"{body["id"]}.1"'
    return str(body["id"]), answer.headers["ETag"]


def move(
    client: TestClient,
    who: Headers,
    referral: str,
    etag: str | None,
    to: str,
    reason: str | None = None,
) -> Any:
    headers = {**who, **({"If-Match": etag} if etag is not None else {})}
    body = {"to": to, **({"reason": reason} if reason is not None else {})}
    return client.post(f"/v1/referrals/{referral}/transitions", json=body, headers=headers)


def moved(
    client: TestClient, who: Headers, referral: str, etag: str, to: str, reason: str | None = None
) -> str:
    """Move the referral, which must succeed; its new ETag."""
    answer = move(client, who, referral, etag, to, reason)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == to
    assert answer.json()["allowed"] == list(POLICY.allowed(to))
    assert answer.headers["ETag"] != etag
    return str(answer.headers["ETag"])


def referral(client: TestClient, who: Headers, referral_id: str) -> tuple[dict[str, Any], str]:
    answer = client.get(f"/v1/referrals/{referral_id}", headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json(), answer.headers["ETag"]


def error_of(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["code"] == code, error
    assert error["message"] and error["message_es"]
    return error


def actions(client: TestClient, auditor: Headers, case_id: str) -> list[tuple[str, str]]:
    answer = client.get("/v1/access-log", params={"case": case_id, "limit": 1000}, headers=auditor)
    assert answer.status_code == 200, answer.text
    return [(e["actor"], e["action"]) for e in answer.json()["entries"]]


def shift(store: Store, referral_id: str, to_status: str, days: float) -> None:
    """Pretend the step of ``referral_id`` to ``to_status`` happened ``days`` days earlier."""
    with store.db.write() as session:
        step = session.scalars(
            select(ReferralEventRow).where(
                ReferralEventRow.referral_id == referral_id,
                ReferralEventRow.to_status == to_status,
            )
        ).one()
        step.at -= timedelta(days=days)


def database_text(url: str) -> str:
    """Every value of every row of every table of the database, as text."""
    engine = create_engine(make_url(url).set(drivername=_driver(url)))
    try:
        parts: list[str] = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    parts.extend(str(value) for value in row)
        return "\n".join(parts)
    finally:
        engine.dispose()


def _driver(url: str) -> str:
    driver = make_url(url).drivername
    return "postgresql+psycopg" if driver.startswith("postgres") else driver


def sqlite_files(url: str) -> list[Path]:
    """The SQLite database and its WAL, as files (empty for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return []
    main = Path(parsed.database)
    return [p for p in (main, main.with_name(main.name + "-wal")) if p.exists()]


def assert_nowhere_in(url: str, secrets: tuple[str, ...]) -> None:
    """No table of the database holds any of ``secrets``; nor, for SQLite, do the bytes of its
    files (the plain texts, which were never written: the sealed identity of an erased person
    may linger in free pages until they are reused)."""
    everything = database_text(url)
    for secret in secrets:
        assert secret not in everything
    for path in sqlite_files(url):
        raw = path.read_bytes()
        assert not any(secret.encode() in raw for secret in SECRETS), path.name


def sealed_identity(url: str, case_id: str) -> str | None:
    engine = create_engine(make_url(url).set(drivername=_driver(url)))
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT identity FROM cases WHERE id = :id"), {"id": case_id}
            ).scalar_one()
        return None if found is None else str(found)
    finally:
        engine.dispose()


# -- the closed loop ---------------------------------------------------------------------------


def test_a_referral_goes_round_the_closed_loop_and_no_identity_is_logged(
    client: TestClient, people: dict[str, Headers], caplog: pytest.LogCaptureFixture
) -> None:
    carla, auditor = people["carla"], people["aurelio"]
    with caplog.at_level(logging.DEBUG):
        case_id = open_case(client, carla)
        read = client.get(f"/v1/cases/{case_id}", headers=carla)
        assert read.status_code == 200 and read.json()["person"] == IDENTITY
        assert read.json()["office"] == "oam-cucuta"
        assert [h["profile"] for h in read.json()["history"]] == [PERSON]

        roadmap = recommend(client, carla, case_id)
        assert roadmap["receipt"] == 1
        [receipt] = client.get(f"/v1/cases/{case_id}/receipts", headers=carla).json()
        assert receipt["number"] == 1 and receipt["profile"] == PERSON
        assert receipt["as_of"] == AS_OF
        assert receipt["rule_base"] == roadmap["rule_base"]["hash"]
        assert [s["code"] for s in receipt["answer"]["services"]] == [
            s["code"] for s in roadmap["services"]
        ]
        one = client.get(f"/v1/cases/{case_id}/receipts/1", headers=carla)
        assert one.status_code == 200 and one.json() == receipt

        service, institution = first_target(roadmap)
        consent(client, carla, case_id, institution)
        referral_id, etag = refer(client, carla, case_id, service, institution)
        etag = moved(client, carla, referral_id, etag, "sent")
        etag = moved(client, carla, referral_id, etag, "accepted")
        etag = moved(client, carla, referral_id, etag, "attended")
        etag = moved(client, carla, referral_id, etag, "closed")

        final, final_etag = referral(client, carla, referral_id)
        assert final_etag == etag == f'"{referral_id}.5"'
        assert (final["status"], final["revision"], final["allowed"]) == ("closed", 5, [])
        assert (final["service"], final["institution_id"]) == (service, institution)
        assert final["receipt"] == 1 and final["department"] == PERSON["department"]
        assert final["sent_at"] is not None
        assert [(s["from"], s["to"], s["by"]) for s in final["steps"]] == [
            (None, "proposed", "carla"),
            ("proposed", "sent", "carla"),
            ("sent", "accepted", "carla"),
            ("accepted", "attended", "carla"),
            ("attended", "closed", "carla"),
        ]
        listed = client.get(f"/v1/cases/{case_id}/referrals", headers=carla).json()
        assert [r["id"] for r in listed] == [referral_id] and listed[0] == final

        counts = client.get(
            "/v1/reports/referrals", params={"by": "office,status"}, headers=auditor
        )
        assert counts.json()["rows"] == [
            {"office": "oam-cucuta", "status": "closed", "referrals": 1}
        ]
        # Every request on the case is in the access log, once, in order.
        assert actions(client, auditor, case_id) == [
            ("carla", "open"),
            ("carla", "read_case"),
            ("carla", "recommend"),
            ("carla", "list_receipts"),
            ("carla", "read_receipt"),
            ("carla", "consent"),
            ("carla", "refer"),
            ("carla", "referral_sent"),
            ("carla", "referral_accepted"),
            ("carla", "referral_attended"),
            ("carla", "referral_closed"),
            ("carla", "read_referral"),
            ("carla", "list_referrals"),
        ]
        # A refused request with the identity in it answers without repeating it.
        too_long = client.post(
            "/v1/cases",
            json={"profile": PERSON, "person": {**IDENTITY, "phone": PHONE * 5}},
            headers=carla,
        )
        assert too_long.status_code == 422
        assert not any(secret in too_long.text for secret in SECRETS)
    assert caplog.records, "the requests were logged"
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    for secret in SECRETS:
        assert secret not in logged


def test_reports_count_outcomes_and_stuck_referrals(
    client: TestClient, people: dict[str, Headers]
) -> None:
    carla, auditor, store = people["carla"], people["aurelio"], store_of(client)
    case_id = open_case(client, carla)
    roadmap = recommend(client, carla, case_id)
    service, institution = first_target(roadmap)
    consent(client, carla, case_id, institution)

    attended, etag = refer(client, carla, case_id, service, institution)
    for step in ("sent", "accepted", "attended", "closed"):
        etag = moved(client, carla, attended, etag, step)
    rejected, etag = refer(client, carla, case_id, service, institution)
    etag = moved(client, carla, rejected, etag, "sent")
    moved(client, carla, rejected, etag, "rejected", "no_capacity")
    stuck, etag = refer(client, carla, case_id, service, institution)
    moved(client, carla, stuck, etag, "sent")
    fresh, _ = refer(client, carla, case_id, service, institution)
    # Sent three days before it was attended; the stuck one has waited twenty days.
    shift(store, attended, "proposed", 3)
    shift(store, attended, "sent", 3)
    shift(store, attended, "accepted", 1)
    shift(store, stuck, "proposed", 20)
    shift(store, stuck, "sent", 20)

    counts = client.get("/v1/reports/referrals", params={"by": "status"}, headers=auditor)
    assert counts.status_code == 200
    assert counts.json()["rows"] == [
        {"status": "closed", "referrals": 1},
        {"status": "proposed", "referrals": 1},
        {"status": "rejected", "referrals": 1},
        {"status": "sent", "referrals": 1},
    ]
    by_service = client.get(
        "/v1/reports/referrals", params={"by": "institution,service"}, headers=carla
    ).json()["rows"]
    assert by_service == [{"institution": institution, "service": service, "referrals": 4}]

    [outcome] = client.get("/v1/reports/outcomes", params={"by": "office"}, headers=auditor).json()[
        "rows"
    ]
    assert outcome == {
        "office": "oam-cucuta",
        "referrals": 4,
        "sent": 3,
        "accepted": 1,
        "rejected": 1,
        "acceptance_rate": 0.5,
        "attended": 1,
        "not_attended": 0,
        "days_to_attendance_median": 3.0,
        "days_to_attendance_mean": 3.0,
    }

    def stale(days: int) -> list[tuple[str, str]]:
        answer = client.get(
            "/v1/reports/open-referrals", params={"older_than_days": days}, headers=auditor
        )
        assert answer.status_code == 200, answer.text
        return [(row["referral"], row["status"]) for row in answer.json()["rows"]]

    assert stale(14) == [(stuck, "sent")]
    assert stale(30) == []
    assert stale(0) == [(stuck, "sent"), (fresh, "proposed")]
    [row] = client.get(
        "/v1/reports/open-referrals", params={"older_than_days": 14}, headers=auditor
    ).json()["rows"]
    assert row["case"] == case_id and 19.9 <= row["days"] <= 20.1
    csv = client.get(
        "/v1/reports/outcomes", params={"by": "office", "format": "csv"}, headers=auditor
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].startswith("oam-cucuta,4,3,1,1,0.5,1,0,3.0,3.0")
    reports = counts.text + str(by_service) + csv.text
    assert not any(secret in reports for secret in SECRETS)
    bad = client.get("/v1/reports/referrals", params={"by": "office,name"}, headers=auditor)
    assert error_of(bad, 422, "invalid_request")["problems"][0]["field"] == "by"


# -- the person's rights: export and erasure ---------------------------------------------------


def test_export_holds_everything_and_erasure_leaves_no_identity_anywhere(
    client: TestClient, people: dict[str, Headers], store_url: str
) -> None:
    carla, auditor, root = people["carla"], people["aurelio"], people["root"]
    case_id = open_case(client, carla)
    changed = {**PERSON, "months_since_return": 2}
    first = client.get(f"/v1/cases/{case_id}", headers=carla)
    put = client.put(
        f"/v1/cases/{case_id}/profile",
        json={"profile": changed},
        headers={**carla, "If-Match": first.headers["ETag"]},
    )
    assert put.status_code == 200 and put.json()["revision"] == 2
    roadmap = recommend(client, carla, case_id)
    service, institution = first_target(roadmap)
    consent(client, carla, case_id, institution)
    consent(client, carla, case_id, institution, given=False)
    consent(client, carla, case_id, institution)
    referral_id, etag = refer(client, carla, case_id, service, institution)
    moved(client, carla, referral_id, etag, "sent")

    # Encrypted at rest: no table holds the identity in clear, yet the case holds it, sealed
    # with the office's key.
    assert case_id in database_text(store_url)
    assert_nowhere_in(store_url, SECRETS)
    sealed = sealed_identity(store_url, case_id)
    assert sealed is not None
    assert json.loads(Fernet(KEY.encode()).decrypt(sealed.encode())) == IDENTITY

    exported = client.get(f"/v1/cases/{case_id}/export", headers=carla)
    assert exported.status_code == 200, exported.text
    export = exported.json()
    assert export["case"]["person"] == IDENTITY
    assert [h["profile"] for h in export["case"]["history"]] == [PERSON, changed]
    assert [(r["number"], r["profile"]) for r in export["receipts"]] == [(1, changed)]
    assert export["receipts"][0]["answer"]["services"] == roadmap["services"]
    assert [(c["institution_id"], c["given"]) for c in export["consents"]] == [
        (institution, True),
        (institution, False),
        (institution, True),
    ]
    [exported_referral] = export["referrals"]
    assert exported_referral["id"] == referral_id
    assert [s["to"] for s in exported_referral["steps"]] == ["proposed", "sent"]
    # Every read of the case, the export itself last.
    logged = actions(client, auditor, case_id)
    assert [(a["actor"], a["action"]) for a in export["accesses"]] == logged
    assert logged[-1] == ("carla", "export")

    assert client.delete(f"/v1/cases/{case_id}/person", headers=carla).status_code == 403
    erased = client.delete(f"/v1/cases/{case_id}/person", headers=root)
    assert erased.status_code == 200, erased.text
    assert erased.json()["person"] is None and erased.json()["erased_at"] is not None
    read = client.get(f"/v1/cases/{case_id}", headers=carla).json()
    assert read["person"] is None and read["erased_at"] is not None
    assert read["profile"] == changed
    again = client.get(f"/v1/cases/{case_id}/export", headers=carla).json()
    assert again["case"]["person"] is None
    assert again["referrals"][0]["id"] == referral_id  # kept for anonymous statistics
    assert len(again["receipts"]) == 1
    assert not any(secret in json.dumps(again, ensure_ascii=False) for secret in SECRETS)

    assert_nowhere_in(store_url, (*SECRETS, sealed))
    assert sealed_identity(store_url, case_id) is None
    assert actions(client, auditor, case_id)[-3:] == [
        ("root", "erase"),
        ("carla", "read_case"),
        ("carla", "export"),
    ]


# -- who sees what -----------------------------------------------------------------------------


def test_another_office_is_answered_as_if_the_case_did_not_exist(
    client: TestClient, people: dict[str, Headers]
) -> None:
    carla, beto, auditor = people["carla"], people["beto"], people["aurelio"]
    case_id = open_case(client, carla)
    roadmap = recommend(client, carla, case_id)
    service, institution = first_target(roadmap)
    consent(client, carla, case_id, institution)
    referral_id, etag = refer(client, carla, case_id, service, institution)
    logged = actions(client, auditor, case_id)

    case_paths = [
        ("GET", f"/v1/cases/{case_id}", None),
        ("GET", f"/v1/cases/{case_id}/receipts", None),
        ("GET", f"/v1/cases/{case_id}/receipts/1", None),
        ("POST", f"/v1/cases/{case_id}/receipts/1/replay", None),
        ("POST", f"/v1/cases/{case_id}/recommendations", {}),
        ("GET", f"/v1/cases/{case_id}/consents", None),
        ("POST", f"/v1/cases/{case_id}/consents", {"institution_id": institution}),
        ("GET", f"/v1/cases/{case_id}/referrals", None),
        (
            "POST",
            f"/v1/cases/{case_id}/referrals",
            {"service": service, "institution_id": institution},
        ),
        ("GET", f"/v1/cases/{case_id}/export", None),
        ("GET", f"/v1/referrals/{referral_id}", None),
    ]
    nowhere = "0123456789abcdef"
    for method, path, body in case_paths:
        answer = client.request(method, path, json=body, headers=beto)
        error = error_of(answer, 404, "not_found")
        # Indistinguishable from a case that does not exist.
        missing = client.request(
            method,
            path.replace(case_id, nowhere).replace(referral_id, nowhere),
            json=body,
            headers=beto,
        )
        assert missing.status_code == 404
        assert missing.json()["error"]["message"] == error["message"].replace(
            case_id, nowhere
        ).replace(referral_id, nowhere)
    put = client.put(
        f"/v1/cases/{case_id}/profile",
        json={"profile": PERSON},
        headers={**beto, "If-Match": f'"{case_id}.1"'},
    )
    error_of(put, 404, "not_found")
    error_of(move(client, beto, referral_id, etag, "sent"), 404, "not_found")
    listing = client.get("/v1/cases", headers=beto).json()
    assert listing["cases"] == []
    assert [c["id"] for c in client.get("/v1/cases", headers=carla).json()["cases"]] == [case_id]
    # Nothing beto tried was a read of the case, nor changed it.
    assert actions(client, auditor, case_id) == logged
    kept, kept_etag = referral(client, carla, referral_id)
    assert (kept["status"], kept_etag) == ("proposed", etag)
    # Another caseworker of the same office sees it.
    assert client.get(f"/v1/cases/{case_id}", headers=people["camilo"]).status_code == 200


def test_auditors_read_the_log_and_reports_but_no_case(
    client: TestClient, people: dict[str, Headers]
) -> None:
    carla, auditor = people["carla"], people["aurelio"]
    case_id = open_case(client, carla)
    for path in ("/v1/access-log", "/v1/reports/referrals", "/v1/reports/outcomes"):
        assert client.get(path, headers=auditor).status_code == 200, path
    assert client.get("/v1/reports/open-referrals", headers=auditor).status_code == 200
    for method, path in (
        ("GET", "/v1/cases"),
        ("GET", f"/v1/cases/{case_id}"),
        ("GET", f"/v1/cases/{case_id}/export"),
        ("GET", f"/v1/cases/{case_id}/receipts"),
        ("GET", f"/v1/cases/{case_id}/consents"),
        ("POST", f"/v1/cases/{case_id}/recommendations"),
        ("DELETE", f"/v1/cases/{case_id}/person"),
    ):
        answer = client.request(
            method, path, json={} if method == "POST" else None, headers=auditor
        )
        error_of(answer, 403, "forbidden")
    opened = client.post("/v1/cases", json={"profile": PERSON, "person": IDENTITY}, headers=auditor)
    error_of(opened, 403, "forbidden")
    # A number is no day: read as seconds since 1970, it would quietly mean 1970-01-01.
    for path, value in (
        ("/v1/reports/referrals", "0"),
        ("/v1/reports/outcomes", "1"),
        ("/v1/access-log", "0.5"),
    ):
        refused = client.get(path, params={"until": value}, headers=auditor)
        problems = error_of(refused, 422, "invalid_request")["problems"]
        assert [p["field"] for p in problems] == ["query.until"], path
        assert "YYYY-MM-DD" in problems[0]["message"] and "AAAA-MM-DD" in problems[0]["message_es"]
    # A sequence number beyond what the store can hold is refused, never a server error.
    huge = str(2**63)
    for path in ("/v1/access-log", "/v1/audit-trail"):
        refused = client.get(path, params={"after": huge}, headers=auditor)
        problems = error_of(refused, 422, "invalid_request")["problems"]
        assert [p["field"] for p in problems] == ["query.after"], path
    for path in (f"/v1/cases/{case_id}/receipts/{huge}", f"/v1/cases/{case_id}/receipts/0"):
        refused = client.get(path, headers=carla)
        problems = error_of(refused, 422, "invalid_request")["problems"]
        assert [p["field"] for p in problems] == ["path.number"], path
    # Caseworkers and policy staff may not read the access log.
    for who in ("carla", "ana"):
        error_of(client.get("/v1/access-log", headers=people[who]), 403, "forbidden")
    entries = client.get("/v1/access-log", headers=auditor).json()["entries"]
    assert [(e["actor"], e["role"], e["case_id"], e["action"]) for e in entries] == [
        ("carla", "caseworker", case_id, "open")
    ]
    # A caseworker whose account names no office works on no case.
    store = store_of(client)
    nobody = bearer(store.add_user("nadia", "caseworker", by="t"))
    error_of(client.get(f"/v1/cases/{case_id}", headers=nobody), 403, "forbidden")
    error_of(
        client.post("/v1/cases", json={"profile": PERSON, "person": IDENTITY}, headers=nobody),
        403,
        "forbidden",
    )


# -- refusals ------------------------------------------------------------------------------------


@pytest.fixture
def proposed(client: TestClient, people: dict[str, Headers]) -> tuple[str, str, str, str]:
    """A case with a roadmap and a referral proposed on it: (case, referral, ETag,
    institution); the person consented to that institution."""
    carla = people["carla"]
    case_id = open_case(client, carla)
    service, institution = first_target(recommend(client, carla, case_id))
    consent(client, carla, case_id, institution)
    referral_id, etag = refer(client, carla, case_id, service, institution)
    return case_id, referral_id, etag, institution


def _unchanged(client: TestClient, who: Headers, referral_id: str, etag: str) -> None:
    _, now = referral(client, who, referral_id)
    assert now == etag


def test_moves_the_lifecycle_does_not_allow_are_409_naming_the_allowed_ones(
    client: TestClient, people: dict[str, Headers], proposed: tuple[str, str, str, str]
) -> None:
    carla = people["carla"]
    _, referral_id, etag, _ = proposed
    path = ["proposed", "sent", "accepted", "attended", "closed"]
    for here, following in zip(path, [*path[1:], None], strict=True):
        for to in (*POLICY.statuses, "bogus"):
            if to in POLICY.allowed(here):
                continue
            error = error_of(move(client, carla, referral_id, etag, to), 409, "invalid_transition")
            [problem] = error["problems"]
            assert problem["field"] == "to"
            assert problem["allowed"] == list(POLICY.allowed(here)), (here, to)
            _unchanged(client, carla, referral_id, etag)
        if following is not None:
            etag = moved(client, carla, referral_id, etag, following)
    assert POLICY.allowed("closed") == ()


def test_rejection_and_absence_need_a_reason_from_the_policy(
    client: TestClient, people: dict[str, Headers], proposed: tuple[str, str, str, str]
) -> None:
    carla = people["carla"]
    case_id, referral_id, etag, institution = proposed
    etag = moved(client, carla, referral_id, etag, "sent")
    assert POLICY.reason_required == {"rejected", "not_attended"}
    wrong = POLICY.reasons["not_attended"][0]  # a reason, but not for a rejection
    assert wrong not in POLICY.reasons["rejected"]
    for reason in (None, "", "nonsense", wrong):
        answer = move(client, carla, referral_id, etag, "rejected", reason)
        error = error_of(answer, 422, "invalid_request")
        assert [p["field"] for p in error["problems"]] == ["reason"], error
        _unchanged(client, carla, referral_id, etag)
    for reason in POLICY.reasons["rejected"][:1]:
        rejected = move(client, carla, referral_id, etag, "rejected", reason)
        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["steps"][-1]["reason"] == reason

    # Not attended: the same, with its own list.
    service = client.get(f"/v1/referrals/{referral_id}", headers=carla).json()["service"]
    other, etag = refer(client, carla, case_id, service, institution)
    for step in ("sent", "accepted"):
        etag = moved(client, carla, other, etag, step)
    for reason in (None, "no_capacity", "nonsense"):
        answer = move(client, carla, other, etag, "not_attended", reason)
        error = error_of(answer, 422, "invalid_request")
        assert [p["field"] for p in error["problems"]] == ["reason"]
        _unchanged(client, carla, other, etag)
    absent = move(client, carla, other, etag, "not_attended", POLICY.reasons["not_attended"][-1])
    assert absent.status_code == 200, absent.text
    # A status with no listed reasons takes none; cancelling takes one of its own, or none.
    etag = absent.headers["ETag"]
    error_of(move(client, carla, other, etag, "closed", "no_capacity"), 422, "invalid_request")
    moved(client, carla, other, etag, "closed")
    third, etag = refer(client, carla, case_id, service, institution)
    error_of(move(client, carla, third, etag, "cancelled", "no_capacity"), 422, "invalid_request")
    moved(client, carla, third, etag, "cancelled", POLICY.reasons["cancelled"][0])
    fourth, etag = refer(client, carla, case_id, service, institution)
    moved(client, carla, fourth, etag, "cancelled")


def test_sending_needs_the_persons_consent_for_that_institution(
    client: TestClient, people: dict[str, Headers]
) -> None:
    carla, auditor = people["carla"], people["aurelio"]
    case_id = open_case(client, carla)
    roadmap = recommend(client, carla, case_id)
    service, institution = first_target(roadmap)
    elsewhere = next(i for _, i in (first_target(roadmap, k) for k in range(4)) if i != institution)
    referral_id, etag = refer(client, carla, case_id, service, institution)
    logged = actions(client, auditor, case_id)

    error_of(move(client, carla, referral_id, etag, "sent"), 409, "consent_required")
    consent(client, carla, case_id, elsewhere)  # consent for another institution is not it
    error_of(move(client, carla, referral_id, etag, "sent"), 409, "consent_required")
    _unchanged(client, carla, referral_id, etag)
    consent(client, carla, case_id, institution)
    etag = moved(client, carla, referral_id, etag, "sent")

    # Withdrawn, it stops the next send; the referral already sent stays sent.
    second, second_etag = refer(client, carla, case_id, service, institution)
    consent(client, carla, case_id, institution, given=False)
    error_of(move(client, carla, second, second_etag, "sent"), 409, "consent_required")
    _unchanged(client, carla, second, second_etag)
    assert referral(client, carla, referral_id)[0]["status"] == "sent"
    # Given again, it allows sending.
    consent(client, carla, case_id, institution)
    moved(client, carla, second, second_etag, "sent")
    events = client.get(f"/v1/cases/{case_id}/consents", headers=carla).json()
    assert [(e["institution_id"], e["given"]) for e in events] == [
        (elsewhere, True),
        (institution, True),
        (institution, False),
        (institution, True),
    ]
    unknown = client.post(
        f"/v1/cases/{case_id}/consents", json={"institution_id": "no-such-place"}, headers=carla
    )
    assert error_of(unknown, 422, "invalid_request")["problems"][0]["field"] == "institution_id"
    # The refused sends are not in the access log.
    assert actions(client, auditor, case_id) == [
        *logged,
        ("carla", "consent"),
        ("carla", "read_referral"),
        ("carla", "consent"),
        ("carla", "referral_sent"),
        ("carla", "refer"),
        ("carla", "withdraw_consent"),
        ("carla", "read_referral"),
        ("carla", "read_referral"),
        ("carla", "consent"),
        ("carla", "referral_sent"),
        ("carla", "list_consents"),
    ]


def test_a_stale_etag_is_412_and_a_missing_one_428(
    client: TestClient, people: dict[str, Headers], proposed: tuple[str, str, str, str]
) -> None:
    carla, camilo = people["carla"], people["camilo"]
    case_id, referral_id, etag, _ = proposed
    case_etag = client.get(f"/v1/cases/{case_id}", headers=carla).headers["ETag"]
    assert case_etag == f'"{case_id}.1"'

    def put(who: Headers, tag: str | None, months: float) -> Any:
        headers = {**who, **({"If-Match": tag} if tag is not None else {})}
        profile = {**PERSON, "months_since_return": months}
        return client.put(
            f"/v1/cases/{case_id}/profile", json={"profile": profile}, headers=headers
        )

    first = put(carla, case_etag, 2)
    assert first.status_code == 200 and first.headers["ETag"] == f'"{case_id}.2"'
    error_of(put(camilo, case_etag, 3), 412, "precondition_failed")  # camilo read revision 1
    error_of(put(camilo, None, 3), 428, "precondition_required")
    error_of(put(camilo, "*", 3), 412, "precondition_failed")
    error_of(put(camilo, f'"{referral_id}.2"', 3), 412, "precondition_failed")
    kept = client.get(f"/v1/cases/{case_id}", headers=carla).json()
    assert kept["revision"] == 2 and kept["profile"]["months_since_return"] == 2
    assert len(kept["history"]) == 2
    # An invalid profile is refused as such, whatever If-Match says.
    for tag in (first.headers["ETag"], None, "", case_etag):
        error_of(put(carla, tag, -1), 422, "invalid_profile")

    sent = move(client, carla, referral_id, etag, "sent")
    assert sent.status_code == 200
    error_of(move(client, camilo, referral_id, etag, "cancelled"), 412, "precondition_failed")
    error_of(move(client, camilo, referral_id, None, "cancelled"), 428, "precondition_required")
    error_of(move(client, camilo, referral_id, case_etag, "cancelled"), 412, "precondition_failed")
    _unchanged(client, carla, referral_id, sent.headers["ETag"])
    moved(client, camilo, referral_id, sent.headers["ETag"], "cancelled")


def test_a_receipt_replays_with_its_own_version_after_a_new_publication(
    client: TestClient, people: dict[str, Headers]
) -> None:
    carla, root, store = people["carla"], people["root"], store_of(client)
    case_id = open_case(client, carla)
    before = recommend(client, carla, case_id)
    old_hash = before["rule_base"]["hash"]
    assert "LEGAL_RUR_REGISTRATION" in {s["code"] for s in before["services"]}  # P01 at 3 years

    draft = approved_p01(store, 4)  # P01 at 4 years: 3.5 years abroad no longer qualifies
    published = client.post(
        f"/v1/rule-bases/drafts/{draft.id}/publish",
        json={"override_reason": "test: P01 at four years"},
        headers=root,
    )
    assert published.status_code == 200, published.text
    new_hash = published.json()["hash"]
    assert new_hash != old_hash

    after = recommend(client, carla, case_id)
    assert after["receipt"] == 2 and after["rule_base"]["hash"] == new_hash
    assert "LEGAL_RUR_REGISTRATION" not in {s["code"] for s in after["services"]}

    replayed = client.post(f"/v1/cases/{case_id}/receipts/1/replay", headers=carla)
    assert replayed.status_code == 200, replayed.text
    body = replayed.json()
    assert (body["receipt"], body["rule_base"], body["same"]) == (1, old_hash, True)
    assert body["differences"] == []
    assert body["answer"]["rule_base"]["hash"] == old_hash
    assert [s["code"] for s in body["answer"]["services"]] == [
        s["code"] for s in before["services"]
    ]
    latest = client.post(f"/v1/cases/{case_id}/receipts/2/replay", headers=carla).json()
    assert (latest["rule_base"], latest["same"]) == (new_hash, True)
    missing = client.post(f"/v1/cases/{case_id}/receipts/3/replay", headers=carla)
    error_of(missing, 404, "not_found")

    # A referral follows the latest roadmap: P01's service is no longer one to refer to.
    rur = next(s for s in before["services"] if s["code"] == "LEGAL_RUR_REGISTRATION")
    refused = client.post(
        f"/v1/cases/{case_id}/referrals",
        json={
            "service": "LEGAL_RUR_REGISTRATION",
            "institution_id": rur["targets"][0]["institution_id"],
        },
        headers=carla,
    )
    assert error_of(refused, 422, "invalid_request")["problems"][0]["field"] == "service"


def test_a_referral_needs_a_roadmap_and_an_institution_offering_the_service(
    client: TestClient, people: dict[str, Headers]
) -> None:
    carla, auditor = people["carla"], people["aurelio"]
    case_id = open_case(client, carla)

    def propose(service: str, institution: str) -> Any:
        return client.post(
            f"/v1/cases/{case_id}/referrals",
            json={"service": service, "institution_id": institution},
            headers=carla,
        )

    error_of(propose("LEGAL_RUR_REGISTRATION", "cancilleria-oam-norte-santander"), 409, "conflict")
    roadmap = recommend(client, carla, case_id)
    service, institution = first_target(roadmap)
    other_service, other_institution = next(
        (s, i) for s, i in (first_target(roadmap, k) for k in range(4)) if i != institution
    )
    wrong = propose(service, other_institution)
    assert error_of(wrong, 422, "invalid_request")["problems"][0]["field"] == "institution_id"
    unknown = propose("NOT_A_SERVICE", institution)
    assert error_of(unknown, 422, "invalid_request")["problems"][0]["field"] == "service"
    assert client.get(f"/v1/cases/{case_id}/referrals", headers=carla).json() == []
    # Refused proposals leave no trace in the access log.
    assert actions(client, auditor, case_id) == [
        ("carla", "open"),
        ("carla", "recommend"),
        ("carla", "list_referrals"),
    ]
    assert propose(other_service, other_institution).status_code == 201


def test_open_referrals_report_moves_with_time(
    client: TestClient, people: dict[str, Headers]
) -> None:
    """The stuck-referral report counts from each referral's last step, not its creation."""
    carla, auditor, store = people["carla"], people["aurelio"], store_of(client)
    case_id = open_case(client, carla)
    service, institution = first_target(recommend(client, carla, case_id))
    consent(client, carla, case_id, institution)
    referral_id, etag = refer(client, carla, case_id, service, institution)
    shift(store, referral_id, "proposed", 30)
    rows = client.get(
        "/v1/reports/open-referrals", params={"older_than_days": 14}, headers=auditor
    ).json()["rows"]
    assert [r["referral"] for r in rows] == [referral_id]
    moved(client, carla, referral_id, etag, "sent")  # a step today: no longer stuck
    rows = client.get(
        "/v1/reports/open-referrals", params={"older_than_days": 14}, headers=auditor
    ).json()["rows"]
    assert rows == []
