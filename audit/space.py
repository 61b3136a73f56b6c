"""The whole profile space as logic: every profile and every day, as z3 variables and formulas.

For the auditor this is what makes verification a proof and not a sample: a question such as
"can rule P07 ever fire?" is asked of every valid profile on every day at once. Each profile
field becomes one solver variable with the domain the profile validator allows (whole numbers
and their bounds, the words of a choice, yes/no, an empty flag where a field may be empty);
department and municipality agree as in a real profile (the municipality's first two digits are
the department). The day of evaluation is a variable too, so ``effective_from``/``effective_to``
are decided with everything else. One solver holds the domain and answers every question; a
question brings its formulas as assumptions or inside a ``push``/``pop``, and each rule's formula
is built once (:meth:`ProfileSpace.fired`). Values read back from the solver become witnesses
(:mod:`audit.search`), which anyone can replay with ``ruta recommend``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from fractions import Fraction
from typing import Any

import z3

from engine import (
    DEPARTMENTS,
    AllOf,
    AnyOf,
    Condition,
    FieldKind,
    FieldSpec,
    Operator,
    Rule,
    RuleBase,
    Test,
    profile_fields,
)
from texts import both

from .baseline import BASELINE, DAY, Slot, number
from .errors import WitnessError

__all__ = ["FIRST_DAY", "LAST_DAY", "Expr", "ProfileSpace", "check", "rational"]

#: z3 expressions carry no type annotations.
Expr = Any

#: The days verification asks about: every day a rule base could be in service.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def _codes(condition: Condition | None) -> Iterator[str]:
    """Every DIVIPOLA code a condition names."""
    if condition is None:
        return
    if isinstance(condition, Test):
        values = condition.value if isinstance(condition.value, list) else [condition.value]
        yield from (v for v in values if isinstance(v, str))
    elif isinstance(condition, AllOf | AnyOf):
        for child in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from _codes(child)
    else:
        yield from _codes(condition.not_)


def rational(value: float | int | Fraction) -> Expr:
    """A number of a rule or a witness as an exact solver constant."""
    fraction = number(value)
    return z3.RealVal(f"{fraction.numerator}/{fraction.denominator}")


class ProfileSpace:
    """Solver variables for one rule base's profiles, and its rules' meaning over them.

    Text values (choice words and DIVIPOLA codes) share one numbering, so a test of one field
    against another compares the same numbers the words stand for. Municipalities are the ones
    the rules name, plus one more in every department, standing for "any other municipality".
    """

    def __init__(self, rule_base: RuleBase, extra: Iterable[Condition] = ()) -> None:
        self.rule_base = rule_base
        self.fields: dict[str, FieldSpec] = profile_fields()
        named: set[str] = set()
        for rule in rule_base.rules:
            named.update(_codes(rule.when))
            if rule.regions is not None:
                named.update(rule.regions.municipalities)
        for condition in extra:
            named.update(_codes(condition))
        municipalities = {c for c in named if len(c) == 5 and c[:2] in DEPARTMENTS}
        municipalities.add(BASELINE["municipality"])
        for department in DEPARTMENTS:
            municipalities.add(_fresh(department, municipalities))
        words = {w for spec in self.fields.values() for w in spec.choices}
        self.strings: list[str] = sorted(words | named | set(DEPARTMENTS) | municipalities)
        self.index = {s: i for i, s in enumerate(self.strings)}
        self.municipalities = sorted(municipalities)
        self.vars: dict[str, Expr] = {DAY: z3.Int(DAY)}
        self.null: dict[str, Expr] = {}
        self.day = self.vars[DAY]
        self.domain: list[Expr] = [
            self.day >= FIRST_DAY.toordinal(),
            self.day <= LAST_DAY.toordinal(),
        ]
        for name, spec in self.fields.items():
            self._declare(name, spec)
        department, municipality = self.vars["department"], self.vars["municipality"]
        for code in self.municipalities:
            self.domain.append(
                z3.Implies(municipality == self.index[code], department == self.index[code[:2]])
            )
        self._solver: Expr = None
        self._fired: dict[str, Expr] = {}
        self._equals: dict[tuple[str, Any], Expr] = {}

    def _declare(self, name: str, spec: FieldSpec) -> None:
        if spec.kind is FieldKind.BOOLEAN:
            self.vars[name] = z3.Bool(name)
        elif spec.kind.numeric:
            var = z3.Int(name) if spec.kind is FieldKind.INTEGER else z3.Real(name)
            self.vars[name] = var
            if spec.minimum is not None:
                self.domain.append(var >= rational(spec.minimum))
            if spec.maximum is not None:
                self.domain.append(var <= rational(spec.maximum))
        else:
            var = z3.Int(name)
            self.vars[name] = var
            if spec.kind is FieldKind.CHOICE:
                allowed = list(spec.choices)
            elif name == "department":
                allowed = list(DEPARTMENTS)
            else:
                allowed = self.municipalities
            self.domain.append(z3.Or([var == self.index[v] for v in allowed]))
        if spec.nullable:
            self.null[name] = z3.Bool(f"{name}__empty")

    # -- meaning -----------------------------------------------------------------------------

    def _operand(self, name: str, value: Any) -> Expr:
        spec = self.fields[name]
        if spec.kind is FieldKind.BOOLEAN:
            return z3.BoolVal(bool(value))
        if spec.kind.numeric:
            return rational(value)
        return z3.IntVal(self.index[str(value)]) if str(value) in self.index else z3.IntVal(-1)

    def _present(self, name: str) -> Expr:
        return z3.Not(self.null[name]) if name in self.null else z3.BoolVal(True)

    def test(self, test: Test) -> Expr:
        """A test's truth: false on an empty field whatever the operator (rule format)."""
        name = test.field
        if test.op is Operator.IS_NULL:
            return self.null[name] if name in self.null else z3.BoolVal(False)
        if test.op is Operator.NOT_NULL:
            return self._present(name)
        var = self.vars[name]
        if test.op in (Operator.IN, Operator.NOT_IN):
            member = z3.Or([var == self._operand(name, v) for v in test.value])
            compared = member if test.op is Operator.IN else z3.Not(member)
            return z3.And(self._present(name), compared)
        if test.other_field is not None:
            right = self.vars[test.other_field]
            present = z3.And(self._present(name), self._present(test.other_field))
        else:
            right = self._operand(name, test.value)
            present = self._present(name)
        return z3.And(present, _compare(test.op, var, right))

    def holds(self, condition: Condition) -> Expr:
        """A condition's truth, with ``all``, ``any`` and ``not`` as the rule format defines."""
        if isinstance(condition, Test):
            return self.test(condition)
        if isinstance(condition, AllOf):
            return z3.And([self.holds(c) for c in condition.all])
        if isinstance(condition, AnyOf):
            return z3.Or([self.holds(c) for c in condition.any])
        return z3.Not(self.holds(condition.not_))

    def fires(self, rule: Rule) -> Expr:
        """When a rule fires: in effect on the day, inside its regions, its condition holding."""
        parts = [self.holds(rule.when)]
        if rule.effective_from is not None:
            parts.append(self.day >= rule.effective_from.toordinal())
        if rule.effective_to is not None:
            parts.append(self.day <= rule.effective_to.toordinal())
        if rule.regions is not None:
            department, municipality = self.vars["department"], self.vars["municipality"]
            inside = [department == self.index[d] for d in rule.regions.departments]
            inside += [municipality == self.index[m] for m in rule.regions.municipalities]
            parts.append(z3.Or(inside))
        return z3.And(parts)

    def fired(self, rule: Rule) -> Expr:
        """:meth:`fires`, built once per rule and kept: every question about a rule reuses
        the same formula. (Stating each rule's meaning to the solver once, as a constant, and
        asking with assumptions was measured slower: every question then carried every rule
        asked about before.)"""
        formula = self._fired.get(rule.id)
        if formula is None:
            formula = self._fired[rule.id] = self.fires(rule)
        return formula

    def on(self, day: date) -> Expr:
        return self.day == day.toordinal()

    # -- asking ------------------------------------------------------------------------------

    def solver(self) -> Expr:
        """The one solver every question is asked of, holding the domain. Questions add
        nothing lasting: they pass their constraints as assumptions, or add them inside a
        ``push``/``pop``."""
        if self._solver is None:
            self._solver = z3.Solver()
            self._solver.set(random_seed=0)
            self._solver.add(*self.domain)
        return self._solver

    def possible(self, *constraints: Expr) -> bool:
        """Whether some profile on some day meets ``constraints``."""
        return check(self.solver(), *constraints)

    def equals(self, slot: Slot, value: Any) -> Expr:
        """A slot (the day or a field, :mod:`audit.baseline`) holding ``value``; ``None`` is
        an empty field."""
        key = (slot.name, value)
        found = self._equals.get(key)
        if found is not None:
            return found
        if value is None:
            found = self.null[slot.name]
        else:
            var = self.vars[slot.name]
            if slot.numeric:
                same = var == rational(value)
            elif isinstance(value, bool):
                same = var == z3.BoolVal(value)
            else:
                same = var == self.index[value]
            found = z3.And(self._present(slot.name), same) if slot.name in self.null else same
        self._equals[key] = found
        return found

    def read(self, slot: Slot, model: Expr) -> Any:
        """A slot's value in a solver model (numbers as exact fractions)."""
        if slot.name in self.null and z3.is_true(model.eval(self.null[slot.name], True)):
            return None
        value = model.eval(self.vars[slot.name], True)
        if slot.numeric:
            return number(value.as_fraction() if z3.is_rational_value(value) else value.as_long())
        if z3.is_bool(value):
            return bool(z3.is_true(value))
        return self.strings[value.as_long()]


def check(solver: Expr, *constraints: Expr) -> bool:
    """Whether ``solver``'s assertions and ``constraints`` can hold together; the solver gives
    a definite answer on these questions (whole and fractional linear arithmetic), anything
    else is a fault."""
    answer = solver.check(*constraints)
    if answer == z3.unknown:
        reason = solver.reason_unknown()
        raise WitnessError(*both("audit.solver_undecided", reason=reason))
    return bool(answer == z3.sat)


def _compare(op: Operator, left: Expr, right: Expr) -> Expr:
    if op is Operator.EQ:
        return left == right
    if op is Operator.NE:
        return left != right
    if op is Operator.LT:
        return left < right
    if op is Operator.LE:
        return left <= right
    if op is Operator.GT:
        return left > right
    return left >= right


def _fresh(department: str, taken: set[str]) -> str:
    """A municipality code of ``department`` that no rule names: "any other municipality"."""
    for serial in range(1, 1000):
        code = f"{department}{serial:03d}"
        if code not in taken:
            return code
    raise ValueError(f"department {department}: every municipality code is named")
