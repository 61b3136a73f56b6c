"""Protocol test cases written in YAML by policy staff and auditors, and how they are checked.

A case gives a profile, a day, and what the protocols must answer. :func:`check_case` compares
an evaluation with the case and returns every difference in words, so a failing case reads as
"HUM_FOOD_AID: expected urgent, got high" rather than a stack trace. The test suite collects
``rules/cases/*.yaml`` (shipped with the rule base) through this module; ``ruta`` tools (the
simulation of a rule change among them) run the same cases.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from texts import N_, both

from .errors import RuleBaseError, RuleProblem
from .loader import default_rules_dir, explain
from .results import Evaluation
from .rule_base import RuleBase
from .rule_messages import RuleMessage
from .vocabulary import Priority
from .yaml_source import line_of, parse_yaml, read_yaml

__all__ = [
    "CASE_DAY",
    "Case",
    "Difference",
    "check_case",
    "default_cases_dir",
    "parse_cases",
    "read_cases",
    "unknown_names",
]

#: The day a case without ``as_of`` is checked on: the protocols' edition the cases are written
#: for (docs/rule-format.md).
CASE_DAY: Final = date(2026, 11, 27)


def default_cases_dir() -> Path:
    """The protocol cases shipped with the default rule base (``rules/cases``)."""
    return default_rules_dir() / "cases"


class Case(BaseModel):
    """One example: a profile, a day, and the expected roadmap (see docs/rule-format.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    profile: dict[str, Any]
    as_of: date | None = None
    services: dict[str, Priority] | None = None
    services_include: dict[str, Priority] = Field(default_factory=dict)
    services_exclude: list[str] = Field(default_factory=list)
    suppressed: dict[str, list[str]] | None = None
    notes: dict[str, list[str]] | None = None
    fired: list[str] | None = None
    fired_include: list[str] = Field(default_factory=list)
    fired_exclude: list[str] = Field(default_factory=list)


def read_cases(path: Path) -> list[tuple[Case, int | None]]:
    """The cases of one file with their line numbers; raises RuleBaseError naming faults."""
    data, problem = read_yaml(path, path.name)
    if problem is not None:
        raise RuleBaseError([problem])
    return _cases(data, path.name)


def parse_cases(text: str, name: str) -> list[tuple[Case, int | None]]:
    """The cases of a file's ``text`` (a file called ``name`` sent to the service rather than
    read from disk), with their line numbers; raises RuleBaseError naming faults."""
    data, problem = parse_yaml(text, name)
    if problem is not None:
        raise RuleBaseError([problem])
    return _cases(data, name)


def _cases(data: Any, name: str) -> list[tuple[Case, int | None]]:
    if not isinstance(data, list):
        not_list = RuleMessage("case_file_not_a_list")
        raise RuleBaseError([RuleProblem.of(name, 1, None, "", not_list)])
    cases: list[tuple[Case, int | None]] = []
    problems: list[RuleProblem] = []
    for index, item in enumerate(data):
        line, _ = line_of(data, (index,))
        try:
            cases.append((Case.model_validate(item), line))
        except ValidationError as error:
            for err in error.errors(include_url=False):
                loc = tuple(err["loc"])
                where = ".".join(str(p) for p in loc)
                fault = RuleMessage(
                    "case_invalid", {"where": where, "detail": explain(Case, loc, err)}
                )
                problems.append(RuleProblem.of(name, line, None, f"case {index + 1}", fault))
    names = [c.name for c, _ in cases]
    for twice_named in sorted({n for n in names if names.count(n) > 1}):
        twice = RuleMessage("case_name_twice", {"name": twice_named})
        problems.append(RuleProblem.of(name, None, None, "", twice))
    if problems:
        raise RuleBaseError(problems)
    return cases


class Difference(str):
    """One way a result differs from a case: the text itself in English, ``es`` in Spanish.

    A ``str``, so it prints, compares and joins as the English text.
    """

    es: str

    def __new__(cls, english: str, spanish: str) -> Difference:
        difference = super().__new__(cls, english)
        difference.es = spanish
        return difference

    def __reduce__(self) -> tuple[type[Difference], tuple[str, str]]:
        return Difference, (str(self), self.es)

    @classmethod
    def of(cls, key: str, /, **values: object) -> Difference:
        """The difference the catalogue text ``key`` describes, filled from ``values``."""
        return cls(*both(key, **values))


def check_case(case: Case, result: Evaluation) -> list[Difference]:
    """Every way ``result`` differs from what ``case`` expects (empty when it passes)."""
    got = result.priorities()
    differences: list[Difference] = []
    add = differences.append
    if case.services is not None:
        expected = {code: p.value for code, p in case.services.items()}
        for code in sorted(expected.keys() | got.keys()):
            if code not in got:
                add(_not_recommended(code, expected[code]))
            elif code not in expected:
                add(Difference.of(N_("case_check.unexpected"), code=code, got=got[code]))
            elif got[code] != expected[code]:
                add(_other_priority(code, expected[code], got[code]))
    for code, priority in case.services_include.items():
        if code not in got:
            add(_not_recommended(code, priority.value))
        elif got[code] != priority.value:
            add(_other_priority(code, priority.value, got[code]))
    for code in case.services_exclude:
        if code in got:
            add(Difference.of(N_("case_check.excluded"), code=code, got=got[code]))
    if case.suppressed is not None:
        removed = {s.code: sorted(s.rules) for s in result.suppressed}
        wanted = {code: sorted(ids) for code, ids in case.suppressed.items()}
        if removed != wanted:
            add(_other_list("suppressed", wanted, removed))
    if case.notes is not None:
        attached = {s.code: sorted(n.rule for n in s.notes) for s in result.services if s.notes}
        wanted = {code: sorted(ids) for code, ids in case.notes.items() if ids}
        if attached != wanted:
            add(_other_list("notes", wanted, attached))
    fired = [f.id for f in result.fired]
    if case.fired is not None and sorted(case.fired) != fired:
        add(_other_list("fired", sorted(case.fired), fired))
    differences.extend(
        Difference.of(N_("case_check.rule_not_fired"), rule_id=rule_id)
        for rule_id in case.fired_include
        if rule_id not in fired
    )
    differences.extend(
        Difference.of(N_("case_check.rule_fired"), rule_id=rule_id)
        for rule_id in case.fired_exclude
        if rule_id in fired
    )
    return differences


def _not_recommended(code: str, expected: str) -> Difference:
    return Difference.of(N_("case_check.not_recommended"), code=code, expected=expected)


def _other_priority(code: str, expected: str, got: str) -> Difference:
    return Difference.of(N_("case_check.other_priority"), code=code, expected=expected, got=got)


def _other_list(what: str, expected: object, got: object) -> Difference:
    return Difference.of(N_("case_check.other_list"), what=what, expected=expected, got=got)


def unknown_names(case: Case, rule_base: RuleBase) -> list[Difference]:
    """Service codes and rule ids the case names that the rule base does not have.

    A misspelt name would make a check such as ``services_exclude`` pass whatever happens.
    """
    codes = [
        *(case.services or {}),
        *case.services_include,
        *case.services_exclude,
        *(case.suppressed or {}),
        *(case.notes or {}),
    ]
    rule_ids = [
        *(case.fired or []),
        *case.fired_include,
        *case.fired_exclude,
        *(i for ids in (case.suppressed or {}).values() for i in ids),
        *(i for ids in (case.notes or {}).values() for i in ids),
    ]
    return [
        Difference.of(N_("case_check.unknown_service"), code=c)
        for c in codes
        if c not in rule_base.services
    ] + [
        Difference.of(N_("case_check.unknown_rule"), rule_id=r)
        for r in rule_ids
        if r not in rule_base.rules_by_id
    ]
