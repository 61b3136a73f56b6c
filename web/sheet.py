"""The printed sheet of a roadmap, handed to the returnee: from the intake, or a case's receipt."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from store import Principal
from texts import DEFAULT_LANGUAGE, LANGUAGES, text

from .profile_form import places
from .rendering import render
from .roadmap_view import hours_of, institutions_by_id


def sheet_language(asked: str | None) -> str:
    """The sheet's language: Spanish, the returnee's, unless another is asked for."""
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


async def render_sheet(
    request: Request,
    person: Principal,
    roadmap: dict[str, Any],
    language: str,
    day: str,
    *,
    office: str | None = None,
    reference: str | None = None,
) -> Response:
    """A printable roadmap sheet in ``language``: the office, the day, the services in the
    order of the roadmap, where to go, the legal basis and what is done with the person's
    data."""
    where = places(request)

    def say(key: str, **values: object) -> str:
        return text(key, language, **values)

    office_id = office or person.office or ""
    context = {
        "_": say,
        "lang": language,
        "roadmap": roadmap,
        "institutions": await institutions_by_id(request),
        "hours_of": hours_of,
        "office": where.offices.get(office_id, office_id),
        "day": day,
        "reference": reference,
        "place_name": where.municipality_name,
    }
    return render(request, "sheet.html", context, person=person)
