"""API tokens for tests: a person of a given role in the store an app serves."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from store import Store


def token_for(store: Store, role: str = "admin", name: str | None = None) -> str:
    """A new person with ``role`` (a unique name unless given) and their token."""
    return store.add_user(name or f"{role}-{uuid.uuid4().hex[:8]}", role, by="tests")


def authorise(client: TestClient, role: str = "admin", name: str | None = None) -> str:
    """Make every request of ``client`` (whose app has started) carry a token of ``role``."""
    token = token_for(client.app.state.service.store, role, name)  # type: ignore[attr-defined]
    client.headers["Authorization"] = f"Bearer {token}"
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
