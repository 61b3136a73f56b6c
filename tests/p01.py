"""The issue's worked example, shared by the governance tests: P01 (RUR registration) moved
from 3 to another number of years abroad, and a person it makes a difference to."""

from __future__ import annotations

import copy
from typing import Any

from engine import RuleBaseDocuments
from store import Store

#: Someone with 3.5 years abroad: P01 applies at 3 years, not at 4.
PERSON: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 3.5,
    "months_since_return": 1,
    "return_kind": "voluntary",
}


def p01_at(rule: dict[str, Any], years: int) -> dict[str, Any]:
    """P01 as written, asking for ``years`` years abroad."""
    changed = copy.deepcopy(rule)
    [test] = [t for t in changed["when"]["all"] if t.get("field") == "years_abroad"]
    test["value"] = years
    return changed


def with_p01_at(documents: RuleBaseDocuments, years: int) -> RuleBaseDocuments:
    rule = documents.rule("P01")
    assert rule is not None
    return documents.with_rule("P01", p01_at(rule, years))


def edit_p01(store: Store, draft: str, revision: int, years: int, actor: str = "ana") -> Any:
    """One edit of a draft moving P01 to ``years``, based on ``revision``."""
    return store.rule_bases.edit(
        draft,
        actor=actor,
        revision=revision,
        change=lambda documents: with_p01_at(documents, years),
        action="rule_changed",
        subject="P01",
        rule_ids=("P01",),
    )


def approved_p01(store: Store, years: int = 4) -> Any:
    """A draft from the published version moving P01 to ``years``: edited and submitted by
    ana, approved by marta."""
    draft = store.rule_bases.create_draft(actor="ana", source="published", message=f"P01 {years}")
    edit_p01(store, draft.id, 1, years)
    store.rule_bases.submit(draft.id, actor="ana")
    return store.rule_bases.approve(draft.id, actor="marta")
