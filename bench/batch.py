"""Memory and time of large batch answers, streamed a part at a time.

Run it from the repository root::

    .venv/bin/python bench/batch.py [--people 5000]

What is measured
    1. A real server process (``uvicorn api.main:app``, one process) on a new store in a
       temporary folder, with ``RUTA_MAX_BATCH_TARGETS=20`` and ``RUTA_MAX_BODY_BYTES=5000000``
       so that the largest batch of issue #10 can be sent: ``--people`` profiles as a CSV sheet,
       and as JSON with 3 (the default), 5 (the cap by default) and 20 referral institutions
       per service. For each: the answer's size (read by the client a chunk at a time, never
       whole), the seconds until its last byte, and the server's peak resident memory while
       answering above its resident memory before (``VmHWM`` after resetting it through
       ``/proc/PID/clear_refs``, minus ``VmRSS`` before).
    2. In this process, for the JSON batch with 20 institutions: the largest memory Python
       holds (tracemalloc's peak, every thread) while the answer is streamed as the service
       does, and while it is built whole before sending (as the service did before).

How to read it
    A streamed answer holds a few parts of 50 people at a time, whatever the batch's size, so
    the server's peak stays a few MB above its resting memory while the answer runs to tens or
    hundreds of MB. Built whole, the same answer holds several times its own size.
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
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import urllib.request  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

from pydantic_core import to_json  # noqa: E402

from api.recommend import batch_json, recommendation  # noqa: E402
from api.schemas import RecommendationRequest  # noqa: E402
from api.streaming import answer_stream  # noqa: E402
from api.worker import EvaluationThread  # noqa: E402
from engine import RuleBaseDocuments, RuleEngine, load_rule_base  # noqa: E402
from network import load_network  # noqa: E402
from store import Store  # noqa: E402

sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

HEADER = "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter"
DEPARTMENTS = [("54", "54001"), ("11", "11001"), ("76", "76001"), ("05", "05001")]


def _person(n: int) -> dict[str, Any]:
    department, municipality = DEPARTMENTS[n % len(DEPARTMENTS)]
    return {
        "age": 18 + n % 60,
        "department": department,
        "municipality": municipality,
        "years_abroad": 0.5 + n % 15,
        "months_since_return": n % 14,
        "return_kind": ("voluntary", "deported", "expelled")[n % 3],
        "has_shelter": n % 4 != 0,
    }


def _sheet(people: int) -> bytes:
    rows = []
    for n in range(people):
        p = _person(n)
        shelter = "yes" if p["has_shelter"] else "no"
        rows.append(
            f"{p['age']},{p['department']},{p['municipality']},{p['years_abroad']},"
            f"{p['months_since_return']},{p['return_kind']},{shelter}"
        )
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _items(people: int, targets: int) -> list[dict[str, Any]]:
    return [{"profile": _person(n), "targets_per_service": targets} for n in range(people)]


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key}")


def _send(port: int, token: str, body: bytes, media: str) -> tuple[int, float]:
    """The answer's size, read a chunk at a time, and the seconds until its last byte."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/recommendations/batch",
        data=body,
        method="POST",
        headers={"content-type": media, "authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(request, timeout=600) as answer:
        while chunk := answer.read(1 << 16):
            size += len(chunk)
    return size, time.perf_counter() - started


def _server_rows(people: int) -> list[tuple[str, int, float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="ruta-bench-"))
    url = f"sqlite:///{folder / 'ruta.db'}"
    store = Store(url)
    store.upgrade()
    store.rule_bases.seed(RuleBaseDocuments.from_directory(None))
    token = store.add_user("bench", "caseworker", by="bench")
    store.close()
    port = _port()
    env = {
        **os.environ,
        "RUTA_DATABASE_URL": url,
        "RUTA_DATA_DIR": str(folder),
        "RUTA_MAX_BATCH_ITEMS": str(people),
        "RUTA_MAX_BATCH_TARGETS": "20",
        "RUTA_MAX_BODY_BYTES": "5000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cases = [
        (f"CSV, {people:,} rows", _sheet(people), "text/csv"),
        *(
            (
                f"JSON, {people:,} × {k} institutions",
                json.dumps(_items(people, k)).encode(),
                "application/json",
            )
            for k in (3, 5, 20)
        ),
    ]
    rows = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        _send(port, token, json.dumps(_items(200, 20)).encode(), "application/json")  # warm
        for name, body, media in cases:
            progress(f"server: {name}")
            before = _status_kb(server.pid, "VmRSS")
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset the peak
            size, seconds = _send(port, token, body, media)
            peak = _status_kb(server.pid, "VmHWM")
            rows.append((name, size, seconds, (peak - before) / 1024))
    finally:
        server.terminate()
        server.wait(timeout=15)
    return rows


def _in_process(people: int) -> tuple[int, float, float]:
    """(answer bytes, streamed peak MB, built-whole peak MB) for ``people`` × 20 institutions."""
    engine, network = RuleEngine(load_rule_base()), load_network()
    evaluation = EvaluationThread()
    items = [RecommendationRequest.model_validate(item) for item in _items(people, 20)]

    async def streamed() -> int:
        parts = (
            partial(batch_json, engine, network, items[start : start + 50])
            for start in range(0, len(items), 50)
        )
        chunks = await answer_stream(evaluation, parts, opening=b"[", separator=b",", closing=b"]")
        return sum([len(chunk) async for chunk in chunks])

    def whole() -> int:
        answers = [
            recommendation(engine, network, i.profile, i.as_of, i.lang, i.targets_per_service)
            for i in items
        ]
        return len(to_json(answers))

    try:
        asyncio.run(streamed())  # the institutions chosen once, kept for every answer
        progress("in process: streamed")
        tracemalloc.start()
        size = asyncio.run(streamed())
        streamed_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        progress("in process: built whole")
        whole_size = whole()
        whole_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        evaluation.close()
        engine.close()
    assert whole_size == size, "the streamed answer differs from the whole one"
    return size, streamed_peak / 2**20, whole_peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    args = parser.parse_args()
    server = _server_rows(args.people)
    size, streamed_peak, whole_peak = _in_process(args.people)
    print("# Large batch answers, streamed")
    print()
    print("\n".join(machine_lines("one uvicorn process, SQLite store")))
    print()
    print("| batch | answer MB | seconds | server peak above resting, MB |")
    print("|---|--:|--:|--:|")
    for name, answered, seconds, above in server:
        print(f"| {name} | {answered / 2**20:.1f} | {seconds:.1f} | {above:.1f} |")
    print()
    print(f"In process, JSON {args.people:,} × 20 institutions ({size / 2**20:.1f} MB answer):")
    print(f"- streamed, peak held: {streamed_peak:.1f} MB")
    print(f"- built whole, peak held: {whole_peak:.1f} MB")


if __name__ == "__main__":
    main()
