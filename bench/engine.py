"""Ruta's engine against a plain-Python reference, CLIPS and GoRules zen-engine, in one run.

Run it from the repository root::

    .venv/bin/python bench/engine.py [--profiles N] [--sizes default,1000,5000] [--seed S]

What is measured
    Every engine is given the same random, valid returnee profiles (seeded, validated once by
    ``engine.parse_profile`` before any timing) and the same rules, for each rule base size:
    ``default`` (the shipped rule base, ``rules/``) and rule bases of 1,000 and 5,000 rules
    from ``engine.generate.generate_rule_base``. One call per profile, timed with
    ``time.perf_counter_ns``, after a warm-up of 50 profiles.

    - **Ruta**: ``RuleEngine(rule_base).evaluate(profile, as_of)``, the full evaluation through
      durable-rules: roadmap of services, suppressions and the explanation (every fired rule's
      condition trace). The benchmark walks each fired rule's trace tree, so the explanation is
      paid for and used.
    - **reference**: ``ReferenceEvaluator``, the plain-Python oracle; same result, same walk.
    - **CLIPS** (clipspy): each rule is translated into a ``defrule`` over one ``profile``
      fact; per profile: assert the fact, run, read the fired rules from a global, reset.
    - **zen**: GoRules zen-engine, one decision table (hit policy ``collect``), one row per
      rule, one input column per profile field (unary tests) plus one expression column for
      what a unary test cannot say (``any``, ``not``, empty fields, field against field).

    Each rule's explanation builder is made with the rule base, before any engine, and shared
    by Ruta and the reference (so the reference's ``load`` is close to nothing).
    CLIPS and zen only say which rules fired: they build no roadmap and no explanation, so they
    do less work per profile than Ruta and the reference. zen's synchronous ``evaluate`` has a
    fixed cost per call whatever the rules (zen-engine 2.1.3 starts a runtime and threads for
    every call, as strace shows): the script reports it, measured on an empty graph, under the
    table. The evaluation day (``as_of``) and the
    rules' regions are tested inside every engine. Before timing, the first 200 profiles must
    give exactly Ruta's fired rules in every engine (and the reference Ruta's whole decision);
    otherwise the script names the engine and exits with status 1.

How to read the table
    ``load``: building the engine from an already checked rule base (translation included for
    CLIPS and zen; work an engine defers to its first evaluation falls in the warm-up).
    ``median`` and ``p99``: wall time of one profile, in microseconds. ``profiles/s``: profiles
    divided by the sum of their times, on one core. ``fired``: mean rules fired per profile.
    Compare figures only within one run: between runs on the same machine they move by up to
    1.7x (see docs/durable-rules.md). Generated rule bases of 5,000 rules are timed on at
    most 500 profiles to keep the run short.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, Protocol

import clips
import zen

# Run as a script, this file's folder comes first on sys.path, and this file, named engine.py,
# would shadow the ``engine`` package it measures: take the folder off before importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from engine import (  # noqa: E402
    ConditionTrace,
    Evaluation,
    Profile,
    ReferenceEvaluator,
    RuleBase,
    RuleEngine,
    load_rule_base,
    parse_profile,
)
from engine.fields import FieldKind, FieldSpec, profile_fields  # noqa: E402
from engine.generate import NUMBER_RANGES, generate_rule_base  # noqa: E402
from engine.rule_model import AllOf, AnyOf, Condition, Not, Rule, Test  # noqa: E402
from engine.vocabulary import DEPARTMENTS  # noqa: E402

# The packages measured are imported; now this folder's helpers can come from the end of the path.
sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

AS_OF = date(2026, 1, 15)
WARM_UP = 50
CHECKED = 200
LARGE_BASE = 5000
LARGE_BASE_PROFILES = 500
#: Slot / input name of the evaluation day (an ordinal) in the CLIPS fact and the zen context.
AS_OF_FIELD = "ruta_as_of"

# --- random profiles --------------------------------------------------------------------------


def random_profiles(count: int, seed: int) -> list[Profile]:
    """``count`` valid profiles, the same for the same ``seed``."""
    rng = random.Random(seed)
    return [parse_profile(random_profile_data(rng)) for _ in range(count)]


def random_profile_data(rng: random.Random) -> dict[str, Any]:
    """One profile as intake data: every field of :class:`engine.Profile` set at random."""
    data: dict[str, Any] = {}
    for spec in profile_fields().values():
        data[spec.name] = _random_value(rng, spec, data)
    return data


def _random_value(rng: random.Random, spec: FieldSpec, data: dict[str, Any]) -> Any:
    if spec.kind is FieldKind.BOOLEAN:
        return rng.random() < 0.5
    if spec.kind is FieldKind.CHOICE:
        return rng.choice(spec.choices)
    if spec.kind.numeric:
        if spec.name not in NUMBER_RANGES:
            raise SystemExit(f"bench: no range for the numeric profile field {spec.name!r}")
        low, high = NUMBER_RANGES[spec.name]
        if spec.kind is FieldKind.INTEGER:
            return rng.randint(low, high)
        # Whole values too, so that the rules' thresholds are hit exactly now and then.
        whole = rng.random() < 0.3
        return float(rng.randint(low, high)) if whole else round(rng.uniform(low, high), 2)
    if spec.name == "department":
        return rng.choice(sorted(DEPARTMENTS))
    if spec.name == "municipality":
        return f"{data['department']}{rng.randrange(1000):03d}"
    if spec.nullable and rng.random() < 0.3:
        return None
    return f"{rng.choice(sorted(DEPARTMENTS))}{rng.randrange(1000):03d}"


# --- the rules, engine-neutral ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    """One test: ``field op value``, or ``field op other`` (another field)."""

    field: str
    op: str
    value: Any = None
    other: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """``all``, ``any`` or ``not`` (one item) of conditions."""

    kind: Literal["all", "any", "not"]
    items: tuple[Node, ...]


Node = Leaf | Group


def to_node(condition: Condition) -> Node:
    """A rule condition as written (``not`` kept), in this script's own terms."""
    if isinstance(condition, Test):
        return Leaf(condition.field, condition.op.value, condition.value, condition.other_field)
    if isinstance(condition, AllOf):
        return Group("all", tuple(to_node(c) for c in condition.all))
    if isinstance(condition, AnyOf):
        return Group("any", tuple(to_node(c) for c in condition.any))
    assert isinstance(condition, Not)
    return Group("not", (to_node(condition.not_),))


def conjuncts(rule: Rule) -> list[Node]:
    """Everything a rule tests, as a list that must all hold: dates, regions, its condition."""
    items: list[Node] = []
    if rule.effective_from is not None:
        items.append(Leaf(AS_OF_FIELD, ">=", rule.effective_from.toordinal()))
    if rule.effective_to is not None:
        items.append(Leaf(AS_OF_FIELD, "<=", rule.effective_to.toordinal()))
    if rule.regions is not None:
        places = [
            Leaf(name, "in", codes)
            for name, codes in (
                ("department", rule.regions.departments),
                ("municipality", rule.regions.municipalities),
            )
            if codes
        ]
        items.append(places[0] if len(places) == 1 else Group("any", tuple(places)))
    when = to_node(rule.when)
    items.extend(when.items if isinstance(when, Group) and when.kind == "all" else (when,))
    return items


def is_numeric(name: str) -> bool:
    return name == AS_OF_FIELD or profile_fields()[name].kind.numeric


def is_nullable(name: str) -> bool:
    return name != AS_OF_FIELD and profile_fields()[name].nullable


def plain(value: Any) -> str:
    """A number in positional notation (no exponent), for both engines' parsers."""
    return format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)


# --- CLIPS ------------------------------------------------------------------------------------

_CLIPS_NUMERIC = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_CLIPS_OTHER = {"==": "eq", "!=": "neq"}


def clips_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return json.dumps(value)
    return plain(value)


def clips_compare(op: str, left: str, right: str, numeric: bool) -> str:
    return f"({(_CLIPS_NUMERIC if numeric else _CLIPS_OTHER)[op]} {left} {right})"


def clips_leaf(leaf: Leaf) -> str:
    """A CLIPS expression for one test, with the empty-field meaning of the rule format."""
    var = f"?{leaf.field}"
    if leaf.op in ("is_null", "not_null"):
        return f"({'eq' if leaf.op == 'is_null' else 'neq'} {var} nil)"
    numeric = is_numeric(leaf.field)
    if leaf.op in ("in", "not_in"):
        op, join = ("==", "or") if leaf.op == "in" else ("!=", "and")
        tests = [clips_compare(op, var, clips_literal(v), numeric) for v in leaf.value]
        test = tests[0] if len(tests) == 1 else f"({join} {' '.join(tests)})"
    elif leaf.other is not None:
        test = clips_compare(leaf.op, var, f"?{leaf.other}", numeric)
    else:
        test = clips_compare(leaf.op, var, clips_literal(leaf.value), numeric)
    guards = [f"(neq ?{n} nil)" for n in (leaf.field, leaf.other) if n and is_nullable(n)]
    return f"(and {' '.join(guards)} {test})" if guards else test


def clips_expression(node: Node) -> str:
    if isinstance(node, Leaf):
        return clips_leaf(node)
    parts = " ".join(clips_expression(item) for item in node.items)
    return f"({'and' if node.kind == 'all' else 'or' if node.kind == 'any' else 'not'} {parts})"


def clips_fields(node: Node) -> set[str]:
    if isinstance(node, Leaf):
        return {node.field} | ({node.other} if node.other else set())
    return set().union(*(clips_fields(item) for item in node.items))


def clips_literal_constraint(leaf: Leaf) -> str | None:
    """A literal slot constraint (``"05"|"11"``, ``~nil``) for a test, when one says it."""
    if leaf.other is not None or is_numeric(leaf.field):
        return None
    guard = "&~nil" if is_nullable(leaf.field) else ""
    if leaf.op == "is_null":
        return "nil"
    if leaf.op == "not_null":
        return "~nil"
    if leaf.op == "==":
        return clips_literal(leaf.value)
    if leaf.op == "!=":
        return f"~{clips_literal(leaf.value)}{guard}"
    if leaf.op == "in":
        return "|".join(clips_literal(v) for v in leaf.value)
    if leaf.op == "not_in":
        return "&".join(f"~{clips_literal(v)}" for v in leaf.value) + guard
    return None


def clips_rule(index: int, rule: Rule) -> str:
    """A ``defrule`` that adds ``index`` to ``?*fired*`` when ``rule`` holds for the profile.

    Simple tests become slot constraints of the profile pattern (literal ones where CLIPS
    allows, so its alpha network can share and index them); the rest goes to one ``test``.
    """
    slot_tests: dict[str, list[Leaf]] = {}
    others: list[Node] = []
    for item in conjuncts(rule):
        if isinstance(item, Leaf) and item.other is None:
            slot_tests.setdefault(item.field, []).append(item)
        else:
            others.append(item)
    bound = set().union(*(clips_fields(item) for item in others)) if others else set()
    slots = []
    for name in sorted(set(slot_tests) | bound):
        tests = slot_tests.get(name, [])
        literal = clips_literal_constraint(tests[0]) if len(tests) == 1 else None
        if literal is not None and name not in bound:
            slots.append(f"({name} {literal})")
            continue
        predicates = "".join(f"&:{clips_leaf(t)}" for t in tests)
        slots.append(f"({name} ?{name}{predicates})")
    test = ""
    if others:
        expressions = [clips_expression(item) for item in others]
        joined = expressions[0] if len(expressions) == 1 else f"(and {' '.join(expressions)})"
        test = f" (test {joined})"
    return (
        f"(defrule r{index} (profile {' '.join(slots)}){test}"
        f" => (bind ?*fired* (create$ ?*fired* {index})))"
    )


class ClipsEngine:
    """The rule base as CLIPS rules; one profile fact at a time."""

    def __init__(self, rule_base: RuleBase, as_of: date) -> None:
        self.env = clips.Environment()
        slots = " ".join(f"(slot {name})" for name in [*profile_fields(), AS_OF_FIELD])
        self.env.build(f"(deftemplate profile {slots})")
        self.env.build("(defglobal ?*fired* = (create$))")
        for index, rule in enumerate(rule_base.rules):
            self.env.build(clips_rule(index, rule))
        self.env.reset()
        self.template = self.env.find_template("profile")
        self.ids = [rule.id for rule in rule_base.rules]
        self.day = as_of.toordinal()

    def __call__(self, profile: Profile) -> list[str]:
        self.template.assert_fact(**vars(profile), **{AS_OF_FIELD: self.day})
        self.env.run()
        fired = self.env.eval("?*fired*")
        self.env.reset()  # retracts the fact and empties ?*fired*: the next profile starts clean
        return [self.ids[index] for index in fired]

    def close(self) -> None:
        self.env.clear()


# --- GoRules zen-engine -----------------------------------------------------------------------

_EXPRESSION_COLUMN = "expr"
_OUTPUT_COLUMN = "out"


def zen_literal(value: Any) -> str:
    if isinstance(value, bool | str):
        return json.dumps(value)
    return plain(value)


def zen_list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(zen_literal(v) for v in values) + "]"


def zen_cell(leaf: Leaf) -> str | None:
    """The unary test of ``leaf`` in its field's column, or ``None`` if it needs an expression.

    A unary test on an empty field would hold for ``!=`` and ``not in``, against the rule
    format; tests on fields that can be empty therefore go to the expression column.
    """
    if leaf.other is not None or is_nullable(leaf.field):
        return None
    if leaf.op == "==":
        return zen_literal(leaf.value)
    if leaf.op == "in":
        return ", ".join(zen_literal(v) for v in leaf.value)
    if leaf.op == "not_in":
        return f"not in {zen_list(leaf.value)}"
    return f"{leaf.op} {zen_literal(leaf.value)}"


def zen_leaf(leaf: Leaf) -> str:
    if leaf.op in ("is_null", "not_null"):
        return f"{leaf.field} {'==' if leaf.op == 'is_null' else '!='} null"
    if leaf.op in ("in", "not_in"):
        test = f"{leaf.field} {leaf.op.replace('_', ' ')} {zen_list(leaf.value)}"
    else:
        right = leaf.other if leaf.other is not None else zen_literal(leaf.value)
        test = f"{leaf.field} {leaf.op} {right}"
    guards = [f"{n} != null" for n in (leaf.field, leaf.other) if n and is_nullable(n)]
    return f"({' and '.join([*guards, test])})"


def zen_expression(node: Node) -> str:
    if isinstance(node, Leaf):
        return zen_leaf(node)
    if node.kind == "not":
        return f"not({zen_expression(node.items[0])})"
    joined = f" {'and' if node.kind == 'all' else 'or'} ".join(
        zen_expression(item) for item in node.items
    )
    return f"({joined})"


def _column(name: str) -> str:
    return f"field:{name}"


def zen_row(rule: Rule) -> dict[str, str]:
    row = {"_id": rule.id, _OUTPUT_COLUMN: json.dumps(rule.id)}
    expressions = []
    for item in conjuncts(rule):
        cell = zen_cell(item) if isinstance(item, Leaf) else None
        if isinstance(item, Leaf) and cell is not None and _column(item.field) not in row:
            row[_column(item.field)] = cell
        else:
            expressions.append(zen_expression(item))
    if expressions:
        row[_EXPRESSION_COLUMN] = " and ".join(expressions)
    return row


def zen_graph(rule_base: RuleBase) -> dict[str, Any]:
    """A JDM graph: request → one ``collect`` decision table → response."""
    rows = [zen_row(rule) for rule in rule_base.rules]
    used = {key for row in rows for key in row}
    inputs = [
        {"id": _column(name), "name": name, "type": "expression", "field": name}
        for name in [*profile_fields(), AS_OF_FIELD]
        if _column(name) in used
    ]
    inputs.append({"id": _EXPRESSION_COLUMN, "name": "condition", "type": "expression"})
    table = {
        "hitPolicy": "collect",
        "inputs": inputs,
        "outputs": [{"id": _OUTPUT_COLUMN, "name": "rule", "type": "expression", "field": "rule"}],
        "rules": rows,
    }
    return jdm_graph(table)


def jdm_graph(table: dict[str, Any] | None) -> dict[str, Any]:
    """Request → decision table → response; without a table, request → response."""
    position = {"x": 0, "y": 0}
    nodes: list[dict[str, Any]] = [
        {"id": "request", "type": "inputNode", "name": "Request", "position": position},
        {"id": "response", "type": "outputNode", "name": "Response", "position": position},
    ]
    path = ["request", "response"]
    if table is not None:
        nodes.append(
            {
                "id": "rules",
                "type": "decisionTableNode",
                "name": "Rules",
                "position": position,
                "content": table,
            }
        )
        path.insert(1, "rules")
    edges = [
        {"id": f"e{number}", "type": "edge", "sourceId": source, "targetId": target}
        for number, (source, target) in enumerate(pairwise(path))
    ]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def zen_floor(profiles: Sequence[Profile]) -> Row:
    """zen's cost per ``evaluate`` call apart from any rule: an empty graph, same contexts."""
    decision = zen.ZenEngine().create_decision(json.dumps(jdm_graph(None)))
    row = Row("zen-engine, empty graph", "", 0.0)
    contexts = [{**vars(profile), AS_OF_FIELD: AS_OF.toordinal()} for profile in profiles]
    for context in contexts[:WARM_UP]:
        decision.evaluate(context)
    for context in contexts:
        start = time.perf_counter_ns()
        decision.evaluate(context)
        row.samples_ns.append(time.perf_counter_ns() - start)
    return row


class ZenEngine:
    """The rule base as one zen-engine decision table."""

    def __init__(self, rule_base: RuleBase, as_of: date) -> None:
        self.decision = zen.ZenEngine().create_decision(json.dumps(zen_graph(rule_base)))
        self.day = as_of.toordinal()

    def __call__(self, profile: Profile) -> list[str]:
        context = {**vars(profile), AS_OF_FIELD: self.day}
        return [row["rule"] for row in self.decision.evaluate(context)["result"]]

    def close(self) -> None:
        del self.decision


# --- Ruta and the reference -------------------------------------------------------------------


class Evaluator(Protocol):
    def evaluate(self, profile: Profile, as_of: date | None = None) -> Evaluation: ...


def trace_nodes(trace: ConditionTrace) -> int:
    return 1 + sum(trace_nodes(child) for child in trace.children)


class FullEvaluation:
    """Ruta's (or the reference's) complete evaluation, explanation included.

    The result is built in full (frozen objects, nothing computed lazily); its explanation is
    walked after the clock stops, to report its size and prove it is there.
    """

    def __init__(self, evaluator: Evaluator, as_of: date) -> None:
        self.evaluator = evaluator
        self.as_of = as_of
        self.nodes = 0
        self.last: Evaluation | None = None

    def __call__(self, profile: Profile) -> list[str]:
        result = self.evaluator.evaluate(profile, self.as_of)
        self.last = result
        return [fired.id for fired in result.fired]

    def walk_explanation(self) -> None:
        if self.last is not None:
            self.nodes += sum(trace_nodes(fired.conditions) for fired in self.last.fired)

    def close(self) -> None:
        close = getattr(self.evaluator, "close", None)
        if close is not None:
            close()


# --- checking, timing, reporting --------------------------------------------------------------


class Contender(Protocol):
    def __call__(self, profile: Profile) -> list[str]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Entry:
    """An engine in the comparison, and how to build it from a rule base."""

    name: str
    build: Callable[[RuleBase], Contender]


def _ruta(rule_base: RuleBase) -> Contender:
    return FullEvaluation(RuleEngine(rule_base), AS_OF)


class RutaMatching:
    """Ruta's durable-rules matching alone (``RuleEngine.matching_rules``): which rules apply,
    with no roadmap and no explanation — the same work CLIPS and zen-engine do here."""

    def __init__(self, rule_base: RuleBase, as_of: date) -> None:
        self.engine = RuleEngine(rule_base)
        self.as_of = as_of

    def __call__(self, profile: Profile) -> list[str]:
        return self.engine.matching_rules(profile, self.as_of)

    def close(self) -> None:
        self.engine.close()


def _ruta_matching(rule_base: RuleBase) -> Contender:
    return RutaMatching(rule_base, AS_OF)


def _reference(rule_base: RuleBase) -> Contender:
    return FullEvaluation(ReferenceEvaluator(rule_base), AS_OF)


def _clips(rule_base: RuleBase) -> Contender:
    return ClipsEngine(rule_base, AS_OF)


def _zen(rule_base: RuleBase) -> Contender:
    return ZenEngine(rule_base, AS_OF)


#: The first entry is the one the others are checked against.
ENTRIES = (
    Entry("Ruta (durable-rules)", _ruta),
    Entry("Ruta, matching only", _ruta_matching),
    Entry("reference (Python)", _reference),
    Entry("CLIPS (clipspy)", _clips),
    Entry("zen-engine", _zen),
)


@dataclass
class Row:
    """One engine on one rule base: its load time and the time of each profile."""

    engine: str
    size: str
    load_ms: float
    samples_ns: list[int] = field(default_factory=list)
    fired: int = 0
    trace_nodes: float | None = None

    def median_us(self) -> float:
        ordered = sorted(self.samples_ns)
        middle = len(ordered) // 2
        pair = ordered[middle - 1 : middle + 1] if len(ordered) % 2 == 0 else [ordered[middle]]
        return sum(pair) / len(pair) / 1000

    def p99_us(self) -> float:
        ordered = sorted(self.samples_ns)
        return ordered[math.ceil(0.99 * len(ordered)) - 1] / 1000

    def per_second(self) -> float:
        return len(self.samples_ns) / (sum(self.samples_ns) / 1e9)

    def mean_fired(self) -> float:
        return self.fired / len(self.samples_ns)


@dataclass(frozen=True)
class Checked:
    """What an engine answered for the checked profiles."""

    fired: list[list[str]]
    decisions: list[dict[str, Any]] | None


def answers(contender: Contender, profiles: Sequence[Profile]) -> Checked:
    fired: list[list[str]] = []
    decisions: list[dict[str, Any]] = []
    for profile in profiles:
        fired.append(sorted(contender(profile)))
        if isinstance(contender, FullEvaluation) and contender.last is not None:
            decisions.append(contender.last.decision())
    return Checked(fired, decisions or None)


def check(name: str, size: str, got: Checked, expected: Checked) -> None:
    """Exit with status 1 unless ``got`` is what Ruta answered."""
    for number, (mine, ruta) in enumerate(zip(got.fired, expected.fired, strict=True)):
        if mine != ruta:
            missing, extra = sorted(set(ruta) - set(mine)), sorted(set(mine) - set(ruta))
            fail(
                f"{name} on rule base {size}, checked profile #{number}: fired rules differ from"
                f" Ruta's (missing {missing[:10]}, extra {extra[:10]}, {len(mine)} vs"
                f" {len(ruta)} fired)"
            )
    if got.decisions is not None and expected.decisions is not None:
        for number, (mine_d, ruta_d) in enumerate(
            zip(got.decisions, expected.decisions, strict=True)
        ):
            if mine_d != ruta_d:
                fail(f"{name} on rule base {size}, checked profile #{number}: decision differs")


def fail(message: str) -> None:
    print(f"\nCORRECTNESS ERROR: {message}. No timing reported.", file=sys.stderr)
    sys.exit(1)


def measure(contender: Contender, profiles: Sequence[Profile], row: Row) -> None:
    """Warm up, then time each profile; fired rules and explanation nodes are counted outside
    the timed span."""
    for profile in profiles[:WARM_UP]:
        contender(profile)
    if isinstance(contender, FullEvaluation):
        contender.nodes = 0
    gc.collect()
    clock = time.perf_counter_ns
    samples = row.samples_ns
    for profile in profiles:
        start = clock()
        fired = contender(profile)
        samples.append(clock() - start)
        row.fired += len(fired)
        if isinstance(contender, FullEvaluation):
            contender.walk_explanation()
    if isinstance(contender, FullEvaluation):
        row.trace_nodes = contender.nodes / len(profiles)


def run_size(size: str, rule_base: RuleBase, profiles: Sequence[Profile]) -> tuple[list[Row], int]:
    """Every engine on one rule base: build, check against Ruta, time.

    Also returns how many distinct rules fired on the checked profiles: the check's coverage.
    """
    rows: list[Row] = []
    expected: Checked | None = None
    for entry in ENTRIES:
        progress(f"  {entry.name}: building")
        start = time.perf_counter_ns()
        contender = entry.build(rule_base)
        row = Row(entry.name, size, (time.perf_counter_ns() - start) / 1e6)
        got = answers(contender, profiles[:CHECKED])
        if expected is None:
            expected = got
        else:
            check(entry.name, size, got, expected)
        progress(f"  {entry.name}: checked on {len(got.fired)} profiles, timing")
        measure(contender, profiles, row)
        contender.close()
        rows.append(row)
    covered = len(set().union(*expected.fired)) if expected is not None else 0
    return rows, covered


def load_base(size: str, seed: int) -> RuleBase:
    return load_rule_base() if size == "default" else generate_rule_base(int(size), seed)


def machine_facts(profiles: int, seed: int) -> list[str]:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("durable-rules", "clipspy", "zen-engine")
    )
    return [
        "## Engine benchmark",
        "",
        *machine_lines(versions),
        f"- {profiles} random valid profiles (seed {seed}), evaluated as of {AS_OF};"
        f" warm-up {WARM_UP} profiles; rule bases of {LARGE_BASE:,}+ rules timed on at most"
        f" {LARGE_BASE_PROFILES} profiles; fired rules of every engine checked against Ruta"
        f" on the first {CHECKED} profiles",
    ]


def load_text(ms: float) -> str:
    return f"{ms:,.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def table(rows: Sequence[Row], rule_counts: dict[str, int]) -> list[str]:
    lines = [
        "| engine | rules | profiles | load | median µs | p99 µs | profiles/s | fired (mean) |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.engine} | {rules_label(row.size, rule_counts)} | {len(row.samples_ns):,}"
            f" | {load_text(row.load_ms)}"
            f" | {row.median_us():,.0f} | {row.p99_us():,.0f} | {row.per_second():,.0f}"
            f" | {row.mean_fired():.1f} |"
        )
    return lines


def rules_label(size: str, rule_counts: dict[str, int]) -> str:
    count = rule_counts[size]
    return f"default ({count})" if size == "default" else f"{count:,}"


def explanation_notes(rows: Sequence[Row], rule_counts: dict[str, int]) -> list[str]:
    notes = [
        f"{row.engine}, {rules_label(row.size, rule_counts)}: {row.trace_nodes:,.1f}"
        for row in rows
        if row.trace_nodes is not None
    ]
    return ["", "Explanation walked per profile (condition-trace nodes, mean): " + "; ".join(notes)]


def coverage_notes(coverage: dict[str, int], rule_counts: dict[str, int]) -> list[str]:
    notes = [f"{rules_label(size, rule_counts)}: {covered:,}" for size, covered in coverage.items()]
    return [
        "",
        f"Rules that fired at least once on the {CHECKED} checked profiles (the check's"
        " coverage): " + "; ".join(notes),
    ]


def parse_sizes(text: str) -> list[str]:
    sizes = [part.strip() for part in text.split(",") if part.strip()]
    for size in sizes:
        if size != "default" and not (size.isdigit() and int(size) > 0):
            raise SystemExit(f"bench: --sizes takes 'default' and rule counts, not {size!r}")
    return sizes


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--profiles", type=int, default=2000, help="random profiles (default 2000)")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes("default,1000,5000"),
        help="rule bases: 'default' and/or generated rule counts",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of profiles and generated rules")
    args = parser.parse_args()
    if args.profiles < 1:
        parser.error("--profiles must be at least 1")
    return args


def main() -> None:
    args = arguments()
    progress(f"generating and validating {args.profiles} profiles")
    profiles = random_profiles(args.profiles, args.seed)
    rows: list[Row] = []
    rule_counts: dict[str, int] = {}
    coverage: dict[str, int] = {}
    for size in args.sizes:
        start = time.perf_counter()
        rule_base = load_base(size, args.seed)
        rule_counts[size] = len(rule_base.rules)
        progress(
            f"rule base {size}: {len(rule_base.rules)} rules, loaded and checked in"
            f" {time.perf_counter() - start:.1f} s"
        )
        subset = profiles if len(rule_base.rules) < LARGE_BASE else profiles[:LARGE_BASE_PROFILES]
        size_rows, coverage[size] = run_size(size, rule_base, subset)
        rows.extend(size_rows)
    report = [*machine_facts(args.profiles, args.seed), "", *table(rows, rule_counts)]
    report += explanation_notes(rows, rule_counts)
    floor = zen_floor(profiles[:LARGE_BASE_PROFILES])
    report += [
        "",
        f"zen-engine per-call floor (evaluate on an empty graph, request → response, on"
        f" {len(floor.samples_ns)} profiles): median {floor.median_us():,.0f} µs,"
        f" p99 {floor.p99_us():,.0f} µs",
    ]
    print("\n".join([*report, *coverage_notes(coverage, rule_counts)]))


if __name__ == "__main__":
    main()
