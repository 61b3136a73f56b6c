"""Capacity: large and adversarial rule bases run within durable-rules' limits.

durable-rules' C core fails with error 303 when one fact has more than 64 pending tests, and
refuses rulesets beyond 4,096 rules (docs/durable-rules.md). The compiler must split any rule base
into rulesets that stay within those limits; these tests check that the split holds for
generated bases of thousands of rules and for the worst case of many range tests on one field,
and that the results still equal the plain-Python reference. Rule bases live side by side and
close() gives their memory back.

durable-rules also allows at most 15 all/any groups per rule (error 113); the loader refuses a
rule that cannot fit, or the compiler splits a top-level any into alternatives, so every rule the
loader accepts runs, and every rule it refuses would have failed in durable-rules.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings

from engine import (
    EngineLimitError,
    EngineUnavailableError,
    EvaluationError,
    ReferenceEvaluator,
    Rule,
    RuleBase,
    RuleBaseError,
    RuleEngine,
    rule_base_from_data,
)
from engine.compiler import MAX_RULES_PER_RULESET
from engine.generate import generate_rule_base
from engine.vocabulary import DEPARTMENTS
from strategies import (
    as_of_dates,
    conditions,
    default_catalogue,
    default_manifest,
    valid_profiles,
)

DAY = date(2026, 11, 27)
#: 1 under the default Hypothesis profile, 20 under HYPOTHESIS_PROFILE=deep (conftest.py).
SCALE = max(1, settings().max_examples // 100)
BASE_PROFILE: dict[str, Any] = {
    "age": 30,
    "department": "11",
    "municipality": "11001",
    "years_abroad": 3.0,
    "months_since_return": 2.0,
    "return_kind": "deported",
}


def _rule_base(rules: list[dict[str, Any]], version: str = "capacity-test") -> RuleBase:
    manifest = dict(default_manifest())
    manifest["version"] = version
    rule_file = {"group": {"es": "Capacidad", "en": "Capacity"}, "rules": rules}
    return rule_base_from_data(manifest, default_catalogue(), {"capacity.yaml": rule_file})


def _rule(
    rule_id: str,
    when: dict[str, Any],
    service: str = "LEGAL_RUR_REGISTRATION",
    priority: str = "normal",
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "title": {"es": f"Regla {rule_id}", "en": f"Rule {rule_id}"},
        "status": "illustrative",
        "legal_basis": [],
        "when": when,
        "recommend": [{"service": service, "priority": priority}],
    }


def _open(rule_base: RuleBase) -> Iterator[RuleEngine]:
    engine = RuleEngine(rule_base)
    try:
        yield engine
    finally:
        engine.close()


def _check_rulesets(engine: RuleEngine) -> None:
    compiled = engine.compiled
    units = len(compiled.units)
    assert len(compiled.rulesets) >= math.ceil(units / MAX_RULES_PER_RULESET)
    members = [i for ruleset in compiled.rulesets for i in ruleset.unit_indexes]
    assert sorted(members) == list(range(units)), "every unit in exactly one ruleset"
    assert all(len(r.unit_indexes) <= MAX_RULES_PER_RULESET for r in compiled.rulesets)
    prefix = engine.hash[:16]
    assert all(prefix in r.name for r in compiled.rulesets)
    assert len({r.name for r in compiled.rulesets}) == len(compiled.rulesets)


# --- generated bases of 1,000 and 5,000 rules ---------------------------------------------------


@pytest.fixture(scope="module")
def generated_1000() -> Iterator[tuple[RuleEngine, ReferenceEvaluator]]:
    rule_base = generate_rule_base(1000, seed=11)
    for engine in _open(rule_base):
        yield engine, ReferenceEvaluator(rule_base)


@pytest.fixture(scope="module")
def generated_5000() -> Iterator[tuple[RuleEngine, ReferenceEvaluator]]:
    rule_base = generate_rule_base(5000, seed=5)
    for engine in _open(rule_base):
        yield engine, ReferenceEvaluator(rule_base)


def test_generated_1000_compiles_into_several_rulesets(
    generated_1000: tuple[RuleEngine, ReferenceEvaluator],
) -> None:
    engine, _ = generated_1000
    assert len(engine.rule_base.rules) == 1000
    _check_rulesets(engine)
    assert len(engine.compiled.rulesets) >= 5


@settings(max_examples=200 * SCALE, deadline=None)
@given(profile=valid_profiles(), as_of=as_of_dates())
def test_generated_1000_matches_reference(
    generated_1000: tuple[RuleEngine, ReferenceEvaluator], profile: dict[str, Any], as_of: date
) -> None:
    engine, reference = generated_1000
    result = engine.evaluate(profile, as_of)
    assert result == reference.evaluate(profile, as_of)


@pytest.mark.slow
def test_generated_5000_compiles_into_several_rulesets(
    generated_5000: tuple[RuleEngine, ReferenceEvaluator],
) -> None:
    engine, _ = generated_5000
    assert len(engine.rule_base.rules) == 5000
    _check_rulesets(engine)
    assert len(engine.compiled.rulesets) >= 25


@pytest.mark.slow
@settings(max_examples=100 * SCALE, deadline=None)
@given(profile=valid_profiles(), as_of=as_of_dates())
def test_generated_5000_matches_reference(
    generated_5000: tuple[RuleEngine, ReferenceEvaluator], profile: dict[str, Any], as_of: date
) -> None:
    engine, reference = generated_5000
    result = engine.evaluate(profile, as_of)
    assert result == reference.evaluate(profile, as_of)


# --- worst case for the 64-deep test stack ----------------------------------------------------

_RANGE_OPS = (">=", ">", "<=", "<")


def _same_field_ranges(count: int) -> RuleBase:
    """``count`` rules that all start with a range test on years_abroad, each a new threshold."""
    rules = []
    for number in range(count):
        threshold = round(number * 120 / count, 3)
        test = {"field": "years_abroad", "op": _RANGE_OPS[number % 4], "value": threshold}
        second = {"field": "pregnant", "op": "==", "value": number % 3 == 0}
        rules.append(
            _rule(
                f"T{number:03d}",
                {"all": [test, second]},
                priority=("urgent", "high", "normal")[number % 3],
            )
        )
    return _rule_base(rules, "same-field-ranges")


@pytest.fixture(scope="module")
def same_field_ranges() -> Iterator[tuple[RuleEngine, ReferenceEvaluator]]:
    rule_base = _same_field_ranges(300)
    for engine in _open(rule_base):
        yield engine, ReferenceEvaluator(rule_base)


def test_same_field_ranges_are_split(
    same_field_ranges: tuple[RuleEngine, ReferenceEvaluator],
) -> None:
    engine, _ = same_field_ranges
    _check_rulesets(engine)
    assert len(engine.compiled.rulesets) > 1


@pytest.mark.parametrize("years", [0, 0.2, 0.4, 3, 59.8, 60, 60.2, 119.6, 119.99, 120])
@pytest.mark.parametrize("pregnant", [False, True])
def test_same_field_ranges_evaluate_without_error(
    same_field_ranges: tuple[RuleEngine, ReferenceEvaluator], years: float, pregnant: bool
) -> None:
    engine, reference = same_field_ranges
    profile = dict(BASE_PROFILE, years_abroad=years, pregnant=pregnant)
    result = engine.evaluate(profile, DAY)
    expected = reference.evaluate(profile, DAY)
    assert result == expected
    # About half of the 300 range tests hold for any value; the 200 rules wanting
    # pregnant == false then fire by the hundred, far beyond 64 pending tests at once.
    assert len(result.fired) > 64 or pregnant


@settings(max_examples=60 * SCALE, deadline=None)
@given(profile=valid_profiles())
def test_same_field_ranges_match_reference(
    same_field_ranges: tuple[RuleEngine, ReferenceEvaluator], profile: dict[str, Any]
) -> None:
    engine, reference = same_field_ranges
    assert engine.evaluate(profile, DAY) == reference.evaluate(profile, DAY)


def test_single_test_ranges_on_one_field() -> None:
    """300 rules that are nothing but one range test each (no second test to share)."""
    rules = [
        _rule(f"S{n:03d}", {"field": "age", "op": _RANGE_OPS[n % 4], "value": round(n * 0.4, 1)})
        for n in range(300)
    ]
    rule_base = _rule_base(rules, "single-ranges")
    reference = ReferenceEvaluator(rule_base)
    for engine in _open(rule_base):
        assert len(engine.compiled.rulesets) > 1
        for age in (0, 1, 17, 18, 59, 60, 61, 119, 120):
            profile = dict(BASE_PROFILE, age=age)
            result = engine.evaluate(profile, DAY)
            assert result == reference.evaluate(profile, DAY)
            assert len(result.fired) >= 100


# --- several rule bases in one process -----------------------------------------------------------


def test_two_rule_bases_side_by_side() -> None:
    first_base, second_base = generate_rule_base(300, seed=1), generate_rule_base(300, seed=2)
    assert first_base.hash != second_base.hash
    first, second = RuleEngine(first_base), RuleEngine(second_base)
    try:
        names = {r.name for r in first.compiled.rulesets}
        assert names.isdisjoint(r.name for r in second.compiled.rulesets)
        references = ReferenceEvaluator(first_base), ReferenceEvaluator(second_base)
        differ = 0
        for age in range(0, 100, 3):
            for kind in ("voluntary", "deported", "expelled"):
                profile = dict(
                    BASE_PROFILE,
                    age=age,
                    return_kind=kind,
                    years_abroad=age % 20 + 0.5,
                    pregnant=age % 2 == 0,
                )
                one, two = first.evaluate(profile, DAY), second.evaluate(profile, DAY)
                assert one == references[0].evaluate(profile, DAY)
                assert two == references[1].evaluate(profile, DAY)
                assert one.rule_base_hash == first_base.hash
                assert two.rule_base_hash == second_base.hash
                differ += one.decision() != two.decision()
        assert differ > 0, "the two bases should not answer alike"
    finally:
        first.close()
        second.close()


def test_same_rule_base_twice_in_one_process(rule_base: RuleBase) -> None:
    """Reloading the rule base in service (same hash, same ruleset names) must work."""
    first, second = RuleEngine(rule_base), RuleEngine(rule_base)
    try:
        for age in (3, 17, 30, 65):
            profile = dict(BASE_PROFILE, age=age)
            assert first.evaluate(profile, DAY) == second.evaluate(profile, DAY)
        first.close()
        assert second.evaluate(BASE_PROFILE, DAY).services
    finally:
        first.close()
        second.close()


# --- close() ------------------------------------------------------------------------------------


def test_closed_engine_refuses_to_evaluate(rule_base: RuleBase) -> None:
    engine = RuleEngine(rule_base)
    assert engine.evaluate(BASE_PROFILE, DAY).services
    engine.close()
    with pytest.raises(EvaluationError):
        engine.evaluate(BASE_PROFILE, DAY)
    engine.close()  # closing twice is harmless
    with pytest.raises(EvaluationError):
        engine.evaluate(BASE_PROFILE, DAY)


def _resident_bytes() -> int:
    import resource

    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def _department_lists(written_as: str) -> RuleBase:
    """100 rules, each for a different set of four departments, as ``in`` or as ``any`` of ==."""
    departments = sorted(DEPARTMENTS)
    rules = []
    for number, chosen in enumerate(itertools.islice(itertools.combinations(departments, 4), 100)):
        if written_as == "in":
            when: dict[str, Any] = {"field": "department", "op": "in", "value": list(chosen)}
        else:
            when = {"any": [{"field": "department", "op": "==", "value": d} for d in chosen]}
        rules.append(_rule(f"D{number:03d}", when))
    return _rule_base(rules, f"department-lists-{written_as}")


def _growth_over_reloads(rule_base: RuleBase, reloads: int = 5) -> int:
    """Resident memory gained by building, using and closing an engine ``reloads`` times."""
    engine = RuleEngine(rule_base)
    engine.evaluate(BASE_PROFILE, DAY)
    engine.close()
    baseline = _resident_bytes()
    for _ in range(reloads):
        engine = RuleEngine(rule_base)
        engine.evaluate(BASE_PROFILE, DAY)
        engine.close()
    return _resident_bytes() - baseline


RELOAD_BUDGET = 25 * 1024 * 1024
needs_proc = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc (Linux)")


@needs_proc
@pytest.mark.parametrize("written_as", ["in", "any"])
def test_close_frees_memory(written_as: str) -> None:
    """Reloading a rule base (build, evaluate, close) over and over keeps memory flat.

    Sets written with ``in`` once compiled to durable-rules regular expressions, which leaked
    ~0.1-0.4 MB each on every reload whatever close() did; this pins the fix.
    """
    growth = _growth_over_reloads(_department_lists(written_as))
    assert growth < RELOAD_BUDGET, f"memory grew by {growth / 2**20:.0f} MB over 5 reloads"


@needs_proc
def test_close_frees_memory_of_a_generated_base() -> None:
    """A 1,000-rule base (~140-210 MB per reload before the fix) reloads without growth."""
    growth = _growth_over_reloads(generate_rule_base(1000, seed=3), reloads=4)
    assert growth < 2 * RELOAD_BUDGET, f"memory grew by {growth / 2**20:.0f} MB over 4 reloads"


# --- long value lists --------------------------------------------------------------------------


def _municipalities(count: int) -> list[str]:
    """``count`` distinct municipality-shaped codes (Colombia has about 1,100 municipalities)."""
    departments = sorted(DEPARTMENTS)
    width = len(departments)
    return [f"{departments[n % width]}{n // width:03d}" for n in range(count)]


def _runs_like_reference(rule: dict[str, Any], listed: str) -> None:
    rule_base = _rule_base([rule], "long-lists")
    reference = ReferenceEvaluator(rule_base)
    for engine in _open(rule_base):
        for department, municipality in (("11", "11001"), (listed[:2], listed), ("05", "05999")):
            profile = dict(BASE_PROFILE, department=department, municipality=municipality)
            assert engine.evaluate(profile, DAY) == reference.evaluate(profile, DAY)


#: The longest list the compiler's budget takes in one test (256 successors of one node).
LONG_LIST = 250


def test_long_municipality_list_runs() -> None:
    """250 municipalities in one test (lists of 700 once hit durable-rules' regex limit)."""
    codes = _municipalities(LONG_LIST)
    _runs_like_reference(
        _rule("LONG", {"field": "municipality", "op": "in", "value": codes}), codes[-1]
    )


def test_long_region_list_runs() -> None:
    codes = _municipalities(LONG_LIST)
    rule = _rule("LONG", {"field": "age", "op": ">=", "value": 0})
    rule["regions"] = {"municipalities": codes}
    _runs_like_reference(rule, codes[-1])


def test_too_long_list_is_refused_by_the_loader() -> None:
    """Over the budget, the loader refuses the rule (with file and rule) instead of the engine."""
    codes = _municipalities(1100)
    with pytest.raises(RuleBaseError) as refused:
        _rule_base([_rule("TOO-LONG", {"field": "municipality", "op": "in", "value": codes})])
    assert "TOO-LONG" in str(refused.value)


def test_too_long_list_is_refused_for_the_right_reason() -> None:
    with pytest.raises(RuleBaseError) as refused:
        _rule_base(
            [
                _rule(
                    "TOO-LONG",
                    {"field": "municipality", "op": "in", "value": _municipalities(1100)},
                )
            ]
        )
    found = re.search(r"up to (\d+) tests pending at once, limit (\d+)", str(refused.value))
    assert found is None or int(found[1]) > int(found[2]), str(refused.value)


# --- rules the loader accepts must run -----------------------------------------------------------
#
# durable-rules keeps, per rule, one expression sequence of at most 32 entries
# (MAX_SEQUENCE_EXPRESSIONS in its rete.h); every $and / $or object of the rule's expression takes
# two (OP_AND or OP_OR, then OP_END), and reaching 32 fails the whole ruleset with error 113. So a
# unit (a rule, or a rule joined with one of its notes' conditions) may hold at most 15 groups.
# Regression: the loader accepted such rules and RuleEngine() raised EngineLimitError.

_NUMBERS = (
    "age",
    "years_abroad",
    "months_since_return",
    "children_unregistered",
    "school_age_children",
)
_FIELD_PAIRS = [
    {"field": a, "op": "<=", "other_field": b} for a in _NUMBERS for b in _NUMBERS if a != b
]
_FLAGS = (
    "pregnant",
    "disability",
    "chronic_condition",
    "extreme_poverty",
    "has_trade_skills",
    "wants_business",
    "importing_goods",
    "bringing_capital",
    "psychosocial_distress",
    "urgent_medical_need",
    "sentence_in_force",
    "unaccompanied_minor",
    "wants_travel_to_origin",
    "id_document_cancelled",
)
_AGES = (0, 5, 12, 17, 18, 25, 30, 40, 50, 60, 65, 70, 80, 90)


def _alternatives(count: int) -> dict[str, Any]:
    """``any`` of ``count`` situations, each ``all`` of an age threshold and a yes/no field."""
    return {
        "any": [
            {
                "all": [
                    {"field": "age", "op": ">=", "value": _AGES[n]},
                    {"field": _FLAGS[n], "op": "==", "value": True},
                ]
            }
            for n in range(count)
        ]
    }


def _alternatives_with_sets(count: int) -> dict[str, Any]:
    """``any`` of ``count`` situations, each ``all`` of an ``in`` list and a yes/no field."""
    return {
        "any": [
            {
                "all": [
                    {"field": "employment", "op": "in", "value": ["unemployed", "not_seeking"]},
                    {"field": _FLAGS[n], "op": "==", "value": True},
                ]
            }
            for n in range(count)
        ]
    }


_AT_THE_LIMIT: dict[str, dict[str, Any]] = {
    # 1 + 1 + 14 groups: an any-list of 14 two-test situations, no field comparison at all.
    "any-of-14-situations": _alternatives(14),
    # 1 + 1 + 7 x 2 groups: each situation's 'in' list is one more $or.
    "any-of-7-situations-with-in": _alternatives_with_sets(7),
    # Field-to-field tests (on fields that are never empty, so no presence tests are added).
    "15-field-comparisons-all": {"all": _FIELD_PAIRS[:15]},
    "14-field-comparisons-any": {"any": _FIELD_PAIRS[:14]},
}


def _accepted_rule_runs(rule: dict[str, Any]) -> None:
    """The loader accepts the rule, and the engine runs it as the reference evaluator does."""
    try:
        rule_base = _rule_base([rule], "loader-gap")
    except RuleBaseError as refused:
        pytest.fail(f"the loader refused a rule the engine can run:\n{refused}")
    reference = ReferenceEvaluator(rule_base)
    for engine in _open(rule_base):  # EngineLimitError here: accepted, yet cannot run
        situation = dict(BASE_PROFILE, age=70, pregnant=True, employment="unemployed")
        for profile in (BASE_PROFILE, situation):
            assert engine.evaluate(profile, DAY) == reference.evaluate(profile, DAY)


@pytest.mark.parametrize("name", sorted(_AT_THE_LIMIT))
def test_rules_at_the_group_limit_run(name: str) -> None:
    """Rules that once passed the loader and then failed in durable-rules (error 113): the
    compiler now splits them into alternatives, so they are accepted and run."""
    _accepted_rule_runs(_rule(f"GAP-{name}", _AT_THE_LIMIT[name]))


def test_note_conditions_at_the_limit_run() -> None:
    rule = _rule("GAP-note", {"all": _FIELD_PAIRS[:8]})
    rule["recommend"][0]["notes"] = [
        {"text": {"es": "Nota", "en": "Note"}, "when": {"all": _FIELD_PAIRS[8:15]}}
    ]
    _accepted_rule_runs(rule)


def _in_lists(field: str, count: int) -> list[dict[str, Any]]:
    """``count`` different two-value ``in`` tests on ``field`` (department or municipality)."""
    codes = sorted(DEPARTMENTS) if field == "department" else _municipalities(count + 1)
    return [{"field": field, "op": "in", "value": [codes[n], codes[n + 1]]} for n in range(count)]


def _with_note(when: dict[str, Any], note_when: dict[str, Any]) -> dict[str, Any]:
    rule = _rule("TOO-BIG", when)
    rule["recommend"][0]["notes"] = [{"text": {"es": "Nota", "en": "Note"}, "when": note_when}]
    return rule


#: Rules durable-rules cannot run, each with the words of the loader's refusal and a profile
#: that makes durable-rules fail when the rule is put in service without the loader's check.
_CANNOT_RUN: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    # 1 + 16 groups: durable-rules refuses the ruleset (error 113).
    "16-in-lists": (
        _rule("TOO-BIG", {"all": _in_lists("department", 16)}),
        "nests too many lists for the engine (17 all/any/in groups, limit 15)",
        BASE_PROFILE,
    ),
    # The note's 8 lists join the rule's 8: 17 groups for the note's durable-rules rule.
    "note-with-8-in-lists": (
        _with_note({"all": _in_lists("department", 8)}, {"all": _in_lists("municipality", 8)}),
        "nests too many lists for the engine (17 all/any/in groups, limit 15)",
        BASE_PROFILE,
    ),
    # 100 tests pending at once for an age of 99: beyond durable-rules' stack of 64 (error 303).
    "any-of-100-thresholds": (
        _rule("TOO-BIG", {"any": [{"field": "age", "op": ">=", "value": n} for n in range(100)]}),
        "its any-lists combine into 100 ways of matching (the engine's limit is 64)",
        dict(BASE_PROFILE, age=99),
    ),
}


@pytest.mark.parametrize("name", sorted(_CANNOT_RUN))
def test_loader_refuses_rules_that_cannot_run(name: str) -> None:
    rule, words, profile = _CANNOT_RUN[name]
    with pytest.raises(RuleBaseError) as refused:
        _rule_base([rule])
    (problem,) = refused.value.problems
    assert (problem.file, problem.rule_id, problem.path) == ("capacity.yaml", "TOO-BIG", "when")
    assert words in problem.message and "split" in problem.message, problem.message
    # The refusal is needed: put in service without the loader's check, the rule fails.
    fits = _rule_base([_rule("FITS", {"field": "age", "op": ">=", "value": 0})])
    unchecked = Rule.model_validate(rule, context={"services": fits.service_areas})
    with pytest.raises((EngineLimitError, EngineUnavailableError)):
        for engine in _open(RuleBase(fits.manifest, fits.catalogue, (unchecked,))):
            engine.evaluate(profile, DAY)


@pytest.mark.parametrize(
    "when",
    [
        _alternatives(13),
        _alternatives_with_sets(6),
        {"all": _FIELD_PAIRS[:14]},
        {"any": _FIELD_PAIRS[:13]},
        {"all": _in_lists("department", 14)},
        {"any": [{"field": "age", "op": ">=", "value": n} for n in range(40)]},
    ],
    ids=[
        "any-of-13-situations",
        "any-of-6-situations-with-in",
        "14-field-comparisons-all",
        "13-field-comparisons-any",
        "14-in-lists",
        "any-of-40-thresholds",
    ],
)
def test_rules_just_below_the_limit_run(when: dict[str, Any]) -> None:
    """A group or a test fewer than the cases above: the rules are accepted, run and agree
    with the reference."""
    _accepted_rule_runs(_rule("NEAR", when))


@settings(
    max_examples=150 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(when=conditions(max_depth=3, max_items=5))
def test_every_accepted_rule_builds_and_agrees(when: dict[str, Any]) -> None:
    """Every rule the loader accepts builds in durable-rules and agrees with the reference."""
    try:
        rule_base = _rule_base([_rule("G", when)], "groups")
    except RuleBaseError:
        reject()
    reference = ReferenceEvaluator(rule_base)
    for engine in _open(rule_base):
        assert engine.evaluate(BASE_PROFILE, DAY) == reference.evaluate(BASE_PROFILE, DAY)
