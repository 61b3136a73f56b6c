"""Evaluate returnee profiles against a rule base, through durable-rules.

``RuleEngine(rule_base).evaluate(profile, as_of)`` is the engine's one entry point for the API,
the command line and the benchmarks. Every evaluation asserts the profile as a fact in
durable-rules, collects the rules that matched, and retracts the fact; the result is then
assembled and explained in plain Python.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from .compiler import AS_OF_ATTRIBUTE, KIND_ATTRIBUTE, KIND_VALUE, compile_rule_base, plain_number
from .durable_driver import FACT_ID, DurableRulesets
from .open_fields import OpenField, OpenFieldFinder
from .profile import Profile, parse_profile
from .results import Assembler, Evaluation
from .rule_base import RuleBase
from .vocabulary import Priority, evaluation_day

__all__ = ["RuleEngine", "encode_fact"]


class RuleEngine:
    """A rule base compiled and registered in durable-rules; safe to share between threads."""

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self.compiled = compile_rule_base(rule_base)
        self._rulesets = DurableRulesets(self.compiled)
        self._units = [(u.rule_index, u.note) for u in self.compiled.units]
        self._assembler = Assembler(rule_base)
        self._open_fields = OpenFieldFinder(rule_base)

    @property
    def version(self) -> str:
        return self.rule_base.version

    @property
    def hash(self) -> str:
        return self.rule_base.hash

    def evaluate(
        self, profile: Profile | dict[str, Any], as_of: date | datetime | None = None
    ) -> Evaluation:
        """The roadmap for ``profile`` on the day ``as_of`` (default: today in Colombia).

        Raises :class:`~engine.errors.ProfileError` for an invalid profile,
        :class:`~engine.errors.EngineUnavailableError` if durable-rules fails part-way (no
        answer is given then; the engine rebuilds itself, ask again), and
        :class:`~engine.errors.EvaluationError` if the engine was closed.
        """
        checked, day, fired = self._match(profile, as_of)
        units = self._units
        # A unit fires once per matching path; the assembler also merges a rule's alternatives.
        return self._assembler.assemble(
            vars(checked), day, [units[i] for i in set(fired)], checked.model_fields_set
        )

    def roadmap(
        self, profile: Profile | dict[str, Any], as_of: date | datetime | None = None
    ) -> tuple[tuple[str, Priority], ...]:
        """The roadmap's services and priorities only: ``(code, priority)`` in roadmap order.

        Exactly what ``evaluate(...).services`` lists, without the rules behind each service,
        the notes or the explanation; for simulations of a rule change over many profiles.
        """
        _, _, fired = self._match(profile, as_of)
        units = self._units
        return self._assembler.roadmap([units[i] for i in fired])

    def open_fields(self, result: Evaluation) -> tuple[OpenField, ...]:
        """The questions still to ask for ``result`` (an evaluation of this engine): each field
        the caseworker did not send whose answer could add a service or raise its priority,
        with the services and an answer that would do it (:mod:`engine.open_fields`)."""
        return self._open_fields.find(result)

    def matching_rules(
        self, profile: Profile | dict[str, Any], as_of: date | datetime | None = None
    ) -> list[str]:
        """Only the ids of the rules that apply (sorted), without the roadmap or explanation.

        For audits of coverage over many profiles, where only which rules apply matters.
        """
        _, _, fired = self._match(profile, as_of)
        rules = self.rule_base.rules
        units = self._units
        return sorted({rules[units[i][0]].id for i in fired if units[i][1] is None})

    def _match(
        self, profile: Profile | dict[str, Any], as_of: date | datetime | None
    ) -> tuple[Profile, date, list[int]]:
        """The checked profile, the day, and the durable-rules units it matched."""
        checked = parse_profile(profile)
        day = evaluation_day(as_of)
        return checked, day, self._rulesets.matched_units(encode_fact(checked, day))

    def close(self) -> None:
        """Free the engine's memory in durable-rules (e.g. when a new rule base replaces it).

        durable-rules' memory is not garbage-collected: close every engine you replace, or use
        the engine as a context manager (``with RuleEngine(rule_base) as engine: ...``).
        """
        self._rulesets.close()

    def __enter__(self) -> RuleEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def encode_fact(profile: Profile, as_of: date) -> str:
    """The profile as the JSON fact the compiled rules test: empty fields are left out."""
    parts = [
        f'"id":"{FACT_ID}"',
        f'"{KIND_ATTRIBUTE}":"{KIND_VALUE}"',
        f'"{AS_OF_ATTRIBUTE}":"{as_of.isoformat()}"',
    ]
    for name, value in vars(profile).items():
        if value is None:
            continue
        if value is True:
            text = "true"
        elif value is False:
            text = "false"
        elif isinstance(value, float):
            text = plain_number(value)
        elif isinstance(value, int):
            text = str(value)
        else:
            text = json.dumps(value)
        parts.append(f'"{name}":{text}')
    return "{" + ",".join(parts) + "}"
