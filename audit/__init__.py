"""Auditing a rule base: run suites of protocol cases, measure what they cover and how well
they guard the protocols (mutation score, with mutants that change no answer proved equivalent
by a solver), and verify the rule base over every possible profile with a solver (dead and
subsumed rules, conflicts, requirements), with witnesses.

Typical use::

    from audit import load_suite, measure_coverage, mutation_score, run_suite
    from engine import RuleBaseDocuments, load_rule_base

    cases = load_suite([Path("rules/cases")])
    result = run_suite(cases, load_rule_base())      # failures: expected vs got
    report = measure_coverage(cases, load_rule_base())  # items covered, suggested cases
    score = mutation_score(RuleBaseDocuments.from_directory(None), [c.case for c in cases])

See docs/audit.md for what each measure means to an auditor.
"""

from .baseline import BASELINE, Slot, Witness, as_witness, slots
from .boxes import Box, Boxes, Numbers
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
from .equivalence import Comparison, compare_rule_bases
from .errors import AuditError, MutationError, RequirementsError, WitnessError
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
from .report import (
    STAGES,
    AuditReport,
    Reach,
    audit_report,
    network_reach,
    recommended_services,
    shown_first,
)
from .requirements import (
    REQUIREMENTS_FILE,
    Expectation,
    Requirement,
    parse_requirements,
    read_requirements,
)
from .search import WitnessSearch
from .solver import BASE_PROFILE, leaves
from .space import ProfileSpace
from .suite import (
    CaseOutcome,
    SuiteCase,
    SuiteResult,
    junit_xml,
    load_suite,
    run_suite,
    suite_from_files,
)
from .verify import Verification, verify_rule_base

__all__ = [
    "BASELINE",
    "BASE_PROFILE",
    "REQUIREMENTS_FILE",
    "STAGES",
    "AuditError",
    "AuditReport",
    "Box",
    "Boxes",
    "CaseOutcome",
    "Comparison",
    "CoverageItem",
    "CoverageReport",
    "Expectation",
    "ItemCoverage",
    "Mutant",
    "MutantKind",
    "MutantOutcome",
    "MutationError",
    "MutationReport",
    "Numbers",
    "Observation",
    "ProfileSpace",
    "Reach",
    "Requirement",
    "RequirementsError",
    "RuleCoverage",
    "Slot",
    "Suggestion",
    "SuiteCase",
    "SuiteResult",
    "Verification",
    "Witness",
    "WitnessError",
    "WitnessSearch",
    "as_witness",
    "audit_report",
    "compare_rule_bases",
    "junit_xml",
    "leaves",
    "load_suite",
    "measure_coverage",
    "mutants_of",
    "mutation_score",
    "network_reach",
    "observe",
    "parse_requirements",
    "read_requirements",
    "read_suite",
    "recommended_services",
    "rule_items",
    "run_suite",
    "shown_first",
    "slots",
    "suite_from_files",
    "verify_rule_base",
    "yaml_case",
]
