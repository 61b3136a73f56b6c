"""What to ask next: the fields a caseworker did not send whose answer could add or raise a
service (engine/open_fields.py).

The examples are worked out by hand from the protocols (P08, P12, P16, P27, P28, P29, P32), not
from the finder. The properties use a separate oracle: the full evaluation of the profile with
the one field changed, by the reference evaluator, over every value the field can hold (every
yes/no, word and whole number; for codes, the person's own municipality, codes the rules name,
other codes and empty) — not the finder's own choice of answers to try.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from engine import (
    Condition,
    FieldKind,
    OpenField,
    OpenFieldFinder,
    Priority,
    Profile,
    ReferenceEvaluator,
    RuleBase,
    RuleEngine,
    holds,
    leaves,
    profile_fields,
)
from engine.conditions import predicate
from engine.vocabulary import DEPARTMENTS, PRIORITY_ORDER
from strategies import (
    THRESHOLDS,
    as_of_dates,
    build_rule_base,
    conditions,
    municipality_codes,
    rule_bases,
    valid_profiles,
)

DAY = date(2026, 11, 27)
#: A man deported to Cúcuta two weeks ago; each example adds what it is about.
BASE: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 4,
    "months_since_return": 0.5,
    "return_kind": "deported",
}
ABSENT = len(PRIORITY_ORDER)

#: 1 under the default Hypothesis profile, 20 under HYPOTHESIS_PROFILE=deep (conftest.py).
SCALE = max(1, settings().max_examples // 100)


def _open(engine: RuleEngine, profile: dict[str, Any]) -> dict[str, OpenField]:
    return {item.field: item for item in engine.open_fields(engine.evaluate(profile, DAY))}


def _offers(item: OpenField) -> dict[str, tuple[str, str | None, Any]]:
    """Service → (priority it would get, its priority now, the answer that gives it)."""
    return {
        s.code: (s.priority.value, None if s.current is None else s.current.value, s.example)
        for s in item.services
    }


# --- examples from the protocols --------------------------------------------------------------


def test_has_funds_left_at_yes_hides_urgent_food_aid(engine: RuleEngine) -> None:
    # P28 (no funds, < 3 months: food aid high) and P32 (no shelter and no funds: urgent).
    found = _open(engine, {**BASE, "has_shelter": False})
    item = found["has_funds"]
    assert item.default is True and item.example is False
    assert item.label.es.startswith("Puede cubrir alimentación")
    assert item.label.en.startswith("Can cover food")
    assert _offers(item) == {"HUM_FOOD_AID": ("urgent", None, False)}


def test_a_field_sent_is_never_open_even_with_its_default_value(engine: RuleEngine) -> None:
    assert "has_funds" not in _open(engine, {**BASE, "has_shelter": False, "has_funds": True})
    assert "has_funds" not in _open(engine, {**BASE, "has_shelter": False, "has_funds": False})


def test_has_shelter_left_at_yes_hides_shelter_and_raises_food_aid(engine: RuleEngine) -> None:
    # With no funds (P28: food aid high), no shelter would add P27's shelter (urgent) and
    # raise food aid to urgent (P32).
    item = _open(engine, {**BASE, "has_funds": False})["has_shelter"]
    assert _offers(item) == {
        "HUM_TEMPORARY_SHELTER": ("urgent", None, False),
        "HUM_FOOD_AID": ("urgent", "high", False),
    }


def test_after_three_months_shelter_and_funds_are_not_worth_asking(engine: RuleEngine) -> None:
    found = _open(engine, {**BASE, "months_since_return": 4})
    assert "has_shelter" not in found and "has_funds" not in found


def test_origin_municipality_is_open_for_a_trip_home_without_funds(engine: RuleEngine) -> None:
    # P29: wants to travel on, no funds, origin given and other than where the person is.
    profile = {**BASE, "wants_travel_to_origin": True, "has_funds": False}
    item = _open(engine, profile)["origin_municipality"]
    assert item.default is None
    assert set(_offers(item)) == {"HUM_TRANSPORT_ORIGIN"}
    assert _offers(item)["HUM_TRANSPORT_ORIGIN"][:2] == ("normal", None)
    assert isinstance(item.example, str) and item.example != profile["municipality"]
    Profile.model_validate({**profile, "origin_municipality": item.example})
    # Sent, even empty, it is answered.
    assert "origin_municipality" not in _open(engine, {**profile, "origin_municipality": None})


def test_the_example_place_of_origin_is_never_where_the_person_lives(
    engine: RuleEngine,
) -> None:
    # Whatever code stands for "another municipality" must not be the person's own.
    for department, municipality in (("05", "05001"), ("08", "08001"), ("11", "11001")):
        profile = {
            **BASE,
            "department": department,
            "municipality": municipality,
            "wants_travel_to_origin": True,
            "has_funds": False,
        }
        item = _open(engine, profile)["origin_municipality"]
        assert item.example not in (None, municipality)


def test_an_unaccompanied_child_is_asked_about_only_under_18(engine: RuleEngine) -> None:
    child = _open(engine, {**BASE, "age": 15})["unaccompanied_minor"]
    assert _offers(child)["HUM_CHILD_PROTECTION"] == ("urgent", None, True)
    assert "unaccompanied_minor" not in _open(engine, BASE)


def test_numbers_are_tried_at_the_rules_threshold(engine: RuleEngine) -> None:
    # P12: children_unregistered >= 1 gives identity documents, high.
    item = _open(engine, BASE)["children_unregistered"]
    assert item.default == 0 and item.example == 1
    assert _offers(item) == {"LEGAL_ID_DOCUMENTS": ("high", None, 1)}


def test_a_raise_names_the_priority_now(engine: RuleEngine) -> None:
    # P15 gives subsidised enrolment normal; P16 (pregnant, no coverage) high; P18 maternal care.
    item = _open(engine, BASE)["pregnant"]
    assert _offers(item) == {
        "HEALTH_MATERNAL_CARE": ("high", None, True),
        "HEALTH_SUBSIDIZED_ENROLLMENT": ("high", "normal", True),
    }


def test_answers_that_only_take_services_away_are_not_asked(engine: RuleEngine) -> None:
    # P03 only suppresses; employment's default (unemployed) already opens P15, P23, P24, P25.
    found = _open(engine, {**BASE, "has_trade_skills": True, "wants_business": True})
    assert not {"sentence_in_force", "convicted_public_administration", "employment"} & set(found)


def test_the_most_urgent_questions_come_first(engine: RuleEngine) -> None:
    found = engine.open_fields(engine.evaluate({**BASE, "has_shelter": False}, DAY))
    ranks = [PRIORITY_ORDER[item.services[0].priority] for item in found]
    assert ranks == sorted(ranks)
    assert [item.field for item in found][:2] == ["urgent_medical_need", "has_funds"]


def test_nothing_is_open_when_everything_was_asked(engine: RuleEngine) -> None:
    everything = {
        name: info.default for name, info in Profile.model_fields.items() if not info.is_required()
    }
    assert engine.open_fields(engine.evaluate({**BASE, **everything}, DAY)) == ()


def test_the_engine_and_the_reference_evaluator_agree(
    engine: RuleEngine, reference: ReferenceEvaluator
) -> None:
    profile = {**BASE, "has_shelter": False}
    assert engine.open_fields(engine.evaluate(profile, DAY)) == reference.open_fields(
        reference.evaluate(profile, DAY)
    )


# --- properties, against the reference evaluator over every value of the field -------------


def _roadmap(evaluator: ReferenceEvaluator, profile: dict[str, Any], day: date) -> dict[str, int]:
    return {s.code: PRIORITY_ORDER[s.priority] for s in evaluator.evaluate(profile, day).services}


def _gains(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {code: rank for code, rank in after.items() if rank < before.get(code, ABSENT)}


def _named_codes(rule_base: RuleBase) -> set[str]:
    named: set[str] = set()
    for rule in rule_base.rules:
        for test in leaves(rule.when):
            values = test.value if isinstance(test.value, list) else [test.value]
            named |= {v for v in values if isinstance(v, str) and v[:1].isdigit()}
    return named


def _every_value(name: str, profile: dict[str, Any], codes: set[str], extra: str) -> list[Any]:
    """Every value the field can hold, or for codes one of each kind that can matter."""
    spec = profile_fields()[name]
    values: list[Any]
    if spec.kind is FieldKind.BOOLEAN:
        values = [True, False]
    elif spec.kind is FieldKind.CHOICE:
        values = list(spec.choices)
    elif spec.kind is FieldKind.INTEGER:
        assert spec.minimum is not None and spec.maximum is not None
        values = list(range(int(spec.minimum), int(spec.maximum) + 1))
    elif spec.kind is FieldKind.NUMBER:
        pool = THRESHOLDS.get(name, ())
        values = sorted({*pool, spec.minimum or 0, spec.maximum or 0, *(v + 0.5 for v in pool)})
    else:
        five = [c for c in codes if len(c) == 5]
        values = sorted({profile["municipality"], "05001", "11001", "54001", extra, *five})
        if spec.pattern and "{2}" in spec.pattern:
            values = sorted(DEPARTMENTS)
    if spec.nullable:
        values.append(None)
    return values


def _check_open_fields(
    evaluator: ReferenceEvaluator,
    found: tuple[OpenField, ...],
    profile: dict[str, Any],
    day: date,
    extra_code: str,
) -> None:
    before = _roadmap(evaluator, profile, day)
    listed = {item.field: item for item in found}
    assert not set(listed) & set(profile), "a field the caseworker sent is listed as open"
    order = list(Profile.model_fields)
    keys = [(PRIORITY_ORDER[i.services[0].priority], order.index(i.field)) for i in found]
    assert keys == sorted(keys), "most urgent first, then the profile's order"
    for item in found:
        assert item.services and item.example == item.services[0].example
        assert item.default == Profile.model_fields[item.field].default
        for service in item.services:
            # The example really gives the service at the priority listed, above its place now.
            after = _roadmap(evaluator, {**profile, item.field: service.example}, day)
            rank = PRIORITY_ORDER[service.priority]
            assert after.get(service.code) == rank, (item.field, service.code)
            assert before.get(service.code, ABSENT) > rank
            now = None if service.current is None else PRIORITY_ORDER[service.current]
            assert before.get(service.code) == now
    codes = _named_codes(evaluator.rule_base)
    for name, info in Profile.model_fields.items():
        if info.is_required() or name in profile:
            continue
        entry = listed.get(name)
        promised = {} if entry is None else _offers(entry)
        for value in _every_value(name, profile, codes, extra_code):
            gained = _gains(before, _roadmap(evaluator, {**profile, name: value}, day))
            for code, rank in gained.items():
                # Whatever an answer adds or raises is listed, at that priority or higher.
                assert code in promised, f"{name}={value!r} would add or raise {code}"
                assert PRIORITY_ORDER[Priority(promised[code][0])] <= rank


@settings(max_examples=100 * SCALE, deadline=None)
@given(profile=valid_profiles(), day=as_of_dates(), extra=municipality_codes())
def test_shipped_rules_list_exactly_the_answers_that_add_or_raise(
    engine: RuleEngine,
    reference: ReferenceEvaluator,
    profile: dict[str, Any],
    day: date,
    extra: str,
) -> None:
    """For any profile and day, under the shipped rules (found by durable-rules): every service
    listed is really added or raised by its example answer, and no answer of a field not sent
    adds or raises anything not listed; fields sent are never listed."""
    found = engine.open_fields(engine.evaluate(profile, day))
    _check_open_fields(reference, found, profile, day, extra)


@st.composite
def sparse_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Valid profiles that often leave many optional fields out, as intake interviews do."""
    profile = draw(valid_profiles())
    optional = sorted(n for n in profile if not Profile.model_fields[n].is_required())
    dropped = draw(st.sets(st.sampled_from(optional))) if optional else set()
    return {n: v for n, v in profile.items() if n not in dropped}


#: Rule bases whose rules are one test, or one all/any/not of tests: they fire and stop firing
#: often as one field changes, so suppressions and field-to-field comparisons bite.
SHALLOW_BASES = st.one_of(
    rule_bases(max_rules=12, max_depth=0), rule_bases(max_rules=12, max_depth=1)
)


@settings(
    max_examples=60 * SCALE,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(
    data=st.one_of(rule_bases(max_rules=12), SHALLOW_BASES),
    profile=sparse_profiles(),
    day=as_of_dates(),
    extra=municipality_codes(),
)
def test_any_rule_base_lists_exactly_the_answers_that_add_or_raise(
    data: Any, profile: dict[str, Any], day: date, extra: str
) -> None:
    """The same on random rule bases: thresholds anywhere, fields compared with each other,
    codes, empty fields, suppressions, regions and dates."""
    evaluator = ReferenceEvaluator(build_rule_base(data))
    found = evaluator.open_fields(evaluator.evaluate(profile, day))
    _check_open_fields(evaluator, found, profile, day, extra)


_CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)


@settings(max_examples=200 * SCALE, deadline=None)
@given(condition=conditions(), profiles=st.lists(valid_profiles(), min_size=1, max_size=5))
def test_a_prepared_condition_means_what_holds_says(
    condition: dict[str, Any], profiles: list[dict[str, Any]]
) -> None:
    checked = _CONDITION.validate_python(condition)
    prepared = predicate(checked)
    for profile in profiles:
        facts = vars(Profile.model_validate(profile))
        assert prepared(facts) == holds(checked, facts)


@pytest.mark.parametrize("field", ["age", "department", "municipality", "return_kind"])
def test_required_fields_are_never_open(engine: RuleEngine, field: str) -> None:
    assert field not in OpenFieldFinder(engine.rule_base).fields
