"""Auditing a rule base: run suites of protocol cases and measure what they cover.

Typical use::

    from audit import load_suite, measure_coverage, run_suite
    from engine import load_rule_base

    cases = load_suite([Path("rules/cases")])
    result = run_suite(cases, load_rule_base())      # failures: expected vs got
    report = measure_coverage(cases, load_rule_base())  # items covered, suggested cases

See docs/audit.md for what each measure means to an auditor.
"""

from .coverage import (
    CoverageItem,
    CoverageReport,
    ItemCoverage,
    Observation,
    RuleCoverage,
    Suggestion,
    measure_coverage,
    observe,
    rule_items,
)
from .errors import AuditError
from .solver import BASE_PROFILE, leaves
from .suite import CaseOutcome, SuiteCase, SuiteResult, junit_xml, load_suite, run_suite

__all__ = [
    "BASE_PROFILE",
    "AuditError",
    "CaseOutcome",
    "CoverageItem",
    "CoverageReport",
    "ItemCoverage",
    "Observation",
    "RuleCoverage",
    "Suggestion",
    "SuiteCase",
    "SuiteResult",
    "junit_xml",
    "leaves",
    "load_suite",
    "measure_coverage",
    "observe",
    "rule_items",
    "run_suite",
]
