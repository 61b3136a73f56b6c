"""Batch recommendations: many profiles in one request, as JSON or as a CSV spreadsheet.

CSV columns are named as the profile's fields; an empty cell takes the field's default. The CSV
answer has one row per person, with a column per service of the catalogue (named by its code)
holding its priority in the reader's language (Urgente / Alta / Normal, or Urgent / High /
Normal), plus the rule base version and any error (which names fields, never values).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from engine import FieldProblem, ProfileError, RuleEngine
from engine.fields import FieldKind, profile_fields
from engine.messages import looks_like_a_field_name
from engine.vocabulary import PRIORITY_LABELS, Priority

from .errors import InvalidCsvError

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})")

_TRUE = {"true", "1", "yes", "si", "sí", "verdadero"}
_FALSE = {"false", "0", "no", "falso"}


def profile_from_row(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as a profile: text turned into numbers and yes/no; empty cells left out."""
    fields = profile_fields()
    profile: dict[str, Any] = {}
    if None in row:
        raise ProfileError(
            [
                FieldProblem(
                    "(row)",
                    "the row has more cells than the header has columns",
                    "la fila tiene más celdas que columnas el encabezado",
                )
            ]
        )
    for name, text in row.items():
        value = (text or "").strip()
        if not value:
            continue
        spec = fields.get(name)
        if spec is None:
            profile[name] = value  # refused by validation, named in the error
        elif spec.kind is FieldKind.BOOLEAN:
            lowered = value.lower()
            profile[name] = True if lowered in _TRUE else False if lowered in _FALSE else value
        elif spec.kind is FieldKind.INTEGER:
            profile[name] = _number(value, int)
        elif spec.kind is FieldKind.NUMBER:
            profile[name] = _number(value.replace(",", "."), float)
        else:
            profile[name] = value
    return profile


def _number(text: str, kind: type[int] | type[float]) -> int | float | str:
    """``text`` as a number of ``kind`` when written as one with the digits 0-9 (and a decimal
    point for a number); otherwise left as text, refused by validation naming the field. Python
    alone would also read '²', '٣٤', '3_4' or a thousand digits, or fail on them."""
    written = _WHOLE if kind is int else _DECIMAL
    if not written.fullmatch(text):
        return text
    try:
        return kind(text)
    except ValueError:  # more digits than Python converts
        return text


def batch_header(engine: RuleEngine) -> list[str]:
    """The answer's columns: row number, rule base version, one per service, errors."""
    codes = [s.code for s in engine.rule_base.catalogue.services]
    return ["row", "rule_base_version", *codes, "errors"]


def batch_row(engine: RuleEngine, number: int, row: dict[str, str], lang: str) -> list[str]:
    """One person's answer: the priority of each recommended service, or what is invalid."""
    codes = [s.code for s in engine.rule_base.catalogue.services]
    try:
        priorities = engine.evaluate(profile_from_row(row)).priorities()
    except ProfileError as error:
        problems = "; ".join(
            f"{p.field}: {p.message_es if lang == 'es' else p.message}" for p in error.problems
        )
        return [str(number), engine.version, *([""] * len(codes)), problems]
    shown = {code: PRIORITY_LABELS[Priority(p)][lang] for code, p in priorities.items()}
    return [str(number), engine.version, *(shown.get(c, "") for c in codes), ""]


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV upload, each keyed by the header's column names.

    Raises :class:`InvalidCsvError` (naming the line, never its content) when the bytes are not
    UTF-8 text or the quoting is broken; nothing is evaluated from such a file.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidCsvError(
            "the CSV is not UTF-8 text: save the spreadsheet as 'CSV UTF-8'",
            "el CSV no está en UTF-8: guarde la hoja de cálculo como 'CSV UTF-8'",
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error:
        line = reader.line_num + 1  # the line being read when the reader gave up
        raise InvalidCsvError(
            f"the CSV cannot be read at line {line}: check its quotes, separators and cell sizes",
            f"el CSV no puede leerse en la línea {line}: revise comillas, separadores y tamaño"
            " de las celdas",
        ) from None
    _check_header(reader.fieldnames or [])
    return rows


def _check_header(columns: Sequence[str]) -> None:
    """Refuse a header naming a column twice: one of the two values would be silently lost."""
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        named = ", ".join(c if looks_like_a_field_name(c) else "(?)" for c in repeated)
        raise InvalidCsvError(
            f"the header names a column twice ({named}): keep one",
            f"el encabezado nombra una columna dos veces ({named}): deje una",
        )


def csv_lines(rows: list[list[str]]) -> str:
    """Rows as CSV text."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def answer_rows(
    engine: RuleEngine, rows: list[dict[str, str]], first_number: int, lang: str
) -> str:
    """The CSV answer's lines for ``rows``, numbered from ``first_number``."""
    return csv_lines(
        [batch_row(engine, number, row, lang) for number, row in enumerate(rows, first_number)]
    )
