"""One test against the real server process, over HTTP on the loopback interface."""

from __future__ import annotations

import http.client
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import servers
from store import Store
from tokens import token_for


@pytest.fixture(scope="module")
def token() -> str:
    """A caseworker's token in the store the server will use (the tests' data folder)."""
    store = Store(data_dir=Path(os.environ["RUTA_DATA_DIR"]))
    store.upgrade()
    try:
        return token_for(store, "caseworker")
    finally:
        store.close()


@pytest.fixture(scope="module")
def port(token: str) -> Iterator[int]:
    """The port of a real server process, started as deployed and stopped after the tests."""
    free = servers.free_port()
    server = servers.start(free)
    try:
        servers.wait_until_up(free, server)
        yield free
    finally:
        servers.stop(server)


def test_the_real_server_answers_a_recommendation(port: int, token: str) -> None:
    body = (
        b'{"profile": {"age": 30, "department": "11", "municipality": "11001",'
        b' "years_abroad": 4, "months_since_return": 2, "return_kind": "voluntary"}}'
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/recommendations",
        data=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert b"LEGAL_RUR_REGISTRATION" in response.read()


def test_the_real_server_stops_reading_a_chunked_body_over_the_limit(port: int, token: str) -> None:
    """A body sent in chunks with no Content-Length is answered 413, in the shared shape, as
    soon as it passes the limit (1 MB by default): here the client sends 1.5 MB and never
    finishes the body, so an answer at all shows the service did not wait for the rest."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("POST", "/v1/recommendations")
    connection.putheader("content-type", "application/json")
    connection.putheader("transfer-encoding", "chunked")
    connection.putheader("authorization", f"Bearer {token}")
    connection.endheaders()
    chunk = b" " * 10_000
    for _ in range(150):  # 1.5 MB, and the body is never finished
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "body_too_large"
    connection.close()
