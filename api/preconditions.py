"""Optimistic concurrency: a change names the revision it was made against.

Drafts, cases and referrals answer GETs with an ETag ``"<id>.<revision>"``; a change carries it
back as ``If-Match``, so one caseworker or policy officer never silently overwrites another's.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from store import PreconditionFailedError

from .errors import PreconditionRequiredError

_ETAG = re.compile(r'^\s*(?:W/)?"([0-9a-f]{1,32})\.(\d{1,9})"\s*$')

#: The ``If-Match`` header of every change that must not overwrite someone else's.
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The record's ETag from a GET: the change is refused (412) if it changed.",
    ),
]


def if_match_revision(record_id: str, if_match: str | None, what: str, what_es: str) -> int:
    """The revision ``if_match`` names for ``record_id``: 428 without it, 412 if it names
    another record or is not an ETag of ours."""
    if if_match is None:
        raise PreconditionRequiredError(what, what_es)
    found = _ETAG.match(if_match)
    if found is None or found.group(1) != record_id:
        raise PreconditionFailedError(
            f"If-Match does not name a revision of this {what}; GET it and use its ETag",
            f"If-Match no nombra una revisión {what_es}; obténgalo con GET y use su ETag",
        )
    return int(found.group(2))
