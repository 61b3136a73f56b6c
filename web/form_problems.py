"""The API's problems by the form field they are about.

The API names a field of a request's query or body as ``query.since`` or ``body.rules``; a
page's form names it ``since`` or ``rules``. The problems are shown next to the field."""

from __future__ import annotations

from .api_calls import ApiAnswer

_WHERE = ("query.", "body.")


def form_problems(answer: ApiAnswer, language: str) -> dict[str, list[str]]:
    """``answer``'s problems in ``language``, by the name of the form field they are about."""
    found: dict[str, list[str]] = {}
    for named, messages in answer.problems(language).items():
        field = named
        for where in _WHERE:
            field = field.removeprefix(where)
        found.setdefault(field, []).extend(messages)
    return found
