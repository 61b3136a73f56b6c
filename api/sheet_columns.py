"""Which columns an office's spreadsheet may have, and what each means (``sheet_columns.yaml``).

A header names a profile field when, compared without case, accents, spaces or punctuation,
it is the field's name, its label in Spanish or English (GET /v1/profile-schema), that label
without its part in brackets, or one of the short headers the file lists for the field. A
header listed under ``identifier_columns`` names the office's own case number: Ruta does not
read it and carries it unchanged into the answer, so the answer joins back to the office's
records. Which headers are accepted is policy, kept as data in the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from engine import profile_fields

__all__ = ["SheetColumns", "normalised_header", "sheet_columns"]

_FILE = Path(__file__).resolve().parent / "sheet_columns.yaml"
_NOT_A_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_IN_BRACKETS = re.compile(r"\s*\([^)]*\)\s*")


def normalised_header(header: str) -> str:
    """``header`` as compared: lower case, without accents, punctuation or repeated spaces
    ("  Años_en el EXTERIOR " and "años en el exterior" are the same header)."""
    decomposed = unicodedata.normalize("NFKD", header)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_A_LETTER_OR_DIGIT.sub(" ", bare.casefold()).strip()


@dataclass(frozen=True)
class SheetColumns:
    """The headers a spreadsheet may use: for a profile field, and for an identifier."""

    #: Normalised header → the profile field it names.
    fields: Mapping[str, str]
    #: Normalised headers of identifier columns.
    identifiers: frozenset[str]
    #: The identifier headers as written in the file, for messages ("id, caso, …").
    identifier_examples: tuple[str, ...]

    def field(self, header: str) -> str | None:
        """The profile field a column with ``header`` gives, if it names one."""
        return self.fields.get(normalised_header(header))

    def is_identifier(self, header: str) -> bool:
        """Whether a column with ``header`` is the office's identifier, carried through."""
        return normalised_header(header) in self.identifiers


@cache
def sheet_columns() -> SheetColumns:
    """The columns shipped in ``sheet_columns.yaml``; a file naming an unknown field, or giving
    one header to two fields (or to a field and an identifier), is refused when first read."""
    data: Any = YAML(typ="safe").load(_FILE.read_text(encoding="utf-8"))
    return columns_from_data(data)


def columns_from_data(data: Any) -> SheetColumns:
    """:class:`SheetColumns` from the file's content (``identifier_columns``, ``headers``)."""
    specs = profile_fields()
    short: dict[str, list[str]] = {str(k): [str(h) for h in v] for k, v in data["headers"].items()}
    unknown = sorted(set(short) - set(specs))
    if unknown:
        raise ValueError(f"sheet_columns.yaml: headers for unknown profile fields {unknown}")
    fields: dict[str, str] = {}
    for name, header in _field_headers(short):
        key = normalised_header(header)
        if fields.setdefault(key, name) != name:
            raise ValueError(
                f"sheet_columns.yaml: the header {header!r} would name both {fields[key]} and"
                f" {name}"
            )
    examples = tuple(str(h) for h in data["identifier_columns"])
    identifiers = frozenset(normalised_header(h) for h in examples)
    taken = sorted(identifiers & set(fields))
    if taken:
        raise ValueError(f"sheet_columns.yaml: identifier headers that name fields {taken}")
    return SheetColumns(fields, identifiers, examples)


def _field_headers(short: Mapping[str, list[str]]) -> Iterator[tuple[str, str]]:
    """Every header each profile field is known by."""
    for name, spec in profile_fields().items():
        yield name, name
        for _, label in spec.labels:
            yield name, label
            yield name, _IN_BRACKETS.sub(" ", label)
        for header in short.get(name, []):
            yield name, header
