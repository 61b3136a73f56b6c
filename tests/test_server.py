"""One test against the real server process, over HTTP on the loopback interface."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start within 10 seconds")


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """The port of a real server process, started as deployed and stopped after the tests."""
    free = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(free)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(free)
        yield free
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_real_server_answers_a_recommendation(port: int) -> None:
    body = (
        b'{"profile": {"age": 30, "department": "11", "municipality": "11001",'
        b' "years_abroad": 4, "months_since_return": 2, "return_kind": "voluntary"}}'
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/recommendations",
        data=body,
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert b"LEGAL_RUR_REGISTRATION" in response.read()


def test_the_real_server_stops_reading_a_chunked_body_over_the_limit(port: int) -> None:
    """A body sent in chunks with no Content-Length is answered 413, in the shared shape, as
    soon as it passes the limit (1 MB by default): here the client sends 1.5 MB and never
    finishes the body, so an answer at all shows the service did not wait for the rest."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("POST", "/v1/recommendations")
    connection.putheader("content-type", "application/json")
    connection.putheader("transfer-encoding", "chunked")
    connection.endheaders()
    chunk = b" " * 10_000
    for _ in range(150):  # 1.5 MB, and the body is never finished
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "body_too_large"
    connection.close()
