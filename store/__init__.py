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
from .access_log import Access as CaseAccess
from .access_log import AccessLog
from .audits import AuditInfo, Audits
from .cases import CaseInfo, Cases, ConsentInfo, ProfileChange, ReceiptInfo, scope_of
from .database import Database, database_url, redacted
from .errors import (
    ConflictError,
    ConsentRequiredError,
    InvalidFieldError,
    InvalidRequestError,
    InvalidRuleBaseError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    Problem,
    StoreError,
    StoreUnavailableError,
    UnauthenticatedError,
)
from .identity import KEY_FILE, Identity, IdentityCipher, new_key
from .lifecycle import ReferralPolicy, referral_policy
from .people import Principal, TokenInfo, UserInfo, digest
from .referral_store import ReferralInfo, Referrals, ReferralStep, iso_week_start
from .reports import DIMENSIONS, Reports
from .rule_bases import DraftInfo, Publication, RuleBases, VersionInfo, problems_of
from .simulations import SimulationInfo, Simulations
from .store import BOOTSTRAP_ADMIN, Store
from .trail import TrailEvent, TrailVerdict

__all__ = [
    "BOOTSTRAP_ADMIN",
    "DIMENSIONS",
    "KEY_FILE",
    "Access",
    "AccessLog",
    "AuditInfo",
    "Audits",
    "CaseAccess",
    "CaseInfo",
    "Cases",
    "ConflictError",
    "ConsentInfo",
    "ConsentRequiredError",
    "Database",
    "DraftInfo",
    "Identity",
    "IdentityCipher",
    "InvalidFieldError",
    "InvalidRequestError",
    "InvalidRuleBaseError",
    "InvalidTransitionError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "Principal",
    "Problem",
    "ProfileChange",
    "Publication",
    "ReceiptInfo",
    "ReferralInfo",
    "ReferralPolicy",
    "ReferralStep",
    "Referrals",
    "Reports",
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
    "iso_week_start",
    "new_key",
    "problems_of",
    "redacted",
    "referral_policy",
    "scope_of",
]
