"""Shared fixtures: the default rule base, engine and reference evaluator; Hypothesis profiles."""

from __future__ import annotations

import os
from functools import cache

import hypothesis.core
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.vendor import pretty

from engine import ReferenceEvaluator, RuleBase, RuleEngine, load_rule_base

# schemathesis's pytest plugin (for tests/test_api_fuzz.py) swaps Hypothesis's pretty-printer for
# one that prints nothing, for the whole session: every property test would then report its
# failing example with blank values. The printer is put back; schemathesis's speed-up only
# matters for its own schema-driven tests, which run in seconds either way.
hypothesis.core.RepresentationPrinter = pretty.RepresentationPrinter

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# HYPOTHESIS_PROFILE=deep runs the property tests 20x longer (for scheduled runs).
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@cache
def default_rule_base() -> RuleBase:
    return load_rule_base()


@cache
def default_engine() -> RuleEngine:
    return RuleEngine(default_rule_base())


@cache
def default_reference() -> ReferenceEvaluator:
    return ReferenceEvaluator(default_rule_base())


@pytest.fixture(scope="session")
def rule_base() -> RuleBase:
    return default_rule_base()


@pytest.fixture(scope="session")
def engine() -> RuleEngine:
    return default_engine()


@pytest.fixture(scope="session")
def reference() -> ReferenceEvaluator:
    return default_reference()
