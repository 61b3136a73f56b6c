"""The protocol cases a rule base fails: the gate before a proposed rule base is published.

Each case of ``rules/cases/*.yaml`` (or another folder) is evaluated with the rule base on the
case's day, exactly as the test suite does, and every difference is told in words.
"""

from __future__ import annotations

from pathlib import Path

from engine import (
    CASE_DAY,
    Difference,
    ProfileError,
    RuleBase,
    RuleEngine,
    check_case,
    default_cases_dir,
    read_cases,
    unknown_names,
)
from texts import both

from .errors import PopulationError
from .result import BrokenCase

__all__ = ["broken_cases"]


def broken_cases(rule_base: RuleBase, cases_dir: Path | str | None = None) -> list[BrokenCase]:
    """The cases of ``cases_dir`` (default: the protocol cases shipped in ``rules/cases``) that
    ``rule_base`` does not pass, in file and case order; empty when every case passes. Each
    difference is told in English and in Spanish.

    A case naming a service or rule the rule base lacks fails with that as its difference. A
    case file with a fault raises :class:`engine.RuleBaseError` naming file and line.
    """
    folder = Path(cases_dir) if cases_dir is not None else default_cases_dir()
    if not folder.is_dir():
        raise PopulationError(*both("simulation.no_cases_folder", folder=folder.name))
    files = [(path.name, read_cases(path)) for path in sorted(folder.glob("*.yaml"))]
    broken: list[BrokenCase] = []
    with RuleEngine(rule_base) as engine:
        for name, cases in files:
            for case, line in cases:
                differences = unknown_names(case, rule_base)
                if not differences:
                    try:
                        result = engine.evaluate(case.profile, case.as_of or CASE_DAY)
                    except ProfileError as error:
                        fields = ", ".join(dict.fromkeys(p.field for p in error.problems))
                        differences = [
                            Difference(*both("simulation.case_profile_invalid", fields=fields))
                        ]
                    else:
                        differences = check_case(case, result)
                if differences:
                    english = tuple(str(d) for d in differences)
                    spanish = tuple(d.es for d in differences)
                    broken.append(BrokenCase(case.name, name, line, english, spanish))
    return broken
