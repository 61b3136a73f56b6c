"""Mutation score: how many small, plausible mistakes in the rules a suite of cases would catch.

A *mutant* is the rule base with one deliberate slip, the kind a person editing the protocols
could make: a threshold one step off (``age >= 60`` → ``age >= 61``), a comparison swapped with
its neighbour (``<`` ↔ ``<=``, ``>`` ↔ ``>=``, ``==`` ↔ ``!=``), one condition of an
``all``/``any`` left out, a recommended priority changed, a suppression removed. A mutant is
*killed* when some case of the suite fails on it: the suite would have caught that slip. The
*score* is the share of mutants killed.

A mutant no case kills is looked at further: Ruta searches profiles (each case's profile moved
to either side of the mutated rule's thresholds and through its choices, plus a synthetic
population) for one on which the mutant answers differently from the rule base. If it finds
one, the mutant is a *survivor* and comes with a ready YAML case that kills it. If it finds
none, the mutant is an *equivalent candidate*: probably a slip that changes no answer at all
(for example ``months_since_return < 1`` → ``<= 1`` when every realistic value is far from 1),
left out of the score but listed, since "probably" is not "proved".

Mutants are evaluated with :class:`engine.ReferenceEvaluator` (plain Python, the reference
meaning the test suite proves the durable-rules engine agrees with), not compiled into
durable-rules. Measured by ``bench/mutation.py``, the two cost about the same per mutant on the
default base (building a durable-rules engine is cheap for 32 rules); the reference evaluator is
used because it needs no process-wide durable-rules state, so the original and the mutant can be
evaluated side by side in one process while searching for a killing profile, and nothing has to
be closed after each of hundreds of mutants.
"""

from __future__ import annotations

import copy
import io
import multiprocessing
import os
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Final, Literal

from ruamel.yaml import YAML

from engine import (
    CASE_DAY,
    Case,
    Evaluation,
    FieldKind,
    ProfileError,
    ReferenceEvaluator,
    RuleBase,
    RuleBaseDocuments,
    RuleBaseError,
    check_case,
    profile_fields,
)
from simulation import synthetic_population

from .errors import MutationError
from .suite import load_suite

__all__ = [
    "Mutant",
    "MutantKind",
    "MutantOutcome",
    "MutationReport",
    "mutants_of",
    "mutation_score",
    "read_suite",
    "yaml_case",
]

MutantKind = Literal["threshold", "operator", "dropped_condition", "priority", "suppression"]
Status = Literal["killed", "survived", "equivalent_candidate", "invalid"]

#: Comparisons and the neighbour each is swapped with.
NEIGHBOURS: Final = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
#: Operators whose numeric value is moved one step either way.
THRESHOLD_OPS: Final = frozenset(NEIGHBOURS)
PRIORITIES: Final = ("urgent", "high", "normal")
#: Synthetic profiles searched for a killing case, after the boundary profiles.
SEARCH_SIZE: Final = 1000

_Path = tuple[int | str, ...]


@dataclass(frozen=True)
class Mutant:
    """One slip in one rule: ``rule`` with the part at ``path`` changed from ``old`` to
    ``new``; ``edited`` is the whole mutated rule as written."""

    rule: str
    kind: MutantKind
    path: str
    old: Any
    new: Any
    edited: dict[str, Any] = field(compare=False, repr=False)

    @property
    def description(self) -> str:
        """E.g. ``P16 when.all[1].any[0].value: 60 → 61``."""
        return f"{self.rule} {self.path}: {_show(self.old)} → {_show(self.new)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "description": self.description,
        }


@dataclass(frozen=True)
class MutantOutcome:
    """What became of one mutant: ``killed`` (by the case ``killed_by``), ``survived`` (with a
    ``suggested_case`` that kills it), ``equivalent_candidate`` (no answer found that differs)
    or ``invalid`` (the slip breaks the rule format; not counted)."""

    mutant: Mutant
    status: Status
    killed_by: str | None = None
    suggested_case: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = self.mutant.to_json()
        data["status"] = self.status
        if self.killed_by is not None:
            data["killed_by"] = self.killed_by
        if self.status != "killed":
            data["suggested_case"] = self.suggested_case
        return data


@dataclass(frozen=True)
class MutationReport:
    """The score of a suite against a rule base, and every mutant that escaped it."""

    outcomes: tuple[MutantOutcome, ...]

    def _with(self, status: Status) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def mutants(self) -> int:
        """Mutants counted: every valid one, equivalent candidates included."""
        return sum(1 for o in self.outcomes if o.status != "invalid")

    @property
    def killed(self) -> int:
        return len(self._with("killed"))

    @property
    def survivors(self) -> list[MutantOutcome]:
        return self._with("survived")

    @property
    def equivalent_candidates(self) -> list[MutantOutcome]:
        return self._with("equivalent_candidate")

    @property
    def score(self) -> float:
        """Killed ÷ (killed + survivors): equivalent candidates are left out, since no case
        could kill a mutant that changes no answer. 1.0 when nothing is left to kill."""
        counted = self.killed + len(self.survivors)
        return self.killed / counted if counted else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "mutants": self.mutants,
            "killed": self.killed,
            "survivors": [o.to_json() for o in self.survivors],
            "equivalent_candidates": [o.to_json() for o in self.equivalent_candidates],
            "invalid": len(self._with("invalid")),
        }


# --- the suite ---------------------------------------------------------------------------


def read_suite(paths: Sequence[Path | str]) -> list[Case]:
    """The cases of every ``*.yaml`` file in the given folders (or the files given), in name
    order, as :func:`audit.suite.load_suite` reads them (a fault raises :class:`AuditError`
    naming it)."""
    return [entry.case for entry in load_suite([Path(path) for path in paths])]


# --- making mutants ----------------------------------------------------------------------


def mutants_of(documents: RuleBaseDocuments) -> list[Mutant]:
    """Every mutant of the rule base, rule by rule in file order."""
    found: list[Mutant] = []
    for name in sorted(documents.files):
        for rule in documents.files[name].get("rules", []):
            found.extend(_rule_mutants(rule))
    return found


def _rule_mutants(rule: dict[str, Any]) -> Iterator[Mutant]:
    rule_id = str(rule["id"])

    def make(kind: MutantKind, path: _Path, old: Any, new: Any, edited: dict[str, Any]) -> Mutant:
        return Mutant(rule_id, kind, _path_text(path), old, new, edited)

    for path, node in _conditions(rule["when"], ("when",)):
        if "field" in node and node.get("op") in NEIGHBOURS:
            yield make(
                "operator",
                (*path, "op"),
                node["op"],
                NEIGHBOURS[node["op"]],
                _edited(rule, (*path, "op"), NEIGHBOURS[node["op"]]),
            )
            yield from (
                make("threshold", (*path, "value"), node["value"], moved, edited)
                for moved, edited in _moved_thresholds(rule, path, node)
            )
        for key in ("all", "any"):
            items = node.get(key)
            if isinstance(items, list) and len(items) > 1:
                for index, item in enumerate(items):
                    kept = [c for i, c in enumerate(items) if i != index]
                    yield make(
                        "dropped_condition",
                        (*path, key, index),
                        _condition_text(item),
                        "(dropped)",
                        _edited(rule, (*path, key), kept),
                    )
    for index, recommendation in enumerate(rule.get("recommend", [])):
        for priority in PRIORITIES:
            if priority != recommendation["priority"]:
                where = ("recommend", index, "priority")
                yield make(
                    "priority",
                    where,
                    f"{recommendation['service']} {recommendation['priority']}",
                    f"{recommendation['service']} {priority}",
                    _edited(rule, where, priority),
                )
    if rule.get("suppress") is not None:
        edited = copy.deepcopy(rule)
        del edited["suppress"]
        yield make("suppression", ("suppress",), _suppression_text(rule["suppress"]), None, edited)


def _conditions(node: Any, path: _Path) -> Iterator[tuple[_Path, dict[str, Any]]]:
    """Every condition under ``node`` (itself included) with its path in the rule."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key in ("all", "any"):
        items = node.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                yield from _conditions(item, (*path, key, index))
    if "not" in node:
        yield from _conditions(node["not"], (*path, "not"))


def _moved_thresholds(
    rule: dict[str, Any], path: _Path, test: dict[str, Any]
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The test's numeric value one step down and one step up, where the field allows it."""
    spec = profile_fields().get(str(test["field"]))
    value = test.get("value")
    if spec is None or not spec.kind.numeric or "other_field" in test:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    for moved in (value - 1, value + 1):
        if spec.minimum is not None and moved < spec.minimum:
            continue
        if spec.maximum is not None and moved > spec.maximum:
            continue
        yield moved, _edited(rule, (*path, "value"), moved)


def _edited(rule: dict[str, Any], path: _Path, value: Any) -> dict[str, Any]:
    """A copy of ``rule`` with the part at ``path`` set to ``value``."""
    edited = copy.deepcopy(rule)
    target: Any = edited
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return edited


# --- evaluating mutants ------------------------------------------------------------------


@dataclass
class _Judge:
    """Everything a process needs to judge mutants: the documents, the suite, the original
    answers, and the profiles searched for a killing case."""

    documents: RuleBaseDocuments
    cases: list[Case]
    search_size: int
    seed: int
    original: ReferenceEvaluator = field(init=False)
    _synthetic: list[tuple[dict[str, Any], date]] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.original = ReferenceEvaluator(self.documents.to_rule_base())

    def judge(self, mutant: Mutant) -> MutantOutcome:
        try:
            rule_base = self.documents.with_rule(mutant.rule, mutant.edited).to_rule_base()
        except RuleBaseError:
            return MutantOutcome(mutant, "invalid")
        evaluator = ReferenceEvaluator(rule_base)
        for case in self.cases:
            result = evaluator.evaluate(case.profile, case.as_of or CASE_DAY)
            if check_case(case, result):
                return MutantOutcome(mutant, "killed", killed_by=case.name)
        suggested = self._killing_case(mutant, evaluator)
        if suggested is None:
            return MutantOutcome(mutant, "equivalent_candidate")
        return MutantOutcome(mutant, "survived", suggested_case=suggested)

    def _killing_case(self, mutant: Mutant, evaluator: ReferenceEvaluator) -> dict[str, Any] | None:
        """A case the original base passes and the mutant fails, checked by evaluating it."""
        for profile, day in self._candidates(mutant):
            try:
                original = self.original.evaluate(profile, day)
            except ProfileError:
                continue
            changed = evaluator.evaluate(profile, day)
            if original.decision() == changed.decision():
                continue
            data = _case_data(mutant, profile, day, original, changed)
            case = Case.model_validate(data)
            # the case as written (empty fields left out) is evaluated afresh: it must pass on
            # the rule base and fail on the mutant
            again = self.original.evaluate(case.profile, day)
            if not check_case(case, again) and check_case(
                case, evaluator.evaluate(case.profile, day)
            ):
                return data
        return None

    def _candidates(self, mutant: Mutant) -> Iterator[tuple[dict[str, Any], date]]:
        """Each case's profile moved through the values the original rule tests, then a
        synthetic population."""
        tests = _tests(self.documents.rule(mutant.rule) or {})
        for case in self.cases:
            day = case.as_of or CASE_DAY
            for name, value in _boundary_values(tests):
                yield {**case.profile, name: value}, day
        yield from self._synthetic_profiles()

    def _synthetic_profiles(self) -> list[tuple[dict[str, Any], date]]:
        if self._synthetic is None:
            people = synthetic_population(self.search_size, self.seed).members()
            self._synthetic = [(dict(data), own or CASE_DAY) for data, own in people]
        return self._synthetic


def _tests(rule: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for _, node in _conditions(rule.get("when"), ("when",)) if "field" in node]


def _boundary_values(tests: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """For each field a test reads: a number at, just below and just above the threshold;
    every choice of a choice field; both truths of a yes/no field; empty where allowed."""
    fields = profile_fields()
    seen: set[tuple[str, Any]] = set()
    for test in tests:
        spec = fields.get(str(test["field"]))
        if spec is None:
            continue
        values: list[Any]
        value = test.get("value")
        if spec.kind.numeric and isinstance(value, int | float) and not isinstance(value, bool):
            step = 1 if spec.kind is FieldKind.INTEGER else 0.5
            values = [value - 2 * step, value - step, value, value + step, value + 2 * step]
            if spec.kind is FieldKind.INTEGER:
                values = [int(v) for v in values]
        elif spec.kind is FieldKind.CHOICE:
            values = list(spec.choices)
        elif spec.kind is FieldKind.BOOLEAN:
            values = [True, False]
        else:
            values = []
        if spec.nullable:
            values.append(None)
        for item in values:
            if (spec.name, item) not in seen:
                seen.add((spec.name, item))
                yield spec.name, item


def _case_data(
    mutant: Mutant,
    profile: dict[str, Any],
    day: date,
    original: Evaluation,
    changed: Evaluation,
) -> dict[str, Any]:
    """A YAML-ready case stating the original base's answer where the mutant's differs."""
    data: dict[str, Any] = {
        "name": f"kills {mutant.description}",
        "as_of": day.isoformat(),
        "profile": {k: v for k, v in profile.items() if v is not None},
        "services": original.priorities(),
    }
    if original.decision()["suppressed"] != changed.decision()["suppressed"]:
        data["suppressed"] = {s.code: sorted(s.rules) for s in original.suppressed}
    was = [f.id for f in original.fired]
    now = [f.id for f in changed.fired]
    if include := [r for r in was if r not in now]:
        data["fired_include"] = include
    if exclude := [r for r in now if r not in was]:
        data["fired_exclude"] = exclude
    return data


_JUDGE: list[_Judge] = []


def _prepare(documents: RuleBaseDocuments, cases: list[Case], search_size: int, seed: int) -> None:
    """Initializer of a pool process: one judge per process, built before the first mutant."""
    _JUDGE[:] = [_Judge(documents, cases, search_size, seed)]


def _judge(mutant: Mutant) -> MutantOutcome:
    return _JUDGE[0].judge(mutant)


def mutation_score(
    rule_base: RuleBase | RuleBaseDocuments,
    cases: Sequence[Case],
    *,
    workers: int | None = None,
    search_size: int = SEARCH_SIZE,
    seed: int = 0,
    rules: Collection[str] | None = None,
) -> MutationReport:
    """Mutate ``rule_base`` every way :func:`mutants_of` knows and run ``cases`` on each mutant,
    in ``workers`` processes (default: one per core; 1 runs here). ``rules`` limits the mutants
    to those rule ids; ``search_size`` synthetic profiles (drawn with ``seed``) are searched
    for a killing case after the boundary profiles. Raises
    :class:`MutationError` if a case already fails on the rule base itself: a score is only
    meaningful for a suite the rules pass."""
    documents = (
        rule_base
        if isinstance(rule_base, RuleBaseDocuments)
        else RuleBaseDocuments.from_rule_base(rule_base)
    )
    suite = list(cases)
    judge = _Judge(documents, suite, search_size, seed)
    for case in suite:
        try:
            result = judge.original.evaluate(case.profile, case.as_of or CASE_DAY)
        except ProfileError:
            failing = True
        else:
            failing = bool(check_case(case, result))
        if failing:
            raise MutationError(
                f"the case '{case.name}' fails on the rule base itself; fix it before scoring",
                f"el caso '{case.name}' falla con la propia base de reglas; corríjalo antes de"
                " medir",
            )
    mutants = [m for m in mutants_of(documents) if rules is None or m.rule in rules]
    count = workers or os.cpu_count() or 1
    if count <= 1 or len(mutants) < 2:
        return MutationReport(tuple(judge.judge(m) for m in mutants))
    # Fresh processes, never forks of this one (durable-rules state, if any, is not safe to
    # copy); the fork server imports this module once, so each process starts ready.
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload([__name__])
        context = server
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        count, context, initializer=_prepare, initargs=(documents, suite, search_size, seed)
    ) as pool:
        chunk = max(1, len(mutants) // (count * 8))
        return MutationReport(tuple(pool.map(_judge, mutants, chunksize=chunk)))


def yaml_case(case: dict[str, Any]) -> str:
    """A suggested case as YAML, a one-item list ready to paste into a case file."""
    stream = io.StringIO()
    writer = YAML()
    writer.default_flow_style = None
    writer.width = 100
    writer.dump([case], stream)
    return stream.getvalue()


# --- words -------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _condition_text(node: Any) -> str:
    if not isinstance(node, dict):
        return str(node)
    if "field" in node:
        right = node.get("other_field", node.get("value"))
        return f"{node['field']} {node['op']}" + ("" if right is None else f" {_show(right)}")
    for key in ("all", "any"):
        if key in node:
            return f"{key} of (" + ", ".join(_condition_text(c) for c in node[key]) + ")"
    return f"not ({_condition_text(node.get('not'))})"


def _suppression_text(suppress: dict[str, Any]) -> str:
    parts = [*suppress.get("services", []), *(f"area {a}" for a in suppress.get("areas", []))]
    return "suppress " + ", ".join(str(p) for p in parts)


def _path_text(path: _Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
