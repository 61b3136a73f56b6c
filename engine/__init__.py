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

from .compiler import CompiledRuleBase, compile_rule_base
from .conditions import ConditionTrace
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
    EvaluationError,
    FieldProblem,
    ProfileError,
    RuleBaseError,
    RuleProblem,
    RutaEngineError,
)
from .evaluator import RuleEngine
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
from .rule_base import RuleBase, RuleFileLayout, RuleSource
from .rule_model import Rule, RuleStatus, Text
from .vocabulary import Area, Priority

__all__ = [
    "Area",
    "AttachedNote",
    "CatalogueEntry",
    "Change",
    "CompiledRuleBase",
    "ConditionTrace",
    "EngineLimitError",
    "Evaluation",
    "EvaluationError",
    "FieldProblem",
    "FiredRule",
    "OrderChange",
    "Priority",
    "Profile",
    "ProfileError",
    "RecommendedService",
    "ReferenceEvaluator",
    "Rule",
    "RuleBase",
    "RuleBaseDiff",
    "RuleBaseDocuments",
    "RuleBaseError",
    "RuleEngine",
    "RuleEntry",
    "RuleFileLayout",
    "RuleMove",
    "RuleProblem",
    "RuleSource",
    "RuleStatus",
    "RutaEngineError",
    "SuppressedService",
    "Text",
    "compile_rule_base",
    "default_rules_dir",
    "diff_rule_bases",
    "load_rule_base",
    "parse_profile",
    "rule_base_from_data",
]
