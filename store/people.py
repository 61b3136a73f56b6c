"""People, their roles, and their API tokens.

A token is 256 random bits, shown once when it is made and stored only as its SHA-256: the
store cannot give it back, and a copy of the database does not let anyone in. A token can be
revoked, and may expire. Making or revoking a token is an event of the audit trail (the event
names the token by its first characters, never whole).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from texts import both

from . import trail
from .access import access
from .errors import ConflictError, InvalidRequestError, NotFoundError
from .models import TokenRow, UserRow, utc_now

__all__ = [
    "Principal",
    "TokenInfo",
    "UserInfo",
    "add_user",
    "authenticate",
    "count_users",
    "digest",
    "issue_token",
    "list_users",
    "revoke",
]

_TOKEN_PREFIX = "ruta_"
#: How many leading characters of a token are kept to tell tokens apart in listings.
_SHOWN = 12
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person's name and role, and for a caseworker the office whose cases
    they may see."""

    name: str
    role: str
    office: str | None = None


@dataclass(frozen=True)
class TokenInfo:
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    created_at: datetime
    created_by: str | None
    tokens: tuple[TokenInfo, ...]
    office: str | None = None


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _check(name: str, role: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidRequestError(*both("store.bad_user_name"))
    roles = access().roles
    if role not in roles:
        raise InvalidRequestError(*both("store.unknown_role", roles=", ".join(roles)))


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(UserRow)).scalar_one())


def add_user(
    session: Session,
    name: str,
    role: str,
    *,
    by: str,
    expires_at: datetime | None = None,
    office: str | None = None,
) -> str:
    """Create a person with a role (and, for a caseworker, their office) and a first token;
    the token is returned, once."""
    _check(name, role)
    if session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none():
        raise ConflictError(*both("store.user_exists", name=name))
    session.add(UserRow(name=name, role=role, created_at=utc_now(), created_by=by, office=office))
    session.flush()
    detail = {"role": role, **({"office": office} if office else {})}
    trail.append(session, actor=by, action="user_created", subject=name, detail=detail)
    return issue_token(session, name, by=by, expires_at=expires_at)


def issue_token(session: Session, name: str, *, by: str, expires_at: datetime | None = None) -> str:
    """A new token for an existing person (their other tokens stay valid)."""
    user = _user(session, name)
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[:_SHOWN]
    session.add(
        TokenRow(
            user_id=user.id,
            digest=digest(token),
            prefix=prefix,
            created_at=utc_now(),
            expires_at=expires_at,
        )
    )
    trail.append(
        session,
        actor=by,
        action="token_created",
        subject=name,
        detail={
            "token": prefix + "…",
            "role": user.role,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token


def revoke(session: Session, name: str, *, by: str, prefix: str | None = None) -> int:
    """Revoke a person's tokens (all, or the one starting with ``prefix``); how many."""
    user = _user(session, name)
    query = select(TokenRow).where(TokenRow.user_id == user.id, TokenRow.revoked_at.is_(None))
    rows = [
        row
        for row in session.execute(query).scalars()
        if prefix is None or row.prefix.startswith(prefix) or prefix.startswith(row.prefix)
    ]
    now = utc_now()
    for row in rows:
        row.revoked_at = now
        row.revoked_by = by
        trail.append(
            session,
            actor=by,
            action="token_revoked",
            subject=name,
            detail={"token": row.prefix + "…"},
        )
    return len(rows)


def authenticate(session: Session, token: str) -> Principal | None:
    """The person a token belongs to, if it is known, not revoked and not expired."""
    if not token.startswith(_TOKEN_PREFIX):
        return None
    query = (
        select(TokenRow, UserRow)
        .join(UserRow, TokenRow.user_id == UserRow.id)
        .where(TokenRow.digest == digest(token))
    )
    found = session.execute(query).one_or_none()
    if found is None:
        return None
    row, user = found
    info = TokenInfo(row.prefix, row.created_at, row.expires_at, row.revoked_at)
    return Principal(user.name, user.role, user.office) if info.active(utc_now()) else None


def list_users(session: Session) -> list[UserInfo]:
    users = session.execute(select(UserRow).order_by(UserRow.name)).scalars().all()
    tokens: dict[int, list[TokenInfo]] = {}
    for row in session.execute(select(TokenRow).order_by(TokenRow.id)).scalars():
        tokens.setdefault(row.user_id, []).append(
            TokenInfo(row.prefix, row.created_at, row.expires_at, row.revoked_at)
        )
    return [
        UserInfo(u.name, u.role, u.created_at, u.created_by, tuple(tokens.get(u.id, ())), u.office)
        for u in users
    ]


def _user(session: Session, name: str) -> UserRow:
    user = session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(*both("store.no_user", name=name))
    return user
