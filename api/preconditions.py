"""Optimistic concurrency: a change names the revision it was made against.

Drafts, cases and referrals answer GETs with an ETag ``"<id>.<revision>"``; a change carries it
back as ``If-Match``, so one caseworker or policy officer never silently overwrites another's.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from store import PreconditionFailedError
from texts import N_, both

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


#: What a change without ``If-Match`` (428) and one naming another revision (412) are told,
#: by the kind of record changed.
_REQUIRED = {
    "draft": N_("error.precondition_required.draft"),
    "case": N_("error.precondition_required.case"),
    "referral": N_("error.precondition_required.referral"),
}
_FAILED = {
    "draft": N_("error.precondition_failed.draft"),
    "case": N_("error.precondition_failed.case"),
    "referral": N_("error.precondition_failed.referral"),
}


def if_match_revision(record_id: str, if_match: str | None, record: str) -> int:
    """The revision ``if_match`` names for ``record_id``, a ``draft``, ``case`` or
    ``referral``: 428 without it, 412 if it names another record or is not an ETag of ours."""
    if if_match is None:
        raise PreconditionRequiredError(_REQUIRED[record])
    found = _ETAG.match(if_match)
    if found is None or found.group(1) != record_id:
        raise PreconditionFailedError(*both(_FAILED[record]))
    return int(found.group(2))
