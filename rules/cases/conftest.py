"""Turns the protocol cases (``rules/cases/*.yaml``) into pytest items, one per case.

Each case runs through durable-rules and through the reference evaluator; a failure names the
file, line and case, and lists every difference in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from engine import (
    CASE_DAY,
    Case,
    ReferenceEvaluator,
    RuleBase,
    RuleEngine,
    check_case,
    load_rule_base,
    read_cases,
    unknown_names,
)

CASES_DIR = Path(__file__).resolve().parent


@cache
def default_rule_base() -> RuleBase:
    return load_rule_base()


@cache
def default_engine() -> RuleEngine:
    return RuleEngine(default_rule_base())


@cache
def default_reference() -> ReferenceEvaluator:
    return ReferenceEvaluator(default_rule_base())


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    if file_path.suffix == ".yaml" and file_path.parent == CASES_DIR:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for case, line in read_cases(self.path):
            yield CaseItem.from_parent(self, name=case.name, case=case, line=line)


class CaseMismatchError(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, line: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.line = line

    def runtest(self) -> None:
        misspelt = unknown_names(self.case, default_rule_base())
        if misspelt:
            raise CaseMismatchError("\n".join(misspelt))
        day = self.case.as_of or CASE_DAY
        result = default_engine().evaluate(self.case.profile, day)
        differences = check_case(self.case, result)
        oracle = default_reference().evaluate(self.case.profile, day)
        if oracle.decision() != result.decision():
            differences.append("durable-rules and the reference evaluator disagree")
        if differences:
            raise CaseMismatchError("\n".join(differences))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseMismatchError):
            where = f"{self.path.name}:{self.line}" if self.line else self.path.name
            return f"case «{self.case.name}» ({where}) failed:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.line - 1 if self.line else None), f"case: {self.case.name}"
