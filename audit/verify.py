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
- **requirements** (``rules/audit/requirements.yaml``): each proved, or refuted with a
  counterexample.

Every witness is the person closest to the baseline who shows the finding (:mod:`audit.baseline`
defines it), so the same rule base gives the same witnesses in every run. Rules made of simple
tests are decided directly (:mod:`audit.boxes`), the others by the solver (:mod:`audit.space`,
:mod:`audit.search`); both give the same answers. Every witness is checked by evaluating it
with the reference evaluator before it is reported; a witness that does not show its finding
is a fault of the verifier (:class:`WitnessError`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import z3

from engine import (
    PRIORITY_ORDER,
    Evaluation,
    ProfileError,
    ReferenceEvaluator,
    Rule,
    RuleBase,
    applies,
    holds,
    parse_profile,
)
from texts import both

from .baseline import Witness, as_witness
from .boxes import Box, Boxes
from .errors import WitnessError
from .requirements import Requirement
from .search import WitnessSearch
from .space import Expr, ProfileSpace

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
    def __init__(self, rule_base: RuleBase, requirements: list[Requirement], direct: bool) -> None:
        self.rule_base = rule_base
        conditions = [r.when for r in requirements if r.when is not None]
        self.space = ProfileSpace(rule_base, conditions)
        self.search = WitnessSearch(self.space)
        self.boxes = Boxes(self.space)
        self.box: dict[str, Box | None] = {
            rule.id: self.boxes.of(rule) if direct else None for rule in rule_base.rules
        }
        self.rules = rule_base.rules_by_id
        self.edition = rule_base.manifest.edition
        self.evaluator = ReferenceEvaluator(rule_base)
        self._facts: dict[int, tuple[Witness, dict[str, Any], date]] = {}
        self._witnesses: dict[tuple[Any, ...], Witness] = {}

    # -- expressions over the roadmap ---------------------------------------------------------

    def suppressed(self, code: str) -> Expr:
        area = self.rule_base.service_areas[code]
        return z3.Or(
            [
                self.space.fired(r)
                for r in self.rule_base.rules
                if r.suppress is not None and r.suppress.removes(code, area)
            ]
        )

    def recommended(self, code: str, rank: int = max(PRIORITY_ORDER.values())) -> Expr:
        """The service is in the roadmap at priority rank ``rank`` or higher (0 is urgent)."""
        givers = [
            self.space.fired(r)
            for r in self.rule_base.rules
            for rec in r.recommend
            if rec.service == code and PRIORITY_ORDER[rec.priority] <= rank
        ]
        return z3.And(z3.Or(givers), z3.Not(self.suppressed(code)))

    # -- witnesses ----------------------------------------------------------------------------

    def closest(self, *rules: Rule) -> Witness | None:
        """The witness closest to the baseline firing every one of ``rules`` on some day
        (the edition date if possible), or ``None`` when nobody ever fires them together."""
        boxes = [box for box in (self.box[r.id] for r in rules) if box is not None]
        values: dict[str, Any] | None
        if len(boxes) == len(rules):
            values = self.boxes.closest(functools.reduce(self.boxes.meet, boxes), self.edition)
        else:
            values = self.search.closest([self.space.fired(r) for r in rules], self.edition)
        return None if values is None else self.witness(values)

    def witness(self, values: dict[str, Any]) -> Witness:
        """The witness for one value per slot; one object per distinct witness, so findings
        shown by the same person share it (and it is read and checked once)."""
        key = tuple(values[slot.name] for slot in self.search.slots(self.edition))
        found = self._witnesses.get(key)
        if found is None:
            found = self._witnesses[key] = as_witness(values)
        return found

    # -- replaying witnesses ------------------------------------------------------------------

    def evaluate(self, witness: Witness) -> Evaluation:
        return self.evaluator.evaluate(witness["profile"], date.fromisoformat(witness["as_of"]))

    def fires(self, witness: Witness, *rule_ids: str) -> bool:
        """Whether every one of ``rule_ids`` fires for ``witness``, by the reference
        evaluator's own test (the witness checked and read once)."""
        kept = self._facts.get(id(witness))
        if kept is None or kept[0] is not witness:
            facts = vars(parse_profile(witness["profile"]))
            kept = (witness, facts, date.fromisoformat(witness["as_of"]))
            self._facts[id(witness)] = kept
        _, facts, day = kept
        return all(applies(self.rules[r], facts, day) for r in rule_ids)

    def check(self, shown: bool, what: str) -> None:
        if not shown:
            raise WitnessError(*both("audit.witness_not_shown", what=what))

    # -- the questions ------------------------------------------------------------------------

    def run(self) -> Verification:
        result = Verification()
        live: dict[str, Witness] = {}
        for rule in self.rule_base.rules:
            witness = self.closest(rule)
            if witness is None:
                result.dead.append({"rule": rule.id, "witness": None})
                continue
            self.check(self.fires(witness, rule.id), f"rule {rule.id} firing")
            live[rule.id] = witness
            result.live.append({"rule": rule.id, "witness": witness})
        rules = [r for r in self.rule_base.rules if r.id in live]
        result.subsumed = self.subsumed(rules, live)
        result.conflicts = self.conflicts(rules, live)
        result.never_recommended = self.never_recommended(rules)
        return result

    def subsumed(self, rules: list[Rule], live: dict[str, Witness]) -> list[dict[str, Any]]:
        """For each rule, the first other rule (in rule-base order) that fires whenever it does
        and covers its services. Candidates are refuted cheaply first: a person firing the rule
        but not the candidate (its witness, or one the solver found for an earlier candidate)
        proves the candidate does not cover it."""
        givers = _givers(rules)
        found = []
        for rule in rules:
            if rule.suppress is not None or not rule.recommend:
                continue
            firing = [live[rule.id]]
            for other in givers[rule.recommend[0].service]:
                if other.id == rule.id or not _covers(other, rule):
                    continue
                if not all(self.fires(w, other.id) for w in firing):
                    continue
                inner, outer = self.box[rule.id], self.box[other.id]
                if inner is not None and outer is not None:
                    if not self.boxes.within(inner, outer):
                        continue
                else:
                    alone = [self.space.fired(rule), z3.Not(self.space.fired(other))]
                    if self.space.possible(*alone):
                        proposed = self._proposed()
                        if proposed is not None and self.fires(proposed, rule.id):
                            firing.append(proposed)
                        continue
                witness = live[rule.id]
                self.check(self.fires(witness, rule.id, other.id), f"rule {rule.id} subsumed")
                found.append({"rule": rule.id, "by": other.id, "witness": witness})
                break
        return found

    def _proposed(self) -> Witness | None:
        """The person the solver proposed for its last question (not a reported witness: a
        counterexample that refutes later candidates at no cost), if the profile form takes it
        (its numbers, written as decimals, may round)."""
        model = self.space.solver().model()
        order = self.search.slots(self.edition)
        proposed = as_witness({slot.name: self.space.read(slot, model) for slot in order})
        try:
            parse_profile(proposed["profile"])
        except ProfileError:
            return None
        return proposed

    def conflicts(self, rules: list[Rule], live: dict[str, Witness]) -> list[dict[str, Any]]:
        """Pairs of rules (in rule-base order) giving one service different priorities, and
        the witness closest to the baseline firing both. When one rule's own witness fires
        the other it is that witness: the closest person firing a rule, if they fire both,
        is the closest firing both."""
        givers = _givers(rules)
        position = {r.id: i for i, r in enumerate(rules)}
        given = {r.id: {x.service: x.priority for x in r.recommend} for r in rules}
        found = []
        for index, rule in enumerate(rules):
            pairs = []
            for order, rec in enumerate(rule.recommend):
                for other in givers[rec.service]:
                    priority = given[other.id][rec.service]
                    if position[other.id] > index and priority != rec.priority:
                        pairs.append((position[other.id], order, other, priority))
            pairs.sort(key=lambda p: (p[0], p[1]))
            together: dict[str, Witness | None] = {}
            for _, order, other, priority in pairs:
                rec = rule.recommend[order]
                if other.id not in together:
                    together[other.id] = self._together(rule, other, live)
                witness = together[other.id]
                if witness is None:
                    continue
                self.check(self.fires(witness, rule.id, other.id), f"conflict on {rec.service}")
                found.append(
                    {
                        "service": rec.service,
                        "rules": [rule.id, other.id],
                        "priorities": [rec.priority.value, priority.value],
                        "witness": witness,
                    }
                )
        return found

    def _together(self, rule: Rule, other: Rule, live: dict[str, Witness]) -> Witness | None:
        if self.fires(live[rule.id], other.id):
            return live[rule.id]
        if self.fires(live[other.id], rule.id):
            return live[other.id]
        return self.closest(rule, other)

    def never_recommended(self, rules: list[Rule]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        given = {rec.service for r in rules for rec in r.recommend}
        for entry in self.rule_base.catalogue.services:
            code = entry.code
            if code not in given:
                found.append({"service": code, "reason": "no_rule", "witness": None})
                continue
            area = self.rule_base.service_areas[code]
            if not any(r.suppress is not None and r.suppress.removes(code, area) for r in rules):
                continue  # a live rule recommends it and no live rule removes it
            if self.space.possible(self.recommended(code)):
                continue
            givers = z3.Or(
                [self.space.fired(r) for r in rules if any(x.service == code for x in r.recommend)]
            )
            values = self.search.closest([givers], self.edition)
            assert values is not None  # a live rule recommends it
            witness = as_witness(values)
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
        day = requirement.on or self.edition
        about = self.space.holds(requirement.when) if requirement.when else z3.BoolVal(True)
        values = self.search.closest([about, self.space.on(day), z3.Not(z3.Or(met))], day)
        witness = None if values is None else as_witness(values)
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


def _givers(rules: list[Rule]) -> dict[str, list[Rule]]:
    """For each service, the rules recommending it, in rule-base order."""
    found: dict[str, list[Rule]] = {}
    for rule in rules:
        for code in dict.fromkeys(r.service for r in rule.recommend):
            found.setdefault(code, []).append(rule)
    return found


def _covers(other: Rule, rule: Rule) -> bool:
    """Whether ``other`` recommends each of ``rule``'s services at the same or higher priority."""
    given = {r.service: PRIORITY_ORDER[r.priority] for r in other.recommend}
    return all(
        r.service in given and given[r.service] <= PRIORITY_ORDER[r.priority]
        for r in rule.recommend
    )


def verify_rule_base(
    rule_base: RuleBase, requirements: list[Requirement] | None = None, *, direct: bool = True
) -> Verification:
    """Every finding about ``rule_base`` (and each requirement proved or refuted), each witness
    checked by evaluation. ``direct`` decides rules made of simple tests without the solver
    (:mod:`audit.boxes`: the same findings and witnesses, sooner); ``False`` asks the solver
    every question, to check or measure it."""
    verifier = _Verifier(rule_base, requirements or [], direct)
    result = verifier.run()
    result.requirements = [verifier.requirement(r) for r in requirements or []]
    return result
