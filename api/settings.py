"""Service settings, read from environment variables prefixed ``RUTA_``.

The server and every ``ruta`` command read the same settings, so a command works on the same
store and rule base as the service it sits beside.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    """Where the embedded store lives: ``$XDG_DATA_HOME/ruta``, else ``~/.local/share/ruta``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ruta"


class Settings(BaseSettings):
    """Where the store, the rule files and the network come from; limits and timings."""

    model_config = SettingsConfigDict(env_prefix="RUTA_")

    #: The rule files that seed an empty store (default: the rule base shipped in ``rules/``).
    rules_dir: Path | None = None
    network_dir: Path | None = None
    #: The protocol cases every publication must pass (default: ``rules/cases``).
    cases_dir: Path | None = None
    #: The embedded store's folder (a SQLite file ``ruta.db``), when no database URL is set.
    data_dir: Path = Field(default_factory=_default_data_dir)
    #: A PostgreSQL URL (``postgresql://user@host/db``); the embedded SQLite file if unset.
    database_url: str | None = None
    #: The largest request body, in bytes (413 beyond).
    max_body_bytes: int = 1_000_000
    #: The most people in one batch: JSON items or spreadsheet rows (422 beyond).
    max_batch_items: int = Field(default=5_000, ge=1)
    #: The most referral institutions per service an item of a batch may ask for (422 beyond;
    #: one recommendation alone may ask for up to 20).
    max_batch_targets: int = Field(default=5, ge=0, le=20)
    #: How often each process looks for a newly published version, in seconds.
    poll_seconds: float = Field(default=0.5, gt=0, le=60)
    #: How long a checked token is trusted without asking the store again, in seconds.
    token_cache_seconds: float = Field(default=2.0, ge=0, le=60)
    #: A Dask distributed scheduler (``tcp://host:8786``) for simulations; local cores if unset.
    dask_scheduler: str | None = None
    #: Processes a simulation uses on this machine (default: every core).
    simulation_workers: int | None = Field(default=None, ge=1)
    #: The largest population a simulation takes (synthetic or sent), so memory stays bounded.
    max_simulation_profiles: int = Field(default=200_000, ge=1)
    #: The keys returnees' identities are encrypted with (Fernet, comma-separated: the first
    #: encrypts, all decrypt). Unset with the embedded store: a key file in ``data_dir``.
    data_key: str | None = Field(default=None, repr=False)
    #: The most cases an audit's suite may hold, so an audit's time and memory stay bounded.
    max_audit_cases: int = Field(default=5_000, ge=1)
    #: How long a login to the pages lasts, in seconds (a working day by default); then the
    #: person logs in again. Shorter on shared office computers.
    session_seconds: int = Field(default=10 * 60 * 60, ge=300, le=7 * 24 * 60 * 60)
    #: When the service stops, how long a running simulation or audit may take to finish and
    #: record its result, in seconds; queued ones, and one still running after it, are
    #: recorded at once as interrupted (to be asked for again).
    shutdown_grace_seconds: float = Field(default=30.0, ge=0, le=600)
    #: Set by `ruta serve` once it has prepared the store, so its workers do not again.
    prepared: bool = False
