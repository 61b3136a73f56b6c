"""Shared fixtures: the default rule base, engine and reference evaluator; Hypothesis profiles."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import hypothesis.core
import pytest

# The browser tests' fixtures, defined once for the whole session (one Chromium, one server).
from browser_pages import browser, page, playwright_driver, site
from hypothesis import HealthCheck, settings
from hypothesis.vendor import pretty
from sqlalchemy import create_engine, make_url, text

from engine import ReferenceEvaluator, RuleBase, RuleEngine, load_rule_base
from store import Store

# schemathesis's pytest plugin (for tests/test_api_fuzz.py) swaps Hypothesis's pretty-printer for
# one that prints nothing, for the whole session: every property test would then report its
# failing example with blank values. The printer is put back; schemathesis's speed-up only
# matters for its own schema-driven tests, which run in seconds either way.
hypothesis.core.RepresentationPrinter = pretty.RepresentationPrinter  # type: ignore[attr-defined]

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# HYPOTHESIS_PROFILE=deep runs the property tests 20x longer (for scheduled runs).
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


__all__ = ["browser", "page", "playwright_driver", "site"]


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


# Every test that opens the default store opens one in a temporary folder, never the person's
# own (~/.local/share/ruta), and never a database named in the environment. Set here, at import,
# before any test module builds an app whose settings read the environment.
_TEST_DATA = tempfile.mkdtemp(prefix="ruta-tests-")
os.environ["RUTA_DATA_DIR"] = _TEST_DATA
os.environ.pop("RUTA_DATABASE_URL", None)
atexit.register(shutil.rmtree, _TEST_DATA, ignore_errors=True)


def _backends() -> list[str]:
    return ["sqlite"] + (["postgresql"] if os.environ.get("RUTA_TEST_DATABASE_URL") else [])


@pytest.fixture(params=_backends())
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store's URL: a SQLite file in a temporary folder, and — when
    ``RUTA_TEST_DATABASE_URL`` names a PostgreSQL database — a schema of its own there,
    dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ruta.db'}"
        return
    with postgres_schema() as url:
        yield url


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A new schema in the test PostgreSQL database, as a URL whose connections use it."""
    base = make_url(os.environ["RUTA_TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    schema = f"ruta_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An empty store with its schema up to date."""
    opened = Store(store_url)
    opened.upgrade()
    yield opened
    opened.close()
