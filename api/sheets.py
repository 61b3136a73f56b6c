"""An office's spreadsheet read as people, saved the way offices save them.

- **Text**: UTF-8, with or without the mark Excel puts first ("CSV UTF-8"); anything else is
  refused with what to do.
- **Separator**: comma, semicolon (Excel in Spanish) or tab: the one the header line uses most
  (a tie goes to the first of these).
- **Header**: each column is a profile field, named as the field, by its label in Spanish or
  English, or by a short header; or an identifier column (``id``, ``caso``…) carried through to
  the answer unchanged; or a column without a name whose cells are empty (as spreadsheets
  leave at the right). Any other column refuses the whole sheet, naming it: a misspelt field
  would otherwise give every person the field's default. ``sheet_columns.yaml`` lists the
  headers (:mod:`api.sheet_columns`).
- **Cells**: an empty cell takes the field's default; yes/no in either language; numbers with
  the digits 0-9, and a decimal point or a decimal comma in the fields that take fractions
  (``0,5`` as Excel in Spanish writes it; whole-number fields take neither).
- **Rows**: numbered from 1 under the header, every row counted, so row *n* is the
  spreadsheet's row *n + 1*; a row with every cell empty is skipped.

A message about a sheet names lines, rows, columns and fields, never what a cell holds.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from engine import FieldKind, FieldProblem, ProfileError, profile_fields
from engine.messages import looks_like_a_field_name
from texts import both

from .errors import InvalidCsvError
from .sheet_columns import SheetColumns, normalised_header, sheet_columns

__all__ = [
    "SEPARATORS",
    "Sheet",
    "SheetRow",
    "column_letter",
    "profile_from_row",
    "read_sheet",
    "separator_of",
]

#: The separators a sheet may use, in the order a tie is settled.
SEPARATORS = (",", ";", "\t")

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})")

_TRUE = {"true", "1", "yes", "si", "sí", "verdadero"}
_FALSE = {"false", "0", "no", "falso"}


@dataclass(frozen=True)
class SheetRow:
    """One person's row: the cells of profile fields, by field, and the identifier cells."""

    #: 1 for the first row under the header: the answer's ``row`` column.
    number: int
    cells: Mapping[str, str]
    #: The cells of the identifier columns, in the sheet's order, as written.
    identifiers: tuple[str, ...]
    #: What is wrong with the row as a row (more cells than columns, data under no column).
    problems: tuple[FieldProblem, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """A spreadsheet read: its separator, its identifier columns and its people's rows."""

    separator: str
    #: The headers of the identifier columns, as written, in the sheet's order.
    identifier_columns: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    #: Whether the text began with the UTF-8 mark (Excel's "CSV UTF-8" writes it), so that an
    #: answer written as a file can carry it too and open in the same program.
    byte_order_mark: bool = False


def read_sheet(data: bytes, columns: SheetColumns | None = None) -> Sheet:
    """The rows of a spreadsheet saved as CSV, each keyed by profile field.

    Raises :class:`InvalidCsvError` (naming the line or the columns, never a cell) when the
    bytes are not UTF-8 text, the quoting is broken, or the header names a column twice or a
    column Ruta does not know; nothing is evaluated from such a sheet.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidCsvError(*both("problem.csv_encoding")) from None
    mark = data.startswith(codecs.BOM_UTF8)
    separator = separator_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        records = list(reader)
    except csv.Error:
        line = max(reader.line_num, 1)  # the line being read when the reader gave up
        raise InvalidCsvError(*both("batch.csv_unreadable", line=line)) from None
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)  # blank lines above the header
    if not records:
        return Sheet(separator, (), (), mark)
    header, *body = records
    layout = _layout(header, columns or sheet_columns())
    rows = []
    for number, record in enumerate(body, start=1):
        if any(cell.strip() for cell in record):
            rows.append(layout.row(number, record))
    return Sheet(separator, layout.identifier_headers, tuple(rows), mark)


def separator_of(text: str) -> str:
    """The separator of :data:`SEPARATORS` that the header line uses most outside quotes (a tie
    goes to the first); a comma for a header of one column."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = started = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            if started:
                break
        elif not quoted:
            started = True
            if char in counts:
                counts[char] += 1
    return max(SEPARATORS, key=lambda separator: counts[separator])


def column_letter(index: int) -> str:
    """A column as spreadsheets name it: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class _Layout:
    """What each column of the header holds."""

    width: int
    #: Column index → the profile field it gives.
    fields: Mapping[int, str]
    #: Indexes of the identifier columns, and their headers as written.
    identifiers: tuple[int, ...]
    identifier_headers: tuple[str, ...]
    #: Indexes of the columns without a name.
    unnamed: tuple[int, ...]

    def row(self, number: int, record: Sequence[str]) -> SheetRow:
        cells = {name: record[i] for i, name in self.fields.items() if i < len(record)}
        identifiers = tuple(record[i] if i < len(record) else "" for i in self.identifiers)
        problems = []
        if any(cell.strip() for cell in record[self.width :]):
            problems.append(FieldProblem("(row)", *both("batch.row_too_long")))
        for i in self.unnamed:
            if i < len(record) and record[i].strip():
                problems.append(
                    FieldProblem(f"(column {column_letter(i)})", *both("batch.unnamed_column"))
                )
        return SheetRow(number, cells, identifiers, tuple(problems))


def _layout(header: Sequence[str], columns: SheetColumns) -> _Layout:
    """What each column holds; refuses a header naming a column twice or an unknown one."""
    fields: dict[int, str] = {}
    identifiers: list[int] = []
    unnamed: list[int] = []
    unknown: list[int] = []
    for i, title in enumerate(header):
        name = columns.field(title)
        if name is not None:
            fields[i] = name
        elif columns.is_identifier(title):
            identifiers.append(i)
        elif not title.strip():
            unnamed.append(i)
        else:
            unknown.append(i)
    _refuse_repeats(header, fields, identifiers)
    if unknown:
        _refuse_unknown(header, unknown, columns)
    return _Layout(
        len(header),
        fields,
        tuple(identifiers),
        tuple(header[i] for i in identifiers),
        tuple(unnamed),
    )


def _refuse_repeats(
    header: Sequence[str], fields: Mapping[int, str], identifiers: list[int]
) -> None:
    """Two columns giving one field (``age`` and ``edad``), or one identifier header twice:
    one of the two values would be silently lost."""
    by_field: dict[str, list[int]] = {}
    for i, name in fields.items():
        by_field.setdefault(name, []).append(i)
    by_identifier: dict[str, list[int]] = {}
    for i in identifiers:
        by_identifier.setdefault(normalised_header(header[i]), []).append(i)
    repeated = [(name, places) for name, places in by_field.items() if len(places) > 1]
    repeated += [
        (header[places[0]] if looks_like_a_field_name(header[places[0]]) else "(?)", places)
        for places in by_identifier.values()
        if len(places) > 1
    ]
    if not repeated:
        return
    name, places = repeated[0]
    where = ", ".join(column_letter(i) for i in places)
    raise InvalidCsvError(*both("batch.column_twice", name=name, columns=where))


def _refuse_unknown(header: Sequence[str], unknown: list[int], columns: SheetColumns) -> None:
    """A column that is neither a profile field nor an identifier, named by its letter (and
    its header when shaped like a field name), with the field it may have meant."""
    named_en, named_es = [], []
    for i in unknown:
        title = header[i].strip()
        column = column_letter(i) + (f" ({title})" if looks_like_a_field_name(title) else "")
        close = get_close_matches(normalised_header(title), list(columns.fields), n=1)
        if close:
            en, es = both(
                "batch.unknown_column_hint", column=column, field=columns.fields[close[0]]
            )
        else:
            en = es = column
        named_en.append(en)
        named_es.append(es)
    examples = ", ".join(columns.identifier_examples[:3])
    # Each language lists the columns with its own hints.
    english, _ = both("batch.unknown_columns", columns="; ".join(named_en), examples=examples)
    _, spanish = both("batch.unknown_columns", columns="; ".join(named_es), examples=examples)
    raise InvalidCsvError(english, spanish)


def profile_from_row(row: SheetRow) -> dict[str, Any]:
    """A row as a profile: text turned into numbers and yes/no; empty cells left out (the
    field's default applies). Raises :class:`ProfileError` for a row that cannot be read."""
    if row.problems:
        raise ProfileError(list(row.problems))
    fields = profile_fields()
    profile: dict[str, Any] = {}
    for name, text in row.cells.items():
        value = text.strip()
        if not value:
            continue
        kind = fields[name].kind
        if kind is FieldKind.BOOLEAN:
            lowered = value.lower()
            profile[name] = True if lowered in _TRUE else False if lowered in _FALSE else value
        elif kind is FieldKind.INTEGER:
            profile[name] = _number(value, int)
        elif kind is FieldKind.NUMBER:
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
