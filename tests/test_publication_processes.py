"""Publication across real server processes: every process serves a new version within 2 s,
no request fails while versions change under load, a server killed in the middle of a
publication comes back with the old or the new version (never a mix), and of two publications
racing, one wins and the other is refused."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import servers
from engine import RuleBaseDocuments
from p01 import PERSON, approved_p01
from store import Store
from tokens import token_for


@pytest.fixture
def shared(store_url: str, tmp_path: Path) -> Iterator[tuple[Store, dict[str, str]]]:
    """A store several servers share (SQLite file, or PostgreSQL schema), seeded."""
    store = Store(store_url)
    store.upgrade()
    store.rule_bases.seed(RuleBaseDocuments.from_directory(None))
    env = {"RUTA_DATABASE_URL": store_url, "RUTA_POLL_SECONDS": "0.5"}
    yield store, env
    store.close()


def _approved_draft(store: Store, years: int) -> str:
    """An approved draft moving P01's threshold to ``years``, made from the published version."""
    return str(approved_p01(store, years).id)


def _hash_served(port: int, token: str) -> str:
    status, body = servers.call(port, "POST", "/v1/recommendations", token, {"profile": PERSON})
    assert status == 200, body
    return str(body["rule_base"]["hash"])


@pytest.fixture
def two_servers(
    shared: tuple[Store, dict[str, str]], tmp_path: Path
) -> Iterator[tuple[Store, list[int], str]]:
    store, env = shared
    token = token_for(store, "admin")
    ports = [servers.free_port(), servers.free_port()]
    processes = [servers.start(p, env, tmp_path / f"server-{p}.log") for p in ports]
    try:
        for port, process in zip(ports, processes, strict=True):
            servers.wait_until_up(port, process)
        yield store, ports, token
    finally:
        for process in processes:
            servers.stop(process)


def test_every_process_serves_a_new_publication_within_two_seconds(
    two_servers: tuple[Store, list[int], str],
) -> None:
    store, (first, second), token = two_servers
    before = _hash_served(second, token)
    draft = _approved_draft(store, 4)
    status, publication = servers.call(
        first,
        "POST",
        f"/v1/rule-bases/drafts/{draft}/publish",
        token,
        {"override_reason": "test"},
    )
    assert status == 200, publication
    published = time.monotonic()
    assert _hash_served(first, token) == publication["hash"]  # the publisher swaps at once
    while _hash_served(second, token) == before:
        assert time.monotonic() - published < 2.0, "the second process is still on the old one"
        time.sleep(0.05)
    assert _hash_served(second, token) == publication["hash"]


def test_no_request_fails_while_versions_are_published_and_rolled_back(
    two_servers: tuple[Store, list[int], str],
) -> None:
    store, ports, token = two_servers
    original = _hash_served(ports[0], token)
    failures: list[str] = []
    seen: list[list[str]] = [[], []]
    stop = threading.Event()

    def load(index: int) -> None:
        while not stop.is_set():
            status, body = servers.call(
                ports[index], "POST", "/v1/recommendations", token, {"profile": PERSON}
            )
            if status != 200:
                failures.append(f"{status}: {body}")
            else:
                seen[index].append(body["rule_base"]["hash"])

    loaders = [threading.Thread(target=load, args=(i % 2,)) for i in range(4)]
    for thread in loaders:
        thread.start()
    try:
        for years in (4, 5):
            draft = _approved_draft(store, years)
            status, body = servers.call(
                ports[0],
                "POST",
                f"/v1/rule-bases/drafts/{draft}/publish",
                token,
                {"override_reason": "load test"},
            )
            assert status == 200, body
            time.sleep(0.7)
            status, body = servers.call(
                ports[1],
                "POST",
                f"/v1/rule-bases/{original}/publish",
                token,
                {"reason": "rollback under load"},
            )
            assert status == 200, body
            time.sleep(0.7)
    finally:
        stop.set()
        for thread in loaders:
            thread.join()
    assert not failures, failures[:3]
    assert all(len(hashes) > 20 for hashes in seen)
    assert all(len(set(hashes)) >= 2 for hashes in seen), "each process served several versions"


def test_two_publications_racing_over_http_one_wins(
    two_servers: tuple[Store, list[int], str],
) -> None:
    store, ports, token = two_servers
    draft = _approved_draft(store, 4)
    statuses: list[int] = []

    def publish(port: int) -> None:
        status, _ = servers.call(
            port, "POST", f"/v1/rule-bases/drafts/{draft}/publish", token, {"override_reason": "x"}
        )
        statuses.append(status)

    threads = [threading.Thread(target=publish, args=(port,)) for port in ports * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]


def _publish_until_killed(port: int, draft: str, token: str) -> None:
    with contextlib.suppress(OSError, http.client.HTTPException):
        servers.call(
            port,
            "POST",
            f"/v1/rule-bases/drafts/{draft}/publish",
            token,
            {"override_reason": "kill test"},
            timeout=5,
        )


def test_a_server_killed_while_publishing_comes_back_whole(
    shared: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, env = shared
    token = token_for(store, "admin")
    rng = random.Random(8)
    outcomes = set()
    for attempt in range(3):
        _, before, _ = store.rule_bases.published()
        draft = _approved_draft(store, 4 + attempt)
        version = store.rule_bases.draft(draft).version_hash
        port = servers.free_port()
        process = servers.start(port, env, tmp_path / "killed.log")
        servers.wait_until_up(port, process)
        sender = threading.Thread(target=_publish_until_killed, args=(port, draft, token))
        sender.start()
        time.sleep(rng.uniform(0.0, 0.1))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        sender.join()
        _, after, documents = store.rule_bases.published()
        assert after in (before, version)
        assert documents.to_rule_base().hash == after
        status = store.rule_bases.draft(draft).status
        assert status == ("published" if after == version else "approved")
        assert store.verify_trail().ok
        outcomes.add(after == version)
        if after != version:
            store.rule_bases.withdraw(draft, actor="ana")
        # The restarted service serves exactly what the store says is published.
        process = servers.start(port, env, tmp_path / "restarted.log")
        try:
            servers.wait_until_up(port, process)
            assert _hash_served(port, token) == after
        finally:
            servers.stop(process)
    assert outcomes, "at least one publication was interrupted or completed"
