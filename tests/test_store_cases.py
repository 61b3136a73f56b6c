"""The store's side of cases and referrals: identities sealed with rotating keys, the referral
lifecycle as data, capacity counted per ISO week, and reports worked out by hand."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from store import (
    KEY_FILE,
    Identity,
    IdentityCipher,
    Principal,
    Store,
    StoreUnavailableError,
    iso_week_start,
    new_key,
    referral_policy,
)
from store.models import ReferralEventRow, ReferralRow

CARLA = Principal("carla", "caseworker", "oam-cucuta")
PERSON = Identity("María Pérez", "CC 1.234.567", "3001234567")


def test_a_rotated_key_still_opens_what_the_old_one_sealed() -> None:
    old, new = new_key(), new_key()
    sealed = IdentityCipher([old]).seal(PERSON)
    rotated = IdentityCipher([new, old])
    assert rotated.open(sealed) == PERSON
    assert IdentityCipher([new]).open(rotated.seal(PERSON)) == PERSON
    with pytest.raises(StoreUnavailableError) as refused:
        IdentityCipher([new]).open(sealed)
    assert "RUTA_DATA_KEY" in refused.value.message and "RUTA_DATA_KEY" in refused.value.message_es
    assert "María" not in refused.value.message


def test_a_malformed_key_or_none_is_refused_in_both_languages() -> None:
    for keys in ([], ["not a key"]):
        with pytest.raises(StoreUnavailableError) as refused:
            IdentityCipher(keys)
        assert "RUTA_DATA_KEY" in refused.value.message
        assert "RUTA_DATA_KEY" in refused.value.message_es


def test_the_embedded_key_file_is_made_once_and_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    first = IdentityCipher.from_setting(None, tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode)
    assert mode == 0o600
    again = IdentityCipher.from_setting(None, tmp_path)
    assert again.open(first.seal(PERSON)) == PERSON


def test_the_lifecycle_is_coherent() -> None:
    policy = referral_policy()
    reachable, frontier = {policy.start}, [policy.start]
    while frontier:
        for status in policy.allowed(frontier.pop()):
            if status not in reachable:
                reachable.add(status)
                frontier.append(status)
    assert reachable == set(policy.labels)  # every status can be reached
    finished = {s for s in policy.labels if not policy.allowed(s)}
    assert finished == {"closed", "cancelled"}
    assert policy.open == {"proposed", "sent", "accepted"}
    for status in policy.open:
        assert "cancelled" in policy.allowed(status)
    for status in policy.reason_required:
        assert policy.reasons[status]
    for labels in [
        *policy.labels.values(),
        *(r for rs in policy.reasons.values() for r in rs.values()),
    ]:
        assert set(labels) == {"es", "en"} and all(labels.values())


def test_iso_weeks_start_on_monday_at_midnight() -> None:
    sunday = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)
    monday = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert iso_week_start(sunday) == datetime(2026, 11, 30, tzinfo=UTC)
    assert iso_week_start(monday) == monday


@pytest.fixture
def cases_store(store_url: str) -> Iterator[Store]:
    """An empty store that can seal identities."""
    opened = Store(store_url, cipher=IdentityCipher([new_key()]))
    opened.upgrade()
    yield opened
    opened.close()


def _referral(store: Store, institution: str, *, to: list[str], reasons: dict[str, str]) -> str:
    case = store.cases.open(
        office="oam-cucuta", profile={"department": "54"}, person=PERSON, reader=CARLA
    )
    store.cases.record_consent(case.id, institution, given=True, reader=CARLA)
    store.cases.add_receipt(
        case.id,
        reader=CARLA,
        profile={"department": "54"},
        as_of=date(2026, 12, 2),
        rule_base_hash="0" * 64,
        network_version="test",
        answer={"services": [{"code": "HUM_FOOD_AID", "area": "humanitarian"}]},
    )
    referral = store.referrals.propose(
        case.id,
        reader=CARLA,
        service="HUM_FOOD_AID",
        institution_id=institution,
        check=lambda receipt: "humanitarian",
    )
    revision = referral.revision
    for status in to:
        moved = store.referrals.move(
            referral.id,
            reader=CARLA,
            to=status,
            reason=reasons.get(status),
            note=None,
            revision=revision,
        )
        revision = moved.revision
    return referral.id


def test_capacity_counts_referrals_sent_this_week_that_still_hold_a_place(
    cases_store: Store,
) -> None:
    store = cases_store
    held = [_referral(store, "a", to=["sent"], reasons={}) for _ in range(2)]
    _referral(store, "a", to=["sent", "accepted"], reasons={})
    _referral(store, "a", to=["sent", "rejected"], reasons={"rejected": "no_capacity"})
    _referral(store, "a", to=["sent", "cancelled"], reasons={})
    _referral(store, "a", to=[], reasons={})  # proposed: not sent, holds nothing
    _referral(store, "b", to=["sent", "accepted", "attended"], reasons={})
    assert store.referrals.occupancy() == {"a": 3}
    # A referral sent last week no longer counts.
    with store.db.write() as session:
        session.execute(
            update(ReferralRow)
            .where(ReferralRow.id == held[0])
            .values(sent_at=datetime.now(UTC) - timedelta(days=8))
        )
    assert store.referrals.occupancy() == {"a": 2}
    stamp = store.referrals.stamp()
    _referral(store, "b", to=["sent"], reasons={})
    assert store.referrals.stamp() > stamp
    assert store.referrals.occupancy() == {"a": 2, "b": 1}


def test_reports_count_rates_and_days_as_worked_out_by_hand(cases_store: Store) -> None:
    store = cases_store
    accepted = _referral(store, "a", to=["sent", "accepted", "attended"], reasons={})
    _referral(
        store, "a", to=["sent", "accepted", "not_attended"], reasons={"not_attended": "moved_away"}
    )
    _referral(store, "a", to=["sent", "rejected"], reasons={"rejected": "not_eligible"})
    _referral(store, "b", to=["sent"], reasons={})
    # The attended one: sent 10 days before it was attended.
    now = datetime.now(UTC)
    with store.db.write() as session:
        session.execute(
            update(ReferralEventRow)
            .where(ReferralEventRow.referral_id == accepted, ReferralEventRow.to_status == "sent")
            .values(at=now - timedelta(days=10))
        )
        session.execute(
            update(ReferralEventRow)
            .where(
                ReferralEventRow.referral_id == accepted, ReferralEventRow.to_status == "attended"
            )
            .values(at=now)
        )
    counts = store.reports.counts(["institution", "status"])
    assert counts == [
        {"institution": "a", "status": "attended", "referrals": 1},
        {"institution": "a", "status": "not_attended", "referrals": 1},
        {"institution": "a", "status": "rejected", "referrals": 1},
        {"institution": "b", "status": "sent", "referrals": 1},
    ]
    (a, b) = store.reports.outcomes(["institution"])
    assert (a["referrals"], a["sent"], a["accepted"], a["rejected"]) == (3, 3, 2, 1)
    assert a["acceptance_rate"] == round(2 / 3, 4)
    assert (a["attended"], a["not_attended"]) == (1, 1)
    assert a["days_to_attendance_median"] == 10.0 == a["days_to_attendance_mean"]
    assert b["acceptance_rate"] is None and b["days_to_attendance_median"] is None
    # Open referrals older than 5 days: none yet; then the one sent to b, pushed back.
    assert store.reports.stale(5) == []
    assert [r["institution"] for r in store.reports.stale(5, now=now + timedelta(days=6))] == ["b"]
