"""Ruta's rule engine: protocols as data, evaluated through durable-rules, with explanations.

Typical use::

    from engine import RuleEngine, load_rule_base

    engine = RuleEngine(load_rule_base())          # the default rule base in rules/
    result = engine.evaluate(profile_dict)         # roadmap for today
    for service in result.services:
        print(service.priority, service.code, service.rules)
"""

from .cases import (
    CASE_DAY,
    Case,
    Difference,
    check_case,
    default_cases_dir,
    read_cases,
    unknown_names,
)
from .compiler import CompiledRuleBase, compile_rule_base
from .conditions import ConditionTrace
from .errors import (
    EngineLimitError,
    EvaluationError,
    FieldProblem,
    ProfileError,
    RuleBaseError,
    RuleProblem,
    RutaEngineError,
)
from .evaluator import RuleEngine
from .fields import FieldKind, FieldSpec, profile_fields
from .loader import default_rules_dir, load_rule_base, rule_base_from_data
from .profile import Profile, parse_profile
from .reference import ReferenceEvaluator
from .results import (
    AttachedNote,
    Evaluation,
    FiredRule,
    RecommendedService,
    SuppressedService,
)
from .rule_base import RuleBase, RuleSource
from .rule_model import Rule, RuleStatus, Text
from .vocabulary import (
    DEPARTMENTS,
    PRIORITY_LABELS,
    PRIORITY_ORDER,
    Area,
    Priority,
    evaluation_day,
)

__all__ = [
    "CASE_DAY",
    "DEPARTMENTS",
    "PRIORITY_LABELS",
    "PRIORITY_ORDER",
    "Area",
    "AttachedNote",
    "Case",
    "CompiledRuleBase",
    "ConditionTrace",
    "Difference",
    "EngineLimitError",
    "Evaluation",
    "EvaluationError",
    "FieldKind",
    "FieldProblem",
    "FieldSpec",
    "FiredRule",
    "Priority",
    "Profile",
    "ProfileError",
    "RecommendedService",
    "ReferenceEvaluator",
    "Rule",
    "RuleBase",
    "RuleBaseError",
    "RuleEngine",
    "RuleProblem",
    "RuleSource",
    "RuleStatus",
    "RutaEngineError",
    "SuppressedService",
    "Text",
    "check_case",
    "compile_rule_base",
    "default_cases_dir",
    "default_rules_dir",
    "evaluation_day",
    "load_rule_base",
    "parse_profile",
    "profile_fields",
    "read_cases",
    "rule_base_from_data",
    "unknown_names",
]
