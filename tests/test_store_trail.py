"""The audit trail: append-only, chained by hashes; any alteration or removal is found."""

from __future__ import annotations

import itertools
import tempfile
import threading
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from store import Store
from store.trail import append


def _append(store: Store, count: int, actor: str = "ana") -> None:
    for number in range(count):
        with store.db.write() as session:
            append(
                session,
                actor=actor,
                action="rule_changed",
                subject=f"draft:{number}",
                rule_ids=[f"P{number % 3 + 1:02d}"],
                detail={"n": number, "diff": {"old": 3, "new": 4}},
                reason="why not",
            )


def test_a_whole_trail_verifies(store: Store) -> None:
    _append(store, 5)
    verdict = store.verify_trail()
    assert verdict.ok and verdict.events == 5
    events = store.trail()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


def test_an_empty_trail_verifies(store: Store) -> None:
    assert store.verify_trail().ok


def test_an_altered_event_is_found(store: Store) -> None:
    _append(store, 5)
    with store.db.write() as session:
        session.execute(text("UPDATE audit_trail SET actor = 'mallory' WHERE seq = 3"))
    verdict = store.verify_trail()
    assert not verdict.ok and verdict.broken_at == 3 and "altered" in verdict.message


def test_a_removed_event_is_found(store: Store) -> None:
    _append(store, 5)
    with store.db.write() as session:
        session.execute(text("DELETE FROM audit_trail WHERE seq = 2"))
    verdict = store.verify_trail()
    assert not verdict.ok and verdict.broken_at == 2 and "missing" in verdict.message


def test_removing_the_last_events_is_found(store: Store) -> None:
    _append(store, 5)
    with store.db.write() as session:
        session.execute(text("DELETE FROM audit_trail WHERE seq >= 4"))
    verdict = store.verify_trail()
    assert not verdict.ok and verdict.broken_at == 4 and "removed" in verdict.message


def test_a_replaced_event_with_a_recomputed_hash_still_breaks_the_next_link(store: Store) -> None:
    _append(store, 3)
    with store.db.write() as session:
        session.execute(text("UPDATE audit_trail SET hash = :h WHERE seq = 2"), {"h": "f" * 64})
    verdict = store.verify_trail()
    assert not verdict.ok and verdict.broken_at == 2


def test_filters_by_person_rule_and_action(store: Store) -> None:
    _append(store, 6, actor="ana")
    _append(store, 2, actor="luis")
    assert [e.actor for e in store.trail(actor="luis")] == ["luis", "luis"]
    assert all("P02" in e.rule_ids for e in store.trail(rule_id="P02"))
    assert len(store.trail(rule_id="P02")) == 3
    assert len(store.trail(action="rule_changed")) == 8
    assert [e.seq for e in store.trail(after=6, limit=1)] == [7]


def test_concurrent_appends_keep_one_chain(store: Store) -> None:
    threads = [threading.Thread(target=_append, args=(store, 15, name)) for name in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verdict = store.verify_trail()
    assert verdict.ok and verdict.events == 45


@settings(max_examples=25, deadline=None)
@given(
    count=st.integers(min_value=1, max_value=8),
    data=st.data(),
    column=st.sampled_from(["at", "actor", "action", "subject", "rule_ids", "reason", "detail"]),
)
def test_any_change_to_any_field_of_any_event_is_found(
    count: int, data: st.DataObject, column: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'ruta.db'}")
        store.upgrade()
        _append(store, count)
        victim = data.draw(st.integers(min_value=1, max_value=count))
        with store.db.write() as session:
            session.execute(
                text(f"UPDATE audit_trail SET {column} = {column} || 'x' WHERE seq = :s"),
                {"s": victim},
            )
        verdict = store.verify_trail()
        store.close()
    assert not verdict.ok and verdict.broken_at == victim
