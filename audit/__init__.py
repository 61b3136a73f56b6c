"""Auditing a rule base: run suites of protocol cases, measure what they cover, and how well
they guard the protocols (mutation score).

Typical use::

    from audit import load_suite, measure_coverage, mutation_score, run_suite
    from engine import RuleBaseDocuments, load_rule_base

    cases = load_suite([Path("rules/cases")])
    result = run_suite(cases, load_rule_base())      # failures: expected vs got
    report = measure_coverage(cases, load_rule_base())  # items covered, suggested cases
    score = mutation_score(RuleBaseDocuments.from_directory(None), [c.case for c in cases])

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
from .errors import AuditError, MutationError
from .mutation import (
    Mutant,
    MutantKind,
    MutantOutcome,
    MutationReport,
    mutants_of,
    mutation_score,
    read_suite,
    yaml_case,
)
from .solver import BASE_PROFILE, leaves
from .suite import CaseOutcome, SuiteCase, SuiteResult, junit_xml, load_suite, run_suite

__all__ = [
    "BASE_PROFILE",
    "AuditError",
    "CaseOutcome",
    "CoverageItem",
    "CoverageReport",
    "ItemCoverage",
    "Mutant",
    "MutantKind",
    "MutantOutcome",
    "MutationError",
    "MutationReport",
    "Observation",
    "RuleCoverage",
    "Suggestion",
    "SuiteCase",
    "SuiteResult",
    "junit_xml",
    "leaves",
    "load_suite",
    "measure_coverage",
    "mutants_of",
    "mutation_score",
    "observe",
    "read_suite",
    "rule_items",
    "run_suite",
    "yaml_case",
]
