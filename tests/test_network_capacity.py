"""Live capacity: an institution's weekly capacity minus the referrals it has sent or accepted
this ISO week (an :class:`~network.Occupancy`, counted by the store).

Properties on random networks and occupancies (``tests/network_strategies.py``): a full
institution is never a target; with nothing counted the answers are those of a network that
never heard of occupancy; a kept answer is never given for another occupancy, yet is kept
when the occupancy changes only where the service is not offered. Then examples on the shipped
network and on small hand-made ones, the occupancy value itself, and the API's answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from network_strategies import (
    EXAMPLES,
    NO_PREFERENCE,
    PREFERENCE,
    capacity_key,
    full,
    network_data,
    occupancies,
    queries,
    serves_place,
    shelter,
    small_network,
)

from api.recommend import recommendation
from engine import RuleEngine, Text, load_rule_base
from network import (
    NO_CAPACITY,
    Level,
    Network,
    NetworkError,
    Occupancy,
    OccupancyError,
    load_network,
)
from network.models import Serves

SHELTER = "HUM_TEMPORARY_SHELTER"
CUCUTA = "54001"
DAY = date(2026, 11, 27)
#: Why there is no target when everyone within reach is full, written out.
NO_CAPACITY_AT_ANY = Text(
    es="sin cupo esta semana en ninguna de las instituciones a su alcance que ofrecen este"
    " servicio",
    en="no capacity this week at any of the institutions within reach that offer this service",
)


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_a_full_institution_is_never_a_target(data: st.DataObject) -> None:
    records = data.draw(network_data())
    network = Network(records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(records))
        occupancy = data.draw(occupancies(records))
        selection = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        for target in selection.targets:
            assert not full(target.institution, occupancy), target.institution.id
        passed = {p.institution_id: p.reason for p in selection.passed_over}
        for institution in records.institutions:
            if (
                institution.active
                and full(institution, occupancy)
                and service in institution.services
                and serves_place(institution, municipality)
            ):
                assert passed[institution.id] == NO_CAPACITY


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_with_nothing_counted_the_answers_are_unchanged(data: st.DataObject) -> None:
    """No occupancy, an empty one, zeros everywhere, and referrals counted only where no
    capacity is stated: one and the same answer (the one the network gave before capacity was
    live: ranked by stated capacity, zero capacity passed over)."""
    records = data.draw(network_data())
    network, reference = Network(records), Network(records)
    zeros = Occupancy({i.id: 0 for i in records.institutions})
    uncapped = Occupancy({i.id: 50 for i in records.institutions if i.weekly_capacity is None})
    for _ in range(5):
        service, municipality, k = data.draw(queries(records))
        reference.forget_selections()
        plain = reference.select_targets(service, municipality, k, preference=PREFERENCE)
        for occupancy in (None, Occupancy(), zeros, uncapped):
            assert (
                network.select_targets(
                    service, municipality, k, preference=PREFERENCE, occupancy=occupancy
                )
                == plain
            )
        for target in plain.targets:
            assert target.institution.weekly_capacity != 0


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_a_kept_answer_is_never_given_for_another_occupancy(data: st.DataObject) -> None:
    """A network that has answered under many occupancies answers each as one that has kept
    nothing would."""
    records = data.draw(network_data())
    seasoned, reference = Network(records), Network(records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(records))
        for _ in range(3):
            occupancy = data.draw(occupancies(records))
            reference.forget_selections()
            fresh = reference.select_targets(
                service, municipality, k, preference=PREFERENCE, occupancy=occupancy
            )
            kept = seasoned.select_targets(
                service, municipality, k, preference=PREFERENCE, occupancy=occupancy
            )
            assert kept == fresh


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_referrals_elsewhere_keep_the_kept_answer(data: st.DataObject) -> None:
    """Referrals counted at institutions that do not offer the service (or state no capacity)
    give back the very answer kept, not one worked out again: the cache stays effective while
    the store counts referrals for other services."""
    records = data.draw(network_data())
    network = Network(records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(records))
        occupancy = data.draw(occupancies(records)) or Occupancy()
        first = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        elsewhere = occupancy
        for institution in records.institutions:
            if service not in institution.services or institution.weekly_capacity is None:
                elsewhere = elsewhere.with_referrals(institution.id, 3)
        again = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=elsewhere
        )
        assert again is first
        equal = Occupancy(dict(occupancy))
        assert equal == occupancy and equal is not occupancy
        assert (
            network.select_targets(service, municipality, k, preference=PREFERENCE, occupancy=equal)
            is first
        )


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_filling_a_target_changes_the_answer(data: st.DataObject) -> None:
    records = data.draw(network_data())
    network = Network(records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(records))
        occupancy = data.draw(occupancies(records)) or Occupancy()
        before = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        capped = [t for t in before.targets if t.institution.weekly_capacity is not None]
        if not capped:
            continue
        target = capped[0].institution
        assert target.weekly_capacity is not None
        filled = occupancy.with_referrals(target.id, target.weekly_capacity)
        after = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=filled
        )
        assert target.id not in {t.institution.id for t in after.targets}
        assert {p.institution_id: p.reason for p in after.passed_over}[target.id] == (NO_CAPACITY)


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_occupancy_is_a_value(data: st.DataObject) -> None:
    counts = data.draw(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 50)))
    occupancy = Occupancy(counts)
    assert dict(occupancy) == {key: value for key, value in counts.items() if value}
    assert occupancy == Occupancy(dict(reversed(list(counts.items()))))
    assert hash(occupancy) == hash(Occupancy(dict(occupancy)))
    for key in "abcdef":
        assert occupancy.used_by(key) == counts.get(key, 0)
        added = occupancy.with_referrals(key, 2)
        assert added.used_by(key) == counts.get(key, 0) + 2
        assert occupancy.used_by(key) == counts.get(key, 0), "an occupancy never changes"
        assert added.with_referrals(key, -2) == occupancy
        assert occupancy.with_referrals(key, -1000).used_by(key) == 0
    some = frozenset(data.draw(st.sets(st.sampled_from("abcdefgh"))))
    assert occupancy.used_among(some) == {(i, n) for i, n in counts.items() if i in some and n}


# --- examples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [{"a": -1}, {"a": 1.5}, {"a": True}, {"a": "3"}, {3: 1}],
    ids=["negative", "fraction", "bool", "text", "id-not-text"],
)
def test_impossible_counts_are_refused(bad: dict[object, object]) -> None:
    with pytest.raises(OccupancyError) as caught:
        Occupancy(bad)  # type: ignore[arg-type]
    assert isinstance(caught.value, NetworkError)
    with pytest.raises(OccupancyError):
        Occupancy().with_referrals("a", 1.5)  # type: ignore[arg-type]


def test_the_hogar_de_paso_of_cucuta_is_passed_over_once_full() -> None:
    network = load_network()
    preference = load_rule_base().referral_preference
    first = network.select_targets(SHELTER, CUCUTA, k=3, preference=preference).targets[0]
    hogar = first.institution
    assert hogar.id == "centro-migraciones-cucuta" and hogar.weekly_capacity == 40
    nearly = Occupancy({hogar.id: 39})
    selection = network.select_targets(
        SHELTER, CUCUTA, k=3, preference=preference, occupancy=nearly
    )
    assert selection.targets[0].institution.id == hogar.id
    used_up = nearly.with_referrals(hogar.id)
    selection = network.select_targets(
        SHELTER, CUCUTA, k=3, preference=preference, occupancy=used_up
    )
    assert hogar.id not in {t.institution.id for t in selection.targets}
    assert selection.targets, "others still take the referral"
    passed = {p.institution_id: p.reason for p in selection.passed_over}
    assert passed[hogar.id].es == "sin cupo esta semana"
    assert passed[hogar.id].en == "no capacity this week"
    # A new week: the store counts nothing, and the Hogar de Paso is first again.
    again = network.select_targets(SHELTER, CUCUTA, k=3, preference=preference, occupancy=None)
    assert again.targets[0].institution.id == hogar.id


def test_the_most_room_left_breaks_a_tie() -> None:
    network = small_network(
        [
            shelter("big", Serves(municipalities=["54001"]), "54001", capacity=20),
            shelter("small", Serves(municipalities=["54001"]), "54001", capacity=10),
            shelter("unknown", Serves(municipalities=["54001"]), "54001", capacity=None),
        ]
    )

    def order(occupancy: Occupancy | None) -> list[str]:
        selection = network.select_targets(
            SHELTER, CUCUTA, k=3, preference=NO_PREFERENCE, occupancy=occupancy
        )
        assert all(t.level == Level.MUNICIPALITY for t in selection.targets)
        return [t.institution.id for t in selection.targets]

    assert order(None) == ["big", "small", "unknown"]
    assert order(Occupancy({"big": 15})) == ["small", "big", "unknown"]  # 5 left against 10
    assert order(Occupancy({"big": 10})) == ["big", "small", "unknown"]  # 10 and 10: by id
    assert order(Occupancy({"big": 20, "small": 9})) == ["small", "unknown"]
    big, small = (network.institutions[i] for i in ("big", "small"))
    assert capacity_key(big, Occupancy({"big": 15})) > capacity_key(small)


def test_when_everyone_within_reach_is_full_the_answer_says_so() -> None:
    network = small_network(
        [
            shelter("a", Serves(municipalities=["54001"]), "54001", capacity=5),
            shelter("b", Serves(departments=["68"]), "68001", capacity=5),
        ]
    )
    occupancy = Occupancy({"a": 5, "b": 7})
    selection = network.select_targets(
        SHELTER, CUCUTA, k=2, preference=NO_PREFERENCE, occupancy=occupancy
    )
    assert selection.targets == ()
    assert selection.no_target_reason == NO_CAPACITY_AT_ANY
    # One of them inactive instead: the reason names both causes.
    inactive = small_network(
        [
            shelter("a", Serves(municipalities=["54001"]), "54001", capacity=5),
            shelter("b", Serves(departments=["68"]), "68001").model_copy(update={"active": False}),
        ]
    )
    selection = inactive.select_targets(
        SHELTER, CUCUTA, k=2, preference=NO_PREFERENCE, occupancy=occupancy
    )
    assert selection.no_target_reason is not None
    assert "inactiva" in selection.no_target_reason.es
    assert "sin cupo esta semana" in selection.no_target_reason.es
    assert "inactive" in selection.no_target_reason.en
    assert "no capacity this week" in selection.no_target_reason.en
    # A referral withdrawn frees a place: the answer changes at once.
    freed = occupancy.with_referrals("a", -1)
    selection = network.select_targets(
        SHELTER, CUCUTA, k=2, preference=NO_PREFERENCE, occupancy=freed
    )
    assert [t.institution.id for t in selection.targets] == ["a"]
    assert selection.no_target_reason is None


# --- the API's answer ------------------------------------------------------------------------

PROFILE = {
    "age": 34,
    "department": "54",
    "municipality": CUCUTA,
    "years_abroad": 4,
    "months_since_return": 0.5,
    "return_kind": "deported",
    "has_shelter": False,
}


def test_the_answer_follows_the_occupancy_it_is_given() -> None:
    engine = RuleEngine(load_rule_base())
    network = small_network(
        [shelter("only", Serves(municipalities=["54001"]), "54001", capacity=5)]
    )
    with engine:

        def shelter_answer(occupancy: Occupancy | None, lang: str) -> dict[str, Any]:
            answer = recommendation(engine, network, PROFILE, DAY, lang, 3, occupancy=occupancy)
            return next(s for s in answer["services"] if s["code"] == SHELTER)

        free = shelter_answer(None, "es")
        assert [t["institution_id"] for t in free["targets"]] == ["only"]
        assert free["no_target_reason"] is None
        full_es = shelter_answer(Occupancy({"only": 5}), "es")
        assert full_es["targets"] == ()
        assert full_es["no_target_reason"] == NO_CAPACITY_AT_ANY.es
        full_en = shelter_answer(Occupancy({"only": 5}), "en")
        assert full_en["no_target_reason"] == NO_CAPACITY_AT_ANY.en
        # Back to free (the answer kept for "free" is not the one for "full").
        assert shelter_answer(Occupancy({"only": 4}), "es")["targets"] == free["targets"]
        # Every service of the roadmap has a target or says why not.
        answer = recommendation(engine, network, PROFILE, DAY, "en", 3)
        for service in answer["services"]:
            assert bool(service["targets"]) != bool(service["no_target_reason"])
