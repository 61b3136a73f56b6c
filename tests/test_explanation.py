"""The explanation tells the truth: every condition a fired rule tested, whether it held, and
the person's values, whatever shortcut the engine takes to build it."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from engine import ReferenceEvaluator, RuleEngine, parse_profile
from engine.conditions import FiredExplainer, explain, holds
from engine.rule_model import Condition
from strategies import conditions, valid_profiles

DAY = date(2026, 11, 27)
CONDITION = TypeAdapter(Condition)


@given(conditions(), valid_profiles())
def test_a_fired_rule_is_explained_exactly_as_its_condition_evaluates(
    condition_data: dict[str, Any], profile: dict[str, Any]
) -> None:
    condition = CONDITION.validate_python(condition_data)
    facts = vars(parse_profile(profile))
    assume(holds(condition, facts))
    trace = FiredExplainer(condition)(facts)
    assert trace == explain(condition, facts)
    assert trace.holds


@given(conditions(), st.lists(valid_profiles(), min_size=2, max_size=6))
def test_kept_explanations_never_leak_between_profiles(
    condition_data: dict[str, Any], profiles: list[dict[str, Any]]
) -> None:
    condition = CONDITION.validate_python(condition_data)
    explainer = FiredExplainer(condition)
    for profile in profiles:
        facts = vars(parse_profile(profile))
        if holds(condition, facts):
            assert explainer(facts) == explain(condition, facts)


def test_every_tested_condition_is_shown_with_the_persons_value(engine: RuleEngine) -> None:
    result = engine.evaluate(
        {
            "age": 34,
            "department": "54",
            "municipality": "54001",
            "years_abroad": 4,
            "months_since_return": 0.5,
            "return_kind": "deported",
            "has_shelter": False,
            "has_funds": False,
            "origin_municipality": "05001",
            "wants_travel_to_origin": True,
        },
        DAY,
    )
    fired = {f.id: f for f in result.fired}
    p01 = [t.describe(result.values) for t in fired["P01"].conditions.tests()]
    assert p01 == [
        "age >= 18 (value: 34)",
        "years_abroad >= 3 (value: 4)",
        "months_since_return < 12 (value: 0.5)",
        "rur_status == not_registered (value: not_registered)",
    ]
    p29 = [t.describe(result.values) for t in fired["P29"].conditions.tests()]
    assert (
        "origin_municipality != municipality (origin_municipality: 05001, municipality: 54001)"
        in p29
    )
    region = fired["P30"].region
    assert region is not None and region.holds
    assert region.describe(result.values) == (
        "department in [54, 52] (department: 54, municipality: 54001)"
    )
    assert fired["P30"].status.value == "illustrative"


def test_an_any_list_shows_which_alternatives_held(engine: RuleEngine) -> None:
    result = engine.evaluate(
        {
            "age": 70,
            "department": "11",
            "municipality": "11001",
            "years_abroad": 1,
            "months_since_return": 1,
            "return_kind": "voluntary",
            "disability": True,
        },
        DAY,
    )
    p16 = next(f for f in result.fired if f.id == "P16")
    (alternatives,) = [c for c in p16.conditions.children if c.kind == "any"]
    held = [c.describe(result.values) for c in alternatives.children if c.holds]
    assert held == ["age >= 60 (value: 70)", "disability == true (value: true)"]
    assert not all(c.holds for c in alternatives.children)


def test_suppressing_rules_say_what_they_removed(engine: RuleEngine) -> None:
    result = engine.evaluate(
        {
            "age": 40,
            "department": "11",
            "municipality": "11001",
            "years_abroad": 5,
            "months_since_return": 2,
            "return_kind": "voluntary",
            "sentence_in_force": True,
        },
        DAY,
    )
    p03 = next(f for f in result.fired if f.id == "P03")
    assert p03.suppresses == ("LEGAL_RUR_REGISTRATION",)
    assert [(s.code, s.rules) for s in result.suppressed] == [("LEGAL_RUR_REGISTRATION", ("P03",))]


def test_results_name_the_rule_base_and_the_day(engine: RuleEngine) -> None:
    profile = {
        "age": 30,
        "department": "11",
        "municipality": "11001",
        "years_abroad": 1,
        "months_since_return": 1,
        "return_kind": "voluntary",
    }
    result = engine.evaluate(profile, DAY)
    assert (result.rule_base_version, result.rule_base_hash) == (engine.version, engine.hash)
    assert result.as_of == DAY
    assert result == ReferenceEvaluator(engine.rule_base).evaluate(profile, DAY)


def test_matching_rules_names_exactly_the_rules_that_fire(engine: RuleEngine) -> None:
    profile = {
        "age": 70,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 4,
        "months_since_return": 0.5,
        "return_kind": "expelled",
        "disability": True,
        "foreign_studies": "higher",
        "degree_field": "law",
    }
    fired = [f.id for f in engine.evaluate(profile, DAY).fired]
    assert engine.matching_rules(profile, DAY) == fired
    assert "P22" in fired  # its note is a separate engine rule, yet P22 is named once
