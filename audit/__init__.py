"""Auditing a rule base: verification over the whole profile space, with witness profiles."""

from .requirements import Expectation, Requirement, read_requirements
from .space import BASELINE, ProfileSpace, Witness
from .verify import Verification, verify_rule_base
from .verify_errors import AuditError, RequirementsError, WitnessError

__all__ = [
    "BASELINE",
    "AuditError",
    "Expectation",
    "ProfileSpace",
    "Requirement",
    "RequirementsError",
    "Verification",
    "Witness",
    "WitnessError",
    "read_requirements",
    "verify_rule_base",
]
