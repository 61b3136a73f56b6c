"""Resident memory of a server over many publications and rollbacks.

Run it from the repository root::

    .venv/bin/python bench/publication.py [--cycles 200] [--every 20]

What is measured
    A real server process (``uvicorn api.main:app``, one process) on a new store in a temporary
    folder. A draft moving P01's threshold to 4 years is approved in the store; then each cycle
    publishes one version through the API (``POST /v1/rule-bases/{hash}/publish``, alternating
    the new version and the original: a publish and a rollback every two cycles) and asks for
    one recommendation, checking it was answered by the version just published. The server's
    resident memory (``VmRSS`` of ``/proc/PID/status``) is read every ``--every`` cycles.

    Each publication compiles the version into durable-rules rulesets and frees the replaced
    ones once no request holds them (durable-rules' memory is not garbage-collected). If a
    replaced version were not freed, memory would grow by about one rule base (~1–2 MB for the
    default base) per cycle.

How to read it
    ``rss MB`` at each sample, and the growth from the first sample after warm-up to the last.
    Target (issue #8): resident memory stays flat over 200 publish/rollback cycles; the script
    calls it flat when the growth is under 10 MB (allocator noise), and prints the verdict.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where http.py would shadow the standard
# library's ``http`` (urllib.request imports http.client): take it off before importing.
_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from typing import Any  # noqa: E402

from engine import RuleBaseDocuments  # noqa: E402
from store import Store  # noqa: E402

sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

PERSON = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 3.5,
    "months_since_return": 1,
    "return_kind": "voluntary",
}


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _call(port: int, method: str, path: str, token: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _approved_p01(store: Store) -> str:
    draft = store.rule_bases.create_draft(actor="bench", source="published", message="P01 4")

    def change(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        rule = copy.deepcopy(documents.rule("P01"))
        assert rule is not None
        for test in rule["when"]["all"]:
            if test.get("field") == "years_abroad":
                test["value"] = 4
        return documents.with_rule("P01", rule)

    store.rule_bases.edit(
        draft.id, actor="bench", revision=1, change=change, action="rule_changed", subject="P01"
    )
    store.rule_bases.submit(draft.id, actor="bench")
    approved = store.rule_bases.approve(draft.id, actor="bench-approver")
    assert approved.version_hash is not None
    return approved.version_hash


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ruta-bench-"))
    url = f"sqlite:///{folder / 'ruta.db'}"
    store = Store(url)
    store.upgrade()
    original = store.rule_bases.seed(RuleBaseDocuments.from_directory(None))
    assert original is not None
    changed = _approved_p01(store)
    token = store.add_user("bench", "admin", by="bench")
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "RUTA_DATABASE_URL": url, "RUTA_DATA_DIR": str(folder)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples: list[tuple[int, float]] = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        started = time.perf_counter()
        for cycle in range(1, args.cycles + 1):
            target = changed if cycle % 2 else original
            _call(port, "POST", f"/v1/rule-bases/{target}/publish", token, {"reason": "bench"})
            answer = _call(port, "POST", "/v1/recommendations", token, {"profile": PERSON})
            assert answer["rule_base"]["hash"] == target, "answered by another version"
            if cycle % args.every == 0 or cycle == 1:
                samples.append((cycle, _rss_mb(server.pid)))
                progress(f"cycle {cycle}: {samples[-1][1]:.1f} MB")
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=15)
        store.close()
    print("# Resident memory over publish/rollback cycles")
    print()
    print("\n".join(machine_lines("durable-rules 2.0.28, one uvicorn process, SQLite store")))
    print(f"- {args.cycles} cycles in {elapsed:.1f} s ({elapsed / args.cycles * 1000:.0f} ms each)")
    print()
    print("| cycle | rss MB |")
    print("|--:|--:|")
    for cycle, rss in samples:
        print(f"| {cycle} | {rss:.1f} |")
    baseline = samples[1][1] if len(samples) > 1 else samples[0][1]
    growth = samples[-1][1] - baseline
    verdict = "flat" if growth < 10 else "GROWING"
    print()
    print(f"growth from cycle {samples[1][0]} to {samples[-1][0]}: {growth:+.1f} MB — {verdict}")


if __name__ == "__main__":
    main()
