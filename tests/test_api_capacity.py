"""Live capacity through the service: once an institution's referrals sent this ISO week
reach its weekly capacity, the next roadmaps pass over it; a referral withdrawn gives its place
back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from store import new_key
from tokens import bearer

PROFILE: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 4,
    "months_since_return": 0.5,
    "return_kind": "deported",
    "has_funds": False,
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, data_key=new_key(), poll_seconds=0.2)
    with TestClient(create_app(settings)) as test_client:
        store = test_client.app.state.service.store  # type: ignore[attr-defined]
        token = store.add_user("carla", "caseworker", by="tests", office="oam-cucuta")
        test_client.headers.update(bearer(token))
        yield test_client


def _roadmap(client: TestClient, case: str) -> dict[str, Any]:
    answer = client.post(f"/v1/cases/{case}/recommendations", json={"targets_per_service": 20})
    assert answer.status_code == 201, answer.text
    return {s["code"]: s for s in answer.json()["services"]}


def test_a_full_institution_is_passed_over_until_a_place_is_given_back(
    client: TestClient,
) -> None:
    network = client.app.state.service.network  # type: ignore[attr-defined]
    case = client.post("/v1/cases", json={"profile": PROFILE, "person": {"name": "Ana"}}).json()[
        "id"
    ]
    services = _roadmap(client, case)
    # The first target with the smallest stated weekly capacity.
    service, institution = min(
        (
            (code, target["institution_id"])
            for code, entry in services.items()
            for target in entry["targets"][:1]
            if network.institutions[target["institution_id"]].weekly_capacity
        ),
        key=lambda pair: network.institutions[pair[1]].weekly_capacity,
    )
    capacity = network.institutions[institution].weekly_capacity
    assert (
        client.post(f"/v1/cases/{case}/consents", json={"institution_id": institution}).status_code
        == 201
    )
    sent = []
    for _ in range(capacity):
        proposed = client.post(
            f"/v1/cases/{case}/referrals",
            json={"service": service, "institution_id": institution},
        )
        assert proposed.status_code == 201, proposed.text
        moved = client.post(
            f"/v1/referrals/{proposed.json()['id']}/transitions",
            json={"to": "sent"},
            headers={"If-Match": proposed.headers["ETag"]},
        )
        assert moved.status_code == 200, moved.text
        sent.append(moved)
        # Below capacity, it is still proposed.
        if len(sent) < capacity:
            targets = [t["institution_id"] for t in _roadmap(client, case)[service]["targets"]]
            assert institution in targets
    targets = [t["institution_id"] for t in _roadmap(client, case)[service]["targets"]]
    assert institution not in targets
    # A cancelled referral gives its place back.
    last = sent[-1]
    cancelled = client.post(
        f"/v1/referrals/{last.json()['id']}/transitions",
        json={"to": "cancelled", "reason": "entered_in_error"},
        headers={"If-Match": last.headers["ETag"]},
    )
    assert cancelled.status_code == 200, cancelled.text
    targets = [t["institution_id"] for t in _roadmap(client, case)[service]["targets"]]
    assert institution in targets
