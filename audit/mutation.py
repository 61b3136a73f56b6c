"""Mutation score: how many small, plausible mistakes in the rules a suite of cases would catch.

A *mutant* is the rule base with one deliberate slip, the kind a person editing the protocols
could make:

- ``threshold``: a number one step off (``age >= 60`` → ``age >= 61`` and ``59``);
- ``operator``: a comparison swapped with its neighbour (``<`` ↔ ``<=``, ``>`` ↔ ``>=``,
  ``==`` ↔ ``!=``, ``in`` ↔ ``not_in``, ``is_null`` ↔ ``not_null``);
- ``boolean``: a yes/no test turned round (``has_funds == false`` → ``true``; on a yes/no field
  this is also what ``==`` ↔ ``!=`` would do, so that swap is not made twice);
- ``list_value``: one value taken out of an ``in``/``not_in`` list, or one choice the list
  leaves out put in (``employment in [unemployed, self_employed]`` → ``[unemployed]``);
- ``dropped_condition``: one condition of an ``all``/``any`` left out;
- ``negation``: a ``not`` left out (``not x`` → ``x``);
- ``region``: one department or municipality taken out of a rule's region, or the region
  removed (the rule then applies everywhere);
- ``date``: a rule's first or last day moved one day either way, across its boundary;
- ``priority``: a recommended service at another priority;
- ``suppression``: a suppression removed.

Conditions are mutated wherever they are written: a rule's ``when`` and the ``when`` of a note.

A mutant is *killed* when some case of the suite fails on it: the suite would have caught that
slip. A mutant no case kills is handed to the logic solver of ``ruta audit verify``
(:func:`audit.equivalence.compare_rule_bases`), which looks at every profile on every day at
once. If some profile gets a different answer from the mutant, the mutant is a *survivor*, and
that profile, evaluated on both rule bases to make sure it tells them apart, becomes a ready YAML
case that kills it. If no profile can, the mutant is *equivalent*: proved to change no answer
(for example dropping P29's ``origin_municipality not_null``, which its ``origin_municipality !=
municipality`` already implies), so no case could ever kill it; it is left out of the score and
listed apart. Only when the solver cannot decide in its time limit is a mutant an *equivalent
candidate*: unproved, also left out of the score and listed.

The solver decides alone: a search through profiles (each case's profile moved across the rule's
thresholds, and synthetic people) was measured first, at the same cost per survivor as the
solver on the shipped base and far more per equivalent mutant, without ever proving anything.

Cases are run with :class:`engine.ReferenceEvaluator` (plain Python, the reference meaning the
test suite proves the durable-rules engine agrees with), not compiled into durable-rules.
Measured by ``bench/mutation.py``, the two cost about the same per mutant on the default base
(building a durable-rules engine is cheap for 32 rules); the reference evaluator is used because
it needs no process-wide durable-rules state, so the original and the mutant can be evaluated
side by side in one process, and nothing has to be closed after each of hundreds of mutants.
"""

from __future__ import annotations

import copy
import io
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Final, Literal, get_args

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
from texts import both, text

from .baseline import Witness
from .equivalence import DEFAULT_TIMEOUT_SECONDS, compare_rule_bases
from .errors import MutationError, WitnessError
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

MutantKind = Literal[
    "threshold",
    "operator",
    "boolean",
    "list_value",
    "dropped_condition",
    "negation",
    "region",
    "date",
    "priority",
    "suppression",
]
Status = Literal["killed", "survived", "equivalent", "equivalent_candidate", "invalid"]

#: Every kind of mutant, in the order reports list them.
KINDS: Final[tuple[MutantKind, ...]] = get_args(MutantKind)
#: Comparisons and the neighbour each is swapped with.
NEIGHBOURS: Final = {
    "<": "<=",
    "<=": "<",
    ">": ">=",
    ">=": ">",
    "==": "!=",
    "!=": "==",
    "in": "not_in",
    "not_in": "in",
    "is_null": "not_null",
    "not_null": "is_null",
}
PRIORITIES: Final = ("urgent", "high", "normal")

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
    ``suggested_case`` that kills it), ``equivalent`` (proved to change no answer for any
    profile on any day), ``equivalent_candidate`` (the solver could not decide in time) or
    ``invalid`` (the slip breaks the rule format; not counted)."""

    mutant: Mutant
    status: Status
    killed_by: str | None = None
    suggested_case: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = self.mutant.to_json()
        data["status"] = self.status
        if self.killed_by is not None:
            data["killed_by"] = self.killed_by
        if self.status == "survived":
            data["suggested_case"] = self.suggested_case
        if self.status in ("equivalent", "equivalent_candidate"):
            data["proved"] = self.status == "equivalent"
        return data


@dataclass(frozen=True)
class MutationReport:
    """The score of a suite against a rule base, and every mutant that escaped it."""

    outcomes: tuple[MutantOutcome, ...]

    def _with(self, status: Status) -> list[MutantOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def mutants(self) -> int:
        """Mutants counted: every valid one, equivalent ones included."""
        return sum(1 for o in self.outcomes if o.status != "invalid")

    @property
    def killed(self) -> int:
        return len(self._with("killed"))

    @property
    def survivors(self) -> list[MutantOutcome]:
        return self._with("survived")

    @property
    def equivalent(self) -> list[MutantOutcome]:
        """Mutants proved to change no answer: no case could ever kill them."""
        return self._with("equivalent")

    @property
    def equivalent_candidates(self) -> list[MutantOutcome]:
        """Mutants no case kills and the solver could not decide about in its time limit."""
        return self._with("equivalent_candidate")

    @property
    def score(self) -> float:
        """Killed ÷ (killed + survivors): equivalent mutants are left out, since no case could
        kill a mutant that changes no answer, and so are undecided ones. 1.0 when nothing is
        left to kill."""
        counted = self.killed + len(self.survivors)
        return self.killed / counted if counted else 1.0

    def by_kind(self) -> dict[str, dict[str, int]]:
        """For each kind of mutant made: how many, killed, survived, equivalent, undecided."""
        counts: dict[str, dict[str, int]] = {}
        names = {
            "killed": "killed",
            "survived": "survivors",
            "equivalent": "equivalent",
            "equivalent_candidate": "equivalent_candidates",
        }
        for kind in KINDS:
            mine = [o for o in self.outcomes if o.mutant.kind == kind and o.status != "invalid"]
            if mine:
                counts[kind] = {"mutants": len(mine)} | {
                    name: sum(1 for o in mine if o.status == status)
                    for status, name in names.items()
                }
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "mutants": self.mutants,
            "killed": self.killed,
            "survivors": [o.to_json() for o in self.survivors],
            "equivalent": [o.to_json() for o in self.equivalent],
            "equivalent_candidates": [o.to_json() for o in self.equivalent_candidates],
            "invalid": len(self._with("invalid")),
            "by_kind": self.by_kind(),
        }

    def summary(self, lang: str) -> str:
        """One line: the score and what became of the mutants, in Spanish or English."""
        return text(
            "audit.mutation.summary",
            "es" if lang == "es" else "en",
            score=format(self.score, ".1%"),
            killed=self.killed,
            mutants=self.mutants,
            survived=len(self.survivors),
            equivalent=len(self.equivalent),
            undecided=len(self.equivalent_candidates),
        )

    def text(self, lang: str) -> str:
        """The report ``ruta audit mutate`` prints: the summary, the count per kind, every
        survivor with a case that kills it, the equivalent and the undecided mutants."""
        language = "es" if lang == "es" else "en"
        lines = [self.summary(lang)]
        for kind, counts in self.by_kind().items():
            lines.append(
                "  "
                + text(
                    "audit.mutation.kind_killed",
                    language,
                    kind=kind,
                    killed=counts["killed"],
                    mutants=counts["mutants"],
                )
            )
        for outcome in self.survivors:
            lines += [
                "",
                text("audit.mutation.survived", language, mutant=outcome.mutant.description),
                text("audit.mutation.killing_case", language),
                yaml_case(outcome.suggested_case or {}).rstrip("\n"),
            ]
        for outcome in self.equivalent:
            lines += [
                "",
                text("audit.mutation.equivalent", language, mutant=outcome.mutant.description),
            ]
        for outcome in self.equivalent_candidates:
            lines += [
                "",
                text("audit.mutation.undecided", language, mutant=outcome.mutant.description),
            ]
        return "\n".join(lines)


# --- the suite ---------------------------------------------------------------------------


def read_suite(paths: Sequence[Path | str]) -> list[Case]:
    """The cases of every ``*.yaml`` file in the given folders (or the files given), in name
    order, as :func:`audit.suite.load_suite` reads them (a fault raises :class:`AuditError`
    naming it)."""
    return [entry.case for entry in load_suite([Path(path) for path in paths])]


# --- making mutants ----------------------------------------------------------------------

_Make = Callable[[MutantKind, _Path, Any, Any, dict[str, Any]], Mutant]


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

    yield from _dated(rule, make)
    yield from _regional(rule, make)
    for where, condition in _written_conditions(rule):
        for path, node in _conditions(condition, where):
            yield from _condition_mutants(rule, path, node, make)
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


def _written_conditions(rule: dict[str, Any]) -> Iterator[tuple[_Path, Any]]:
    """The rule's ``when``, then the ``when`` of each of its notes, with their paths."""
    yield ("when",), rule["when"]
    for r_index, recommendation in enumerate(rule.get("recommend", [])):
        for n_index, note in enumerate(recommendation.get("notes") or []):
            if isinstance(note, dict) and note.get("when") is not None:
                yield ("recommend", r_index, "notes", n_index, "when"), note["when"]


def _condition_mutants(
    rule: dict[str, Any], path: _Path, node: dict[str, Any], make: _Make
) -> Iterator[Mutant]:
    """The mutants of one condition: of its test, of its ``all``/``any`` list, of its ``not``."""
    if "field" in node:
        spec = profile_fields().get(str(node["field"]))
        op, value = node.get("op"), node.get("value")
        if (
            spec is not None
            and spec.kind is FieldKind.BOOLEAN
            and op in ("==", "!=")
            and isinstance(value, bool)
        ):
            where = (*path, "value")
            yield make("boolean", where, value, not value, _edited(rule, where, not value))
        elif op in NEIGHBOURS:
            where = (*path, "op")
            yield make("operator", where, op, NEIGHBOURS[op], _edited(rule, where, NEIGHBOURS[op]))
        yield from (
            make("threshold", (*path, "value"), value, moved, edited)
            for moved, edited in _moved_thresholds(rule, path, node)
        )
        if op in ("in", "not_in") and isinstance(value, list):
            where = (*path, "value")
            others: list[list[Any]] = []
            if len(value) > 1:
                others += [[v for j, v in enumerate(value) if j != i] for i in range(len(value))]
            if spec is not None and spec.kind is FieldKind.CHOICE:
                others += [[*value, choice] for choice in spec.choices if choice not in value]
            for other in others:
                yield make("list_value", where, value, other, _edited(rule, where, other))
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
    if "not" in node:
        inner = node["not"]
        yield make(
            "negation",
            path,
            _condition_text(node),
            _condition_text(inner),
            _edited(rule, path, inner),
        )


def _regional(rule: dict[str, Any], make: _Make) -> Iterator[Mutant]:
    """A rule's region with one of its places taken out (while another is left), and without
    its region at all."""
    regions = rule.get("regions")
    if not isinstance(regions, dict):
        return
    keys = ("departments", "municipalities")
    places = sum(len(regions.get(key) or []) for key in keys)
    for key in keys:
        codes = list(regions.get(key) or [])
        for index in range(len(codes) if places > 1 else 0):
            kept = codes[:index] + codes[index + 1 :]
            edited = copy.deepcopy(rule)
            if kept:
                edited["regions"][key] = kept
            else:
                del edited["regions"][key]
            yield make("region", ("regions", key), codes, kept, edited)
    edited = copy.deepcopy(rule)
    del edited["regions"]
    yield make("region", ("regions",), _region_text(regions), None, edited)


def _dated(rule: dict[str, Any], make: _Make) -> Iterator[Mutant]:
    """A rule's first and last day, each moved one day earlier and one day later."""
    for key in ("effective_from", "effective_to"):
        value = rule.get(key)
        if value is None:
            continue
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        for moved in (day - timedelta(days=1), day + timedelta(days=1)):
            written: Any = moved if isinstance(value, date) else moved.isoformat()
            yield make(
                "date", (key,), day.isoformat(), moved.isoformat(), _edited(rule, (key,), written)
            )


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
    target[path[-1]] = copy.deepcopy(value)
    return edited


# --- evaluating mutants ------------------------------------------------------------------


@dataclass
class _Judge:
    """Everything a process needs to judge mutants: the documents, the suite, the original
    rule base and how long the solver may take over one mutant."""

    documents: RuleBaseDocuments
    cases: list[Case]
    timeout: float
    original: ReferenceEvaluator = field(init=False)

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
        comparison = compare_rule_bases(self.original.rule_base, rule_base, timeout=self.timeout)
        if comparison.verdict == "equivalent":
            return MutantOutcome(mutant, "equivalent")
        if comparison.witness is None:
            return MutantOutcome(mutant, "equivalent_candidate")
        suggested = self._killing_case(mutant, evaluator, comparison.witness)
        return MutantOutcome(mutant, "survived", suggested_case=suggested)

    def _killing_case(
        self, mutant: Mutant, evaluator: ReferenceEvaluator, witness: Witness
    ) -> dict[str, Any]:
        """The solver's witness as a case the original base passes and the mutant fails,
        checked by evaluating it on both; a witness that does not tell them apart is a fault
        of Ruta (:class:`WitnessError`), never reported as a survivor."""
        day = date.fromisoformat(witness["as_of"])
        try:
            data = _case_data(
                mutant,
                witness["profile"],
                day,
                self.original.evaluate(witness["profile"], day),
                evaluator.evaluate(witness["profile"], day),
            )
            case = Case.model_validate(data)
            # the case as written (empty fields left out) is evaluated afresh
            passes = not check_case(case, self.original.evaluate(case.profile, day))
            fails = bool(check_case(case, evaluator.evaluate(case.profile, day)))
        except ProfileError:
            passes = fails = False
        if not (passes and fails):
            raise WitnessError(*both("audit.mutation.witness_fault", mutant=mutant.description))
        return data


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
    notes = [_notes(original), _notes(changed)]
    if notes[0] != notes[1]:
        data["notes"] = notes[0]
    was = [f.id for f in original.fired]
    now = [f.id for f in changed.fired]
    if include := [r for r in was if r not in now]:
        data["fired_include"] = include
    if exclude := [r for r in now if r not in was]:
        data["fired_exclude"] = exclude
    return data


def _notes(result: Evaluation) -> dict[str, list[str]]:
    """Service → the rules of its notes, as a case's ``notes`` states them."""
    return {s.code: sorted(n.rule for n in s.notes) for s in result.services if s.notes}


_JUDGE: list[_Judge] = []


def _prepare(documents: RuleBaseDocuments, cases: list[Case], timeout: float) -> None:
    """Initializer of a pool process: one judge per process, built before the first mutant."""
    _JUDGE[:] = [_Judge(documents, cases, timeout)]


def _judge(mutant: Mutant) -> MutantOutcome:
    return _JUDGE[0].judge(mutant)


def mutation_score(
    rule_base: RuleBase | RuleBaseDocuments,
    cases: Sequence[Case],
    *,
    workers: int | None = None,
    rules: Collection[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> MutationReport:
    """Mutate ``rule_base`` every way :func:`mutants_of` knows and run ``cases`` on each mutant,
    in ``workers`` processes (default: one per core; 1 runs here). ``rules`` limits the mutants
    to those rule ids. A mutant no case kills is decided by the solver, allowed ``timeout``
    seconds per mutant. Raises :class:`MutationError` if a case already fails on the rule base
    itself: a score is only meaningful for a suite the rules pass."""
    documents = (
        rule_base
        if isinstance(rule_base, RuleBaseDocuments)
        else RuleBaseDocuments.from_rule_base(rule_base)
    )
    suite = list(cases)
    judge = _Judge(documents, suite, timeout)
    for case in suite:
        try:
            result = judge.original.evaluate(case.profile, case.as_of or CASE_DAY)
        except ProfileError:
            failing = True
        else:
            failing = bool(check_case(case, result))
        if failing:
            raise MutationError(*both("audit.mutation.case_fails", case=case.name))
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
        count, context, initializer=_prepare, initargs=(documents, suite, timeout)
    ) as pool:
        chunk = max(1, len(mutants) // (count * 8))
        return MutationReport(tuple(pool.map(_judge, mutants, chunksize=chunk)))


def yaml_case(case: dict[str, Any]) -> str:
    """A suggested case as YAML, a one-item list ready to paste into a case file."""
    stream = io.StringIO()
    writer = YAML()
    writer.default_flow_style = None
    writer.width = 4096  # a case's profile on one line, never broken inside a pair
    writer.dump([case], stream)
    return stream.getvalue()


# --- words -------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
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


def _region_text(regions: dict[str, Any]) -> str:
    return "; ".join(
        f"{key} {_show(list(regions[key]))}"
        for key in ("departments", "municipalities")
        if regions.get(key)
    )


def _path_text(path: _Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
