"""What an evaluation answers: the roadmap of services, what was suppressed, and why.

A result is self-explaining: each recommended service lists every rule that recommended it; each
suppressed service the rules that removed it; each fired rule its legal basis and every condition
it tested with the person's values. Results carry the rule base version and hash, so any answer
can be traced to the exact protocols that gave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .conditions import ConditionTrace
from .rule_base import RuleBase
from .rule_model import LegalBasis, Regions, RuleStatus, Text
from .vocabulary import AREA_ORDER, PRIORITY_ORDER, Area, Priority

__all__ = [
    "AttachedNote",
    "Evaluation",
    "FiredRule",
    "RecommendedService",
    "SuppressedService",
    "assemble",
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
    """The answer for one profile on one day, sorted as a roadmap (protocols §4)."""

    rule_base_version: str
    rule_base_hash: str
    as_of: date
    services: tuple[RecommendedService, ...]
    suppressed: tuple[SuppressedService, ...]
    fired: tuple[FiredRule, ...]

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


def assemble(
    rule_base: RuleBase,
    facts: Mapping[str, Any],
    as_of: date,
    fired_units: Iterable[tuple[int, tuple[int, int] | None]],
) -> Evaluation:
    """Build the result from the units that fired: ``(rule index, note or None)`` pairs.

    Shared by the durable-rules engine and the reference evaluator, which differ only in how
    they decide what fired.
    """
    fired_rules: set[int] = set()
    fired_notes: set[tuple[int, tuple[int, int]]] = set()
    for rule_index, note_position in fired_units:
        if note_position is None:
            fired_rules.add(rule_index)
        else:
            fired_notes.add((rule_index, note_position))
    areas = rule_base.service_areas
    best: dict[str, Priority] = {}
    recommenders: dict[str, list[str]] = {}
    notes: dict[str, list[AttachedNote]] = {}
    rules = [rule_base.rules[i] for i in sorted(fired_rules)]
    indexes = sorted(fired_rules)
    for index, rule in zip(indexes, rules, strict=True):
        for r_index, recommendation in enumerate(rule.recommend):
            code = recommendation.service
            current = best.get(code)
            if current is None or PRIORITY_ORDER[recommendation.priority] < PRIORITY_ORDER[current]:
                best[code] = recommendation.priority
            recommenders.setdefault(code, []).append(rule.id)
            for n_index, note in enumerate(recommendation.notes):
                if note.when is None or (index, (r_index, n_index)) in fired_notes:
                    notes.setdefault(code, []).append(AttachedNote(rule.id, note.text))
    removed: dict[str, list[str]] = {}
    removed_by_rule: dict[str, list[str]] = {}
    for rule in rules:
        if rule.suppress is None:
            continue
        for code in best:
            if rule.suppress.removes(code, areas[code]):
                removed.setdefault(code, []).append(rule.id)
                removed_by_rule.setdefault(rule.id, []).append(code)
    services = sorted(
        (
            RecommendedService(
                code,
                areas[code],
                priority,
                rule_base.services[code].label,
                tuple(sorted(recommenders[code])),
                tuple(sorted(notes.get(code, ()), key=lambda n: n.rule)),
            )
            for code, priority in best.items()
            if code not in removed
        ),
        key=lambda s: (PRIORITY_ORDER[s.priority], AREA_ORDER[s.area], s.code),
    )
    suppressed = sorted(
        (
            SuppressedService(code, areas[code], rule_base.services[code].label, tuple(sorted(ids)))
            for code, ids in removed.items()
        ),
        key=lambda s: (AREA_ORDER[s.area], s.code),
    )
    explainers = rule_base.explainers
    legal_bases = rule_base.legal_bases
    recommended = rule_base.recommended_codes
    fired = sorted(
        (
            FiredRule(
                rule.id,
                rule.title,
                rule.status,
                legal_bases[index],
                recommended[index],
                tuple(sorted(removed_by_rule[rule.id])) if rule.id in removed_by_rule else (),
                explainers[index](facts),
                _region_trace(rule.regions, facts) if rule.regions is not None else None,
                rule.effective_from,
                rule.effective_to,
            )
            for index, rule in zip(indexes, rules, strict=True)
        ),
        key=_by_id,
    )
    return Evaluation(
        rule_base.version,
        rule_base.hash,
        as_of,
        tuple(services),
        tuple(suppressed),
        tuple(fired),
    )


def _by_id(fired: FiredRule) -> str:
    return fired.id


def _region_trace(regions: Regions, facts: Mapping[str, Any]) -> ConditionTrace:
    department, municipality = facts.get("department"), facts.get("municipality")
    parts = []
    if regions.departments:
        parts.append(f"department in [{', '.join(regions.departments)}]")
    if regions.municipalities:
        parts.append(f"municipality in [{', '.join(regions.municipalities)}]")
    return ConditionTrace(
        kind="region",
        holds=regions.includes(str(department), str(municipality)),
        actual=department,
        other_actual=municipality,
        label=" or ".join(parts) + f" (department: {department}, municipality: {municipality})",
    )
