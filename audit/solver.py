"""Profiles that make a rule's conditions come out as wanted: the suggested cases' source.

A small solver over the condition tree. A wish such as "P16 fires" or "``age >= 60`` decides P16
on its own" is turned into alternatives, each a list of tests that must hold or fail
(:func:`alternatives`, :func:`deciding`); each alternative is then solved field by field over a
few candidate values per field (the thresholds the rule base uses and their neighbours, every
choice, yes and no, empty). The caller checks each profile found by evaluating it, so a
suggestion is never trusted on the solver's word.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from engine import (
    DEPARTMENTS,
    AllOf,
    Condition,
    FieldKind,
    Not,
    Profile,
    ProfileError,
    RuleBase,
    Test,
    holds,
    leaves,
    parse_profile,
    profile_fields,
)

__all__ = [
    "BASE_PROFILE",
    "Literal",
    "ProfileSolver",
    "alternatives",
    "deciding",
    "evaluate_with",
    "leaves",
]

#: Where every suggested profile starts: an adult voluntary returnee in Bogotá, two years
#: back. Only what a suggestion needs is changed from it.
BASE_PROFILE: Final[Mapping[str, Any]] = {
    "age": 30,
    "department": "11",
    "municipality": "11001",
    "years_abroad": 1,
    "months_since_return": 24,
    "return_kind": "voluntary",
}

#: How many alternatives a wish may unfold into before the solver stops unfolding it.
_MAX_TERMS: Final = 256
#: How many combinations of values for tests between two fields are tried per alternative.
_MAX_COMBINATIONS: Final = 4096

#: A test and whether it must hold (True) or fail (False).
Literal = tuple[Test, bool]
Term = list[Literal]
Predicate = Callable[[Any], bool]
PlacePredicate = Callable[[str, str], bool]


def evaluate_with(condition: Condition, truths: Sequence[bool]) -> bool:
    """The condition's value when its leaves have the truths ``truths`` (in written order)."""
    value, _ = _evaluate(condition, truths, 0)
    return value


def _evaluate(condition: Condition, truths: Sequence[bool], start: int) -> tuple[bool, int]:
    if isinstance(condition, Test):
        return truths[start], start + 1
    if isinstance(condition, Not):
        value, end = _evaluate(condition.not_, truths, start)
        return not value, end
    items = condition.all if isinstance(condition, AllOf) else condition.any
    values = []
    for item in items:
        value, start = _evaluate(item, truths, start)
        values.append(value)
    return (all(values) if isinstance(condition, AllOf) else any(values)), start


def _product(left: list[Term], right: list[Term]) -> list[Term]:
    return [a + b for a, b in itertools.islice(itertools.product(left, right), _MAX_TERMS)]


def alternatives(condition: Condition, want: bool) -> list[Term]:
    """Ways for ``condition`` to come out ``want``: each a list of tests that must hold or fail,
    any one list being enough (a disjunctive normal form, cut at a few hundred lists)."""
    if isinstance(condition, Test):
        return [[(condition, want)]]
    if isinstance(condition, Not):
        return alternatives(condition.not_, not want)
    items = condition.all if isinstance(condition, AllOf) else condition.any
    conjunctive = isinstance(condition, AllOf) == want
    if conjunctive:
        terms: list[Term] = [[]]
        for item in items:
            terms = _product(terms, alternatives(item, want))
        return terms
    return [t for item in items for t in alternatives(item, want)][:_MAX_TERMS]


def deciding(condition: Condition, leaf: int, truth: bool) -> list[Term]:
    """Ways for leaf number ``leaf`` to hold (``truth``) or fail while deciding the condition
    on its own: every sibling on its path neutral (true under ``all``, false under ``any``)."""
    terms, _ = _deciding(condition, leaf, 0)
    return [[*term, (leaves(condition)[leaf], truth)] for term in terms]


def _deciding(condition: Condition, target: int, start: int) -> tuple[list[Term], int]:
    if isinstance(condition, Test):
        return [[]], start + 1
    if isinstance(condition, Not):
        return _deciding(condition.not_, target, start)
    items = condition.all if isinstance(condition, AllOf) else condition.any
    neutral = isinstance(condition, AllOf)
    terms: list[Term] = [[]]
    position = start
    for item in items:
        count = len(leaves(item))
        if position <= target < position + count:
            inner, _ = _deciding(item, target, position)
            terms = _product(terms, inner)
        else:
            terms = _product(terms, alternatives(item, neutral))
        position += count
    return terms, position


class ProfileSolver:
    """Finds profiles meeting a wish, over candidate values drawn from one rule base."""

    def __init__(self, rule_base: RuleBase) -> None:
        self._candidates = _candidates(rule_base)
        self._places = _places(rule_base)

    def solve(
        self,
        terms: Sequence[Term],
        check: Callable[[dict[str, Any]], bool],
        fields: Mapping[str, Predicate] | None = None,
        place: PlacePredicate | None = None,
    ) -> dict[str, Any] | None:
        """The first profile meeting one of ``terms``, the predicates ``fields`` (field → test
        of its value) and ``place`` (department, municipality), that ``check`` accepts."""
        for term in terms:
            for profile in self._profiles(term, fields or {}, place):
                if _valid(profile) and check(profile):
                    return profile
        return None

    def _profiles(
        self, term: Term, extra: Mapping[str, Predicate], place: PlacePredicate | None
    ) -> Iterator[dict[str, Any]]:
        predicates: dict[str, list[Predicate]] = {k: [v] for k, v in extra.items()}
        across: list[Literal] = []
        for test, want in term:
            if test.other_field is not None:
                across.append((test, want))
            else:
                predicates.setdefault(test.field, []).append(_literal(test, want))
        options: dict[str, list[Any]] = {}
        for name, checks in predicates.items():
            if name in ("department", "municipality"):
                continue
            fitting = [v for v in self._candidates[name] if all(c(v) for c in checks)]
            if not fitting:
                return
            options[name] = fitting
        places = [
            (d, m)
            for d, m in self._places
            if all(c(d) for c in predicates.get("department", []))
            and all(c(m) for c in predicates.get("municipality", []))
            and (place is None or place(d, m))
        ]
        if not places:
            return
        crossing = sorted({n for t, _ in across for n in (t.field, t.other_field) if n})
        varied = [n for n in crossing if n not in ("department", "municipality")]
        lists = [options.get(n, self._candidates[n]) for n in varied]
        place_choices = places if {"department", "municipality"} & set(crossing) else places[:1]
        combos = itertools.product(place_choices, *lists)
        for combo in itertools.islice(combos, _MAX_COMBINATIONS):
            profile = dict(BASE_PROFILE)
            profile.update({n: values[0] for n, values in options.items()})
            profile["department"], profile["municipality"] = combo[0]
            profile.update(dict(zip(varied, combo[1:], strict=True)))
            if all(holds(t, profile) == want for t, want in across):
                yield _trimmed(profile)


def _literal(test: Test, want: bool) -> Predicate:
    return lambda value: holds(test, {test.field: value}) == want


def _valid(profile: dict[str, Any]) -> bool:
    try:
        parse_profile(profile)
    except ProfileError:
        return False
    return True


def _trimmed(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile without fields left at the form's default, so a suggested case is short."""
    defaults = {n: f.default for n, f in Profile.model_fields.items() if not f.is_required()}
    return {
        n: v
        for n, v in profile.items()
        if n in BASE_PROFILE or n not in defaults or v != defaults[n]
    }


def _constants(rule_base: RuleBase) -> dict[str, list[Any]]:
    """Every value a test of the rule base compares each field with (notes' tests included)."""
    found: dict[str, list[Any]] = {}
    for rule in rule_base.rules:
        conditions: list[Condition] = [rule.when]
        conditions += [n.when for r in rule.recommend for n in r.notes if n.when is not None]
        for condition in conditions:
            for test in leaves(condition):
                values = test.value if isinstance(test.value, list) else [test.value]
                found.setdefault(test.field, []).extend(v for v in values if v is not None)
    return found


def _candidates(rule_base: RuleBase) -> dict[str, list[Any]]:
    constants = _constants(rule_base)
    defaults = {n: f.default for n, f in Profile.model_fields.items() if not f.is_required()}
    result: dict[str, list[Any]] = {}
    municipalities = sorted(set(constants.get("municipality", [])) | {"11001", "05001"})
    for name, spec in profile_fields().items():
        start = BASE_PROFILE.get(name, defaults.get(name))
        values: list[Any] = [start]
        if spec.kind is FieldKind.BOOLEAN:
            values += [False, True]
        elif spec.kind is FieldKind.CHOICE:
            values += list(spec.choices)
        elif spec.kind.numeric:
            steps = (0, -1, 1) if spec.kind is FieldKind.INTEGER else (0, -1, 1, -0.5, 0.5)
            for constant in constants.get(name, []):
                values += [constant + step for step in steps]
            values += [spec.minimum, spec.maximum]
            if spec.kind is FieldKind.INTEGER:
                values = [int(v) for v in values if v is not None and float(v).is_integer()]
            values = [
                v
                for v in values
                if v is not None
                and (spec.minimum is None or v >= spec.minimum)
                and (spec.maximum is None or v <= spec.maximum)
            ]
        else:
            values += municipalities
        if spec.nullable:
            values.append(None)
        result[name] = list(dict.fromkeys(values))
    return result


def _places(rule_base: RuleBase) -> list[tuple[str, str]]:
    """Department and municipality pairs to try: Bogotá first, then every department at its
    first municipality code, then every municipality a rule names."""
    named: set[str] = set()
    for rule in rule_base.rules:
        if rule.regions is not None:
            named.update(rule.regions.municipalities)
        for test in leaves(rule.when):
            if test.field == "municipality":
                values = test.value if isinstance(test.value, list) else [test.value]
                named.update(str(v) for v in values if v is not None)
    pairs = [(BASE_PROFILE["department"], BASE_PROFILE["municipality"])]
    pairs += [(d, f"{d}001") for d in DEPARTMENTS]
    pairs += [(m[:2], m) for m in sorted(named)]
    return list(dict.fromkeys(pairs))
