"""Which answers are still open: the questions whose answer could add a service or raise one.

A caseworker rarely asks every question of the profile; a field that is not sent takes its
default (``has_funds`` is ``true`` unless someone says otherwise). Some defaults hide a need: a
person with no shelter who was never asked about money gets no food aid, where "cannot cover
food" would give urgent food aid. For every field the caseworker did not send, this module tries
the other answers that matter to the rules — one field at a time, every other field as given —
and reports those that would put a new service on the roadmap or raise a service's priority, so
the caseworker knows what to ask next.

Nothing here is listed by hand: the fields worth asking about and the answers worth trying are
read from the rules' own conditions, once per rule base. A field no rule tests is never worth
asking about; a yes/no field is tried with the other answer, a list of words with each word, a
number at each threshold the rules compare it with and on either side of it, a code at each
code the rules name and at one they do not, and a field that may be empty also empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import Predicate, predicate
from .fields import FieldKind, FieldSpec, profile_fields
from .profile import Profile
from .results import Evaluation
from .rule_base import RuleBase
from .rule_model import AllOf, AnyOf, Condition, Operator, Rule, Test, Text
from .vocabulary import DEPARTMENTS, PRIORITY_ORDER, Area, Priority

__all__ = ["OpenField", "OpenFieldFinder", "OpenService"]

#: An answer a profile field can hold.
FieldValue = bool | int | float | str | None


@dataclass(frozen=True, slots=True)
class OpenService:
    """A service one answer to an open question would add to the roadmap or raise.

    ``priority`` is the priority the service would have; ``current`` the one it has now
    (``None``: not on the roadmap now); ``example`` the answer that gives it that priority.
    """

    code: str
    area: Area
    label: Text
    priority: Priority
    current: Priority | None
    example: FieldValue


@dataclass(frozen=True, slots=True)
class OpenField:
    """A question the caseworker has not asked whose answer could change the roadmap.

    ``default`` is the answer assumed because nobody gave one; ``services`` every service some
    other answer would add or raise, most urgent first; ``example`` the answer behind the first
    of them (an answer the caseworker could get, not a guess about the person).
    """

    field: str
    label: Text
    default: FieldValue
    example: FieldValue
    services: tuple[OpenService, ...]


@dataclass(frozen=True, slots=True)
class _Question:
    """What the rule base says about one field with a default, prepared once."""

    spec: FieldSpec
    label: Text
    default: FieldValue
    order: int  # place in the profile
    rules: tuple[int, ...]  # the rules whose condition (or region) reads the field
    touched: frozenset[int]  # the same, as a set
    answers: tuple[FieldValue, ...]  # the answers to try, whatever the rest of the profile
    relatives: tuple[str, ...]  # fields it is compared with: their values give more answers
    thresholds: tuple[float, ...]  # numbers the rules compare it with (numeric fields)
    codes: frozenset[str]  # codes the rules name for it (code fields)


class OpenFieldFinder:
    """The open questions of a roadmap under one rule base.

    Built once per rule base (it reads every rule's condition and effects); :meth:`find` then
    answers for one evaluation by trying each open field's answers on the few rules that read
    that field, and only where one of those rules could bring something: a rule not applying
    now that recommends a service above its place on the roadmap, or a suppression applying now.
    """

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        rules = rule_base.rules
        self._index = {rule.id: i for i, rule in enumerate(rules)}
        self._services = rule_base.services
        self._area_rank = {
            code: rule_base.area_rank[area] for code, area in rule_base.service_areas.items()
        }
        #: Each rule's recommendations, as (service, priority rank).
        self._recommends = tuple(
            tuple((r.service, PRIORITY_ORDER[r.priority]) for r in rule.recommend) for rule in rules
        )
        recommenders: dict[str, list[tuple[int, int]]] = {}
        for index, pairs in enumerate(self._recommends):
            for code, rank in pairs:
                recommenders.setdefault(code, []).append((index, rank))
        self._recommenders = {code: tuple(pairs) for code, pairs in recommenders.items()}
        #: Each rule's suppression, as the services of the catalogue it removes.
        self._removes = tuple(
            frozenset(
                code
                for code, area in rule_base.service_areas.items()
                if rule.suppress is not None and rule.suppress.removes(code, area)
            )
            for rule in rules
        )
        suppressors: dict[str, list[int]] = {}
        for index, removed in enumerate(self._removes):
            for code in removed:
                suppressors.setdefault(code, []).append(index)
        self._suppressors_of = {code: tuple(found) for code, found in suppressors.items()}
        self._applies = tuple(_applies(rule) for rule in rules)
        #: The rules with a first or last day: the others are always in effect.
        self._dated = frozenset(
            i
            for i, rule in enumerate(rules)
            if rule.effective_from is not None or rule.effective_to is not None
        )
        self._questions = _questions(rule_base)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields with a default that some rule tests: the only ones that can be open."""
        return tuple(q.spec.name for q in self._questions)

    def answers(self, field: str, values: Mapping[str, Any]) -> tuple[FieldValue, ...]:
        """The answers worth trying for ``field`` in a profile holding ``values``: each one
        stands for every answer that every rule treats alike (empty when no rule tests it)."""
        for question in self._questions:
            if question.spec.name == field:
                return _answers(question, values)
        return ()

    def find(self, evaluation: Evaluation) -> tuple[OpenField, ...]:
        """The fields the caseworker did not send whose answer could add or raise a service.

        ``evaluation`` must come from this finder's rule base (the engine's or the reference
        evaluator's). Each field is tried alone, every other field as given; the fields are
        listed by the most urgent service they could bring, then in the profile's order.
        """
        given = evaluation.given
        questions = [q for q in self._questions if q.spec.name not in given]
        if not questions:
            return ()
        look = _Look(self, evaluation)
        found: list[tuple[int, int, OpenField]] = []
        for question in questions:
            best = look.best_answers(question)
            if best:
                services = self._open_services(best, evaluation)
                field = OpenField(
                    question.spec.name,
                    question.label,
                    question.default,
                    services[0].example,
                    services,
                )
                found.append((PRIORITY_ORDER[services[0].priority], question.order, field))
        found.sort(key=lambda item: item[:2])
        return tuple(item[2] for item in found)

    def _open_services(
        self, best: dict[str, tuple[int, FieldValue]], evaluation: Evaluation
    ) -> tuple[OpenService, ...]:
        now = {s.code: s.priority for s in evaluation.services}
        order = sorted(best, key=lambda code: (best[code][0], self._area_rank[code], code))
        return tuple(
            OpenService(
                code,
                self._services[code].area,
                self._services[code].label,
                _PRIORITIES[best[code][0]],
                now.get(code),
                best[code][1],
            )
            for code in order
        )


class _Look:
    """One evaluation's open questions being looked at: what applies now, and what an answer
    changes. Only the rules of the questions looked at are read, each at most once per answer.
    """

    def __init__(self, finder: OpenFieldFinder, evaluation: Evaluation) -> None:
        self.finder = finder
        self.values = evaluation.values
        self.day = evaluation.as_of
        self.now = {s.code: PRIORITY_ORDER[s.priority] for s in evaluation.services}
        self.hidden = frozenset(s.code for s in evaluation.suppressed)
        self.fired = frozenset(finder._index[f.id] for f in evaluation.fired)
        self.facts = dict(self.values)
        self._watch: dict[int, bool] = {}

    def in_effect(self, index: int) -> bool:
        return index not in self.finder._dated or self.finder.rule_base.rules[index].in_effect(
            self.day
        )

    def watched(self, index: int) -> bool:
        """Whether a change in rule ``index`` applying could bring something: it does not
        apply now, is in effect and recommends a service above its place now; or it applies
        now and suppresses. An answer that changes none of these adds and raises nothing."""
        known = self._watch.get(index)
        if known is None:
            finder, now = self.finder, self.now
            if index in self.fired:
                known = bool(finder._removes[index])
            else:
                known = self.in_effect(index) and any(
                    rank < now.get(code, _ABSENT) for code, rank in finder._recommends[index]
                )
            self._watch[index] = known
        return known

    def best_answers(self, question: _Question) -> dict[str, tuple[int, FieldValue]]:
        """Each service some answer to ``question`` adds or raises: its best rank, and the
        first answer (nearest the default) that gives it."""
        watched = [(i, i in self.fired) for i in question.rules if self.watched(i)]
        best: dict[str, tuple[int, FieldValue]] = {}
        if not watched:
            return best
        name, facts, applies = question.spec.name, self.facts, self.finder._applies
        held = facts[name]
        for answer in _answers(question, self.values):
            if answer == held:
                continue
            facts[name] = answer
            # Watched rules are in effect (those applying now, and the others by choice).
            after: dict[int, bool] = {}
            moved = False
            for i, applied in watched:
                after[i] = applying = applies[i](facts)
                moved = moved or applying != applied
            if not moved:
                continue
            started = [i for i, applied in watched if not applied and after[i]]
            stopped = [i for i, applied in watched if applied and not after[i]]
            for code, rank in self._gains(question, started, stopped, after):
                if code not in best or rank < best[code][0]:
                    best[code] = (rank, answer)
        facts[name] = held
        return best

    def _gains(
        self, question: _Question, started: list[int], stopped: list[int], known: dict[int, bool]
    ) -> Iterator[tuple[str, int]]:
        """The services added or raised, with their new rank, by the answer now in ``facts``,
        given the watched rules it starts and stops applying (``known``: whether each watched
        rule applies with the answer)."""
        finder, now, facts = self.finder, self.now, self.facts
        codes = {
            code
            for i in started
            for code, rank in finder._recommends[i]
            if rank < now.get(code, _ABSENT)
        }
        for i in stopped:
            codes |= finder._removes[i] & self.hidden
        if not codes:
            return
        touched, fired = question.touched, self.fired
        memo = dict(known)

        def applying(index: int) -> bool:
            """Whether a rule applies with the answer: only the question's rules can change."""
            if index not in touched:
                return index in fired
            result = memo.get(index)
            if result is None:
                result = self.in_effect(index) and finder._applies[index](facts)
                memo[index] = result
            return result

        for code in codes:
            if any(applying(i) for i in finder._suppressors_of.get(code, ())):
                continue
            rank = min(
                (r for i, r in finder._recommenders.get(code, ()) if applying(i)),
                default=_ABSENT,
            )
            if rank < now.get(code, _ABSENT):
                yield code, rank


_PRIORITIES = sorted(PRIORITY_ORDER, key=PRIORITY_ORDER.__getitem__)
#: The rank of a service not on the roadmap: below every priority's.
_ABSENT = len(_PRIORITIES)


def _applies(rule: Rule) -> Predicate:
    """Whether ``rule``, on a day it is in effect, applies to the facts: region and condition."""
    condition = predicate(rule.when)
    regions = rule.regions
    if regions is None:
        return condition
    return lambda facts: (
        regions.includes(facts["department"], facts["municipality"]) and condition(facts)
    )


# --- what the rules say about each field, once per rule base ---------------------------------


def _questions(rule_base: RuleBase) -> tuple[_Question, ...]:
    specs = profile_fields()
    reading: dict[str, list[int]] = {}
    tests: dict[str, list[Test]] = {}
    for index, rule in enumerate(rule_base.rules):
        for name in _read_by(rule):
            reading.setdefault(name, []).append(index)
        for test in _tests(rule.when):
            for read in (test.field, test.other_field):
                if read is not None:
                    tests.setdefault(read, []).append(test)
    questions = []
    for order, (name, info) in enumerate(Profile.model_fields.items()):
        if info.is_required() or name not in reading:
            continue
        spec = specs[name]
        on_field = tests.get(name, [])
        relatives = {t.field if t.other_field == name else t.other_field for t in on_field}
        thresholds = tuple(
            sorted({float(v) for t in on_field if t.field == name for v in _numbers(t)})
        )
        codes = frozenset(v for t in on_field if t.field == name for v in _texts(t))
        questions.append(
            _Question(
                spec,
                Text(**dict(spec.labels)),
                info.default,
                order,
                tuple(sorted(set(reading[name]))),
                frozenset(reading[name]),
                tuple(_static_answers(spec, info.default, thresholds, codes)),
                tuple(sorted(r for r in relatives if r is not None and r != name)),
                thresholds,
                codes,
            )
        )
    return tuple(questions)


def _read_by(rule: Rule) -> set[str]:
    """The profile fields whose value decides whether ``rule`` fires."""
    names = {n for t in _tests(rule.when) for n in (t.field, t.other_field) if n is not None}
    if rule.regions is not None:
        names |= {"department", "municipality"}
    return names


def _tests(condition: Condition) -> Iterator[Test]:
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, AllOf | AnyOf):
        for child in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from _tests(child)
    else:
        yield from _tests(condition.not_)


def _operands(test: Test) -> list[Any]:
    if test.other_field is not None or test.op in (Operator.IS_NULL, Operator.NOT_NULL):
        return []
    return list(test.value) if isinstance(test.value, list) else [test.value]


def _numbers(test: Test) -> list[float]:
    return [
        float(v)
        for v in _operands(test)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]


def _texts(test: Test) -> list[str]:
    return [v for v in _operands(test) if isinstance(v, str)]


# --- the answers to try -----------------------------------------------------------------------


def _static_answers(
    spec: FieldSpec, default: FieldValue, thresholds: tuple[float, ...], codes: frozenset[str]
) -> Iterator[FieldValue]:
    """The answers worth trying whatever the rest of the profile, for a field the rules compare
    with ``thresholds`` (numbers) or ``codes`` and with no other field."""
    if spec.kind is FieldKind.BOOLEAN:
        yield from (True, False)
    elif spec.kind is FieldKind.CHOICE:
        yield from spec.choices
    elif spec.kind.numeric:
        yield from _near_default(default, _numeric_answers(spec, thresholds))
    else:
        yield from sorted(codes)
        yield _another_code(spec, codes)
    if spec.nullable:
        yield None


def _answers(question: _Question, values: Mapping[str, Any]) -> tuple[FieldValue, ...]:
    """Every answer worth trying for the question in a profile holding ``values``."""
    if not question.relatives:
        return question.answers
    return tuple(_relative_answers(question, values))


def _relative_answers(question: _Question, values: Mapping[str, Any]) -> Iterator[FieldValue]:
    """The answers for a question compared with other fields: their values count too."""
    spec = question.spec
    related = [values.get(name) for name in question.relatives]
    related = [v for v in related if v is not None]
    if spec.kind.numeric:
        numbers = {float(v) for v in related if isinstance(v, int | float)}
        yield from _near_default(
            question.default,
            _numeric_answers(spec, tuple(sorted({*question.thresholds, *numbers}))),
        )
        if spec.nullable:
            yield None
    elif spec.kind is FieldKind.CODE:
        texts = {v for v in related if isinstance(v, str) and _fits(spec, v)}
        yield from sorted(question.codes | texts)
        yield _another_code(spec, question.codes | texts)
        if spec.nullable:
            yield None
    else:  # yes/no and words: every value is tried already
        yield from question.answers


def _near_default(default: FieldValue, answers: Iterable[float]) -> list[FieldValue]:
    """The numbers nearest the default first: the smallest change is the example shown."""
    centre = float(default) if isinstance(default, int | float) else 0.0
    ordered: list[float] = sorted(answers, key=lambda v: (abs(v - centre), v))
    return list(ordered)


def _numeric_answers(spec: FieldSpec, thresholds: tuple[float, ...]) -> list[float]:
    """One number in each stretch the thresholds cut the field's range into, and each threshold:
    every rule treats all the numbers of one stretch alike."""
    low, high = spec.minimum, spec.maximum
    whole = spec.kind is FieldKind.INTEGER
    inside = [t for t in thresholds if (low is None or t >= low) and (high is None or t <= high)]
    if not inside:
        start = low if low is not None else (high if high is not None else 0.0)
        return [_as_field(spec, start)]
    picked: list[float] = []
    first = inside[0]
    # Below the first threshold, then each threshold and the stretch after it.
    below = math.ceil(first) - 1 if whole else first - 1
    if low is not None and below < low:
        below = low if low < first else math.nan
    if not math.isnan(below):
        picked.append(below)
    for here, after in zip(inside, [*inside[1:], math.inf], strict=True):
        if not whole or here == int(here):
            picked.append(here)
        if after == math.inf:
            step = math.floor(here) + 1 if whole else here + 1
            if high is not None and step > high:
                step = high if high > here else math.nan
        else:
            step = math.floor(here) + 1 if whole else (here + after) / 2
            if step >= after:
                step = math.nan
        if not math.isnan(step):
            picked.append(step)
    return [_as_field(spec, v) for v in dict.fromkeys(picked)]


def _as_field(spec: FieldSpec, value: float) -> float:
    return int(value) if spec.kind is FieldKind.INTEGER else float(value)


def _fits(spec: FieldSpec, code: str) -> bool:
    """Whether ``code`` is a value the profile accepts for the code field ``spec``."""
    if spec.pattern is not None and not re.fullmatch(spec.pattern, code):
        return False
    return code in DEPARTMENTS if len(code) == 2 else code[:2] in DEPARTMENTS


def _another_code(spec: FieldSpec, taken: Iterable[str]) -> str:
    """A valid code for the field that none of ``taken`` is: it stands for "any other place"."""
    avoid = set(taken)
    for department in DEPARTMENTS:
        for code in (department, f"{department}001"):
            if code not in avoid and _fits(spec, code):
                return code
    raise AssertionError(f"no free code for {spec.name}")  # pragma: no cover - 33 departments
