"""Auditing a rule base: how well a suite of cases guards the protocols.

Typical use::

    from audit import mutation_score, read_suite
    from engine import load_rule_base

    report = mutation_score(load_rule_base(), read_suite(["rules/cases"]))
    print(report.score, [s.mutant.description for s in report.survivors])
"""

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

__all__ = [
    "AuditError",
    "Mutant",
    "MutantKind",
    "MutantOutcome",
    "MutationError",
    "MutationReport",
    "mutants_of",
    "mutation_score",
    "read_suite",
    "yaml_case",
]
