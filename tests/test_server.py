"""One test against the real server process, over HTTP on the loopback interface."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_real_server_answers_a_recommendation() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        body = (
            b'{"profile": {"age": 30, "department": "11", "municipality": "11001",'
            b' "years_abroad": 4, "months_since_return": 2, "return_kind": "voluntary"}}'
        )
        request = urllib.request.Request(
            f"{base}/v1/recommendations", data=body, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            assert b"LEGAL_RUR_REGISTRATION" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=10)
