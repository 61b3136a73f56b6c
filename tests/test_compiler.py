"""The compiler's translation into durable-rules: meaning kept, limits respected."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import RuleEngine
from engine.compiler import (
    AS_OF_ATTRIBUTE,
    KIND_ATTRIBUTE,
    MAX_MATCH_PATHS,
    MAX_PENDING_TESTS,
    compile_rule_base,
    durable_expression,
    durable_json,
    plain_number,
    rule_capacity_problem,
)
from engine.conditions import NLeaf, NOr, negation_free
from engine.rule_base import RuleBase
from engine.rule_model import Operator, Rule


def _rule(when: dict[str, Any], **extra: Any) -> Rule:
    data = {
        "id": "T1",
        "title": {"es": "prueba", "en": "test"},
        "status": "in_force",
        "legal_basis": [],
        "when": when,
        "recommend": [{"service": "LEGAL_AID", "priority": "normal"}],
        **extra,
    }
    return Rule.model_validate(data)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_numbers_reach_durable_rules_in_positional_notation(value: float) -> None:
    text = plain_number(value)
    assert "e" not in text.lower()
    assert float(text) == value


def test_durable_json_writes_plain_numbers_everywhere() -> None:
    text = durable_json({"$lt": {"years_abroad": 1e-05}, "list": [2.5e-7, True, None, "a"]})
    assert "e-" not in text
    assert json.loads(text) == {"$lt": {"years_abroad": 1e-05}, "list": [2.5e-7, True, None, "a"]}


def test_not_on_a_field_that_can_be_empty_also_holds_when_empty() -> None:
    rule = _rule({"not": {"field": "origin_municipality", "op": "==", "value": "54001"}})
    assert negation_free(rule.when) == NOr(
        (
            NLeaf("origin_municipality", Operator.NE, "54001"),
            NLeaf("origin_municipality", Operator.IS_NULL),
        )
    )


def test_not_on_a_field_that_is_never_empty_just_flips_the_operator() -> None:
    rule = _rule(
        {
            "not": {
                "all": [
                    {"field": "age", "op": "<", "value": 18},
                    {"field": "pregnant", "op": "==", "value": True},
                ]
            }
        }
    )
    assert negation_free(rule.when) == NOr(
        (NLeaf("age", Operator.GE, 18), NLeaf("pregnant", Operator.NE, True))
    )


def test_sets_become_equalities_on_one_field() -> None:
    codes = durable_expression(NLeaf("department", Operator.IN, ["54", "52"]))
    assert codes == {"$or": [{"department": "54"}, {"department": "52"}]}
    numbers = durable_expression(NLeaf("age", Operator.IN, [17, 18]))
    assert numbers == {"$or": [{"age": 17}, {"age": 18}]}
    excluded = durable_expression(NLeaf("return_kind", Operator.NOT_IN, ["deported", "expelled"]))
    assert excluded == {
        "$and": [{"$neq": {"return_kind": "deported"}}, {"$neq": {"return_kind": "expelled"}}]
    }


def test_every_rule_tests_the_profile_kind_first_then_day_and_region(rule_base: RuleBase) -> None:
    compiled = compile_rule_base(rule_base)
    p30 = next(i for i, u in enumerate(compiled.units) if rule_base.rules[u.rule_index].id == "P30")
    (ruleset,) = [r for r in compiled.rulesets if p30 in r.unit_indexes]
    tests = json.loads(ruleset.definition)[f"u{p30}"]["all"][0]["m"]["$and"]
    assert tests[0] == {KIND_ATTRIBUTE: "profile"}
    assert {"$or": [{"department": "54"}, {"department": "52"}]} in tests
    p01 = next(i for i, u in enumerate(compiled.units) if rule_base.rules[u.rule_index].id == "P01")
    text = next(r.definition for r in compiled.rulesets if p01 in r.unit_indexes)
    assert f'{{"$gte":{{"{AS_OF_ATTRIBUTE}":"2012-07-31"}}}}' in text


def test_ruleset_names_carry_the_rule_base_hash(rule_base: RuleBase) -> None:
    compiled = compile_rule_base(rule_base)
    assert compiled.rulesets
    assert all(r.name.startswith(f"ruta-{rule_base.hash[:16]}-") for r in compiled.rulesets)


def test_notes_with_their_own_condition_become_their_own_engine_rule(rule_base: RuleBase) -> None:
    compiled = compile_rule_base(rule_base)
    notes = [u for u in compiled.units if u.note is not None]
    assert [rule_base.rules[u.rule_index].id for u in notes] == ["P22"]


def test_a_rule_whose_any_lists_multiply_past_the_limit_is_refused() -> None:
    fields = [
        "age",
        "years_abroad",
        "months_since_return",
        "children_unregistered",
        "school_age_children",
    ]
    anys = [{"any": [{"field": f, "op": ">", "value": v} for v in (1, 2, 3)]} for f in fields]
    problem = rule_capacity_problem(_rule({"all": anys}))
    assert problem is not None
    assert problem.type == "too_many_match_paths"
    assert f"limit is {MAX_MATCH_PATHS}" in str(problem)
    assert "split the rule" in str(problem)
    assert f"límite del motor es {MAX_MATCH_PATHS}" in problem.render("es")
    assert "divida la regla" in problem.render("es")


def test_regression_registering_and_closing_engines_does_not_leak(rule_base: RuleBase) -> None:
    """durable-rules never frees compiled regular expressions; sets must not compile to them."""
    import os
    from pathlib import Path

    def resident_kib() -> int:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 1024

    RuleEngine(rule_base).close()
    before = resident_kib()
    for _ in range(150):
        RuleEngine(rule_base).close()
    grown_kib = resident_kib() - before
    assert grown_kib < 50_000, f"150 engines left {grown_kib} KiB behind"


def test_a_long_list_of_alternatives_on_one_field_fits() -> None:
    rule = _rule({"field": "age", "op": "in", "value": list(range(100))})
    assert rule_capacity_problem(rule) is None


@pytest.mark.parametrize("width", [40, 60])
def test_wide_any_lists_are_bounded_by_the_stack_budget(width: int) -> None:
    alternatives = [{"field": "age", "op": ">", "value": v} for v in range(width)]
    problem = rule_capacity_problem(_rule({"any": alternatives}))
    assert (problem is None) == (width <= MAX_PENDING_TESTS)


def test_the_widest_accepted_any_list_runs_in_durable_rules_when_all_of_it_matches(
    rule_base: RuleBase,
) -> None:
    alternatives = [{"field": "age", "op": ">", "value": v} for v in range(MAX_PENDING_TESTS)]
    rule = _rule({"any": alternatives})
    assert rule_capacity_problem(rule) is None
    wide = RuleBase(rule_base.manifest, rule_base.catalogue, (rule,))
    engine = RuleEngine(wide)
    try:
        result = engine.evaluate(
            {
                "age": 100,
                "department": "11",
                "municipality": "11001",
                "years_abroad": 1,
                "months_since_return": 1,
                "return_kind": "voluntary",
            }
        )
        assert [f.id for f in result.fired] == ["T1"]
        assert [s.code for s in result.services] == ["LEGAL_AID"]
    finally:
        engine.close()


@pytest.mark.parametrize("op", ["==", "!=", "<", ">="])
def test_regression_comparing_with_an_empty_field_never_matches(
    rule_base: RuleBase, op: str
) -> None:
    """durable-rules matched `municipality == origin_municipality` when origin was absent."""
    numeric = op in ("<", ">=")
    when = (
        {"field": "municipality", "op": op, "other_field": "origin_municipality"}
        if not numeric
        else {"field": "age", "op": op, "other_field": "children_unregistered"}
    )
    engine = RuleEngine(RuleBase(rule_base.manifest, rule_base.catalogue, (_rule(when),)))
    try:
        profile = {
            "age": 30,
            "department": "05",
            "municipality": "05001",
            "years_abroad": 1,
            "months_since_return": 1,
            "return_kind": "voluntary",
        }
        fired = engine.evaluate(profile).fired
        if numeric:
            assert [f.id for f in fired] == (["T1"] if op == ">=" else [])
        else:
            assert fired == ()
    finally:
        engine.close()
