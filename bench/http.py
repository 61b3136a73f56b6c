"""Throughput and latency of the running HTTP service: recommendations beside /healthz.

Run it from the repository root (it needs ``wrk``: ``apt-get install wrk``)::

    .venv/bin/python bench/http.py [--workers N] [--connections 32] [--threads 2]
                                   [--duration 20] [--warmup 3] [--bodies 300] [--seed S]

What is measured
    The real server, started here as a process of its own the way it is deployed,
    ``python -m uvicorn api.main:app`` on a free port of 127.0.0.1 (``--workers`` processes,
    default 1; access log on, sent to /dev/null), and driven by ``wrk`` with ``--connections``
    keep-alive connections over ``--threads`` threads. wrk is a closed loop: each connection
    sends its next request as soon as the answer to the last one is in, so 32 connections are
    32 clients that never pause. First ``GET /healthz`` (uvicorn's and FastAPI's own cost per
    request: parsing, routing, a small JSON answer), then ``POST /v1/recommendations``, the same
    connections for the same ``--duration`` seconds, each after ``--warmup`` seconds of the
    same load whose figures are dropped.

    Recommendation requests rotate over ``--bodies`` distinct bodies,
    ``{"profile": {...}, "lang": "es" or "en", "targets_per_service": 3}``, made here with a
    seeded ``random.Random``: every profile field drawn from its vocabulary
    (``engine.fields.profile_fields()``, numbers from ``engine.generate.NUMBER_RANGES``),
    optional fields left to their defaults three times in ten, department and municipality a
    pair listed in the partner network's data (``network.load_network()``). Every body is
    checked by ``engine.parse_profile``, then POSTed once to the server, which must answer 200,
    before any timing, so only the successful path is measured. ``bench/recommendations.lua``
    (the wrk script) builds every request before the run, counts every answer that is not 200
    and reports the figures to this script as one JSON line.

How to read the table
    ``requests/s``: answers received divided by the run's wall time. ``p50``, ``p90``, ``p99``:
    time from sending a request to reading its whole answer, in milliseconds, as wrk measures
    it; in a closed loop the mean is about connections ÷ throughput, so latency grows with
    ``--connections`` once the server is busy. ``errors``: answers other than 200 plus socket
    errors (connect, read, write, and timeouts after wrk's 2 s); any error makes the script
    exit with status 1. ``wrk CPU`` and ``server CPU``: processor time the load generator and
    the server processes used during the timed run, in per cent of one core. The load
    generator is not the bottleneck when wrk stays far below 100 % while each server worker
    sits near 100 %. With several workers the server's share is followed by each busy
    process's, e.g. ``180% (92% + 88%)``: a connection stays with the worker that accepted it,
    and one worker may accept most of wrk's connections at the start of a run, leaving the
    other idle. ``other CPU``: every other process on the machine during the run (per cent
    of one core), and ``CPU stolen``: share of the machine's processor time the hypervisor gave
    to other guests (both from /proc/stat). Figures move by tens of per cent between runs on a
    shared machine; compare rows of one run, and distrust a run where these two are high.
    Targets (issue #4): recommendations at no
    less than half of /healthz's throughput, and their p99 under 50 ms at 32 connections.

    ``keep-alive`` in the header: sequential GET /healthz on one connection to the idle server,
    about 1 ms when all is well. About 40 ms means the server's sockets have Nagle's algorithm
    on and every answer waits for the client's delayed ACK; the script then prints a warning,
    as the table measures that wait rather than the service. uvicorn 0.54 does this with
    ``--workers`` 2 or more (its supervisor binds the socket without ``IPPROTO_TCP``, so asyncio
    never sets ``TCP_NODELAY``; Kludex/uvicorn#3149).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file, named http.py,
# would shadow the standard library's ``http`` package (urllib.request imports http.client),
# as network.py would shadow the ``network`` package: take the folder off before importing.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import http.client  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from importlib import metadata  # noqa: E402
from types import FrameType  # noqa: E402
from typing import IO, Any  # noqa: E402

from engine import Profile, ProfileError, parse_profile  # noqa: E402
from engine.fields import FieldKind, FieldSpec, profile_fields  # noqa: E402
from engine.generate import NUMBER_RANGES  # noqa: E402
from network import load_network  # noqa: E402
from store import Store  # noqa: E402

# The packages used are imported; now this folder's helpers can come from the end of the path.
sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

ROOT = _HERE.parent
LUA_SCRIPT = _HERE / "recommendations.lua"
RESULT_PREFIX = "ruta-wrk-result "  # must match RESULT_PREFIX in recommendations.lua
HEALTHZ = "/healthz"
RECOMMENDATIONS = "/v1/recommendations"
PACKAGES = ("fastapi", "starlette", "uvicorn", "pydantic", "durable-rules")

RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0
TARGET_CONNECTIONS = 32

OMITTED_SHARE = 0.3  # optional profile fields left to their defaults
NO_ORIGIN_SHARE = 0.3  # nullable codes (origin_municipality) sent as null
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
LOG_TAIL_LINES = 20
KEEPALIVE_PROBES = 50
#: A keep-alive answer slower than this on an idle server means delayed-ACK waits (Nagle on).
STALLED_KEEPALIVE_MS = 20.0


# --- request bodies ----------------------------------------------------------------------------


def network_places() -> list[tuple[str, str]]:
    """(department, municipality) pairs listed in the partner network's data, capitals too."""
    network = load_network()
    codes = set(network.municipalities)
    codes |= {department.capital.municipality for department in network.data.departments}
    return sorted((code[:2], code) for code in codes)


def random_value(rng: random.Random, spec: FieldSpec, places: list[tuple[str, str]]) -> Any:
    """A value of one profile field other than department and municipality."""
    if spec.kind is FieldKind.BOOLEAN:
        return rng.random() < 0.5
    if spec.kind is FieldKind.CHOICE:
        return rng.choice(spec.choices)
    if spec.kind.numeric:
        if spec.name not in NUMBER_RANGES:
            raise SystemExit(f"bench: no range for the numeric profile field {spec.name!r}")
        low, high = NUMBER_RANGES[spec.name]
        if spec.kind is FieldKind.INTEGER:
            return rng.randint(low, high)
        return round(rng.uniform(low, high), 2)
    if spec.nullable and rng.random() < NO_ORIGIN_SHARE:
        return None
    return rng.choice(places)[1]


def random_profile(rng: random.Random, places: list[tuple[str, str]]) -> dict[str, Any]:
    department, municipality = rng.choice(places)
    profile: dict[str, Any] = {"department": department, "municipality": municipality}
    for spec in profile_fields().values():
        if spec.name in profile:
            continue
        optional = not Profile.model_fields[spec.name].is_required()
        if optional and rng.random() < OMITTED_SHARE:
            continue
        profile[spec.name] = random_value(rng, spec, places)
    return profile


def random_body(rng: random.Random, places: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "profile": random_profile(rng, places),
        "lang": rng.choice(("es", "en")),
        "targets_per_service": 3,
    }


def check_profile(number: int, body: dict[str, Any]) -> None:
    try:
        parse_profile(body["profile"])
    except ProfileError as error:
        fields = ", ".join(problem.field for problem in error.problems)
        raise SystemExit(f"bench: made body {number} has an invalid profile ({fields})") from None


def distinct_bodies(count: int, seed: int) -> list[str]:
    """``count`` distinct request bodies as compact JSON, each profile checked; same seed, same
    bodies."""
    rng = random.Random(seed)
    places = network_places()
    texts: dict[str, None] = {}  # insertion-ordered set
    while len(texts) < count:
        body = random_body(rng, places)
        check_profile(len(texts), body)
        texts[json.dumps(body, separators=(",", ":"))] = None
    return list(texts)


# --- the server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def group(self) -> int:
        """The server's process group (its own session): the server and its workers."""
        return self.process.pid


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_command(port: int, workers: int) -> list[str]:
    command = [sys.executable, "-m", "uvicorn", "api.main:app"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    return command + (["--workers", str(workers)] if workers > 1 else [])


def caseworker_token(data_dir: Path) -> str:
    """A caseworker's token in a new store in ``data_dir``, which the server will use."""
    store = Store(data_dir=data_dir)
    store.upgrade()
    try:
        return store.add_user("bench", "caseworker", by="bench")
    finally:
        store.close()


@contextmanager
def running_server(workers: int, log: IO[bytes], data_dir: Path) -> Iterator[Server]:
    """The server on a new store in ``data_dir``, started in a session of its own; stopped,
    workers and all, on the way out (normal end, error, Ctrl-C or SIGTERM alike)."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "RUTA_DATABASE_URL"}
    process = subprocess.Popen(
        server_command(port, workers),
        cwd=ROOT,
        env={**environment, "RUTA_DATA_DIR": str(data_dir)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # the access log
        stderr=log,
        start_new_session=True,
    )
    server = Server(process, port, log)
    try:
        yield server
    finally:
        stop_server(server)


def stop_server(server: Server) -> None:
    """SIGTERM (uvicorn's graceful stop, which stops its workers), SIGKILL to the whole process
    group if that takes too long or leaves any process behind."""
    process = server.process
    if process.poll() is None:
        progress("stopping the server…")
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            progress(f"the server did not stop within {STOP_TIMEOUT_S:.0f} s; killing it")
    if group_cpu_ticks(server.group):
        os.killpg(server.group, signal.SIGKILL)
    process.wait()


def log_tail(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    lines = log.read().decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-LOG_TAIL_LINES:])


def wait_until_ready(server: Server) -> None:
    """Until GET /healthz answers 200; exits with the server's last log lines if it never does."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"bench: the server exited at start-up:\n{log_tail(server.log)}")
        try:
            with urllib.request.urlopen(server.base_url + HEALTHZ, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(
        f"bench: no answer from {HEALTHZ} within {READY_TIMEOUT_S:.0f} s:\n{log_tail(server.log)}"
    )


def keepalive_median_ms(server: Server) -> float:
    """Median time of one GET /healthz among sequential ones on one keep-alive connection, on
    the idle server. About 40 ms instead of about 1 ms means the server's socket has Nagle's
    algorithm on (no TCP_NODELAY) and each answer written in two parts waits for wrk's delayed
    ACK: uvicorn 0.54's --workers path does this (Kludex/uvicorn#3149)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    times: list[float] = []
    try:
        for _ in range(KEEPALIVE_PROBES):
            start = time.perf_counter()
            connection.request("GET", HEALTHZ)
            with connection.getresponse() as answer:
                answer.read()
            times.append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()
    return statistics.median(times)


@dataclass(frozen=True)
class Answers:
    """What the server answered to each body POSTed once, before the timing."""

    count: int
    mean_bytes: float
    mean_services: float


def post_each_once(server: Server, texts: list[str], token: str) -> Answers:
    """POST every body once; exits naming the first body not answered 200. Bodies of answers are
    only measured, never shown."""
    sizes: list[int] = []
    services: list[int] = []
    for number, text in enumerate(texts):
        request = urllib.request.Request(
            server.base_url + RECOMMENDATIONS,
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, payload = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, b""
        if status != 200:
            raise SystemExit(f"bench: body {number} was answered {status}, not 200")
        sizes.append(len(payload))
        services.append(len(json.loads(payload)["services"]))
    return Answers(len(texts), sum(sizes) / len(sizes), sum(services) / len(services))


# --- CPU time ----------------------------------------------------------------------------------


def group_cpu_ticks(group: int) -> dict[int, int]:
    """User + system clock ticks of every live process in a process group, by pid."""
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # After "(command)": state, ppid, pgrp, …; utime and stime are fields 14 and 15.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group:
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    return ticks


def children_cpu_seconds() -> float:
    """CPU time of this script's finished child processes (wrk runs), user + system."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class MachineTicks:
    """Clock ticks of the whole machine so far, all cores, from /proc/stat."""

    busy: int  # running anything: user, nice, system, irq, softirq
    stolen: int  # the hypervisor ran another guest (a shared VM)
    total: int

    @classmethod
    def now(cls) -> MachineTicks:
        with open("/proc/stat", encoding="ascii") as stat:
            # "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
            user, nice, system, idle, iowait, irq, softirq, steal = (
                int(value) for value in stat.readline().split()[1:9]
            )
        busy = user + nice + system + irq + softirq
        return cls(busy, steal, busy + idle + iowait + steal)


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU time used so far by wrk, by each server process, and by the whole machine."""

    wrk_s: float
    server_ticks: dict[int, int]
    machine: MachineTicks

    @classmethod
    def take(cls, server_group: int) -> CpuSnapshot:
        return cls(children_cpu_seconds(), group_cpu_ticks(server_group), MachineTicks.now())


@dataclass(frozen=True)
class CpuUsage:
    """CPU time used between two snapshots, in seconds (stolen: a share of the machine's)."""

    wrk_s: float
    server_s_by_process: tuple[float, ...]  # largest first
    other_s: float
    stolen_share: float

    @property
    def server_s(self) -> float:
        return sum(self.server_s_by_process)

    @classmethod
    def between(cls, before: CpuSnapshot, after: CpuSnapshot) -> CpuUsage:
        tick = os.sysconf("SC_CLK_TCK")
        server = tuple(
            sorted(
                (
                    (ticks - before.server_ticks.get(pid, 0)) / tick
                    for pid, ticks in after.server_ticks.items()
                ),
                reverse=True,
            )
        )
        wrk = after.wrk_s - before.wrk_s
        busy = (after.machine.busy - before.machine.busy) / tick
        stolen = after.machine.stolen - before.machine.stolen
        return cls(
            wrk_s=wrk,
            server_s_by_process=server,
            other_s=max(busy - wrk - sum(server), 0.0),
            stolen_share=stolen / max(after.machine.total - before.machine.total, 1),
        )


# --- wrk ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int
    duration_s: int
    warmup_s: int


@dataclass(frozen=True)
class Result:
    endpoint: str
    requests: int
    seconds: float
    not_200: dict[str, int]  # status → count
    socket_errors: dict[str, int]  # kind → count
    p50_ms: float
    p90_ms: float
    p99_ms: float
    cpu: CpuUsage

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return sum(self.not_200.values()) + sum(self.socket_errors.values())

    def error_detail(self) -> str:
        parts = [f"status {status}: {count:,}" for status, count in sorted(self.not_200.items())]
        parts += [f"{kind}: {count:,}" for kind, count in self.socket_errors.items() if count]
        return f"{self.endpoint}: " + ", ".join(parts)


def find_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "bench: wrk is not installed; install it (apt-get install wrk) and run again"
        )
    return path


def wrk_version(wrk: str) -> str:
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright …", then usage; the exit status is 1.
    words = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False).stdout.split()
    return words[1] if len(words) > 1 else "(unknown version)"


def wrk_command(
    wrk: str, url: str, load: Load, seconds: int, bodies: Path | None, token: str = ""
) -> list[str]:
    command = [wrk, "--connections", str(load.connections), "--threads", str(load.threads)]
    command += ["--duration", f"{seconds}s", "--script", str(LUA_SCRIPT), url]
    return command + (["--", str(bodies), token] if bodies is not None else [])


def result_line(completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    if completed.returncode == 0:
        for line in completed.stdout.splitlines():
            if line.startswith(RESULT_PREFIX):
                result: dict[str, Any] = json.loads(line.removeprefix(RESULT_PREFIX))
                return result
    raise SystemExit(
        f"bench: wrk failed (exit status {completed.returncode}):\n"
        f"{completed.stdout}{completed.stderr}"
    )


def run_wrk(
    wrk: str,
    path: str,
    server: Server,
    load: Load,
    seconds: int,
    bodies: Path | None,
    token: str = "",
) -> Result:
    """One wrk run of ``seconds`` against ``path``: POSTs ``bodies`` when given, else GETs."""
    command = wrk_command(wrk, server.base_url + path, load, seconds, bodies, token)
    before = CpuSnapshot.take(server.group)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    after = CpuSnapshot.take(server.group)
    figures = result_line(completed)
    latency = figures["latency_us"]
    return Result(
        endpoint=f"{'GET' if bodies is None else 'POST'} {path}",
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        not_200=figures["statuses"],
        socket_errors=figures["socket_errors"],
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        cpu=CpuUsage.between(before, after),
    )


def measure(
    wrk: str,
    path: str,
    server: Server,
    load: Load,
    bodies: Path | None = None,
    token: str = "",
) -> list[Result]:
    """The warm-up run (if any), then the timed run, whose result comes last."""
    results = []
    if load.warmup_s > 0:
        progress(f"{path}: {load.warmup_s} s warm-up…")
        results.append(run_wrk(wrk, path, server, load, load.warmup_s, bodies, token))
    progress(f"{path}: {load.duration_s} s, {load.connections} connections…")
    results.append(run_wrk(wrk, path, server, load, load.duration_s, bodies, token))
    return results


# --- report ------------------------------------------------------------------------------------


def server_stack() -> str:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{versions}; uvicorn runs on {loop} with {parser}"


def git_output(*args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip()


def code_version() -> str:
    """The commit measured, and whether tracked files differed from it."""
    try:
        commit = git_output("rev-parse", "--short", "HEAD")
        changed = git_output("status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git work tree)"
    return f"git {commit}" + (" with uncommitted changes" if changed else "")


def header(args: argparse.Namespace, wrk: str, answers: Answers, keepalive_ms: float) -> list[str]:
    workers = f"{args.workers} worker{'s' if args.workers > 1 else ''}"
    return [
        f"## HTTP benchmark: POST {RECOMMENDATIONS} beside GET {HEALTHZ}",
        "",
        *machine_lines(server_stack()),
        f"- server: uvicorn api.main:app, {workers}, on 127.0.0.1 (same machine as wrk);"
        f" code: {code_version()}",
        f"- keep-alive: {keepalive_ms:.1f} ms per GET {HEALTHZ}, median of {KEEPALIVE_PROBES}"
        " one after another on one connection to the idle server",
        f"- load: wrk {wrk_version(wrk)}, {args.connections} connections, {args.threads} threads,"
        f" {args.duration} s per endpoint after {args.warmup} s of warm-up",
        f"- bodies: {answers.count:,} distinct recommendation requests (seed {args.seed});"
        f" answers average {answers.mean_bytes:,.0f} bytes and {answers.mean_services:.1f}"
        " services",
    ]


def cpu_cells(result: Result) -> str:
    """wrk, server, other and stolen CPU cells; the server's split by process when several
    worked (uvicorn's supervisor and workers)."""
    cpu = result.cpu

    def share(seconds: float) -> str:
        return f"{seconds / result.seconds:.0%}"

    server = share(cpu.server_s)
    working = [share(s) for s in cpu.server_s_by_process if s > 0.01 * result.seconds]
    if len(working) > 1:
        server += f" ({' + '.join(working)})"
    return f"{share(cpu.wrk_s)} | {server} | {share(cpu.other_s)} | {cpu.stolen_share:.0%}"


def table(results: list[Result]) -> list[str]:
    lines = [
        "| endpoint | requests/s | p50 ms | p90 ms | p99 ms | errors | wrk CPU | server CPU"
        " | other CPU | CPU stolen |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for result in results:
        lines.append(
            f"| {result.endpoint} | {result.per_second:,.0f} | {result.p50_ms:.1f}"
            f" | {result.p90_ms:.1f} | {result.p99_ms:.1f} | {result.errors:,}"
            f" | {cpu_cells(result)} |"
        )
    return lines


def stall_warning(keepalive_ms: float) -> list[str]:
    return [
        "",
        f"Warning: a keep-alive GET {HEALTHZ} takes {keepalive_ms:.0f} ms on the idle server:"
        " its sockets have Nagle's algorithm on (no TCP_NODELAY), so answers wait for the"
        " client's delayed ACK (uvicorn's --workers path, Kludex/uvicorn#3149). The figures"
        " above measure that wait, not the service.",
    ]


def verdict(healthz: Result, recommendations: Result, connections: int, stalled: bool) -> list[str]:
    ratio = recommendations.per_second / healthz.per_second
    ratio_met = "met" if ratio >= RATIO_TARGET else "NOT met"
    p99_met = "met" if recommendations.p99_ms < P99_TARGET_MS else "NOT met"
    if stalled:
        ratio_met = p99_met = "not judged, see the warning below"
    if connections != TARGET_CONNECTIONS:
        p99_met += f" (the target is set at {TARGET_CONNECTIONS} connections, not {connections})"
    return [
        f"- throughput, recommendations ÷ /healthz: {ratio:.2f}"
        f" (target ≥ {RATIO_TARGET}: {ratio_met})",
        f"- recommendations p99: {recommendations.p99_ms:.1f} ms"
        f" (target < {P99_TARGET_MS:.0f} ms at {TARGET_CONNECTIONS} connections: {p99_met})",
    ]


# --- main --------------------------------------------------------------------------------------


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=positive, default=1, help="uvicorn worker processes")
    parser.add_argument("--connections", type=positive, default=TARGET_CONNECTIONS)
    parser.add_argument("--threads", type=positive, default=2, help="wrk threads")
    parser.add_argument("--duration", type=positive, default=20, help="seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of untimed load first")
    parser.add_argument("--bodies", type=positive, default=300, help="distinct request bodies")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections (wrk needs a connection each)")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def stop_on_sigterm() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so the server is stopped on the way out."""

    def unwind(signum: int, _: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, unwind)
    signal.signal(signal.SIGHUP, unwind)


def main() -> int:
    args = parse_args()
    wrk = find_wrk()
    stop_on_sigterm()
    load = Load(args.connections, args.threads, args.duration, args.warmup)
    progress(f"making {args.bodies} request bodies…")
    texts = distinct_bodies(args.bodies, args.seed)
    with tempfile.TemporaryDirectory(prefix="ruta-bench-http-") as scratch:
        token = caseworker_token(Path(scratch) / "store")
        bodies = Path(scratch) / "bodies.jsonl"
        bodies.write_text("".join(f"{text}\n" for text in texts), encoding="utf-8")
        with (
            (Path(scratch) / "server.log").open("w+b") as log,
            running_server(args.workers, log, Path(scratch) / "store") as server,
        ):
            progress(f"waiting for the server ({args.workers} worker(s)) to answer…")
            wait_until_ready(server)
            progress(f"POSTing each of the {len(texts)} bodies once…")
            answers = post_each_once(server, texts, token)
            keepalive_ms = keepalive_median_ms(server)
            healthz_runs = measure(wrk, HEALTHZ, server, load)
            recommendation_runs = measure(wrk, RECOMMENDATIONS, server, load, bodies, token)
    healthz, recommendations = healthz_runs[-1], recommendation_runs[-1]
    report = [*header(args, wrk, answers, keepalive_ms), "", *table([healthz, recommendations])]
    stalled = keepalive_ms >= STALLED_KEEPALIVE_MS
    report += ["", *verdict(healthz, recommendations, args.connections, stalled)]
    print("\n".join([*report, *(stall_warning(keepalive_ms) if stalled else [])]))
    failed = [run for run in healthz_runs + recommendation_runs if run.errors]
    for run in failed:
        print(f"\nErrors (warm-up included): {run.error_detail()}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        progress("bench: interrupted; the server was stopped")
        sys.exit(130)
