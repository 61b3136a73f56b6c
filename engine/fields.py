"""What the rule language knows about each profile field: its kind, allowed values and bounds.

Derived from :class:`engine.profile.Profile`, so the rule checker and the profile validator can
never disagree about the vocabulary.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Literal, Union, get_args, get_origin

import annotated_types

from .profile import Profile

__all__ = ["FieldKind", "FieldSpec", "profile_fields"]


class FieldKind(StrEnum):
    """How a field's values compare: which operators fit it."""

    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"  # one of a fixed list of words
    CODE = "code"  # a DIVIPOLA code: digits, compared as text

    @property
    def numeric(self) -> bool:
        return self in (FieldKind.INTEGER, FieldKind.NUMBER)


@dataclass(frozen=True)
class FieldSpec:
    """One profile field as the rule language sees it."""

    name: str
    kind: FieldKind
    nullable: bool
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, lang: str) -> str:
        return dict(self.labels).get(lang, self.name)


@cache
def profile_fields() -> dict[str, FieldSpec]:
    """Every profile field by name, in the order of protocols §1."""
    return {name: _spec(name) for name in Profile.model_fields}


def _spec(name: str) -> FieldSpec:
    info = Profile.model_fields[name]
    annotation = info.annotation
    nullable = False
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(get_args(annotation))
        annotation = members[0]
    minimum = maximum = None
    pattern = None
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            minimum = float(meta.ge)  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Le):
            maximum = float(meta.le)  # type: ignore[arg-type]
        elif hasattr(meta, "pattern") and meta.pattern is not None:
            pattern = str(meta.pattern)
    choices: tuple[str, ...] = ()
    if get_origin(annotation) is Literal:
        kind = FieldKind.CHOICE
        choices = tuple(str(a) for a in get_args(annotation))
    elif annotation is bool:
        kind = FieldKind.BOOLEAN
    elif annotation is int:
        kind = FieldKind.INTEGER
    elif annotation is float:
        kind = FieldKind.NUMBER
    elif annotation is str:
        kind = FieldKind.CODE
    else:  # pragma: no cover - a new field type must be taught to the rule language
        raise TypeError(f"profile field {name!r} has a type the rule language does not know")
    extra = info.json_schema_extra
    labels: tuple[tuple[str, str], ...] = ()
    if isinstance(extra, dict) and isinstance(extra.get("labels"), dict):
        labels = tuple(sorted((str(k), str(v)) for k, v in extra["labels"].items()))  # type: ignore[union-attr]
    return FieldSpec(name, kind, nullable, choices, minimum, maximum, pattern, labels)
