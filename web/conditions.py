"""A rule's conditions in words, for policy staff who do not read YAML.

``{field: age, op: ">=", value: 18}`` reads "Edad (años cumplidos) is at least 18"; ``all``,
``any`` and ``not`` become nested lists headed "all of", "any of", "none of". The field names
come from the profile schema's labels (``GET /v1/profile-schema``), the operators from the
text catalogues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from texts import N_, text

#: Each operator's sentence, by its key in the catalogues: ``{field}`` and (but for the tests
#: of whether a field is known) ``{value}``, in the order the language puts them.
_SENTENCES = {
    "==": N_("page.rules.test.eq"),
    "!=": N_("page.rules.test.ne"),
    "<": N_("page.rules.test.lt"),
    "<=": N_("page.rules.test.le"),
    ">": N_("page.rules.test.gt"),
    ">=": N_("page.rules.test.ge"),
    "in": N_("page.rules.test.in"),
    "not_in": N_("page.rules.test.not_in"),
    "is_null": N_("page.rules.test.is_null"),
    "not_null": N_("page.rules.test.not_null"),
}

#: What stands for the value a person is about to type, in a test's sentence.
BLANK = "…"
_YES_NO = {True: N_("page.rules.value.yes"), False: N_("page.rules.value.no")}
_GROUPS = {
    "all": N_("page.rules.when.all"),
    "any": N_("page.rules.when.any"),
    "not": N_("page.rules.when.not"),
}


@dataclass(frozen=True)
class ConditionWords:
    """One condition in words: a test (``words``), or a group heading with its parts."""

    words: str
    parts: list[ConditionWords] = field(default_factory=list)


def test_words(subject: str, op: str, value: str, language: str) -> str:
    """A test as one sentence: ``Edad``, ``>=``, ``18`` → "Edad es al menos 18"."""
    if op not in _SENTENCES:
        return f"{subject} {op} {value}".strip()
    return text(_SENTENCES[op], language, field=subject, value=value)


def _value(value: Any, language: str) -> str:
    if isinstance(value, bool):
        return text(_YES_NO[value], language)
    if isinstance(value, list):
        return ", ".join(_value(v, language) for v in value)
    return str(value)


def describe(condition: Any, labels: dict[str, str], language: str) -> ConditionWords:
    """``condition`` (a rule's ``when``, as the API gives it) in words."""
    if not isinstance(condition, dict):
        return ConditionWords(str(condition))
    for group, key in _GROUPS.items():
        if group in condition:
            inner = condition[group]
            parts = inner if isinstance(inner, list) else [inner]
            return ConditionWords(
                text(key, language), [describe(p, labels, language) for p in parts]
            )
    name = str(condition.get("field", ""))
    op = str(condition.get("op", ""))
    subject = labels.get(name, name)
    if condition.get("other_field"):
        other = str(condition["other_field"])
        return ConditionWords(test_words(subject, op, labels.get(other, other), language))
    if op in ("is_null", "not_null"):
        return ConditionWords(test_words(subject, op, "", language))
    value = _value(condition.get("value"), language)
    return ConditionWords(test_words(subject, op, value, language))


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def test_at(rule: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The test (``{field, op, value}``) that ``path`` (``when.all[0].value``) is part of, in
    ``rule``; None if the path is not inside a test."""
    node: Any = rule
    found: dict[str, Any] | None = None
    for name, index in _STEP.findall(path):
        if isinstance(node, dict) and name in node:
            node = node[name]
        elif isinstance(node, list) and index and int(index) < len(node):
            node = node[int(index)]
        else:
            return None
        if isinstance(node, dict) and "field" in node and "op" in node:
            found = node
    return found
