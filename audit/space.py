"""The whole profile space as logic: every profile and every day, as z3 variables and formulas.

For the auditor this is what makes verification a proof and not a sample: a question such as
"can rule P07 ever fire?" is asked of every valid profile on every day at once. Each profile
field becomes one solver variable with the domain the profile validator allows (whole numbers
and their bounds, the words of a choice, yes/no, an empty flag where a field may be empty);
department and municipality agree as in a real profile (the municipality's first two digits are
the department). The day of evaluation is a variable too, so ``effective_from``/``effective_to``
are decided with everything else. A model of the solver is turned back into a plain profile, a
*witness*, which anyone can replay with ``ruta recommend``.
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
    Profile,
    Rule,
    RuleBase,
    Test,
    profile_fields,
)

__all__ = ["BASELINE", "ProfileSpace", "Witness"]

#: z3 expressions carry no type annotations.
Expr = Any

#: The profile a witness starts from: a witness changes as few of these values as it can, so
#: what it shows stands out. Fields not named here start at the profile's own defaults.
BASELINE: dict[str, Any] = {
    "age": 30,
    "department": "11",
    "municipality": "11001",
    "years_abroad": 1,
    "months_since_return": 6,
    "return_kind": "voluntary",
}

_FIRST_DAY = date(1900, 1, 1)
_LAST_DAY = date(2199, 12, 31)

#: A witness: the profile (only required fields and those differing from the defaults) and the
#: day it is evaluated on.
Witness = dict[str, Any]


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


def _rational(value: float | int) -> Expr:
    fraction = Fraction(value)
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
        self.vars: dict[str, Expr] = {}
        self.null: dict[str, Expr] = {}
        self.day = z3.Int("as_of")
        self.domain: list[Expr] = [
            self.day >= _FIRST_DAY.toordinal(),
            self.day <= _LAST_DAY.toordinal(),
        ]
        for name, spec in self.fields.items():
            self._declare(name, spec)
        self.keep: list[tuple[Expr, Expr]] = [
            (z3.Bool(f"keep__{name}"), self._baseline_value(name, value))
            for name, value in _baseline().items()
        ]
        self._shared: Expr = None
        self._days: set[date] = set()
        department, municipality = self.vars["department"], self.vars["municipality"]
        for code in self.municipalities:
            self.domain.append(
                z3.Implies(municipality == self.index[code], department == self.index[code[:2]])
            )

    def _declare(self, name: str, spec: FieldSpec) -> None:
        if spec.kind is FieldKind.BOOLEAN:
            self.vars[name] = z3.Bool(name)
        elif spec.kind.numeric:
            var = z3.Int(name) if spec.kind is FieldKind.INTEGER else z3.Real(name)
            self.vars[name] = var
            if spec.minimum is not None:
                self.domain.append(var >= _rational(spec.minimum))
            if spec.maximum is not None:
                self.domain.append(var <= _rational(spec.maximum))
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
            return _rational(value)
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

    def on(self, day: date) -> Expr:
        return self.day == day.toordinal()

    # -- witnesses ---------------------------------------------------------------------------

    def witness(self, *constraints: Expr, near: date | None = None) -> Witness | None:
        """A profile and day meeting ``constraints``, or ``None`` when no profile on any day
        does (a proof). The witness keeps every baseline value (and the day ``near``, by default
        the rule base's edition date) it can: none of the values it changes could be kept back
        without breaking the constraints, so what it shows stands out."""
        solver = self._solver()
        solver.push()
        try:
            solver.add(*constraints)
            if solver.check() != z3.sat:
                return None
            wanted = {str(k): k for k in (self._keep_day(near), *(k for k, _ in self.keep))}
            kept = dict(wanted)
            while solver.check(*kept.values()) != z3.sat:
                core = {str(c) for c in solver.unsat_core()}
                del kept[next(name for name in kept if name in core)]
            for name, keep in wanted.items():
                if name not in kept and solver.check(*kept.values(), keep) == z3.sat:
                    kept[name] = keep
            solver.check(*kept.values())
            return self._decode(solver.model())
        finally:
            solver.pop()

    def possible(self, *constraints: Expr) -> bool:
        """Whether some profile on some day meets ``constraints``."""
        solver = self._solver()
        solver.push()
        try:
            solver.add(*constraints)
            return bool(solver.check() == z3.sat)
        finally:
            solver.pop()

    def _solver(self) -> Expr:
        """One solver holding the domain, reused (push/pop) by every question."""
        if self._shared is None:
            self._shared = z3.Solver()
            self._shared.add(*self.domain)
            for keep, same in self.keep:
                self._shared.add(z3.Implies(keep, same))
        return self._shared

    def _keep_day(self, near: date | None) -> Expr:
        day = near or self.rule_base.manifest.edition
        keep = z3.Bool(f"keep__as_of__{day.isoformat()}")
        if day not in self._days:
            self._days.add(day)
            self._solver().add(z3.Implies(keep, self.on(day)))
        return keep

    def _baseline_value(self, name: str, value: Any) -> Expr:
        if value is None:
            return self.null[name]
        same = self.vars[name] == self._operand(name, value)
        return z3.And(self._present(name), same) if name in self.null else same

    def _decode(self, model: Any) -> Witness:
        profile: dict[str, Any] = {}
        defaults = Profile.model_fields
        for name, spec in self.fields.items():
            if name in self.null and z3.is_true(model.eval(self.null[name], True)):
                value: Any = None
            else:
                value = _value(spec, model.eval(self.vars[name], True), self.strings)
            default = defaults[name].default if not defaults[name].is_required() else ...
            if default is ... or value != default:
                profile[name] = value
        day = date.fromordinal(model.eval(self.day, True).as_long())
        return {"profile": profile, "as_of": day.isoformat()}


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


def _value(spec: FieldSpec, value: Any, strings: list[str]) -> Any:
    if spec.kind is FieldKind.BOOLEAN:
        return bool(z3.is_true(value))
    if spec.kind is FieldKind.INTEGER:
        return int(value.as_long())
    if spec.kind is FieldKind.NUMBER:
        fraction = value.as_fraction()
        return int(fraction) if fraction.denominator == 1 else float(fraction)
    return strings[value.as_long()]


def _baseline() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, info in Profile.model_fields.items():
        values[name] = BASELINE[name] if info.is_required() else info.default
    return values


def _fresh(department: str, taken: set[str]) -> str:
    """A municipality code of ``department`` that no rule names: "any other municipality"."""
    for number in range(1, 1000):
        code = f"{department}{number:03d}"
        if code not in taken:
            return code
    raise ValueError(f"department {department}: every municipality code is named")
