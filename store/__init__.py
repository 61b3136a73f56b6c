"""Ruta's store: people and their roles, rule-base versions and drafts on their way to
publication, simulations, audits, and the audit trail — in an embedded SQLite file by default, or in
PostgreSQL when ``RUTA_DATABASE_URL`` names one.

Typical use::

    from store import Store

    store = Store(data_dir=Path("ruta-data"))      # or Store("postgresql://…")
    store.upgrade()                                # the schema, up to date
    store.rule_bases.seed(documents)               # the first version, on an empty store
"""

from .access import Access, access
from .audits import AuditInfo, Audits
from .database import Database, database_url, redacted
from .errors import (
    ConflictError,
    InvalidRequestError,
    InvalidRuleBaseError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    Problem,
    StoreError,
    StoreUnavailableError,
    UnauthenticatedError,
)
from .people import Principal, TokenInfo, UserInfo, digest
from .rule_bases import DraftInfo, Publication, RuleBases, VersionInfo, problems_of
from .simulations import SimulationInfo, Simulations
from .store import BOOTSTRAP_ADMIN, Store
from .trail import TrailEvent, TrailVerdict

__all__ = [
    "BOOTSTRAP_ADMIN",
    "Access",
    "AuditInfo",
    "Audits",
    "ConflictError",
    "Database",
    "DraftInfo",
    "InvalidRequestError",
    "InvalidRuleBaseError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "Principal",
    "Problem",
    "Publication",
    "RuleBases",
    "SimulationInfo",
    "Simulations",
    "Store",
    "StoreError",
    "StoreUnavailableError",
    "TokenInfo",
    "TrailEvent",
    "TrailVerdict",
    "UnauthenticatedError",
    "UserInfo",
    "VersionInfo",
    "access",
    "database_url",
    "digest",
    "problems_of",
    "redacted",
]
