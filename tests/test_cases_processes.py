"""A real server killed with SIGKILL in the middle of a burst of case and referral writes from 16
clients loses none of the writes it acknowledged: after a restart every case, receipt, consent,
referral and move whose 2xx answer reached its client is there, with its entry in the access
log, on SQLite (WAL) and on PostgreSQL. No returnee's name reaches the server's log."""

from __future__ import annotations

import http.client
import os
import random
import signal
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

import servers
from engine import RuleBaseDocuments
from p01 import PERSON
from store import Store

CLIENTS = 16
#: Acknowledged writes to wait for before the kill, per round.
ACKS_BEFORE_KILL = 60
ROUNDS = 2
MARKER = "Zoraida"  # in every returnee's name: it must never reach the server's log


@dataclass
class Acked:
    """What the server acknowledged (a 2xx answer received), kept by one client."""

    cases: list[str] = field(default_factory=list)
    receipts: list[tuple[str, int]] = field(default_factory=list)
    consents: list[tuple[str, str]] = field(default_factory=list)
    #: Referral id → (case, revision, status) of the latest acknowledged change.
    referrals: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    #: (case, action) for every acknowledged write: each has its entry in the access log.
    actions: list[tuple[str, str]] = field(default_factory=list)

    def count(self) -> int:
        return len(self.actions)


@dataclass
class Deployment:
    store: Store
    env: dict[str, str]
    token: str
    admin: str
    url: str
    folder: Path


@pytest.fixture
def deployment(store_url: str, tmp_path: Path) -> Iterator[Deployment]:
    store = Store(store_url)
    store.upgrade()
    store.rule_bases.seed(RuleBaseDocuments.from_directory(None))
    token = store.add_user("carla", "caseworker", by="t", office="oam-cucuta")
    admin = store.add_user("root", "admin", by="t")
    env = {
        "RUTA_DATABASE_URL": store_url,
        "RUTA_DATA_KEY": Fernet.generate_key().decode(),
        "RUTA_POLL_SECONDS": "0.5",
    }
    yield Deployment(store, env, token, admin, store_url, tmp_path)
    store.close()


class Client(threading.Thread):
    """One office computer writing cases and referrals as fast as the server answers, until
    the server is gone."""

    def __init__(self, port: int, token: str, number: int, round_: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.number, self.round = port, token, number, round_
        self.acked = Acked()
        self.failure: str | None = None

    def post(self, path: str, body: Any, etag: str | None = None) -> tuple[int, Any]:
        headers = {"If-Match": etag} if etag else None
        return servers.call(self.port, "POST", path, self.token, body, timeout=30, headers=headers)

    def run(self) -> None:
        try:
            for n in range(10_000):
                self.one_case(f"{MARKER} Ruiz {self.round}-{self.number}-{n}")
        except (OSError, http.client.HTTPException):
            return  # the server was killed
        except AssertionError as error:
            self.failure = str(error)

    def one_case(self, name: str) -> None:
        acked = self.acked
        status, case = self.post(
            "/v1/cases", {"profile": PERSON, "person": {"name": name, "phone": "3001112233"}}
        )
        assert status == 201, (status, case)
        acked.cases.append(case["id"])
        acked.actions.append((case["id"], "open"))
        status, roadmap = self.post(f"/v1/cases/{case['id']}/recommendations", {})
        assert status == 201, (status, roadmap)
        acked.receipts.append((case["id"], roadmap["receipt"]))
        acked.actions.append((case["id"], "recommend"))
        service = roadmap["services"][self.number % len(roadmap["services"])]
        institution = service["targets"][0]["institution_id"]
        status, answer = self.post(
            f"/v1/cases/{case['id']}/consents", {"institution_id": institution}
        )
        assert status == 201, (status, answer)
        acked.consents.append((case["id"], institution))
        acked.actions.append((case["id"], "consent"))
        status, referral = self.post(
            f"/v1/cases/{case['id']}/referrals",
            {"service": service["code"], "institution_id": institution},
        )
        assert status == 201, (status, referral)
        acked.referrals[referral["id"]] = (case["id"], 1, "proposed")
        acked.actions.append((case["id"], "refer"))
        for revision, to in enumerate(("sent", "accepted"), start=1):
            status, moved = self.post(
                f"/v1/referrals/{referral['id']}/transitions",
                {"to": to},
                etag=f'"{referral["id"]}.{revision}"',
            )
            assert status == 200, (status, moved)
            acked.referrals[referral["id"]] = (case["id"], moved["revision"], moved["status"])
            acked.actions.append((case["id"], f"referral_{to}"))


def _burst_and_kill(
    deployment: Deployment, port: int, round_: int, rng: random.Random, log: Path
) -> list[Acked]:
    process = servers.start(port, deployment.env, log)
    servers.wait_until_up(port, process)
    clients = [Client(port, deployment.token, n, round_) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 30
    while sum(c.acked.count() for c in clients) < ACKS_BEFORE_KILL:
        assert time.monotonic() < deadline, "the burst acknowledged too few writes"
        assert all(c.is_alive() or c.failure is None for c in clients), [c.failure for c in clients]
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.5))
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    for client in clients:
        client.join(timeout=60)
        assert not client.is_alive(), "a client hung after the kill"
    failures = [c.failure for c in clients if c.failure]
    assert not failures, failures[:3]
    return [c.acked for c in clients]


def _get(port: int, token: str, path: str) -> Any:
    status, body = servers.call(port, "GET", path, token)
    assert status == 200, (path, status, body)
    return body


def _access_log(port: int, admin: str) -> dict[str, list[str]]:
    logged: dict[str, list[str]] = defaultdict(list)
    after: int | None = 0
    while after is not None:
        page = _get(port, admin, f"/v1/access-log?after={after}&limit=1000")
        for entry in page["entries"]:
            logged[entry["case_id"]].append(entry["action"])
        after = page["next_after"]
    return logged


def _check_everything_acknowledged_is_there(
    deployment: Deployment, port: int, acked: list[Acked]
) -> None:
    token, admin = deployment.token, deployment.admin
    logged = _access_log(port, admin)  # before the reads below add to it
    for mine in acked:
        for case_id, action in mine.actions:
            assert action in logged[case_id], (case_id, action)
        for case_id in mine.cases:
            case = _get(port, token, f"/v1/cases/{case_id}")
            assert case["person"]["name"].startswith(MARKER)  # decrypts with the key
            assert case["profile"] == PERSON
        for case_id, number in mine.receipts:
            receipt = _get(port, token, f"/v1/cases/{case_id}/receipts/{number}")
            assert receipt["answer"]["services"], receipt
        for case_id, institution in mine.consents:
            events = _get(port, token, f"/v1/cases/{case_id}/consents")
            assert (institution, True) in [(e["institution_id"], e["given"]) for e in events]
        for referral_id, (case_id, revision, status) in mine.referrals.items():
            found = _get(port, token, f"/v1/referrals/{referral_id}")
            assert found["case_id"] == case_id
            # A later move may have committed without its answer reaching the client.
            assert found["revision"] >= revision, (referral_id, found["revision"], revision)
            if found["revision"] == revision:
                assert found["status"] == status
            assert found["steps"][revision - 1]["to"] == status  # its step is kept


def _sqlite_is_intact(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    with sqlite3.connect(parsed.database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_server_killed_during_a_burst_of_writes_keeps_every_acknowledged_one(
    deployment: Deployment,
) -> None:
    rng = random.Random(10)
    port = servers.free_port()
    log = deployment.folder / "server.log"
    acked: list[Acked] = []
    for round_ in range(ROUNDS):
        acked += _burst_and_kill(deployment, port, round_, rng, log)
    total = sum(a.count() for a in acked)
    assert total >= ROUNDS * ACKS_BEFORE_KILL
    _sqlite_is_intact(deployment.url)

    process = servers.start(port, deployment.env, log)
    try:
        servers.wait_until_up(port, process)
        _check_everything_acknowledged_is_there(deployment, port, acked)
    finally:
        servers.stop(process)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "POST /v1/cases" in text, "the server logged its requests"
    assert MARKER not in text and "3001112233" not in text
