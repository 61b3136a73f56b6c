"""Compile a rule base into durable-rules rulesets that always stay within the engine's limits.

For policy staff: nothing here changes what a rule means. Each rule (and each note that has its
own condition) becomes one durable-rules rule testing the profile fact; the day of evaluation and
the rule's regions are tested inside the engine too, so the engine alone decides what fires.

durable-rules' C core has hard limits (docs/durable-rules.md): a fact may have at most 64 pending
tests on its stack at once (error 303), a test node at most 512 successors, 128 "field is empty"
successors and 256 rules sharing one chain. The compiler mirrors the test network durable-rules
will build, computes the worst case of each limit, and splits the rule base into as many
rulesets as needed. A single rule that cannot fit even alone is refused by the loader with
:func:`rule_capacity_problem`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from .conditions import NAnd, NLeaf, NOr, Normal, negation_free
from .fields import profile_fields
from .rule_base import RuleBase
from .rule_messages import RuleMessage
from .rule_model import Operator, Rule

__all__ = [
    "AS_OF_ATTRIBUTE",
    "KIND_ATTRIBUTE",
    "MAX_GROUPS_PER_RULE",
    "PROBE_KIND",
    "PROBE_RULE",
    "CompiledRuleBase",
    "CompiledRuleset",
    "Unit",
    "compile_rule_base",
    "durable_json",
    "rule_capacity_problem",
]

#: Attribute of every profile fact that every rule tests first (a rule made only of negative
#: tests would also match durable-rules' own state object and never return).
KIND_ATTRIBUTE: Final = "_ruta_kind"
KIND_VALUE: Final = "profile"
#: Every ruleset also holds a probe rule matching only a probe fact (never a profile); the driver
#: fires it once per ruleset so that the session's state can later be freed safely.
PROBE_RULE: Final = "probe"
PROBE_KIND: Final = "probe"
#: Attribute holding the evaluation day (ISO text compares in date order).
AS_OF_ATTRIBUTE: Final = "_ruta_as_of"

# Budgets, kept below durable-rules' hard limits (64, 512, 128, 256) with a margin.
MAX_PENDING_TESTS: Final = 48
MAX_SUCCESSORS: Final = 480
MAX_EMPTY_TESTS: Final = 100
MAX_RULES_PER_RULESET: Final = 200
MAX_MATCH_PATHS: Final = 64
#: durable-rules keeps at most 32 entries per rule for its all/any groups (error 113), two each.
MAX_GROUPS_PER_RULE: Final = 15


@dataclass(frozen=True, slots=True)
class Unit:
    """What one durable-rules rule stands for: a protocol rule, or one of its conditional notes.

    ``note`` is ``None`` for the rule itself, else ``(recommendation index, note index)``.
    """

    rule_index: int
    note: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class CompiledRuleset:
    """One durable-rules ruleset: its name, JSON definition and the units it holds."""

    name: str
    definition: str
    unit_indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CompiledRuleBase:
    """A rule base as durable-rules rulesets; unit ``i`` is durable-rules rule ``u<i>``."""

    hash: str
    units: tuple[Unit, ...]
    rulesets: tuple[CompiledRuleset, ...]


def compile_rule_base(rule_base: RuleBase) -> CompiledRuleBase:
    """Translate ``rule_base`` into rulesets named after its content hash."""
    units: list[Unit] = []
    expressions: list[dict[str, Any]] = []
    for index, rule in enumerate(rule_base.rules):
        for unit, condition in _units_of(index, rule):
            units.append(unit)
            expressions.append(durable_expression(condition))
    rulesets: list[CompiledRuleset] = []
    prefix = f"ruta-{rule_base.hash[:16]}"
    members: list[int] = []
    network = _TestNetwork()
    # Rules whose tests start alike go together, so they share durable-rules' test nodes.
    order = sorted(range(len(expressions)), key=lambda i: _sort_text(expressions[i]))
    for index in order:
        expression = expressions[index]
        network.add(expression)
        if members and (len(members) >= MAX_RULES_PER_RULESET or network.over_budget()):
            rulesets.append(_ruleset(f"{prefix}-{len(rulesets)}", members, expressions))
            members = []
            network = _TestNetwork()
            network.add(expression)
        members.append(index)
    if members:
        rulesets.append(_ruleset(f"{prefix}-{len(rulesets)}", members, expressions))
    return CompiledRuleBase(rule_base.hash, tuple(units), tuple(rulesets))


def rule_capacity_problem(rule: Rule) -> RuleMessage | None:
    """Why ``rule`` cannot run within durable-rules' limits even alone, with the advice to split
    it (in every language, see :mod:`engine.rule_messages`), or ``None`` if it can."""
    for _unit, condition in _units_of(0, rule):
        expression = durable_expression(condition)
        paths = _match_paths(expression)
        if paths > MAX_MATCH_PATHS:
            return RuleMessage("too_many_match_paths", {"paths": paths, "limit": MAX_MATCH_PATHS})
        groups = _groups(expression)
        if groups > MAX_GROUPS_PER_RULE:
            return RuleMessage("too_many_groups", {"groups": groups, "limit": MAX_GROUPS_PER_RULE})
        network = _TestNetwork()
        network.add(expression)
        problem = network.problem()
        if problem is not None:
            return problem
    return None


def _units_of(index: int, rule: Rule) -> list[tuple[Unit, Normal]]:
    found = [(Unit(index), condition) for condition in _alternatives(_rule_condition(rule))]
    for r_index, recommendation in enumerate(rule.recommend):
        for n_index, note in enumerate(recommendation.notes):
            if note.when is not None:
                joined = _flatten_and(NAnd((_rule_condition(rule), negation_free(note.when))))
                found.extend((Unit(index, (r_index, n_index)), c) for c in _alternatives(joined))
    return found


def _alternatives(condition: NAnd) -> list[Normal]:
    """``condition`` alone, or, when it has too many groups for one durable-rules rule and its
    own condition is an ``any``, one condition per alternative (the unit fires if any does)."""
    if _groups(durable_expression(condition)) <= MAX_GROUPS_PER_RULE:
        return [condition]
    choices = [item for item in condition.items if isinstance(item, NOr)]
    if len(choices) != 1:
        return [condition]
    (choice,) = choices
    rest = tuple(item for item in condition.items if item is not choice)
    return [_flatten_and(NAnd((*rest, branch))) for branch in choice.items]


def _rule_condition(rule: Rule) -> NAnd:
    items: list[Normal] = [NLeaf(KIND_ATTRIBUTE, Operator.EQ, KIND_VALUE)]
    if rule.effective_from is not None:
        items.append(NLeaf(AS_OF_ATTRIBUTE, Operator.GE, rule.effective_from.isoformat()))
    if rule.effective_to is not None:
        items.append(NLeaf(AS_OF_ATTRIBUTE, Operator.LE, rule.effective_to.isoformat()))
    if rule.regions is not None:
        places: list[Normal] = []
        if rule.regions.departments:
            places.append(NLeaf("department", Operator.IN, rule.regions.departments))
        if rule.regions.municipalities:
            places.append(NLeaf("municipality", Operator.IN, rule.regions.municipalities))
        items.append(places[0] if len(places) == 1 else NOr(tuple(places)))
    items.append(negation_free(rule.when))
    return _flatten_and(NAnd(tuple(items)))


def _flatten_and(node: NAnd) -> NAnd:
    items: list[Normal] = []
    for item in node.items:
        items.extend(_flatten_and(item).items if isinstance(item, NAnd) else (item,))
    return NAnd(tuple(items))


# --- durable-rules expressions --------------------------------------------------------------

_ORDERING_OPS: Final = {
    Operator.NE: "$neq",
    Operator.LT: "$lt",
    Operator.LE: "$lte",
    Operator.GT: "$gt",
    Operator.GE: "$gte",
}


def durable_expression(node: Normal) -> dict[str, Any]:
    """The durable-rules JSON expression testing ``node`` on the fact ``m``."""
    if isinstance(node, NLeaf):
        return _leaf_expression(node)
    # Nested groups of the same kind are merged: durable-rules allows few groups per rule.
    kind = "$and" if isinstance(node, NAnd) else "$or"
    items: list[dict[str, Any]] = []
    for item in node.items:
        expression = durable_expression(item)
        items.extend(expression.get(kind, [expression]))
    if kind == "$and":
        items.sort(key=_sharing_order)
    return items[0] if len(items) == 1 else {kind: items}


def _leaf_expression(leaf: NLeaf) -> dict[str, Any]:
    if leaf.other_field is not None:
        # durable-rules treats a reference to an absent attribute as matching; the rule language
        # says a test on an empty field is false. Test that fields that can be empty hold a value.
        fields = profile_fields()
        present = [
            {"$ex": {name: 1}}
            for name in (leaf.field, leaf.other_field)
            if name not in fields or fields[name].nullable
        ]
        if present:
            return {"$and": [*present, _single_test(leaf)]}
    return _single_test(leaf)


def _single_test(leaf: NLeaf) -> dict[str, Any]:
    name, op = leaf.field, leaf.op
    right: Any = {"$m": leaf.other_field} if leaf.other_field is not None else leaf.value
    if op is Operator.EQ:
        return {name: right}
    if op in _ORDERING_OPS:
        return {_ORDERING_OPS[op]: {name: right}}
    if op is Operator.IS_NULL:
        return {"$nex": {name: 1}}
    if op is Operator.NOT_NULL:
        return {"$ex": {name: 1}}
    values = list(dict.fromkeys(leaf.value))
    if op is Operator.IN:
        if len(values) == 1:
            return {name: values[0]}
        # Equalities on one field: at most one holds, so this neither multiplies matches nor
        # deepens the engine's stack. (durable-rules' regular-expression test would be one node,
        # but deleting a ruleset never frees its compiled expressions: ~2 MB leaked per reload.)
        return {"$or": [{name: v} for v in values]}
    tests = [{"$neq": {name: v}} for v in values]
    return tests[0] if len(tests) == 1 else {"$and": tests}


def _is_equality(expression: dict[str, Any]) -> str | None:
    """The field of an equality-with-a-constant test, else ``None``."""
    ((key, value),) = expression.items()
    if key.startswith("$") or isinstance(value, dict):
        return None
    return key


def _sharing_order(expression: dict[str, Any]) -> tuple[int, str]:
    """Order tests inside an ``all`` so rules share durable-rules test nodes as much as possible."""
    ((key, _),) = expression.items()
    text = durable_json(expression)
    if key == KIND_ATTRIBUTE:
        return (0, text)
    if key in ("$and", "$or"):
        return (3, text)
    return (1 if _is_equality(expression) else 2, text)


def durable_json(value: Any) -> str:
    """JSON as durable-rules' parser reads it: numbers never in exponent notation."""
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{json.dumps(str(k))}:{durable_json(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(durable_json(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return plain_number(value)
    raise TypeError(f"cannot pass {type(value).__name__} to durable-rules")


def plain_number(value: float) -> str:
    """``value`` in positional notation (durable-rules rejects ``1e-05``)."""
    text = format(Decimal(repr(float(value))), "f")
    return text if "." in text else text + ".0"


def _sort_text(expression: dict[str, Any]) -> str:
    tests = expression.get("$and", [expression])
    return "\n".join(durable_json(t) for t in tests)


def _ruleset(name: str, members: list[int], expressions: list[dict[str, Any]]) -> CompiledRuleset:
    definition = {f"u{i}": {"all": [{"m": expressions[i]}]} for i in members}
    definition[PROBE_RULE] = {"all": [{"m": {KIND_ATTRIBUTE: PROBE_KIND}}]}
    return CompiledRuleset(name, durable_json(definition), tuple(members))


def _groups(expression: dict[str, Any]) -> int:
    """How many ``$and`` / ``$or`` groups durable-rules will record for this expression."""
    ((key, value),) = expression.items()
    if key in ("$and", "$or"):
        return 1 + sum(_groups(item) for item in value)
    return 0


def _match_paths(expression: dict[str, Any]) -> int:
    """How many times one fact can match the expression (durable-rules fires once per path)."""
    ((key, value),) = expression.items()
    if key == "$and":
        product = 1
        for item in value:
            product *= _match_paths(item)
        return product
    if key == "$or":
        equality_fields = {_is_equality(i) for i in value} - {None}
        others = [i for i in value if _is_equality(i) is None]
        return len(equality_fields) + sum(_match_paths(i) for i in others)
    return 1


# --- a mirror of durable-rules' test network, to bound its stack ------------------------------


class _Node:
    __slots__ = ("children", "empty_tests", "equality_field", "links")

    def __init__(self, equality_field: str | None = None) -> None:
        self.children: dict[str, _Node] = {}
        self.links: list[_Node] = []
        self.equality_field = equality_field
        self.empty_tests = 0


class _TestNetwork:
    """The test nodes durable-rules builds for a ruleset (shared prefixes, ``$or`` joins)."""

    def __init__(self) -> None:
        self.root = _Node()

    def add(self, expression: dict[str, Any]) -> None:
        self._add(self.root, expression)

    def _add(self, parent: _Node, expression: dict[str, Any]) -> _Node:
        ((key, value),) = expression.items()
        if key == "$and":
            current = parent
            for item in value:
                current = self._add(current, item)
            return current
        if key == "$or":
            join = _Node()
            for item in value:
                self._add(parent, item).links.append(join)
            return join
        text = durable_json(expression)
        child = parent.children.get(text)
        if child is None:
            child = _Node(_is_equality(expression))
            parent.children[text] = child
            if key == "$nex":
                parent.empty_tests += 1
        return child

    def pending(self) -> int:
        """The most tests durable-rules may hold pending at once for any fact (its stack).

        Walked without recursion: a long ``not_in`` list is a chain of hundreds of tests.
        """
        peak: dict[int, int] = {}
        stack: list[tuple[_Node, bool]] = [(self.root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in peak:
                continue
            successors = [*node.children.values(), *node.links]
            if not expanded:
                stack.append((node, True))
                stack.extend((s, False) for s in successors if id(s) not in peak)
                continue
            if not successors:
                peak[id(node)] = 1
                continue
            equality_fields = {c.equality_field for c in node.children.values()} - {None}
            others = sum(1 for c in node.children.values() if c.equality_field is None)
            matching = len(equality_fields) + others + len(node.links)
            deepest = max(peak[id(s)] for s in successors)
            peak[id(node)] = max(matching, matching - 1 + deepest)
        return peak[id(self.root)]

    def problem(self) -> RuleMessage | None:
        """What exceeds durable-rules' limits in this network, in words, or ``None``."""
        stack = [self.root]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if len(node.children) > MAX_SUCCESSORS:
                return RuleMessage(
                    "too_many_successors", {"count": len(node.children), "limit": MAX_SUCCESSORS}
                )
            if node.empty_tests > MAX_EMPTY_TESTS:
                return RuleMessage(
                    "too_many_empty_tests", {"count": node.empty_tests, "limit": MAX_EMPTY_TESTS}
                )
            stack.extend(node.children.values())
            stack.extend(node.links)
        pending = self.pending()
        if pending > MAX_PENDING_TESTS:
            return RuleMessage(
                "too_many_pending_tests", {"count": pending, "limit": MAX_PENDING_TESTS}
            )
        return None

    def over_budget(self) -> bool:
        return self.problem() is not None
