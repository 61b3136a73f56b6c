"""The API's problems by the form field they are about.

The API names a field of a request's query or body as ``query.since``, ``rules[0]`` or
``files.suite.yaml``; a page's form has one field ``since``, ``rules`` or ``files``. The
problems are shown next to that field."""

from __future__ import annotations

import re

from .api_calls import ApiAnswer

_WHERE = ("query.", "body.")


def form_problems(answer: ApiAnswer, language: str) -> dict[str, list[str]]:
    """``answer``'s problems in ``language``, by the name of the form field they are about
    (``body`` for those about the request as a whole)."""
    found: dict[str, list[str]] = {}
    for named, messages in answer.problems(language).items():
        field = named
        for where in _WHERE:
            field = field.removeprefix(where)
        found.setdefault(re.split(r"[.\[]", field, maxsplit=1)[0], []).extend(messages)
    return found
