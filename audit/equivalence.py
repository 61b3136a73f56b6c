"""Whether two rule bases can ever answer differently: the proof behind an *equivalent* mutant.

A mutation score leaves out mutants that change no answer, since no case could ever catch
them. Searching profiles can only suggest that a mutant is such a harmless slip; this module
decides it for **every profile on every day**, with the same logic solver and the same encoding
of rules as ``ruta audit verify`` (:class:`audit.space.ProfileSpace`).

"The answer" is everything a protocol case can check (:func:`engine.check_case`): which rules
fired; each recommended service and its priority, after suppressions; each suppressed service
with the rules that removed it; and each recommended service's notes with the rules that attached
them. Two rule bases are *equivalent* when no profile and day gives a difference in any of
these. When some profile does, the solver's model is the witness: a person and a day to turn
into a case that tells the two apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

import z3

from engine import PRIORITY_ORDER, Condition, Operator, RuleBase, Test

from .baseline import Witness, as_witness
from .search import WitnessSearch
from .space import Expr, ProfileSpace

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "Comparison", "compare_rule_bases"]

#: How long the solver may think about one pair of rule bases before the question is left
#: undecided. The shipped base's mutants take milliseconds each.
DEFAULT_TIMEOUT_SECONDS: Final = 20.0

Verdict = Literal["differ", "equivalent", "undecided"]


@dataclass(frozen=True)
class Comparison:
    """The solver's answer about two rule bases: they ``differ`` (``witness`` is a profile and
    day on which their answers differ), they are ``equivalent`` (proved: no profile on any day
    tells them apart), or the question is ``undecided`` (the solver gave up in time)."""

    verdict: Verdict
    witness: Witness | None = None


def compare_rule_bases(
    original: RuleBase, changed: RuleBase, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> Comparison:
    """Whether some profile on some day gets a different answer from ``changed`` than from
    ``original`` (see the module's description of "answer"). ``timeout`` is in seconds."""
    space = ProfileSpace(original, _named_by(original, changed))
    differs = _answers_differ(space, original, changed)
    solver = z3.Solver()
    solver.set("timeout", max(1, int(timeout * 1000)))
    solver.add(*space.domain)
    solver.add(differs)
    result = solver.check()
    if result == z3.unsat:
        return Comparison("equivalent")
    if result != z3.sat:
        return Comparison("undecided")
    # the person closest to the baseline who tells the two apart (audit/baseline.py)
    values = WitnessSearch(space).closest([differs], original.manifest.edition)
    if values is None:
        return Comparison("undecided")
    return Comparison("differ", as_witness(values))


def _named_by(original: RuleBase, changed: RuleBase) -> list[Condition]:
    """Conditions naming every code either base uses, so the space knows each of them: note
    conditions, the changed base's rule conditions and regions (the space itself reads the
    original's rules)."""
    conditions: list[Condition] = []
    for base in (original, changed):
        for rule in base.rules:
            conditions += [n.when for r in rule.recommend for n in r.notes if n.when is not None]
    for rule in changed.rules:
        conditions.append(rule.when)
        if rule.regions is not None and rule.regions.municipalities:
            conditions.append(
                Test(field="municipality", op=Operator.IN, value=rule.regions.municipalities)
            )
    return conditions


class _Answer:
    """One rule base's answer as formulas over the profile space."""

    def __init__(self, space: ProfileSpace, base: RuleBase) -> None:
        self.space = space
        self.base = base
        self.fires: dict[str, Expr] = {rule.id: space.fires(rule) for rule in base.rules}

    def fired(self, rule_id: str) -> Expr:
        return self.fires.get(rule_id, z3.BoolVal(False))

    def given(self, code: str, rank: int) -> Expr:
        """Some firing rule recommends ``code`` at priority rank ``rank`` or higher."""
        return z3.Or(
            [
                self.fires[r.id]
                for r in self.base.rules
                for rec in r.recommend
                if rec.service == code and PRIORITY_ORDER[rec.priority] <= rank
            ]
        )

    def removed_by(self, rule_id: str, code: str) -> Expr:
        """Rule ``rule_id`` fires and its suppression covers ``code``."""
        area = self.base.service_areas[code]
        return z3.Or(
            [
                self.fires[r.id]
                for r in self.base.rules
                if r.id == rule_id and r.suppress is not None and r.suppress.removes(code, area)
            ]
        )

    def suppressors(self) -> set[str]:
        return {r.id for r in self.base.rules if r.suppress is not None}

    def notes(self, code: str, rule_id: str) -> Expr:
        """How many notes rule ``rule_id`` attaches to ``code`` (before suppressions)."""
        counts = [
            z3.If(
                z3.And(self.fires[r.id], self.space.holds(n.when))
                if n.when is not None
                else self.fires[r.id],
                1,
                0,
            )
            for r in self.base.rules
            if r.id == rule_id
            for rec in r.recommend
            if rec.service == code
            for n in rec.notes
        ]
        return z3.Sum(counts) if counts else z3.IntVal(0)


def _answers_differ(space: ProfileSpace, original: RuleBase, changed: RuleBase) -> Expr:
    """Some part of the answer a case can check differs between the two rule bases."""
    one, other = _Answer(space, original), _Answer(space, changed)
    return z3.Or(list(_differences(one, other)))


def _differences(one: _Answer, other: _Answer) -> Iterator[Expr]:
    ids = sorted(one.fires.keys() | other.fires.keys())
    # which rules fired
    for rule_id in ids:
        yield one.fired(rule_id) != other.fired(rule_id)
    lowest = max(PRIORITY_ORDER.values())
    suppressors = sorted(one.suppressors() | other.suppressors())
    noting = sorted(
        {r.id for a in (one, other) for r in a.base.rules for x in r.recommend if x.notes}
    )
    for code in sorted(one.base.service_areas):
        wanted = [one.given(code, lowest), other.given(code, lowest)]
        removers = [
            [(a.removed_by(rule_id, code)) for rule_id in suppressors] for a in (one, other)
        ]
        removed = [z3.Or(r) if r else z3.BoolVal(False) for r in removers]
        shown = [z3.And(wanted[i], z3.Not(removed[i])) for i in (0, 1)]
        listed = [z3.And(wanted[i], removed[i]) for i in (0, 1)]
        # recommended or not, and at which priority
        yield shown[0] != shown[1]
        for rank in range(lowest):
            yield z3.And(shown[0], shown[1], one.given(code, rank) != other.given(code, rank))
        # suppressed or not, and by which rules
        yield listed[0] != listed[1]
        for index in range(len(suppressors)):
            yield z3.And(listed[0], listed[1], removers[0][index] != removers[1][index])
        # the notes attached, and by which rules
        for rule_id in noting:
            yield z3.And(shown[0], shown[1], one.notes(code, rule_id) != other.notes(code, rule_id))
