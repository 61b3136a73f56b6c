"""Throughput and latency of cases and closed-loop referrals under 32 concurrent clients.

Run it from the repository root::

    .venv/bin/python bench/cases.py [--clients 32] [--duration 20] [--warmup 3]
                                    [--database-url postgresql://user@host/db] [--no-sqlite]

What is measured
    The real server, started here as a process of its own the way it is deployed,
    ``python -m uvicorn api.main:app`` (one process, access log on, sent to /dev/null), on a new
    store: an embedded SQLite file (WAL) in a temporary folder, then — when ``--database-url``
    or ``RUTA_DATABASE_URL`` names a PostgreSQL database — a new schema of its own in that
    database, dropped afterwards. Identities are encrypted with a key made for the run.

    ``--clients`` threads of this script (default 32) each play a caseworker of the Cúcuta office
    going round the closed loop as fast as the server answers, on a keep-alive connection of
    their own: open a case (``POST /v1/cases``, with a name, document and phone), read it
    (``GET /v1/cases/{id}``), ask for its roadmap, kept as a receipt (``POST
    /v1/cases/{id}/recommendations``), record the person's consent for an institution the
    roadmap names (``POST …/consents``), propose a referral there (``POST …/referrals``) and move
    it ``sent``, ``accepted``, ``attended``, ``closed`` (four ``POST
    /v1/referrals/{id}/transitions`` with ``If-Match``): nine requests per case, every one of
    them a unit of work in the store with its entry in the access log (the read too). Profiles
    rotate over four people of Norte de Santander whose roadmaps name institutions to refer to.
    Every answer must be 2xx; any other is counted as an error and makes the script exit 1.

    The first ``--warmup`` seconds are dropped; the table covers the ``--duration`` seconds
    after them: a request counts in the window it started in.

How to read the table
    Per kind of request: ``requests/s`` (answers in the window ÷ its length), ``p50`` and
    ``p99`` (from sending the request to reading its whole answer, in milliseconds, as the
    client sees it). ``all`` is every request together; ``cases/s`` how many cases went round
    the whole loop. In a closed loop the mean latency is about clients ÷ throughput. ``server
    CPU`` and ``client CPU`` are the processor time the server process and this script used in
    the window, in per cent of one core: on a 2-core machine both compete for the same cores,
    so the client's share is the server's loss (the threads of one Python process; a load
    generator in C would cost less).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where http.py would shadow the standard
# library's ``http`` (http.client): take it off before importing.
_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from importlib import metadata  # noqa: E402
from typing import Any  # noqa: E402

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from engine import RuleBaseDocuments  # noqa: E402
from store import Store  # noqa: E402

sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

#: People of Norte de Santander whose roadmaps name institutions to refer to.
PROFILES: list[dict[str, Any]] = [
    {
        "age": 34,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 3.5,
        "months_since_return": 1,
        "return_kind": "voluntary",
    },
    {
        "age": 41,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 5,
        "months_since_return": 0.5,
        "return_kind": "deported",
        "has_funds": False,
    },
    {
        "age": 16,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 3.5,
        "months_since_return": 1,
        "return_kind": "voluntary",
    },
    {
        "age": 29,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 2,
        "months_since_return": 10,
        "return_kind": "voluntary",
    },
]
KINDS = ("open case", "read case", "recommend", "consent", "propose", "move")
MOVES = ("sent", "accepted", "attended", "closed")
READY_TIMEOUT_S = 60.0
SERVER = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"]


# --- the store and the server ------------------------------------------------------------------


@contextmanager
def new_store(kind: str, database_url: str | None, folder: Path) -> Iterator[str]:
    """The URL of a new, empty store: a SQLite file in ``folder``, or a new schema in the
    PostgreSQL database ``database_url`` (dropped on the way out)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'ruta.db'}"
        return
    assert database_url is not None
    base = make_url(database_url).set(drivername="postgresql+psycopg")
    schema = f"ruta_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(url: str) -> str:
    """Seed the store with the shipped rule base; a caseworker of Cúcuta and their token."""
    store = Store(url)
    try:
        store.upgrade()
        store.rule_bases.seed(RuleBaseDocuments.from_directory(None))
        return store.add_user("bench", "caseworker", by="bench", office="oam-cucuta")
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(url: str, folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUTA_")}
    process = subprocess.Popen(
        [*SERVER, "--port", str(port)],
        cwd=ROOT,
        env={
            **environment,
            "RUTA_DATABASE_URL": url,
            "RUTA_DATA_DIR": str(folder),
            "RUTA_DATA_KEY": Fernet.generate_key().decode(),
        },
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise SystemExit("bench: the server exited at start-up")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("bench: the server did not start within 60 s") from None
                time.sleep(0.1)
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the clients -------------------------------------------------------------------------------


@dataclass
class Timings:
    """(kind, started at, seconds taken, answered 2xx) of every request of one client."""

    requests: list[tuple[str, float, float, bool]] = field(default_factory=list)
    cases: list[float] = field(default_factory=list)  # when each case's loop ended
    failure: str | None = None


class Caseworker(threading.Thread):
    def __init__(self, port: int, token: str, number: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.number, self.stop = port, number, stop
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        self.timings = Timings()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, kind: str, method: str, path: str, body: Any = None, etag: str | None = None
    ) -> tuple[Any, str | None]:
        headers = {**self.headers, **({"If-Match": etag} if etag else {})}
        data = json.dumps(body).encode() if body is not None else None
        started = time.monotonic()
        self.connection.request(method, path, body=data, headers=headers)
        with self.connection.getresponse() as answer:
            payload, status, tag = answer.read(), answer.status, answer.getheader("ETag")
        ok = 200 <= status < 300
        self.timings.requests.append((kind, started, time.monotonic() - started, ok))
        if not ok:
            raise RuntimeError(f"{method} {path}: {status} {payload[:300]!r}")
        return json.loads(payload), tag

    def run(self) -> None:
        try:
            round_ = 0
            while not self.stop.is_set():
                self.one_case(PROFILES[(self.number + round_) % len(PROFILES)], round_)
                self.timings.cases.append(time.monotonic())
                round_ += 1
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            self.timings.failure = str(error)
        finally:
            self.connection.close()

    def one_case(self, profile: dict[str, Any], round_: int) -> None:
        person = {
            "name": f"Persona {self.number}-{round_}",
            "document_number": f"CC {self.number:02d}{round_:07d}",
            "phone": "3001234567",
        }
        case, _ = self.request(
            "open case", "POST", "/v1/cases", {"profile": profile, "person": person}
        )
        path = f"/v1/cases/{case['id']}"
        self.request("read case", "GET", path)
        roadmap, _ = self.request("recommend", "POST", f"{path}/recommendations", {})
        offered = [s for s in roadmap["services"] if s["targets"]]
        service = offered[(self.number + round_) % len(offered)]
        institution = service["targets"][0]["institution_id"]
        self.request("consent", "POST", f"{path}/consents", {"institution_id": institution})
        referral, etag = self.request(
            "propose",
            "POST",
            f"{path}/referrals",
            {"service": service["code"], "institution_id": institution},
        )
        for to in MOVES:
            _, etag = self.request(
                "move", "POST", f"/v1/referrals/{referral['id']}/transitions", {"to": to}, etag
            )


# --- one run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    kind: str
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class Run:
    backend: str
    rows: list[Row]
    cases_per_second: float
    server_cpu: float  # per cent of one core
    client_cpu: float
    failures: list[str]


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[round(share * 1000) - 1]


def measure(backend: str, port: int, server: int, token: str, args: argparse.Namespace) -> Run:
    stop = threading.Event()
    clients = [Caseworker(port, token, n, stop) for n in range(args.clients)]
    began = time.monotonic()
    for client in clients:
        client.start()
    time.sleep(args.warmup)
    start, server_before, client_before = (
        time.monotonic(),
        process_cpu_seconds(server),
        own_cpu_seconds(),
    )
    time.sleep(args.duration)
    end, server_after, client_after = (
        time.monotonic(),
        process_cpu_seconds(server),
        own_cpu_seconds(),
    )
    stop.set()
    for client in clients:
        client.join(timeout=120)
    progress(f"{backend}: {time.monotonic() - began:.0f} s, clients stopped")
    seconds = end - start
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    cases = 0
    for client in clients:
        for kind, started, taken, ok in client.timings.requests:
            if start <= started < end:
                by_kind[kind].append(taken * 1000)
                errors[kind] += not ok
        cases += sum(1 for done in client.timings.cases if start <= done < end)
    rows = [
        Row(
            kind,
            len(by_kind[kind]),
            len(by_kind[kind]) / seconds,
            percentile(by_kind[kind], 0.5),
            percentile(by_kind[kind], 0.99),
            errors[kind],
        )
        for kind in KINDS
    ]
    every = [t for kind in KINDS for t in by_kind[kind]]
    rows.append(
        Row(
            "all",
            len(every),
            len(every) / seconds,
            percentile(every, 0.5),
            percentile(every, 0.99),
            sum(errors.values()),
        )
    )
    return Run(
        backend,
        rows,
        cases / seconds,
        100 * (server_after - server_before) / seconds,
        100 * (client_after - client_before) / seconds,
        [c.timings.failure for c in clients if c.timings.failure],
    )


def report(runs: list[Run], args: argparse.Namespace) -> None:
    packages = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("fastapi", "uvicorn", "sqlalchemy", "psycopg")
    )
    print("# Cases and referrals under concurrent clients")
    print()
    print("\n".join(machine_lines(packages)))
    print(
        f"- {args.clients} clients, {args.duration:g} s timed after {args.warmup:g} s of warm-up;"
        " one uvicorn process"
    )
    print(
        "- load average (1, 5, 15 min) before the run, other work on the machine:"
        f" {' / '.join(f'{v:.1f}' for v in args.load_before)}"
    )
    print()
    print("| store | request | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|--:|--:|--:|--:|")
    for run in runs:
        for row in run.rows:
            name = f"**{row.kind}**" if row.kind == "all" else row.kind
            print(
                f"| {run.backend} | {name} | {row.per_second:,.1f} | {row.p50_ms:.1f} |"
                f" {row.p99_ms:.1f} | {row.errors} |"
            )
    print()
    for run in runs:
        print(
            f"- {run.backend}: {run.cases_per_second:.1f} cases/s round the whole loop;"
            f" server CPU {run.server_cpu:.0f} %, client CPU {run.client_cpu:.0f} %"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RUTA_DATABASE_URL"),
        help="a PostgreSQL database to run on too (default: RUTA_DATABASE_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    args.load_before = os.getloadavg()
    backends = ([] if args.no_sqlite else ["sqlite"]) + (
        ["postgresql"] if args.database_url else []
    )
    if not backends:
        raise SystemExit("bench: nothing to run (--no-sqlite without --database-url)")
    runs: list[Run] = []
    for backend in backends:
        folder = Path(tempfile.mkdtemp(prefix="ruta-bench-cases-"))
        try:
            with new_store(backend, args.database_url, folder) as url:
                token = prepare(url)
                with running_server(url, folder) as (process, port):
                    progress(f"{backend}: server up on port {port}; {args.clients} clients")
                    runs.append(measure(backend, port, process.pid, token, args))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    report(runs, args)
    failures = [f for run in runs for f in run.failures]
    errors = sum(row.errors for run in runs for row in run.rows)
    if failures or errors:
        for failure in failures[:5]:
            print(f"bench: a client failed: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
