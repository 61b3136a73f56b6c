"""Ruta's rule engine: protocols as data, evaluated through durable-rules, with explanations.

Typical use::

    from engine import RuleEngine, load_rule_base

    engine = RuleEngine(load_rule_base())          # the default rule base in rules/
    result = engine.evaluate(profile_dict)         # roadmap for today
    for service in result.services:
        print(service.priority, service.code, service.rules)

Versions of the rule base are kept, edited and compared as :class:`RuleBaseDocuments` (the
files as plain data, canonical JSON, YAML) and :func:`diff_rule_bases`.
"""

from .cases import (
    CASE_DAY,
    Case,
    Difference,
    check_case,
    default_cases_dir,
    parse_cases,
    read_cases,
    unknown_names,
)
from .compiler import CompiledRuleBase, compile_rule_base
from .conditions import ConditionTrace, holds, leaves
from .diff import (
    CatalogueEntry,
    Change,
    OrderChange,
    RuleBaseDiff,
    RuleEntry,
    RuleMove,
    diff_rule_bases,
)
from .documents import RuleBaseDocuments
from .errors import (
    EngineLimitError,
    EngineUnavailableError,
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
from .open_fields import OpenField, OpenFieldFinder, OpenService
from .profile import Profile, parse_profile
from .reference import ReferenceEvaluator, applies
from .referrals import PreferredTag, ReferralPreference
from .results import (
    AttachedNote,
    Evaluation,
    FiredRule,
    RecommendedService,
    SuppressedService,
)
from .rule_base import RuleBase, RuleFileLayout, RuleSource
from .rule_messages import CATALOGUES as RULE_MESSAGE_CATALOGUES
from .rule_messages import RuleMessage
from .rule_model import (
    AllOf,
    AnyOf,
    Condition,
    FirstChoice,
    Manifest,
    Not,
    Operator,
    Referrals,
    Roadmap,
    Rule,
    RuleStatus,
    Test,
    Text,
)
from .vocabulary import (
    AREA_KEYS,
    DEPARTMENTS,
    PRIORITY_KEYS,
    PRIORITY_LABELS,
    PRIORITY_ORDER,
    Area,
    Priority,
    evaluation_day,
)
from .yaml_source import alias_line

__all__ = [
    "AREA_KEYS",
    "CASE_DAY",
    "DEPARTMENTS",
    "PRIORITY_KEYS",
    "PRIORITY_LABELS",
    "PRIORITY_ORDER",
    "RULE_MESSAGE_CATALOGUES",
    "AllOf",
    "AnyOf",
    "Area",
    "AttachedNote",
    "Case",
    "CatalogueEntry",
    "Change",
    "CompiledRuleBase",
    "Condition",
    "ConditionTrace",
    "Difference",
    "EngineLimitError",
    "EngineUnavailableError",
    "Evaluation",
    "EvaluationError",
    "FieldKind",
    "FieldProblem",
    "FieldSpec",
    "FiredRule",
    "FirstChoice",
    "Manifest",
    "Not",
    "OpenField",
    "OpenFieldFinder",
    "OpenService",
    "Operator",
    "OrderChange",
    "PreferredTag",
    "Priority",
    "Profile",
    "ProfileError",
    "RecommendedService",
    "ReferenceEvaluator",
    "ReferralPreference",
    "Referrals",
    "Roadmap",
    "Rule",
    "RuleBase",
    "RuleBaseDiff",
    "RuleBaseDocuments",
    "RuleBaseError",
    "RuleEngine",
    "RuleEntry",
    "RuleFileLayout",
    "RuleMessage",
    "RuleMove",
    "RuleProblem",
    "RuleSource",
    "RuleStatus",
    "RutaEngineError",
    "SuppressedService",
    "Test",
    "Text",
    "alias_line",
    "applies",
    "check_case",
    "compile_rule_base",
    "default_cases_dir",
    "default_rules_dir",
    "diff_rule_bases",
    "evaluation_day",
    "holds",
    "leaves",
    "load_rule_base",
    "parse_cases",
    "parse_profile",
    "profile_fields",
    "read_cases",
    "rule_base_from_data",
    "unknown_names",
]
