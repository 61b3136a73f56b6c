"""People, roles and tokens in the store (on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text

from store import ConflictError, InvalidRequestError, NotFoundError, Store, access


def _every_text_in_the_store(store: Store) -> str:
    """Every value of every table, as one text, to look for what must not be stored."""
    parts: list[str] = []
    with store.db.read() as session:
        for table in inspect(store.db.engine).get_table_names():
            for row in session.execute(text(f"SELECT * FROM {table}")):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_a_token_lets_its_person_in_with_their_role(store: Store) -> None:
    token = store.add_user("ana", "policy_author", by="test")
    assert token.startswith("ruta_") and len(token) > 40
    person = store.authenticate(token)
    assert person is not None and (person.name, person.role) == ("ana", "policy_author")


def test_tokens_are_stored_only_as_hashes(store: Store) -> None:
    token = store.add_user("ana", "caseworker", by="test")
    second = store.issue_token("ana", by="test")
    stored = _every_text_in_the_store(store)
    assert token not in stored and second not in stored
    assert token[5:20] not in stored  # not even a long piece of it


def test_an_unknown_or_altered_token_lets_nobody_in(store: Store) -> None:
    token = store.add_user("ana", "caseworker", by="test")
    assert store.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.authenticate("") is None
    assert store.authenticate("Bearer " + token) is None


def test_a_revoked_token_no_longer_works_and_the_others_do(store: Store) -> None:
    first = store.add_user("ana", "caseworker", by="test")
    second = store.issue_token("ana", by="test")
    assert store.revoke("ana", by="admin", prefix=first[:12]) == 1
    assert store.authenticate(first) is None
    assert store.authenticate(second) is not None
    assert store.revoke("ana", by="admin") == 1
    assert store.authenticate(second) is None


def test_an_expired_token_no_longer_works(store: Store) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    future = datetime.now(UTC) + timedelta(days=1)
    expired = store.add_user("ana", "caseworker", by="test", expires_at=past)
    valid = store.issue_token("ana", by="test", expires_at=future)
    assert store.authenticate(expired) is None
    assert store.authenticate(valid) is not None


def test_roles_come_from_the_access_policy(store: Store) -> None:
    assert set(access().roles) == {
        "caseworker",
        "policy_author",
        "policy_approver",
        "auditor",
        "admin",
    }
    with pytest.raises(InvalidRequestError, match="unknown role"):
        store.add_user("ana", "superuser", by="test")


def test_names_are_unique_and_shaped_like_names(store: Store) -> None:
    store.add_user("ana", "caseworker", by="test")
    with pytest.raises(ConflictError):
        store.add_user("ana", "auditor", by="test")
    for bad in ("", "ana maría", "x" * 65, "-ana"):
        with pytest.raises(InvalidRequestError):
            store.add_user(bad, "caseworker", by="test")
    with pytest.raises(NotFoundError):
        store.issue_token("nobody", by="test")


def test_tokens_made_and_revoked_are_in_the_trail_by_prefix_only(store: Store) -> None:
    token = store.add_user("ana", "caseworker", by="admin")
    store.revoke("ana", by="admin")
    events = store.trail()
    assert [e.action for e in events] == ["user_created", "token_created", "token_revoked"]
    assert all(e.actor == "admin" and e.subject == "ana" for e in events)
    assert events[1].detail["token"] == token[:12] + "…"
    assert token not in str([e.to_json() for e in events])


def test_the_first_administrator_is_made_once(store: Store) -> None:
    token = store.bootstrap_admin()
    assert token is not None
    person = store.authenticate(token)
    assert person is not None and person.role == "admin"
    assert store.bootstrap_admin() is None
    assert [u.name for u in store.users()] == ["admin"]


def test_users_list_shows_tokens_by_prefix(store: Store) -> None:
    token = store.add_user("ana", "auditor", by="test")
    [ana] = store.users()
    assert ana.role == "auditor" and [t.prefix for t in ana.tokens] == [token[:12]]
    with store.db.read() as session:
        assert session.execute(select(text("1"))).scalar_one() == 1
