"""Verification's witnesses are the same in every run and every process, and each is the person
closest to the baseline (audit.baseline): checked by evaluating the neighbouring profiles, not by
the verifier. The direct decision of rules made of simple tests (audit.boxes) gives exactly the
solver's findings and witnesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import z3
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from audit import (
    Boxes,
    Numbers,
    ProfileSpace,
    Slot,
    Witness,
    WitnessSearch,
    as_witness,
    read_requirements,
    slots,
    verify_rule_base,
)
from engine import (
    ProfileError,
    ReferenceEvaluator,
    Rule,
    RuleBase,
    default_rules_dir,
    holds,
    leaves,
    load_rule_base,
    parse_profile,
)
from engine.generate import generate_rule_base
from strategies import build_rule_base, rule_bases
from strategies import tests as rule_tests

ROOT = Path(__file__).resolve().parent.parent
BASE = load_rule_base()
REQUIREMENTS = read_requirements(
    default_rules_dir() / "audit" / "requirements.yaml", set(BASE.services)
)

#: The shipped base's verification as JSON, computed in a fresh interpreter.
_SCRIPT = """
import json
from audit import read_requirements, verify_rule_base
from engine import default_rules_dir, load_rule_base
base = load_rule_base()
wanted = read_requirements(default_rules_dir() / "audit" / "requirements.yaml", set(base.services))
print(json.dumps(verify_rule_base(base, wanted).as_json(witnesses=True)))
"""


def _fresh_process(hash_seed: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_same_base_gives_the_same_json_in_every_run_and_process() -> None:
    first = verify_rule_base(BASE, REQUIREMENTS).as_json(witnesses=True)
    # Other questions in between leave the solver's state different: the answer must not move.
    verify_rule_base(generate_rule_base(40, seed=3))
    again = verify_rule_base(BASE, REQUIREMENTS).as_json(witnesses=True)
    assert again == first
    shipped = json.loads(json.dumps(first))
    assert _fresh_process("1") == shipped
    assert _fresh_process("2") == shipped


def test_the_shipped_conflicts_have_the_closest_witnesses() -> None:
    """Worked out by hand from the rules and audit.baseline's order, not by the verifier."""
    edition = BASE.manifest.edition.isoformat()
    person = {
        "age": 30,
        "department": "11",
        "municipality": "11001",
        "years_abroad": 1,
        "months_since_return": 6,
        "return_kind": "voluntary",
    }
    conflicts = {c["service"]: c for c in verify_rule_base(BASE, REQUIREMENTS).conflicts}
    assert sorted(conflicts) == ["HEALTH_SUBSIDIZED_ENROLLMENT", "HUM_FOOD_AID"]
    # P15 (no coverage, not employed) holds at the baseline; P16 needs no coverage and one of
    # age >= 60 or < 5, pregnancy, a chronic condition or a disability. Age, pregnancy and
    # chronic_condition come first in the form and can keep their baseline values, so the
    # witness has a disability.
    health = conflicts["HEALTH_SUBSIDIZED_ENROLLMENT"]
    assert health["rules"] == ["P15", "P16"]
    assert health["witness"] == {"profile": {**person, "disability": True}, "as_of": edition}
    # P28 (no funds, back under 3 months) and P32 (no shelter either): months_since_return must
    # go below 3, the nearest whole number to 6 is 2.
    food = conflicts["HUM_FOOD_AID"]
    assert food["rules"] == ["P28", "P32"]
    expected = {**person, "months_since_return": 2, "has_shelter": False, "has_funds": False}
    assert food["witness"] == {"profile": expected, "as_of": edition}


# --- each witness is the closest: no single value can move towards the baseline ------------------


def _preferred(slot: Slot, value: Any) -> Iterator[Any]:
    """Values audit.baseline prefers to ``value`` in ``slot`` (for numbers, those nearby:
    coarser steps anywhere near, or the same step nearer the baseline)."""
    if not slot.numeric:
        yield from slot.choices[: slot.choices.index(value)]
        return
    start, value = Fraction(slot.start), Fraction(value)
    rank = (value.denominator, abs(value - start), value)
    steps = sorted({1, 2, 4, value.denominator})
    for denominator in steps if not slot.integer else [1]:
        for step in range(-60, 61):
            other = start + Fraction(step, denominator)
            if (other.denominator, abs(other - start), other) < rank:
                yield other


def _slot_values(witness: Witness, order: list[Slot]) -> dict[str, Any]:
    facts = vars(parse_profile(witness["profile"]))
    values = {s.name: facts.get(s.name) for s in order if s.name != "as_of"}
    values["as_of"] = date.fromisoformat(witness["as_of"]).toordinal()
    return values


def _assert_closest(rule_base: RuleBase, witness: Witness, rules: list[str]) -> None:
    """No profile that differs from ``witness`` in one slot, by a value the order prefers,
    fires ``rules``: each value the witness changed was needed where it is."""
    evaluator = ReferenceEvaluator(rule_base)
    order = slots(ProfileSpace(rule_base).municipalities, rule_base.manifest.edition)
    values = _slot_values(witness, order)
    for slot in order:
        if values[slot.name] == slot.start:
            continue
        for better in _preferred(slot, values[slot.name]):
            moved = as_witness({**values, slot.name: better})
            try:
                result = evaluator.evaluate(moved["profile"], date.fromisoformat(moved["as_of"]))
            except (ProfileError, ValueError):
                continue  # outside the profile space (a bound, or a place that does not agree)
            fired = {f.id for f in result.fired}
            assert not set(rules) <= fired, (slot.name, values[slot.name], better)


def _assert_all_closest(rule_base: RuleBase, found: dict[str, Any]) -> None:
    for item in found["witnesses"]:
        _assert_closest(rule_base, item["witness"], [item["rule"]])
    for item in found["conflicts"]:
        _assert_closest(rule_base, item["witness"], item["rules"])
    for item in found["subsumed"]:
        _assert_closest(rule_base, item["witness"], [item["rule"]])


def test_every_shipped_witness_is_the_closest_to_the_baseline() -> None:
    _assert_all_closest(BASE, verify_rule_base(BASE).as_json(witnesses=True))


_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@_SETTINGS
@given(data=st.one_of(rule_bases(max_rules=8, max_depth=1), rule_bases(max_rules=6, max_depth=2)))
def test_direct_answers_equal_the_solvers_and_witnesses_are_closest(
    data: tuple[Any, Any, dict[str, Any]],
) -> None:
    rule_base = build_rule_base(data)
    direct = verify_rule_base(rule_base).as_json(witnesses=True)
    solver = verify_rule_base(rule_base, direct=False).as_json(witnesses=True)
    assert direct == solver
    _assert_all_closest(rule_base, direct)


def test_a_generated_base_gets_the_same_answers_directly_and_from_the_solver() -> None:
    rule_base = generate_rule_base(60, seed=11)
    direct = verify_rule_base(rule_base).as_json(witnesses=True)
    assert direct == verify_rule_base(rule_base, direct=False).as_json(witnesses=True)
    assert direct["conflicts"], "a generated base of 60 rules has conflicting rules"


# --- boxes against the solver, question by question ---------------------------------------------


def _rule(rule_id: str, tests_: list[dict[str, Any]]) -> Rule:
    return Rule.model_validate(
        {
            "id": rule_id,
            "title": {"es": rule_id, "en": rule_id},
            "status": "illustrative",
            "legal_basis": [],
            "when": {"all": tests_},
            "recommend": [{"service": "LEGAL_AID", "priority": "normal"}],
        }
    )


@_SETTINGS
@given(
    first=st.lists(rule_tests(), min_size=1, max_size=4),
    shared=st.integers(0, 4),
    extra=st.lists(rule_tests(), max_size=1),
)
def test_boxes_answer_each_question_as_the_solver_does(
    first: list[dict[str, Any]], shared: int, extra: list[dict[str, Any]]
) -> None:
    """Two rules, the second often made of some of the first's tests (so it often covers it):
    emptiness, inclusion, intersection and the closest witness agree with the solver."""
    try:
        inner, outer = _rule("A", first), _rule("B", first[:shared] + extra or first[:1])
    except ValueError:
        assume(False)  # a test the rule format refuses (an empty list, a wrong value)
        raise
    space = ProfileSpace(BASE)
    boxes, search = Boxes(space), WitnessSearch(space)
    small, large = boxes.of(inner), boxes.of(outer)
    assume(small is not None and large is not None)  # else a test between two fields
    assert small is not None and large is not None
    event("covered" if not small.empty and boxes.within(small, large) else "not covered")
    near = BASE.manifest.edition
    assert (boxes.closest(small, near) is None) == (not space.possible(space.fires(inner)))
    both = boxes.meet(small, large)
    assert boxes.closest(both, near) == search.closest(
        [space.fires(inner), space.fires(outer)], near
    )
    if not small.empty:
        alone = space.possible(space.fires(inner), z3.Not(space.fires(outer)))
        assert boxes.within(small, large) == (not alone)


_NUMBERS = ("age", "years_abroad", "months_since_return")


@st.composite
def _number_tests(draw: st.DrawFn) -> dict[str, Any]:
    """A test of a number field against thresholds near each other (whole, halves, decimals)."""
    name = draw(st.sampled_from(_NUMBERS))
    value = st.one_of(
        st.integers(0, 20), st.integers(0, 40).map(lambda n: n / 2), st.sampled_from([2.3, 0.1])
    )
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not_in"]))
    if op in ("in", "not_in"):
        return {"field": name, "op": op, "value": draw(st.lists(value, min_size=1, max_size=3))}
    return {"field": name, "op": op, "value": draw(value)}


@_SETTINGS
@given(conditions=st.lists(_number_tests(), min_size=1, max_size=4), samples=st.data())
def test_a_box_holds_exactly_the_values_its_tests_accept(
    conditions: list[dict[str, Any]], samples: st.DataObject
) -> None:
    """Membership of numbers in a box's sets, against the rule format's own meaning; and the
    number a witness takes, against a search over every quarter."""
    try:
        rule = _rule("N", conditions)
    except ValueError:
        assume(False)  # a whole-number field compared with a fraction by == or in
        raise
    box = Boxes(ProfileSpace(BASE)).of(rule)
    assert box is not None
    quarters = st.integers(-4, 200).map(lambda n: Fraction(n, 4))
    tops = {"age": 120, "years_abroad": 120, "months_since_return": 1440}
    for name, allowed in box.sets.items():
        assert isinstance(allowed, Numbers)
        tested = [t for t in leaves(rule.when) if t.field == name]
        whole = name == "age"
        values: list[Fraction | float] = [
            *samples.draw(st.lists(quarters, min_size=30, max_size=30)),
            2.3,
            0.1,
        ]
        for value in values:
            if not 0 <= value <= tops[name] or (whole and Fraction(value).denominator != 1):
                continue  # outside the field's own range: no profile has it
            facts = {name: int(value) if whole else value}
            assert allowed.holds(Fraction(value)) == all(holds(t, facts) for t in tested)
        # The witness's number: the baseline if allowed, else of the coarsest step, nearest.
        grid = [Fraction(n, 4) for n in range(4 * tops[name] + 1)]
        inside = [v for v in grid if allowed.holds(v)]
        start = Fraction({"age": 30, "years_abroad": 1, "months_since_return": 6}[name])
        if inside:  # else only finer numbers are allowed
            coarsest = min(v.denominator for v in inside)
            best = min(
                (v for v in inside if v.denominator == coarsest), key=lambda v: (abs(v - start), v)
            )
            assert allowed.nearest(start) == best
