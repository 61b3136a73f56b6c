"""The API's problems by the form field they are about.

The API names a field of a request's query or body as ``query.since``, ``rules[0]``,
``profile.age`` or ``files.suite.yaml``; a page's form has one field ``since``, ``rules``,
``age`` or ``files``. The problems are shown next to that field; the editor of a rule's YAML
shows them next to the line they are about instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .api_calls import ApiAnswer, in_language
from .rule_yaml import line_of

_WHERE = ("query.", "body.")

#: The part of a request that holds the profile: its fields are the intake form's fields.
PROFILE = "profile."


def form_problems(
    answer: ApiAnswer | None,
    language: str,
    *,
    within: str = "",
    names: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """``answer``'s problems in ``language``, by the name of the form field they are about
    (``body`` for those about the request as a whole). ``within`` is the part of the request
    the form's fields are in (``profile.``: ``profile.age`` is the form's ``age``); ``names``
    gives the form's name of a field the form names otherwise (``person.name`` →
    ``person_name``)."""
    found: dict[str, list[str]] = {}
    if answer is None:
        return found
    for named, messages in answer.problems(language).items():
        field = named
        for where in _WHERE:
            field = field.removeprefix(where)
        if names and field in names:
            field = names[field]
        elif within and field.startswith(within):
            field = field.removeprefix(within)
        found.setdefault(re.split(r"[.\[]", field, maxsplit=1)[0], []).extend(messages)
    return found


def source_problems(
    answer: ApiAnswer | None, source: str, rule_id: str, language: str
) -> list[dict[str, Any]]:
    """``answer``'s problems of an edit of rule ``rule_id``, each with the line of its YAML
    ``source`` it is about (the API's line for a problem of another rule)."""
    if answer is None or answer.error is None:
        return []
    found = []
    for problem in answer.error.get("problems") or []:
        path = str(problem.get("field") or "")
        line = problem.get("line")
        if problem.get("rule") in (None, rule_id):
            line = line_of(source, path) or line
        found.append(
            {
                "field": path,
                "rule": problem.get("rule"),
                "file": problem.get("file"),
                "line": line,
                "message": in_language(problem, language),
            }
        )
    return found
