"""Versions, drafts and publication in the store: the governance workflow end to end, on
SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest

from engine import RuleBaseDocuments
from p01 import approved_p01, edit_p01, p01_at
from store import (
    ConflictError,
    InvalidRuleBaseError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    Store,
)


@pytest.fixture(scope="module")
def default_documents() -> RuleBaseDocuments:
    return RuleBaseDocuments.from_directory(None)


@pytest.fixture
def seeded(store: Store, default_documents: RuleBaseDocuments) -> Store:
    store.rule_bases.seed(default_documents)
    return store


def _p01_with_threshold(documents: RuleBaseDocuments, years: int) -> dict[str, Any]:
    rule = documents.rule("P01")
    assert rule is not None
    return p01_at(rule, years)


def _change_p01(store: Store, draft_id: str, revision: int, years: int, actor: str = "ana") -> Any:
    return edit_p01(store, draft_id, revision, years, actor)


def test_an_empty_store_is_seeded_once_and_publishes_the_files(
    store: Store, default_documents: RuleBaseDocuments
) -> None:
    seeded = store.rule_bases.seed(default_documents)
    assert seeded == default_documents.to_rule_base().hash
    assert store.rule_bases.seed(default_documents) is None
    publication, published, documents = store.rule_bases.published()
    assert published == seeded and publication == 1
    assert documents.to_rule_base().hash == seeded
    [version] = store.rule_bases.versions()
    assert version.published and version.label == "2026.11" and version.parent_hash is None


def test_a_draft_gets_the_next_version_label_and_starts_open(seeded: Store) -> None:
    first = seeded.rule_bases.create_draft(actor="ana", source="published", message="P01 to 4")
    second = seeded.rule_bases.create_draft(actor="ana", source="published", message="other")
    assert (first.status, first.revision) == ("open", 1)
    assert first.documents.manifest["version"] == "2026.11.1"
    assert second.documents.manifest["version"] == "2026.11.2"
    assert first.etag == f'"{first.id}.1"'


def test_an_edit_counts_the_revision_up_and_a_stale_one_is_refused(seeded: Store) -> None:
    draft = seeded.rule_bases.create_draft(actor="ana", source="published", message="P01 to 4")
    edited = _change_p01(seeded, draft.id, 1, 4)
    assert edited.revision == 2
    assert _p01_with_threshold(edited.documents, 4) == edited.documents.rule("P01")
    with pytest.raises(PreconditionFailedError, match="revision 2"):
        _change_p01(seeded, draft.id, 1, 5, actor="luis")
    with pytest.raises(PreconditionFailedError, match="If-Match"):
        _change_p01(seeded, draft.id, None, 5)  # type: ignore[arg-type]
    assert seeded.rule_bases.draft(draft.id).documents.rule("P01") == edited.documents.rule("P01")


def test_a_refused_edit_names_every_problem_and_stores_nothing(seeded: Store) -> None:
    draft = seeded.rule_bases.create_draft(actor="ana", source="published", message="typo")

    def broken(documents: RuleBaseDocuments) -> RuleBaseDocuments:
        rule = copy.deepcopy(documents.rule("P01"))
        assert rule is not None
        rule["when"]["all"][0]["field"] = "agee"
        rule["recommend"][0]["service"] = "LEGAL_NOTHING"
        return documents.with_rule("P01", rule)

    with pytest.raises(InvalidRuleBaseError) as refused:
        seeded.rule_bases.edit(
            draft.id, actor="ana", revision=1, change=broken, action="rule_changed", subject="P01"
        )
    problems = refused.value.problems
    assert len(problems) == 2
    assert {p.rule_id for p in problems} == {"P01"}
    assert {p.file for p in problems} == {"ley-retorno.yaml"}
    assert any("agee" in p.message and p.path.endswith("field") for p in problems)
    assert all(p.message_es for p in problems)
    after = seeded.rule_bases.draft(draft.id)
    assert after.revision == 1 and after.documents == draft.documents
    assert [e.action for e in seeded.trail()][-1] == "draft_created"


def test_four_eyes_approval_freezes_a_version(seeded: Store) -> None:
    draft = seeded.rule_bases.create_draft(actor="ana", source="published", message="P01 to 4")
    _change_p01(seeded, draft.id, 1, 4, actor="luis")
    seeded.rule_bases.submit(draft.id, actor="ana")
    with pytest.raises(ConflictError, match="submitted"):
        _change_p01(seeded, draft.id, 2, 5)
    for self_approver in ("ana", "luis"):  # the author, and an editor
        with pytest.raises(PermissionDeniedError):
            seeded.rule_bases.approve(draft.id, actor=self_approver)
    approved = seeded.rule_bases.approve(draft.id, actor="marta")
    assert approved.status == "approved" and approved.approved_by == "marta"
    info, documents = seeded.rule_bases.version(approved.version_hash or "")
    assert info.parent_hash == draft.base_hash and info.label == "2026.11.1"
    assert info.author == "ana" and info.message == "P01 to 4" and not info.published
    assert documents.to_rule_base().hash == approved.version_hash


def _approved(store: Store, years: int = 4) -> Any:
    return approved_p01(store, years)


def test_publishing_needs_the_cases_or_a_written_override(seeded: Store) -> None:
    draft = _approved(seeded)
    with pytest.raises(ConflictError, match="protocol case"):
        seeded.rule_bases.publish_draft(draft.id, actor="marta", failing_cases=["case A"])
    publication = seeded.rule_bases.publish_draft(
        draft.id, actor="marta", failing_cases=["case A"], override_reason="Decree 2026"
    )
    assert publication.kind == "publish" and publication.override_reason == "Decree 2026"
    assert seeded.rule_bases.published()[1] == draft.version_hash
    assert seeded.rule_bases.draft(draft.id).status == "published"
    event = seeded.trail(action="published")[0]
    assert event.reason == "Decree 2026" and event.detail["failing_cases"] == ["case A"]
    with pytest.raises(ConflictError):
        seeded.rule_bases.publish_draft(draft.id, actor="marta")


def test_a_draft_made_from_a_replaced_version_cannot_be_published(seeded: Store) -> None:
    first = _approved(seeded, 4)
    second = _approved(seeded, 5)
    seeded.rule_bases.publish_draft(first.id, actor="marta")
    with pytest.raises(ConflictError, match="changed since this draft"):
        seeded.rule_bases.publish_draft(second.id, actor="marta")
    assert seeded.rule_bases.published()[1] == first.version_hash


def test_rollback_publishes_an_earlier_version_as_a_new_event(seeded: Store) -> None:
    _, original, _ = seeded.rule_bases.published()
    draft = _approved(seeded)
    seeded.rule_bases.publish_draft(draft.id, actor="marta")
    rollback = seeded.rule_bases.publish_version(original[:12], actor="marta", reason="too soon")
    assert rollback.kind == "rollback" and seeded.rule_bases.published()[1] == original
    assert [p.kind for p in seeded.rule_bases.publications()] == ["rollback", "publish", "seed"]
    with pytest.raises(ConflictError, match="already"):
        seeded.rule_bases.publish_version(original, actor="marta", reason="again")
    with pytest.raises(ConflictError, match="came first"):
        seeded.rule_bases.publish_version(
            draft.version_hash or "", actor="marta", reason="x", expected=draft.version_hash
        )
    with pytest.raises(NotFoundError):
        seeded.rule_bases.publish_version("0" * 64, actor="marta", reason="x")


def test_two_publications_racing_one_wins_the_other_is_refused(seeded: Store) -> None:
    draft = _approved(seeded)
    outcomes: list[str] = []

    def publish() -> None:
        try:
            seeded.rule_bases.publish_draft(draft.id, actor="marta")
            outcomes.append("published")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "published"]
    assert len(seeded.rule_bases.publications()) == 2
    assert seeded.verify_trail().ok


def test_every_step_is_in_the_trail_in_order(seeded: Store) -> None:
    draft = _approved(seeded)
    seeded.rule_bases.publish_draft(draft.id, actor="marta")
    actions = [(e.actor, e.action) for e in seeded.trail()]
    assert actions == [
        ("ruta", "seeded"),
        ("ana", "draft_created"),
        ("ana", "rule_changed"),
        ("ana", "draft_submitted"),
        ("marta", "draft_approved"),
        ("marta", "published"),
    ]
    assert seeded.trail(rule_id="P01")[0].action == "rule_changed"
    assert seeded.verify_trail().ok
