"""What an evaluation answers: the roadmap of services, what was suppressed, and why.

A result is self-explaining: each recommended service lists every rule that recommended it; each
suppressed service the rules that removed it; each fired rule its legal basis and every condition
it tested with the person's values. Results carry the rule base version and hash, so any answer
can be traced to the exact protocols that gave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from .conditions import ConditionTrace, FiredExplainer
from .rule_base import RuleBase
from .rule_model import LegalBasis, Regions, Rule, RuleStatus, Text
from .vocabulary import PRIORITY_ORDER, Area, Priority

__all__ = [
    "Assembler",
    "AttachedNote",
    "Evaluation",
    "FiredRule",
    "RecommendedService",
    "SuppressedService",
]


@dataclass(frozen=True, slots=True)
class AttachedNote:
    """A note a rule attaches to a recommended service (e.g. P22's 180-day warning)."""

    rule: str
    text: Text


@dataclass(frozen=True, slots=True)
class RecommendedService:
    """One step of the roadmap: a service, at the highest priority any rule gave it."""

    code: str
    area: Area
    priority: Priority
    label: Text
    rules: tuple[str, ...]
    notes: tuple[AttachedNote, ...]


@dataclass(frozen=True, slots=True)
class SuppressedService:
    """A service some rule recommended and a suppression then removed, with the removing rules."""

    code: str
    area: Area
    label: Text
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that applied to the profile, and the explanation of why."""

    id: str
    title: Text
    status: RuleStatus
    legal_basis: tuple[LegalBasis, ...]
    recommends: tuple[str, ...]
    suppresses: tuple[str, ...]
    conditions: ConditionTrace
    region: ConditionTrace | None
    effective_from: date | None
    effective_to: date | None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The answer for one profile on one day, sorted as a roadmap (protocols §4).

    ``values`` is the person's profile, which the explanation refers to: a condition trace names
    a field, and ``trace.describe(result.values)`` shows the value it was tested on. It is
    read-only and left out of ``repr``, so logging a result never writes the person's data.
    ``given`` names the fields the caseworker sent; every other field holds its default, an
    answer nobody gave (see :class:`engine.open_fields.OpenFieldFinder`).
    """

    rule_base_version: str
    rule_base_hash: str
    as_of: date
    services: tuple[RecommendedService, ...]
    suppressed: tuple[SuppressedService, ...]
    fired: tuple[FiredRule, ...]
    values: Mapping[str, Any] = field(repr=False)
    given: frozenset[str] = field(repr=False)

    def priorities(self) -> dict[str, str]:
        """Recommended service code → priority: the decision, without the explanation."""
        return {s.code: s.priority.value for s in self.services}

    def decision(self) -> dict[str, Any]:
        """Everything the explanation is built on, for comparing two evaluators."""
        return {
            "services": [
                (s.code, s.priority.value, s.rules, tuple(n.rule for n in s.notes))
                for s in self.services
            ],
            "suppressed": [(s.code, s.rules) for s in self.suppressed],
            "fired": [f.id for f in self.fired],
        }


FiredUnit = tuple[int, tuple[int, int] | None]


@dataclass(frozen=True, slots=True)
class _Recommendation:
    code: str
    rank: int
    notes: tuple[AttachedNote, ...]  # attached whenever the rule fires
    conditional_notes: tuple[tuple[tuple[int, int], AttachedNote], ...]


@dataclass(frozen=True, slots=True)
class _RulePlan:
    """What a rule contributes when it fires, prepared once per rule base."""

    rule: Rule
    services: tuple[tuple[str, int], ...]  # (code, priority rank) of every recommendation
    noted: tuple[_Recommendation, ...]  # the recommendations that carry notes
    explainer: FiredExplainer
    fired: FiredRule | None  # the whole explanation, when it never varies


class Assembler:
    """Builds evaluations for one rule base from the rules that fired.

    Shared by the durable-rules engine and the reference evaluator, which differ only in how
    they decide what fired. Everything that does not depend on the profile is prepared here
    once, so assembling a result costs little more than reading the fired rules.
    """

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self._plans = [_plan(rule) for rule in rule_base.rules]
        by_id = sorted(range(len(rule_base.rules)), key=lambda i: rule_base.rules[i].id)
        self._id_rank = [0] * len(by_id)
        for rank, index in enumerate(by_id):
            self._id_rank[index] = rank
        self._areas = rule_base.service_areas
        areas = rule_base.area_rank
        self._area_rank = {code: areas[area] for code, area in self._areas.items()}
        self._services = rule_base.services

    def assemble(
        self,
        facts: Mapping[str, Any],
        as_of: date,
        fired_units: Iterable[FiredUnit],
        given: Iterable[str],
    ) -> Evaluation:
        """The evaluation for ``facts`` given the units that fired, ``(rule, note)`` pairs, and
        the names of the fields the caseworker sent (``given``)."""
        fired_rules: list[int] = []
        fired_notes: set[tuple[int, tuple[int, int]]] = set()
        for rule_index, note_position in fired_units:
            if note_position is None:
                fired_rules.append(rule_index)
            else:
                fired_notes.add((rule_index, note_position))
        # A rule split into alternatives can fire through several of them: count it once.
        fired_rules = sorted(set(fired_rules), key=self._id_rank.__getitem__)
        plans = [self._plans[i] for i in fired_rules]
        best: dict[str, int] = {}
        recommenders: dict[str, list[str]] = {}
        notes: dict[str, list[AttachedNote]] = {}
        for index, plan in zip(fired_rules, plans, strict=True):
            rule_id = plan.rule.id
            for code, rank in plan.services:
                current = best.get(code)
                if current is None:
                    best[code] = rank
                    recommenders[code] = [rule_id]
                else:
                    if rank < current:
                        best[code] = rank
                    recommenders[code].append(rule_id)
            for item in plan.noted:
                for note in item.notes:
                    notes.setdefault(item.code, []).append(note)
                for position, note in item.conditional_notes:
                    if (index, position) in fired_notes:
                        notes.setdefault(item.code, []).append(note)
        removed, removed_by_rule = self._suppressions(plans, best)
        fired = tuple(
            [
                plan.fired
                if plan.fired is not None and plan.rule.id not in removed_by_rule
                else self._explained(plan, facts, removed_by_rule)
                for plan in plans
            ]
        )
        return Evaluation(
            self.rule_base.version,
            self.rule_base.hash,
            as_of,
            self._roadmap(best, recommenders, notes, removed),
            self._suppressed(removed),
            fired,
            MappingProxyType(dict(facts)),
            frozenset(given),
        )

    def roadmap(self, fired_units: Iterable[FiredUnit]) -> tuple[tuple[str, Priority], ...]:
        """Only the roadmap's services and priorities, in roadmap order, for the units that fired.

        The same services, priorities and order as :meth:`assemble`'s ``services``, without the
        recommending rules, notes, suppressions or explanation: for comparing what many people
        are offered under two rule bases, where nothing else is read.
        """
        plans = self._plans
        fired = {rule_index for rule_index, note_position in fired_units if note_position is None}
        best: dict[str, int] = {}
        for index in fired:
            for code, rank in plans[index].services:
                if rank < best.get(code, _NO_RANK):
                    best[code] = rank
        areas = self._areas
        for index in fired:
            suppression = plans[index].rule.suppress
            if suppression is not None:
                best = {c: r for c, r in best.items() if not suppression.removes(c, areas[c])}
        order = self._area_rank
        steps = sorted((rank, order[code], code) for code, rank in best.items())
        return tuple((code, _PRIORITIES[rank]) for rank, _, code in steps)

    def _suppressions(
        self, plans: list[_RulePlan], best: dict[str, int]
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        removed: dict[str, list[str]] = {}
        removed_by_rule: dict[str, list[str]] = {}
        for plan in plans:
            suppression = plan.rule.suppress
            if suppression is None:
                continue
            for code in best:
                if suppression.removes(code, self._areas[code]):
                    removed.setdefault(code, []).append(plan.rule.id)
                    removed_by_rule.setdefault(plan.rule.id, []).append(code)
        return removed, removed_by_rule

    def _roadmap(
        self,
        best: dict[str, int],
        recommenders: dict[str, list[str]],
        notes: dict[str, list[AttachedNote]],
        removed: dict[str, list[str]],
    ) -> tuple[RecommendedService, ...]:
        services = [
            RecommendedService(
                code,
                self._areas[code],
                _PRIORITIES[rank],
                self._services[code].label,
                tuple(recommenders[code]),
                tuple(notes.get(code, ())),
            )
            for code, rank in best.items()
            if code not in removed
        ]
        areas = self.rule_base.area_rank
        services.sort(key=lambda s: (PRIORITY_ORDER[s.priority], areas[s.area], s.code))
        return tuple(services)

    def _suppressed(self, removed: dict[str, list[str]]) -> tuple[SuppressedService, ...]:
        suppressed = [
            SuppressedService(code, self._areas[code], self._services[code].label, tuple(ids))
            for code, ids in removed.items()
        ]
        areas = self.rule_base.area_rank
        suppressed.sort(key=lambda s: (areas[s.area], s.code))
        return tuple(suppressed)

    @staticmethod
    def _explained(
        plan: _RulePlan, facts: Mapping[str, Any], removed_by_rule: dict[str, list[str]]
    ) -> FiredRule:
        """A fired rule whose explanation depends on the profile or on what it suppressed."""
        removed = tuple(sorted(removed_by_rule.get(plan.rule.id, ())))
        return _fired_rule(plan.rule, plan.explainer(facts), removed)


def _fired_rule(rule: Rule, conditions: ConditionTrace, removed: tuple[str, ...]) -> FiredRule:
    return FiredRule(
        rule.id,
        rule.title,
        rule.status,
        tuple(rule.legal_basis),
        tuple(r.service for r in rule.recommend),
        removed,
        conditions,
        _region_trace(rule.regions) if rule.regions is not None else None,
        rule.effective_from,
        rule.effective_to,
    )


_PRIORITIES = sorted(PRIORITY_ORDER, key=PRIORITY_ORDER.__getitem__)
#: A rank below every priority's, so any recommendation improves on it.
_NO_RANK = len(_PRIORITIES)


def _plan(rule: Rule) -> _RulePlan:
    recommendations = []
    for r_index, recommendation in enumerate(rule.recommend):
        always = tuple(
            AttachedNote(rule.id, n.text) for n in recommendation.notes if n.when is None
        )
        conditional = tuple(
            ((r_index, n_index), AttachedNote(rule.id, n.text))
            for n_index, n in enumerate(recommendation.notes)
            if n.when is not None
        )
        recommendations.append(
            _Recommendation(
                recommendation.service,
                PRIORITY_ORDER[recommendation.priority],
                always,
                conditional,
            )
        )
    explainer = FiredExplainer(rule.when)
    fired = None
    if explainer.static is not None:
        fired = _fired_rule(rule, explainer.static, ())
    return _RulePlan(
        rule,
        tuple((r.code, r.rank) for r in recommendations),
        tuple(r for r in recommendations if r.notes or r.conditional_notes),
        explainer,
        fired,
    )


def _region_trace(regions: Regions) -> ConditionTrace:
    """The region test of a rule that fired (so it held)."""
    parts = []
    if regions.departments:
        parts.append(f"department in [{', '.join(regions.departments)}]")
    if regions.municipalities:
        parts.append(f"municipality in [{', '.join(regions.municipalities)}]")
    return ConditionTrace(kind="region", holds=True, label=" or ".join(parts))
