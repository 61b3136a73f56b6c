"""The drafts workflow as a state machine: any sequence of edits, submissions, approvals,
publications and rollbacks leaves the store agreeing with a simple model of the rules of
governance (who may approve, what state allows what, which version is in service)."""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
)

from engine import RuleBaseDocuments
from p01 import with_p01_at
from store import (
    ConflictError,
    InvalidRuleBaseError,
    PermissionDeniedError,
    PreconditionFailedError,
    Store,
    StoreError,
)

DEFAULT = RuleBaseDocuments.from_directory(None)
PEOPLE = ("ana", "luis", "marta")


@dataclass
class ModelDraft:
    base: str
    author: str
    revision: int = 1
    status: str = "open"
    editors: set[str] = field(default_factory=set)
    version: str | None = None


def _typo(documents: RuleBaseDocuments) -> RuleBaseDocuments:
    rule = copy.deepcopy(documents.rule("P01"))
    assert rule is not None
    rule["when"]["all"][0]["field"] = "agee"
    return documents.with_rule("P01", rule)


class Governance(RuleBasedStateMachine):
    drafts = Bundle("drafts")

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store = Store(f"sqlite:///{Path(self.folder.name) / 'ruta.db'}")
        self.store.upgrade()
        seeded = self.store.rule_bases.seed(DEFAULT)
        assert seeded is not None
        self.published = seeded
        self.versions = {seeded}
        self.model: dict[str, ModelDraft] = {}

    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()

    @rule(target=drafts, author=st.sampled_from(PEOPLE))
    def create(self, author: str) -> str:
        info = self.store.rule_bases.create_draft(actor=author, source="published", message="m")
        self.model[info.id] = ModelDraft(self.published, author, editors={author})
        return info.id

    @rule(
        draft=drafts,
        who=st.sampled_from(PEOPLE),
        years=st.integers(1, 6),
        stale=st.booleans(),
        typo=st.booleans(),
    )
    def edit(self, draft: str, who: str, years: int, stale: bool, typo: bool) -> None:
        model = self.model[draft]
        revision = model.revision - 1 if stale else model.revision
        change = _typo if typo else (lambda d: with_p01_at(d, years))
        try:
            self.store.rule_bases.edit(
                draft, actor=who, revision=revision, change=change, action="x", subject="P01"
            )
        except PreconditionFailedError:
            assert model.status == "open" and stale
        except ConflictError:
            assert model.status != "open"
        except InvalidRuleBaseError:
            assert model.status == "open" and not stale and typo
        else:
            assert model.status == "open" and not stale and not typo
            model.revision += 1
            model.editors.add(who)

    @rule(draft=drafts, who=st.sampled_from(PEOPLE))
    def submit(self, draft: str, who: str) -> None:
        model = self.model[draft]
        try:
            self.store.rule_bases.submit(draft, actor=who)
        except ConflictError:
            assert model.status != "open"
        else:
            assert model.status == "open"
            model.status = "submitted"

    @rule(draft=drafts, who=st.sampled_from(PEOPLE))
    def send_back(self, draft: str, who: str) -> None:
        model = self.model[draft]
        try:
            self.store.rule_bases.send_back(draft, actor=who, reason="look again")
        except ConflictError:
            assert model.status != "submitted"
        else:
            assert model.status == "submitted"
            model.status = "open"

    @rule(draft=drafts, who=st.sampled_from(PEOPLE))
    def approve(self, draft: str, who: str) -> None:
        model = self.model[draft]
        try:
            info = self.store.rule_bases.approve(draft, actor=who)
        except PermissionDeniedError:
            assert who == model.author or who in model.editors
        except ConflictError:
            assert who not in model.editors and model.status != "submitted"
        else:
            assert who not in model.editors and model.status == "submitted"
            model.status, model.version = "approved", info.version_hash
            assert info.version_hash is not None
            self.versions.add(info.version_hash)

    @rule(draft=drafts, failing=st.booleans(), override=st.booleans())
    def publish(self, draft: str, failing: bool, override: bool) -> None:
        model = self.model[draft]
        try:
            self.store.rule_bases.publish_draft(
                draft,
                actor="marta",
                failing_cases=["a case"] if failing else [],
                override_reason="because" if override else None,
            )
        except ConflictError:
            assert (
                (failing and not override)
                or model.status != "approved"
                or model.base != self.published
            )
        else:
            assert not (failing and not override)
            assert model.status == "approved" and model.base == self.published
            model.status = "published"
            assert model.version is not None
            self.published = model.version

    @rule(draft=consumes(drafts))
    def withdraw(self, draft: str) -> None:
        model = self.model[draft]
        try:
            self.store.rule_bases.withdraw(draft, actor=model.author)
        except ConflictError:
            assert model.status in ("published", "withdrawn")
        else:
            assert model.status in ("open", "submitted", "approved")
            model.status = "withdrawn"

    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(sorted(self.versions)))
        try:
            self.store.rule_bases.publish_version(target, actor="marta", reason="back")
        except ConflictError:
            assert target == self.published
        else:
            assert target != self.published
            self.published = target

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert self.store.rule_bases.published()[1] == self.published
        for draft_id, model in self.model.items():
            info = self.store.rule_bases.draft(draft_id)
            assert (info.status, info.revision) == (model.status, model.revision)
            assert set(info.editors) == model.editors

    @invariant()
    def the_trail_is_whole(self) -> None:
        assert self.store.verify_trail().ok


Governance.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
TestGovernance = Governance.TestCase


def test_store_errors_share_one_root() -> None:
    for kind in (ConflictError, PermissionDeniedError, PreconditionFailedError):
        assert issubclass(kind, StoreError)
