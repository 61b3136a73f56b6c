"""The moments a person writes to filter what they read (from, until): the reports, the access
log, the audit trail, and ``ruta report``.

A moment is written in ISO 8601 (``2026-12-01``, ``2026-12-01T10:00``,
``2026-12-01T10:00:00-05:00``); without a time zone it is in UTC, and a day alone is its
midnight. A number is never a moment: read as seconds since 1970, ``until=0`` would silently
mean 1970-01-01 and the person would see nothing, without being told why.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

__all__ = ["Moment", "day_start", "read_moment"]

_ISO_DAY_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_moment(written: str) -> datetime:
    """The moment ``written`` in ISO 8601 (UTC when it names no time zone); ``ValueError``
    when it is not one (a number, a day out of the calendar)."""
    if not _ISO_DAY_FIRST.match(written):
        raise ValueError("not a moment written in ISO 8601")
    moment = datetime.fromisoformat(written)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_start(day: date | None) -> datetime | None:
    """The first moment of ``day`` (midnight UTC), where a filter names a day."""
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


def _written_moment(value: Any) -> Any:
    """A query parameter read by :func:`read_moment`; anything else is refused, saying how a
    moment is written."""
    if value is None:
        return value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return read_moment(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "datetime_type", "must be a moment written in ISO 8601, YYYY-MM-DD[THH:MM[:SS][±HH:MM]]"
    )


#: A query parameter that is a moment (see :func:`read_moment`).
Moment = Annotated[datetime, BeforeValidator(_written_moment)]
