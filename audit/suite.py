"""Suites of protocol cases, run against any rule base: what an auditor replays.

A suite is one or more folders of YAML case files in the format of ``rules/cases`` (see
docs/rule-format.md). Running it evaluates every case on the rule base and reports, for each
case that fails, every difference between what the case expects and what the protocols answer
(``HUM_FOOD_AID: expected urgent, got high``), in English and Spanish. The result can be written
as JUnit XML, which other CI systems read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine import (
    CASE_DAY,
    Case,
    Difference,
    ProfileError,
    RuleBase,
    RuleBaseError,
    RuleEngine,
    check_case,
    parse_cases,
    parse_profile,
    read_cases,
    unknown_names,
)
from texts import both, text

from .errors import AuditError

__all__ = [
    "CaseOutcome",
    "SuiteCase",
    "SuiteResult",
    "junit_xml",
    "load_suite",
    "run_suite",
    "suite_from_files",
]


@dataclass(frozen=True)
class SuiteCase:
    """One case of a suite and where it was written (file name and line)."""

    case: Case
    file: str
    line: int | None

    @property
    def day(self) -> date:
        """The day the case is checked on: its ``as_of``, else the cases' edition day."""
        return self.case.as_of or CASE_DAY

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def load_suite(folders: Sequence[Path]) -> list[SuiteCase]:
    """Every case of every ``*.yaml`` file in ``folders`` (a file may be named directly), in
    file-name order; raises :class:`AuditError` naming each fault."""
    cases: list[SuiteCase] = []
    for folder in folders:
        if folder.is_file():
            files = [folder]
        elif folder.is_dir():
            files = sorted(folder.glob("*.yaml"))
        else:
            raise AuditError(*both("audit.no_suite_folder", folder=folder.name))
        for path in files:
            try:
                read = read_cases(path)
            except RuleBaseError as error:
                raise _refused(error) from None
            cases.extend(SuiteCase(case, path.name, line) for case, line in read)
    return _checked(cases)


def suite_from_files(files: Mapping[str, str]) -> list[SuiteCase]:
    """Every case of the YAML ``files`` (name → text, as an auditor sends them to the service),
    in file-name order; raises :class:`AuditError` naming every fault with its file and line."""
    cases: list[SuiteCase] = []
    for name in sorted(files):
        try:
            read = parse_cases(files[name], name)
        except RuleBaseError as error:
            raise _refused(error) from None
        cases.extend(SuiteCase(case, name, line) for case, line in read)
    return _checked(cases)


def _checked(cases: list[SuiteCase]) -> list[SuiteCase]:
    """``cases``, once each profile is known to follow the profile vocabulary; otherwise an
    :class:`AuditError` naming every case (file, line) and field at fault, never a value."""
    if not cases:
        raise AuditError(*both("audit.suite_empty"))
    faults: list[tuple[str, str]] = []
    for item in cases:
        try:
            parse_profile(item.case.profile)
        except ProfileError as error:
            for problem in error.problems:
                values = {"where": item.where, "case": repr(item.case.name), "field": problem.field}
                english = text("audit.suite_case_fault", "en", **values, problem=problem.message)
                spanish = problem.message_es or problem.message
                spanish = text("audit.suite_case_fault", "es", **values, problem=spanish)
                faults.append((f"  {english}", f"  {spanish}"))
    if faults:
        english, spanish = both("audit.suite_refused", count=len(faults))
        raise AuditError(
            "\n".join([english] + [f[0] for f in faults]),
            "\n".join([spanish] + [f[1] for f in faults]),
        )
    return cases


def _refused(error: RuleBaseError) -> AuditError:
    """A suite file's faults, each with its file and line, under a heading about the suite."""
    english, spanish = both("audit.suite_refused", count=len(error.problems))
    return AuditError(
        "\n".join([english] + [f"  {p.render('en')}" for p in error.problems]),
        "\n".join([spanish] + [f"  {p.render('es')}" for p in error.problems]),
    )


@dataclass(frozen=True)
class CaseOutcome:
    """How one case turned out: passed when it has no differences."""

    case: SuiteCase
    differences: tuple[Difference, ...]

    @property
    def passed(self) -> bool:
        return not self.differences

    def lines(self, lang: str) -> list[str]:
        return [d.es if lang == "es" else str(d) for d in self.differences]


@dataclass(frozen=True)
class SuiteResult:
    """Every case's outcome, in suite order."""

    outcomes: tuple[CaseOutcome, ...]

    @property
    def failures(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "cases": len(self.outcomes),
            "passed": len(self.outcomes) - len(self.failures),
            "failed": len(self.failures),
            "failures": [
                {
                    "name": o.case.case.name,
                    "file": o.case.file,
                    "line": o.case.line,
                    "differences": [str(d) for d in o.differences],
                    "differences_es": [d.es for d in o.differences],
                }
                for o in self.failures
            ],
        }


def run_suite(cases: Sequence[SuiteCase], rule_base: RuleBase) -> SuiteResult:
    """Evaluate every case on ``rule_base`` with the rule engine and compare with what it
    expects; a case naming a service or rule the base lacks fails with that difference."""
    engine = RuleEngine(rule_base)
    outcomes = []
    for item in cases:
        differences = unknown_names(item.case, rule_base)
        if not differences:
            result = engine.evaluate(item.case.profile, item.day)
            differences = check_case(item.case, result)
        outcomes.append(CaseOutcome(item, tuple(differences)))
    return SuiteResult(tuple(outcomes))


def junit_xml(result: SuiteResult, suite_name: str = "ruta-protocol-cases") -> str:
    """The result as JUnit XML: one ``testcase`` per case (classname: its file), a ``failure``
    per failing case whose text lists the differences in English and Spanish."""
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=suite_name,
        tests=str(len(result.outcomes)),
        failures=str(len(result.failures)),
        errors="0",
        skipped="0",
    )
    for outcome in result.outcomes:
        testcase = ET.SubElement(
            suite,
            "testcase",
            classname=outcome.case.file.removesuffix(".yaml"),
            name=outcome.case.case.name,
            file=outcome.case.file,
        )
        if outcome.case.line:
            testcase.set("line", str(outcome.case.line))
        if not outcome.passed:
            failure = ET.SubElement(
                testcase,
                "failure",
                message=str(outcome.differences[0]),
                type="ProtocolCaseMismatch",
            )
            failure.text = "\n".join(
                [*(str(d) for d in outcome.differences), *(d.es for d in outcome.differences)]
            )
    root.set("tests", suite.get("tests", "0"))
    root.set("failures", suite.get("failures", "0"))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
