"""What Ruta does when it starts: the store's schema, the first version, the first person.

1. The store's schema is brought up to date (or start-up stops with a clear message).
2. An empty store is seeded with the rule files (``RUTA_RULES_DIR``, default ``rules/``) as its
   first published version. A store that already has a published version keeps serving it:
   rule files that differ from it are not put in service by a restart (they go through a
   draft: ``ruta rules push``), and rule files the loader refuses are reported, file and line,
   while the service starts on the last good published version.
3. A store with nobody in it gets an administrator, whose token is shown once.
"""

from __future__ import annotations

import logging
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from engine import RuleBaseDocuments, RuleBaseError, default_rules_dir
from store import IdentityCipher, Store, StoreError
from texts import both

from .errors import StartupError
from .settings import Settings

__all__ = ["StartupError", "StartupReport", "open_store", "prepare"]

_log = logging.getLogger("ruta.startup")


@dataclass
class StartupReport:
    """What start-up found and did, for the person starting the service."""

    seeded: str | None = None
    refused: list[str] = field(default_factory=list)
    differs: str | None = None
    admin_token: str | None = None


def open_store(settings: Settings) -> Store:
    """The store the settings name, with its schema up to date."""
    try:
        store = Store(settings.database_url, data_dir=settings.data_dir, cipher=cipher(settings))
        store.upgrade()
    except StoreError as error:
        raise StartupError(error.message, error.message_es) from None
    return store


def cipher(settings: Settings) -> IdentityCipher | None:
    """The keys identities are encrypted with: ``RUTA_DATA_KEY`` (a wrong key stops the start);
    without it, a key file beside the embedded store; with PostgreSQL and no key, none (cases
    are then refused with a message saying to set ``RUTA_DATA_KEY``)."""
    if settings.data_key:
        return IdentityCipher.from_setting(settings.data_key, None)
    if settings.database_url is None:
        return IdentityCipher.from_setting(None, settings.data_dir)
    return None


def prepare(settings: Settings, store: Store, *, bootstrap: bool = True) -> StartupReport:
    """Seed an empty store, report rule files that are not in service, create the first
    administrator (when ``bootstrap``)."""
    report = StartupReport()
    folder = Path(settings.rules_dir) if settings.rules_dir else default_rules_dir()
    has_version = store.rule_bases.published_head() is not None
    try:
        documents = RuleBaseDocuments.from_directory(folder)
        base = documents.to_rule_base()
    except RuleBaseError as error:
        report.refused = [str(problem) for problem in error.problems]
        if not has_version:
            # The problems are listed in English in both: they quote the rule files.
            problems = "\n".join(f"  {p}" for p in report.refused)
            raise StartupError(
                *both("api.startup_rules_refused", folder=folder.name, problems=problems)
            ) from None
    else:
        if not has_version:
            report.seeded = store.rule_bases.seed(documents)
        else:
            _, published, _ = store.rule_bases.published()
            if published != base.hash:
                report.differs = base.hash
    if bootstrap:
        report.admin_token = store.bootstrap_admin()
    return report


def announce(report: StartupReport, settings: Settings) -> None:
    """Tell the person starting the service what start-up found (the token on the terminal
    only, never in the log)."""
    folder = settings.rules_dir or "rules/"
    if report.seeded:
        _log.info("empty store seeded with the rule files: version %s", report.seeded[:12])
    if report.refused:
        _log.error(
            "the rule files in %s were refused; the service keeps the last published version."
            " Problems:\n%s",
            folder,
            "\n".join(f"  {p}" for p in report.refused),
        )
    if report.differs:
        _log.warning(
            "the rule files in %s (%s) differ from the published version; they are not in"
            " service until pushed as a draft (ruta rules push), approved and published",
            folder,
            report.differs[:12],
        )
    if report.admin_token:
        english, spanish = both("api.new_store_admin")
        said = "\n\n".join(
            textwrap.fill(words, 80, initial_indent="    ", subsequent_indent="    ")
            for words in (english, spanish)
        )
        sys.stderr.write(f"\n{said}\n\n        {report.admin_token}\n\n")
        sys.stderr.flush()
