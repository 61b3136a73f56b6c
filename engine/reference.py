"""A plain-Python evaluator of the same rule format: the oracle for the durable-rules path.

It reads the rules as written (``not``, ``in``, empty fields and all) with the meanings of
:mod:`engine.conditions`, without the compiler's rewriting, so agreement between the two on
random profiles and random rule bases checks the compiler and the engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from .conditions import holds
from .open_fields import OpenField, OpenFieldFinder
from .profile import Profile, parse_profile
from .results import Assembler, Evaluation
from .rule_base import RuleBase
from .rule_model import Rule
from .vocabulary import evaluation_day

__all__ = ["ReferenceEvaluator", "applies"]


def applies(rule: Rule, facts: Mapping[str, Any], day: date) -> bool:
    """Whether ``rule`` fires for a checked profile's ``facts`` on ``day``: in effect that day,
    the person inside its regions (if it has any), its condition holding. The reference
    evaluator's own test, for tools that ask about a few rules rather than the whole roadmap."""
    if not rule.in_effect(day):
        return False
    if rule.regions is not None and not rule.regions.includes(
        facts["department"], facts["municipality"]
    ):
        return False
    return holds(rule.when, facts)


class ReferenceEvaluator:
    """Evaluates a rule base by walking each rule's conditions in Python."""

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self._assembler = Assembler(rule_base)
        self._open_fields = OpenFieldFinder(rule_base)

    def evaluate(
        self, profile: Profile | dict[str, Any], as_of: date | datetime | None = None
    ) -> Evaluation:
        checked = parse_profile(profile)
        day = evaluation_day(as_of)
        facts = vars(checked)
        return self._assembler.assemble(
            facts, day, self._fired(facts, day), checked.model_fields_set
        )

    def open_fields(self, result: Evaluation) -> tuple[OpenField, ...]:
        """The questions still to ask for ``result``, as :meth:`engine.RuleEngine.open_fields`."""
        return self._open_fields.find(result)

    def _fired(
        self, facts: dict[str, Any], day: date
    ) -> Iterator[tuple[int, tuple[int, int] | None]]:
        for index, rule in enumerate(self.rule_base.rules):
            if not applies(rule, facts, day):
                continue
            yield index, None
            for r_index, recommendation in enumerate(rule.recommend):
                for n_index, note in enumerate(recommendation.notes):
                    if note.when is not None and holds(note.when, facts):
                        yield index, (r_index, n_index)
