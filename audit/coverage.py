"""How much of a rule base a suite of cases exercises, and cases that would cover the rest.

For every rule, the items an auditor expects a suite to touch (docs/audit.md explains each):

* ``fired`` — some case makes the rule apply;
* ``leaf_true`` / ``leaf_false`` — each test of its conditions is seen holding and failing;
* ``mcdc`` — each test shown to decide the rule on its own: two cases, the test holding in one
  and failing in the other, and in both the rule's answer follows that test alone;
* ``boundary_at`` / ``boundary_below`` / ``boundary_above`` — for a test against a number, a
  case exactly at the threshold and one within one unit on each side;
* ``enum_value`` — for a test on a field with a fixed list of values, a case with each value;
* ``suppression_applied`` — the rule's suppression removes some service at least once;
* ``region_inside`` / ``region_outside`` — for a regional rule, its conditions met by someone
  inside the region and by someone outside;
* ``dated_before`` / ``dated_after`` — for a dated rule, its conditions met before it takes
  effect and after it ends.

Tests of a rule are only counted on cases where the rule is in force for the case's day and
place. Each item not covered comes with a suggested case, found by the solver and checked by
evaluating it with the reference evaluator.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from engine import (
    CASE_DAY,
    FieldKind,
    Operator,
    ReferenceEvaluator,
    Rule,
    RuleBase,
    holds,
    parse_profile,
    profile_fields,
)
from texts import N_, both, text

from .solver import ProfileSolver, Term, alternatives, deciding, evaluate_with, leaves
from .suite import SuiteCase

__all__ = [
    "CoverageItem",
    "CoverageReport",
    "ItemCoverage",
    "Observation",
    "RuleCoverage",
    "Suggestion",
    "measure_coverage",
    "observe",
    "rule_items",
]

_NUMERIC_TESTS = frozenset(
    {Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.EQ, Operator.NE}
)


@dataclass(frozen=True)
class CoverageItem:
    """One thing a suite should exercise in one rule (see the module's list of kinds)."""

    rule: str
    kind: str
    leaf: int | None = None
    condition: str | None = None
    value: Any = None

    def describe(self, lang: str = "en") -> str:
        words = text(_KIND_TEXTS[self.kind], "es" if lang == "es" else "en")
        parts = [words]
        if self.condition is not None:
            parts.append(f"«{self.condition}»")
        if self.value is not None and self.kind == "enum_value":
            parts.append(f"= {self.value}")
        return " ".join(parts)


#: What each kind of coverage item asks of a suite, as a person reads it.
_KIND_TEXTS: dict[str, str] = {
    "fired": N_("audit.coverage.fired"),
    "leaf_true": N_("audit.coverage.leaf_true"),
    "leaf_false": N_("audit.coverage.leaf_false"),
    "mcdc": N_("audit.coverage.mcdc"),
    "boundary_at": N_("audit.coverage.boundary_at"),
    "boundary_below": N_("audit.coverage.boundary_below"),
    "boundary_above": N_("audit.coverage.boundary_above"),
    "enum_value": N_("audit.coverage.enum_value"),
    "suppression_applied": N_("audit.coverage.suppression_applied"),
    "region_inside": N_("audit.coverage.region_inside"),
    "region_outside": N_("audit.coverage.region_outside"),
    "dated_before": N_("audit.coverage.dated_before"),
    "dated_after": N_("audit.coverage.dated_after"),
}


@dataclass(frozen=True)
class Observation:
    """What one case shows: its profile as facts, its day, the rules that applied and the rules
    whose suppression removed some service."""

    name: str
    day: date
    facts: dict[str, Any]
    fired: frozenset[str]
    suppressing: frozenset[str]


def observe(
    cases: Sequence[tuple[str, dict[str, Any], date]], rule_base: RuleBase
) -> list[Observation]:
    """Evaluate each ``(name, profile, day)`` with the reference evaluator."""
    evaluator = ReferenceEvaluator(rule_base)
    seen = []
    for name, profile, day in cases:
        result = evaluator.evaluate(profile, day)
        suppressing = frozenset(r for s in result.suppressed for r in s.rules)
        facts = dict(vars(parse_profile(profile)))
        seen.append(
            Observation(name, day, facts, frozenset(f.id for f in result.fired), suppressing)
        )
    return seen


@dataclass(frozen=True)
class Suggestion:
    """A case that would cover an item: one profile, or two for MC/DC, on one day."""

    profiles: tuple[dict[str, Any], ...]
    day: date
    fires: tuple[bool, ...]

    def yaml(self, item: CoverageItem) -> str:
        """Ready-to-paste YAML cases (add what the protocols should answer under them)."""
        lines = []
        for index, profile in enumerate(self.profiles):
            suffix = f" ({index + 1}/{len(self.profiles)})" if len(self.profiles) > 1 else ""
            name = f"{item.rule} {item.describe('en')}{suffix}".replace('"', "'")
            shown = ", ".join(f"{k}: {_yaml_value(v)}" for k, v in profile.items())
            lines += [
                f'- name: "{name}"',
                f"  as_of: {self.day.isoformat()}",
                f"  profile: {{{shown}}}",
                f"  fired_include: [{item.rule}]"
                if self.fires[index]
                else f"  fired_exclude: [{item.rule}]",
            ]
        return "\n".join(lines)


def _yaml_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


@dataclass(frozen=True)
class ItemCoverage:
    """One item, the cases that cover it and, when it is not covered, a suggested case.

    ``groups`` lists sets of case numbers: the item is covered when every set has a case (one
    set for most items; for MC/DC, the cases where the test decides holding and failing).
    """

    item: CoverageItem
    groups: tuple[frozenset[int], ...]
    suggestion: Suggestion | None = None

    @property
    def covered(self) -> bool:
        return all(self.groups)


@dataclass(frozen=True)
class RuleCoverage:
    """Every item of one rule."""

    rule: str
    items: tuple[ItemCoverage, ...]

    @property
    def fired(self) -> bool:
        return any(i.covered for i in self.items if i.item.kind == "fired")

    @property
    def covered(self) -> int:
        return sum(i.covered for i in self.items)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / len(self.items) if self.items else 100.0

    @property
    def uncovered(self) -> list[ItemCoverage]:
        return [i for i in self.items if not i.covered]


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of one rule base by one suite, rule by rule, with totals."""

    rules: tuple[RuleCoverage, ...]
    cases: int
    rule_base_version: str = ""
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(r.items) for r in self.rules)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.rules)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0

    def kinds(self) -> dict[str, tuple[int, int]]:
        """Per kind of item: (covered, total)."""
        counts: dict[str, tuple[int, int]] = {}
        for rule in self.rules:
            for item in rule.items:
                done, total = counts.get(item.item.kind, (0, 0))
                counts[item.item.kind] = (done + item.covered, total + 1)
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_base_version": self.rule_base_version,
            "cases": self.cases,
            "totals": {
                "items": self.total,
                "covered": self.covered,
                "percent": round(self.percent, 1),
                "rules": len(self.rules),
                "rules_fired": sum(r.fired for r in self.rules),
                "by_kind": {k: {"covered": c, "items": t} for k, (c, t) in self.kinds().items()},
            },
            "rules": [
                {
                    "id": r.rule,
                    "fired": r.fired,
                    "covered": r.covered,
                    "items": len(r.items),
                    "percent": round(r.percent, 1),
                    "uncovered": [_item_json(i) for i in r.uncovered],
                }
                for r in self.rules
            ],
        }

    def text(self, lang: str = "en") -> str:
        language = "es" if lang == "es" else "en"
        lines = [
            text(
                "audit.coverage.summary",
                language,
                covered=self.covered,
                total=self.total,
                percent=format(self.percent, ".1f"),
                fired=sum(r.fired for r in self.rules),
                rules=len(self.rules),
                cases=self.cases,
            )
        ]
        for kind, (done, total) in self.kinds().items():
            lines.append(f"  {kind}: {done}/{total}")
        for rule in self.rules:
            lines.append(f"{rule.rule}: {rule.covered}/{len(rule.items)} ({rule.percent:.0f} %)")
            for item in rule.uncovered:
                lines.append(f"  - {item.item.describe(lang)}")
                if item.suggestion is not None:
                    lines += ["    " + s for s in item.suggestion.yaml(item.item).splitlines()]
                else:
                    lines.append("    " + text("audit.coverage.no_case_found", language))
        return "\n".join(lines)

    def html(self) -> str:
        """A self-contained page (no outside assets), in Spanish then English."""
        rows = []
        for rule in self.rules:
            bar = f'<div class="bar"><span style="width:{rule.percent:.0f}%"></span></div>'
            missing = "".join(
                f"<li>{html.escape(i.item.describe('es'))} / {html.escape(i.item.describe('en'))}"
                + (
                    f"<pre>{html.escape(i.suggestion.yaml(i.item))}</pre>"
                    if i.suggestion is not None
                    else ""
                )
                + "</li>"
                for i in rule.uncovered
            )
            rows.append(
                f"<tr><td>{html.escape(rule.rule)}</td><td>{rule.covered}/{len(rule.items)}</td>"
                f"<td>{bar}</td><td><ul>{missing}</ul></td></tr>"
            )
        kinds = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{c}/{t}</td></tr>"
            for k, (c, t) in self.kinds().items()
        )
        title = _in_both(N_("audit.coverage.page_title"))
        per_rule = _in_both(N_("audit.coverage.per_rule"))
        rule_heading = _in_both(N_("audit.coverage.rule"))
        uncovered = _in_both(N_("audit.coverage.uncovered"))
        summary = _in_both(
            N_("audit.coverage.page_summary"),
            version=html.escape(self.rule_base_version),
            covered=self.covered,
            total=self.total,
            percent=format(self.percent, ".1f"),
            cases=self.cases,
            fired=sum(r.fired for r in self.rules),
            rules=len(self.rules),
        )
        return (
            '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>"
            "body{font-family:sans-serif;margin:2em}td{vertical-align:top;padding:2px 8px}"
            ".bar{width:120px;height:10px;background:#ddd}.bar span{display:block;height:10px;"
            "background:#2a7}pre{background:#f4f4f4;padding:4px}</style></head><body>"
            f"<h1>{title}</h1>"
            f"<p>{summary}</p><table>{kinds}</table>"
            f"<h2>{per_rule}</h2><table><tr>"
            f"<th>{rule_heading}</th><th></th><th></th>"
            f"<th>{uncovered}</th></tr>" + "".join(rows) + "</table></body></html>"
        )


def _in_both(key: str, **values: object) -> str:
    """A text of the catalogue in Spanish then English, as the coverage page shows it."""
    english, spanish = both(key, **values)
    return f"{spanish} / {english}"


def _item_json(item: ItemCoverage) -> dict[str, Any]:
    suggestion = item.suggestion
    return {
        "kind": item.item.kind,
        "leaf": item.item.leaf,
        "condition": item.item.condition,
        "value": item.item.value,
        "description": item.item.describe("en"),
        "description_es": item.item.describe("es"),
        "suggested_profile": suggestion.profiles[0] if suggestion else None,
        "suggested_pair_profile": (
            suggestion.profiles[1] if suggestion and len(suggestion.profiles) > 1 else None
        ),
        "suggested_as_of": suggestion.day.isoformat() if suggestion else None,
        "suggested_case": suggestion.yaml(item.item) if suggestion else None,
    }


# --- measuring -----------------------------------------------------------------------------


def _in_region(rule: Rule, facts: dict[str, Any]) -> bool:
    return rule.regions is None or rule.regions.includes(facts["department"], facts["municipality"])


def _test_text(rule: Rule, index: int) -> str:
    test = leaves(rule.when)[index]
    if test.op in (Operator.IS_NULL, Operator.NOT_NULL):
        return f"{test.field} {test.op.value}"
    right = test.other_field if test.other_field is not None else test.value
    return f"{test.field} {test.op.value} {right}"


def rule_items(
    rule: Rule, seen: Sequence[Observation]
) -> list[tuple[CoverageItem, tuple[frozenset[int], ...]]]:
    """Every item of ``rule`` with the numbers of the observations that cover it."""
    items: list[tuple[CoverageItem, tuple[frozenset[int], ...]]] = []

    def add(item: CoverageItem, *groups: Callable[[Observation], bool]) -> None:
        items.append(
            (item, tuple(frozenset(n for n, o in enumerate(seen) if g(o)) for g in groups))
        )

    def context(o: Observation) -> bool:
        return rule.in_effect(o.day) and _in_region(rule, o.facts)

    add(CoverageItem(rule.id, "fired"), lambda o: rule.id in o.fired)
    for index in range(len(leaves(rule.when))):
        for item, groups in _leaf_items(rule, index, context):
            add(item, *groups)
    if rule.suppress is not None:
        add(CoverageItem(rule.id, "suppression_applied"), lambda o: rule.id in o.suppressing)

    def meets(o: Observation) -> bool:
        return holds(rule.when, o.facts)

    if rule.regions is not None:
        add(
            CoverageItem(rule.id, "region_inside"),
            lambda o: rule.in_effect(o.day) and _in_region(rule, o.facts) and meets(o),
        )
        add(
            CoverageItem(rule.id, "region_outside"),
            lambda o: rule.in_effect(o.day) and not _in_region(rule, o.facts) and meets(o),
        )
    start, end = rule.effective_from, rule.effective_to
    if start is not None:
        add(
            CoverageItem(rule.id, "dated_before"),
            lambda o: o.day < start and _in_region(rule, o.facts) and meets(o),
        )
    if end is not None:
        add(
            CoverageItem(rule.id, "dated_after"),
            lambda o: o.day > end and _in_region(rule, o.facts) and meets(o),
        )
    return items


def measure_coverage(
    cases: Sequence[SuiteCase], rule_base: RuleBase, suggest: bool = True
) -> CoverageReport:
    """Coverage of ``rule_base`` by ``cases``; with ``suggest``, a checked suggested case for
    every item not covered (or none when the solver finds no profile that covers it)."""
    seen = observe([(c.case.name, c.case.profile, c.day) for c in cases], rule_base)
    suggester = _Suggester(rule_base) if suggest else None
    rules = []
    for rule in rule_base.rules:
        entries = []
        for item, groups in rule_items(rule, seen):
            suggestion = None
            if suggester is not None and not all(groups):
                suggestion = suggester.suggest(rule, item)
            entries.append(ItemCoverage(item, groups, suggestion))
        rules.append(RuleCoverage(rule.id, tuple(entries)))
    return CoverageReport(tuple(rules), len(cases), rule_base.version)


def _leaf_items(
    rule: Rule, index: int, context: Callable[[Observation], bool]
) -> list[tuple[CoverageItem, tuple[Callable[[Observation], bool], ...]]]:
    """The items of test number ``index`` of ``rule``, each with its covering conditions."""
    tests = leaves(rule.when)
    test = tests[index]
    text = _test_text(rule, index)
    name = test.field

    def truth(o: Observation) -> bool:
        return context(o) and holds(test, o.facts)

    def untruth(o: Observation) -> bool:
        return context(o) and not holds(test, o.facts)

    def decides(o: Observation) -> bool:
        truths = [holds(t, o.facts) for t in tests]
        truths[index] = True
        high = evaluate_with(rule.when, truths)
        truths[index] = False
        return high != evaluate_with(rule.when, truths)

    def decides_true(o: Observation) -> bool:
        return truth(o) and decides(o)

    def decides_false(o: Observation) -> bool:
        return untruth(o) and decides(o)

    found: list[tuple[CoverageItem, tuple[Callable[[Observation], bool], ...]]] = [
        (CoverageItem(rule.id, "leaf_true", index, text), (truth,)),
        (CoverageItem(rule.id, "leaf_false", index, text), (untruth,)),
        (CoverageItem(rule.id, "mcdc", index, text), (decides_true, decides_false)),
    ]
    spec = profile_fields()[name]
    if spec.kind.numeric and test.op in _NUMERIC_TESTS and test.other_field is None:
        for kind in ("boundary_at", "boundary_below", "boundary_above"):
            near = _near(kind, test.value)
            found.append(
                (
                    CoverageItem(rule.id, kind, index, text, test.value),
                    (_nearby(context, name, near),),
                )
            )
    if spec.kind is FieldKind.CHOICE:
        for choice in spec.choices:
            found.append(
                (
                    CoverageItem(rule.id, "enum_value", index, text, choice),
                    (_valued(context, name, choice),),
                )
            )
    return found


def _nearby(
    context: Callable[[Observation], bool], name: str, near: Callable[[Any], bool]
) -> Callable[[Observation], bool]:
    return lambda o: context(o) and near(o.facts[name])


def _valued(
    context: Callable[[Observation], bool], name: str, value: Any
) -> Callable[[Observation], bool]:
    return lambda o: context(o) and o.facts[name] == value


def _near(kind: str, value: Any) -> Callable[[Any], bool]:
    """Whether a field's value is at the threshold ``value`` (``boundary_at``), within one unit
    below it (``boundary_below``) or within one unit above it (``boundary_above``)."""
    if kind == "boundary_at":
        return lambda x: x is not None and x == value
    if kind == "boundary_below":
        return lambda x: x is not None and value - 1 <= x < value
    return lambda x: x is not None and value < x <= value + 1


# --- suggesting ----------------------------------------------------------------------------


def _day_in_effect(rule: Rule) -> date:
    if rule.in_effect(CASE_DAY):
        return CASE_DAY
    return rule.effective_from or rule.effective_to or CASE_DAY


class _Suggester:
    """Suggested cases for one rule base: solved, then checked by evaluating them."""

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self.solver = ProfileSolver(rule_base)

    def covers(
        self, rule: Rule, item: CoverageItem, profiles: Sequence[dict[str, Any]], day: date
    ) -> bool:
        """Whether ``profiles`` on ``day``, evaluated as a suite, cover ``item``."""
        seen = observe([(f"s{n}", p, day) for n, p in enumerate(profiles)], self.rule_base)
        return any(i == item and all(g) for i, g in rule_items(rule, seen))

    def _suggestion(
        self, rule: Rule, profiles: tuple[dict[str, Any], ...], day: date
    ) -> Suggestion:
        """The suggestion, with whether the rule applies to each profile (its YAML says so)."""
        seen = observe([(f"s{n}", p, day) for n, p in enumerate(profiles)], self.rule_base)
        return Suggestion(profiles, day, tuple(rule.id in o.fired for o in seen))

    def suggest(self, rule: Rule, item: CoverageItem) -> Suggestion | None:
        day = _day_in_effect(rule)
        inside = None if rule.regions is None else rule.regions.includes
        when_true = alternatives(rule.when, True)

        def one(terms: list[Term], day: date = day, **kw: Any) -> Suggestion | None:
            found = self.solver.solve(terms, lambda p: self.covers(rule, item, [p], day), **kw)
            return None if found is None else self._suggestion(rule, (found,), day)

        kind = item.kind
        if kind in ("fired", "region_inside"):
            return one(when_true, place=inside)
        if kind == "region_outside" and rule.regions is not None:
            regions = rule.regions
            return one(when_true, place=lambda d, m: not regions.includes(d, m))
        if kind == "dated_before" and rule.effective_from is not None:
            return one(when_true, rule.effective_from - timedelta(days=1), place=inside)
        if kind == "dated_after" and rule.effective_to is not None:
            return one(when_true, rule.effective_to + timedelta(days=1), place=inside)
        if kind in ("leaf_true", "leaf_false") and item.leaf is not None:
            test = leaves(rule.when)[item.leaf]
            return one([[(test, kind == "leaf_true")]], place=inside)
        if kind == "mcdc" and item.leaf is not None:
            return self._pair(rule, item, day, inside)
        if kind.startswith("boundary_") or kind == "enum_value":
            name = leaves(rule.when)[item.leaf or 0].field
            value = item.value
            wanted = _near(kind, value) if kind != "enum_value" else (lambda x: x == value)
            # Prefer a case where the rule applies; else any case where it is in force.
            return one(when_true, fields={name: wanted}, place=inside) or one(
                [[]], fields={name: wanted}, place=inside
            )
        return self._suppressing(rule, item, day)  # the one kind left: suppression_applied

    def _pair(
        self, rule: Rule, item: CoverageItem, day: date, inside: Callable[[str, str], bool] | None
    ) -> Suggestion | None:
        leaf = item.leaf or 0
        halves = []
        for truth in (True, False):
            found = self.solver.solve(
                deciding(rule.when, leaf, truth),
                partial(self._decides_on, rule, leaf, truth, day=day),
                place=inside,
            )
            if found is None:
                return None
            halves.append(found)
        if not self.covers(rule, item, halves, day):
            return None
        return self._suggestion(rule, tuple(halves), day)

    def _decides_on(
        self, rule: Rule, leaf: int, truth: bool, profile: dict[str, Any], day: date
    ) -> bool:
        item = CoverageItem(rule.id, "mcdc", leaf, _test_text(rule, leaf))
        seen = observe([("s", profile, day)], self.rule_base)
        for found, groups in rule_items(rule, seen):
            if found == item:
                return bool(groups[0 if truth else 1])
        return False

    def _suppressing(self, rule: Rule, item: CoverageItem, day: date) -> Suggestion | None:
        suppress = rule.suppress
        if suppress is None:
            return None
        areas = self.rule_base.service_areas
        for other in self.rule_base.rules:
            if other.id == rule.id or not other.in_effect(day):
                continue
            if not any(suppress.removes(r.service, areas[r.service]) for r in other.recommend):
                continue
            terms = [
                a + b
                for a in alternatives(rule.when, True)[:16]
                for b in alternatives(other.when, True)[:16]
            ]

            def both(d: str, m: str, other: Rule = other) -> bool:
                return _in_region(rule, {"department": d, "municipality": m}) and _in_region(
                    other, {"department": d, "municipality": m}
                )

            found = self.solver.solve(
                terms, lambda p: self.covers(rule, item, [p], day), place=both
            )
            if found is not None:
                return self._suggestion(rule, (found,), day)
        return None
