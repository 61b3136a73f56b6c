"""Audits and simulations are job records kept the same way: queued, then running with how far
they got, then done with a result or failed with why; a job the service stopped holding reads
as failed, interrupted; an unknown id is not found. Each test runs on both kinds, on every
backend the tests have (SQLite, and PostgreSQL when ``RUTA_TEST_DATABASE_URL`` names one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from store import AuditInfo, NotFoundError, SimulationInfo, Store
from store.models import AuditRow, SimulationRow, utc_now
from texts import both

Job = AuditInfo | SimulationInfo


def _audit(store: Store) -> Job:
    return store.audits.create(
        rule_base_hash="0" * 64, suite="files", suite_files=["b", "a"], cases=3, stages=4, actor="x"
    )


def _simulation(store: Store) -> Job:
    return store.simulations.create(
        draft_id="d" * 16,
        draft_revision=2,
        before_hash="1" * 64,
        after_hash="2" * 64,
        source="cases",
        total=4,
        actor="x",
    )


KINDS: dict[str, tuple[Callable[[Store], Job], type[Any], str, str]] = {
    "audit": (_audit, AuditRow, "store.audit_interrupted", "store.no_audit"),
    "simulation": (
        _simulation,
        SimulationRow,
        "store.simulation_interrupted",
        "store.no_simulation",
    ),
}


def _records(store: Store, kind: str) -> Any:
    return store.audits if kind == "audit" else store.simulations


def _advance(store: Store, kind: str, job_id: str, done: int) -> None:
    if kind == "audit":
        store.audits.stage(job_id, "coverage", done)
    else:
        store.simulations.progress(job_id, done, 4)


def _finish(store: Store, kind: str, job_id: str, result: dict[str, Any]) -> None:
    if kind == "audit":
        store.audits.finish(job_id, result, "<p>report</p>")
    else:
        store.simulations.finish(job_id, result)


@pytest.mark.parametrize("kind", KINDS)
def test_a_job_goes_from_queued_to_running_to_done(store: Store, kind: str) -> None:
    records = _records(store, kind)
    created = KINDS[kind][0](store)
    assert (created.status, created.done, created.total) == ("queued", 0, 4)
    assert created.result is None and created.error is None and created.finished_at is None
    assert records.get(created.id).created_at == created.created_at
    _advance(store, kind, created.id, 2)
    running = records.get(created.id)
    assert (running.status, running.done) == ("running", 2)
    _finish(store, kind, created.id, {"answer": "ñ", "n": 7})
    done = records.get(created.id)
    assert (done.status, done.done, done.total) == ("done", 4, 4)
    assert done.result == {"answer": "ñ", "n": 7}
    assert done.finished_at is not None and done.error is None


def test_a_finished_audit_keeps_its_page_and_leaves_its_stage(store: Store) -> None:
    created = _audit(store)
    assert created.to_json()["suite"] == {"source": "files", "files": ["a", "b"], "cases": 3}
    store.audits.stage(created.id, "mutation", 3)
    assert store.audits.get(created.id).stage == "mutation"
    assert store.audits.report_html(created.id)[1] is None
    store.audits.finish(created.id, {}, "<p>report</p>")
    info, page = store.audits.report_html(created.id)
    assert (info.status, info.stage, page) == ("done", None, "<p>report</p>")


@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_job_says_why_in_both_languages(store: Store, kind: str) -> None:
    records = _records(store, kind)
    created = KINDS[kind][0](store)
    records.fail(created.id, "it broke", "se rompió")
    failed = records.get(created.id)
    assert failed.status == "failed" and failed.finished_at is not None
    assert failed.error == {"message": "it broke", "message_es": "se rompió"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_job_nobody_holds_reads_as_interrupted_unless_kept_alive(store: Store, kind: str) -> None:
    make, model, interrupted, _ = KINDS[kind]
    records = _records(store, kind)
    kept, orphan, finished = make(store), make(store), make(store)
    _finish(store, kind, finished.id, {})
    with store.db.write() as session:
        session.execute(update(model).values(updated_at=utc_now() - timedelta(minutes=5)))
    records.touch([kept.id, finished.id])
    records.touch([])
    assert records.get(kept.id).status == "queued"
    cut_short = records.get(orphan.id)
    message, message_es = both(interrupted)
    assert cut_short.status == "failed"
    assert cut_short.error == {"message": message, "message_es": message_es}
    assert records.get(finished.id).status == "done"
    with store.db.read() as session:  # the record itself is left as it was
        row = session.get(model, orphan.id)
        assert row is not None and row.status == "queued"


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_job_is_not_found_in_both_languages(store: Store, kind: str) -> None:
    records = _records(store, kind)
    missing = KINDS[kind][3]
    with pytest.raises(NotFoundError) as refused:
        records.get("f" * 16)
    assert (refused.value.message, refused.value.message_es) == both(missing, id="f" * 16)
    with pytest.raises(NotFoundError) as too_long:
        records.get("f" * 40)
    assert too_long.value.message == both(missing, id="f" * 32)[0]


@pytest.mark.parametrize("kind", KINDS)
def test_finishing_or_failing_an_unknown_job_changes_nothing(store: Store, kind: str) -> None:
    records = _records(store, kind)
    created = KINDS[kind][0](store)
    _finish(store, kind, "0" * 16, {"x": 1})
    records.fail("0" * 16, "a", "b")
    assert records.get(created.id).status == "queued"


def test_the_audits_are_listed_newest_first_without_their_results(store: Store) -> None:
    first, second = _audit(store), _audit(store)
    store.audits.finish(first.id, {"kept": True}, "<p></p>")
    with store.db.write() as session:
        session.execute(
            update(AuditRow)
            .where(AuditRow.id == first.id)
            .values(created_at=second.created_at - timedelta(seconds=1))
        )
    listed = store.audits.list()
    assert [a.id for a in listed] == [second.id, first.id]
    assert all(a.result is None for a in listed)
    assert [a.id for a in store.audits.list(limit=1)] == [second.id]
    assert store.audits.get(first.id).result == {"kept": True}
