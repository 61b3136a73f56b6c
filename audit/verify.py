"""Verification of a rule base over the whole profile space: proofs, and witnesses to replay.

What it tells an auditor, each finding with a witness profile (and day) that shows it:

- **dead** rules: no profile on any day fires them (their dates, regions, ``all``/``any``/``not``
  and field comparisons taken together); a proof, so no witness exists;
- **subsumed** rules: whenever rule A fires, rule B fires too and recommends each of A's services
  at the same or a higher priority, so A changes no roadmap (only its explanation); rules that
  suppress are left out, as removing them would change results;
- **never recommended** services: no live rule recommends them (``no_rule``) or every profile
  that gets them recommended also has them suppressed (``always_suppressed``);
- **conflicts** (informational): two rules that can fire for the same person give one service
  different priorities; the higher wins;
- **requirements** (``rules/requirements.yaml``): each proved, or refuted with a counterexample.

Every witness is checked by evaluating it with the reference evaluator before it is reported;
a witness that does not show its finding is a fault of the verifier (:class:`WitnessError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import z3

from engine import (
    PRIORITY_ORDER,
    Evaluation,
    ReferenceEvaluator,
    Rule,
    RuleBase,
    holds,
    parse_profile,
)

from .errors import WitnessError
from .requirements import Requirement
from .space import Expr, ProfileSpace, Witness

__all__ = ["Verification", "verify_rule_base"]


@dataclass
class Verification:
    """The findings; :meth:`as_json` gives the shape of ``ruta audit verify --json``."""

    dead: list[dict[str, Any]] = field(default_factory=list)
    subsumed: list[dict[str, Any]] = field(default_factory=list)
    never_recommended: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    requirements: list[dict[str, Any]] = field(default_factory=list)
    live: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, witnesses: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dead": self.dead,
            "subsumed": self.subsumed,
            "conflicts": self.conflicts,
            "never_recommended": self.never_recommended,
            "requirements": self.requirements,
        }
        if witnesses:
            data["witnesses"] = self.live
        return data

    @property
    def failed_requirements(self) -> list[dict[str, Any]]:
        return [r for r in self.requirements if not r["holds"]]


class _Verifier:
    def __init__(self, rule_base: RuleBase, requirements: list[Requirement]) -> None:
        self.rule_base = rule_base
        conditions = [r.when for r in requirements if r.when is not None]
        self.space = ProfileSpace(rule_base, conditions)
        self.fires = {rule.id: self.space.fires(rule) for rule in rule_base.rules}
        self.evaluator = ReferenceEvaluator(rule_base)

    # -- expressions over the roadmap ---------------------------------------------------------

    def suppressed(self, code: str) -> Expr:
        area = self.rule_base.service_areas[code]
        return z3.Or(
            [
                self.fires[r.id]
                for r in self.rule_base.rules
                if r.suppress is not None and r.suppress.removes(code, area)
            ]
        )

    def recommended(self, code: str, rank: int = max(PRIORITY_ORDER.values())) -> Expr:
        """The service is in the roadmap at priority rank ``rank`` or higher (0 is urgent)."""
        givers = [
            self.fires[r.id]
            for r in self.rule_base.rules
            for rec in r.recommend
            if rec.service == code and PRIORITY_ORDER[rec.priority] <= rank
        ]
        return z3.And(z3.Or(givers), z3.Not(self.suppressed(code)))

    # -- replaying witnesses ------------------------------------------------------------------

    def evaluate(self, witness: Witness) -> Evaluation:
        return self.evaluator.evaluate(witness["profile"], date.fromisoformat(witness["as_of"]))

    def check(self, shown: bool, what: str) -> None:
        if not shown:
            raise WitnessError(
                f"verifier fault: the witness for {what} does not show it when evaluated",
                f"fallo del verificador: el testigo de {what} no lo muestra al evaluarlo",
            )

    # -- the questions ------------------------------------------------------------------------

    def run(self) -> Verification:
        result = Verification()
        live: dict[str, Witness] = {}
        for rule in self.rule_base.rules:
            witness = self.space.witness(self.fires[rule.id])
            if witness is None:
                result.dead.append({"rule": rule.id, "witness": None})
                continue
            fired = {f.id for f in self.evaluate(witness).fired}
            self.check(rule.id in fired, f"rule {rule.id} firing")
            live[rule.id] = witness
            result.live.append({"rule": rule.id, "witness": witness})
        rules = [r for r in self.rule_base.rules if r.id in live]
        result.subsumed = self.subsumed(rules, live)
        result.conflicts = self.conflicts(rules)
        result.never_recommended = self.never_recommended(rules)
        return result

    def subsumed(self, rules: list[Rule], live: dict[str, Witness]) -> list[dict[str, Any]]:
        found = []
        for rule in rules:
            if rule.suppress is not None or not rule.recommend:
                continue
            for other in rules:
                if other.id == rule.id or not _covers(other, rule):
                    continue
                if self.space.possible(self.fires[rule.id], z3.Not(self.fires[other.id])):
                    continue
                witness = live[rule.id]
                fired = {f.id for f in self.evaluate(witness).fired}
                self.check({rule.id, other.id} <= fired, f"rule {rule.id} subsumed")
                found.append({"rule": rule.id, "by": other.id, "witness": witness})
                break
        return found

    def conflicts(self, rules: list[Rule]) -> list[dict[str, Any]]:
        found = []
        for index, rule in enumerate(rules):
            for other in rules[index + 1 :]:
                given = {r.service: r.priority for r in other.recommend}
                for rec in rule.recommend:
                    if rec.service not in given or given[rec.service] == rec.priority:
                        continue
                    witness = self.space.witness(self.fires[rule.id], self.fires[other.id])
                    if witness is None:
                        continue
                    fired = {f.id for f in self.evaluate(witness).fired}
                    self.check({rule.id, other.id} <= fired, f"conflict on {rec.service}")
                    found.append(
                        {
                            "service": rec.service,
                            "rules": [rule.id, other.id],
                            "priorities": [rec.priority.value, given[rec.service].value],
                            "witness": witness,
                        }
                    )
        return found

    def never_recommended(self, rules: list[Rule]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        given = {rec.service for r in rules for rec in r.recommend}
        for entry in self.rule_base.catalogue.services:
            code = entry.code
            if code not in given:
                found.append({"service": code, "reason": "no_rule", "witness": None})
                continue
            if self.space.possible(self.recommended(code)):
                continue
            givers = z3.Or(
                [self.fires[r.id] for r in rules if any(x.service == code for x in r.recommend)]
            )
            witness = self.space.witness(givers)
            assert witness is not None  # a live rule recommends it
            result = self.evaluate(witness)
            self.check(
                code in {s.code for s in result.suppressed}, f"service {code} always suppressed"
            )
            found.append({"service": code, "reason": "always_suppressed", "witness": witness})
        return found

    def requirement(self, requirement: Requirement) -> dict[str, Any]:
        expect = requirement.expect
        rank = PRIORITY_ORDER[expect.priority] if expect.priority else max(PRIORITY_ORDER.values())
        areas = self.rule_base.service_areas
        codes = (
            [expect.service]
            if expect.service
            else [c for c, a in areas.items() if a == expect.area]
        )
        met = [self.recommended(c, rank) for c in codes]
        if expect.unless_suppressed:
            met += [self.suppressed(c) for c in codes]
        day = requirement.on or self.rule_base.manifest.edition
        about = self.space.holds(requirement.when) if requirement.when else z3.BoolVal(True)
        witness = self.space.witness(about, self.space.on(day), z3.Not(z3.Or(met)), near=day)
        if witness is not None:
            self.check(
                self._refutes(requirement, witness, codes, rank),
                f"requirement {requirement.id} refuted",
            )
        return {"requirement": requirement.id, "holds": witness is None, "witness": witness}

    def _refutes(
        self, requirement: Requirement, witness: Witness, codes: list[str], rank: int
    ) -> bool:
        facts = vars(parse_profile(witness["profile"]))
        if requirement.when is not None and not holds(requirement.when, facts):
            return False
        result = self.evaluate(witness)
        given = {s.code: PRIORITY_ORDER[s.priority] for s in result.services}
        removed = {s.code for s in result.suppressed}
        if any(c in given and given[c] <= rank for c in codes):
            return False
        return not (requirement.expect.unless_suppressed and removed & set(codes))


def _covers(other: Rule, rule: Rule) -> bool:
    """Whether ``other`` recommends each of ``rule``'s services at the same or higher priority."""
    given = {r.service: PRIORITY_ORDER[r.priority] for r in other.recommend}
    return all(
        r.service in given and given[r.service] <= PRIORITY_ORDER[r.priority]
        for r in rule.recommend
    )


def verify_rule_base(
    rule_base: RuleBase, requirements: list[Requirement] | None = None
) -> Verification:
    """Every finding about ``rule_base`` (and each requirement proved or refuted), each witness
    checked by evaluation."""
    verifier = _Verifier(rule_base, requirements or [])
    result = verifier.run()
    result.requirements = [verifier.requirement(r) for r in requirements or []]
    return result
