"""What the forms offer and keep: a simulation's form starts from one set of defaults and keeps
what was typed when the API refuses it; a case offers to change its profile only to a role the
access policy lets change it."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_client import SAME_SITE, log_in, tokens, web

from store import access
from web.simulation_form import simulation_request

__all__ = ["tokens", "web"]


def _api(web: TestClient, token: str, method: str, path: str, **kwargs: Any) -> Any:
    return web.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def _value(page: str, input_id: str) -> str:
    found = re.search(rf'<input id="{input_id}"[^>]*\bvalue="([^"]*)"', page)
    assert found is not None, input_id
    return found.group(1)


def test_a_refused_simulation_keeps_what_was_typed(web: TestClient, tokens: dict[str, str]) -> None:
    draft = _api(web, tokens["ana"], "POST", "/v1/rule-bases/drafts", json={"message": "x"})
    assert draft.status_code == 201, draft.text
    log_in(web, tokens["ana"])
    empty = web.get("/simulations").text
    typed = {"size": "0", "seed": "42"}
    assert (_value(empty, "sim-size"), _value(empty, "sim-seed")) != ("0", "42")
    page = web.post(
        "/simulations",
        data={"draft_id": draft.json()["id"], "population": "synthetic", **typed},
        headers=SAME_SITE,
    )
    assert page.status_code == 422
    assert (_value(page.text, "sim-size"), _value(page.text, "sim-seed")) == ("0", "42")


def test_empty_simulation_fields_are_sent_as_the_form_offers_them(
    web: TestClient, tokens: dict[str, str]
) -> None:
    draft = _api(web, tokens["ana"], "POST", "/v1/rule-bases/drafts", json={"message": "x"})
    draft_id = draft.json()["id"]
    log_in(web, tokens["ana"])
    offered = web.get(f"/drafts/{draft_id}").text
    started = web.post(
        "/simulations",
        data={"draft_id": draft_id, "population": "synthetic", "size": "", "seed": ""},
        headers=SAME_SITE,
    )
    assert started.status_code == 303, started.text
    simulation_id = started.headers["location"].rsplit("/", 1)[1]
    found = _api(web, tokens["ana"], "GET", f"/v1/simulations/{simulation_id}").json()
    assert str(found["progress"]["total"]) == _value(offered, "sim-size")
    # The seed is not in the API's answer: the request the page makes of empty fields says it.
    sent = simulation_request({"population": "synthetic", "size": "", "seed": ""})
    assert str(sent["synthetic"]["seed"]) == _value(offered, "sim-seed")


def test_the_profile_link_follows_the_access_policy(
    web: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(web, tokens["carla"])
    answers = {
        "age": "34",
        "department": "54",
        "municipality": "54001",
        "years_abroad": "4",
        "months_since_return": "1",
        "return_kind": "deported",
        "person_name": "Yolanda Quintero Zapata",
        "person_document": "CC 99.887.766",
    }
    opened = web.post("/cases/new", data=answers, headers=SAME_SITE)
    assert opened.status_code == 303, opened.text
    case = opened.headers["location"]
    assert f'href="{case}/profile"' in web.get(case).text
    policy = access()
    without = dataclasses.replace(
        policy,
        permissions={**policy.permissions, "edit_cases": frozenset({"admin"})},
    )
    monkeypatch.setattr("web.case_pages.access", lambda: without)
    page = web.get(case)
    assert page.status_code == 200
    assert f'href="{case}/profile"' not in page.text
