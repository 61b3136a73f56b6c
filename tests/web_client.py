"""The pages through Starlette's test client: an app on a fresh SQLite store, one person per
role, and logging in as the login form does (for page tests that need no real browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from store import Store

#: Forms a page sends carry its own origin (the pages refuse others).
SAME_SITE = {"origin": "http://testserver"}
PEOPLE: dict[str, tuple[str, str | None]] = {
    "carla": ("caseworker", "oam-cucuta"),
    "ana": ("policy_author", None),
    "pablo": ("policy_approver", None),
    "aurelio": ("auditor", None),
    "root": ("admin", None),
}


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ruta.db'}",
        data_key=Fernet.generate_key().decode(),
        simulation_workers=1,
        poll_seconds=0.2,
    )
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def tokens(web: TestClient) -> dict[str, str]:
    store: Store = web.app.state.service.store  # type: ignore[attr-defined]
    return {
        name: store.add_user(name, role, by="t", office=office)
        for name, (role, office) in PEOPLE.items()
    }


def log_in(web: TestClient, token: str) -> None:
    answer = web.post("/login", data={"token": token, "next": "/"}, headers=SAME_SITE)
    assert answer.status_code == 303, answer.text
