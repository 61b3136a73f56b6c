"""The answer to a spreadsheet of people: a row per person, a column per service.

Each row holds, first, the office's identifier columns as they came (``id``, ``caso``…), then
the row's number, the rule base version, a column per service of the catalogue holding the
service's priority in the reader's language (Urgente / Alta / Normal, or Urgent / High /
Normal, empty when not recommended), and what is invalid in the row, if anything (fields are
named, values never). Columns are headed by service codes and English names (``codes``, the
default, stable for programs) or by the service labels and column names in the reader's
language (``labels``, for people).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from engine import PRIORITY_LABELS, FieldProblem, Priority, ProfileError, RuleEngine
from texts import text

from .sheets import SheetRow, profile_from_row

__all__ = [
    "HeaderStyle",
    "PersonAnswer",
    "answer_cells",
    "answer_header",
    "answer_lines",
    "answer_person",
    "csv_lines",
]


class HeaderStyle(StrEnum):
    """How the answer's columns are headed."""

    #: ``row``, ``rule_base_version``, service codes, ``errors``: stable, for programs.
    CODES = "codes"
    #: The same columns named in the reader's language, services by their labels: for people.
    LABELS = "labels"


#: The answer's own columns headed by codes (stable, for programs).
_CODE_COLUMNS: tuple[str, str, str] = ("row", "rule_base_version", "errors")


def _own_columns(lang: str) -> tuple[str, str, str]:
    """The answer's own columns named in ``lang``, for people."""
    return (
        text("batch.column.row", lang),
        text("batch.column.rule_base_version", lang),
        text("batch.column.errors", lang),
    )


@dataclass(frozen=True)
class PersonAnswer:
    """One person's answer: the priority of each service recommended, or what is invalid."""

    row: SheetRow
    priorities: Mapping[str, Priority]
    problems: tuple[FieldProblem, ...] = ()


def answer_person(engine: RuleEngine, row: SheetRow) -> PersonAnswer:
    """Evaluate one row of a spreadsheet."""
    try:
        evaluated = engine.evaluate(profile_from_row(row)).priorities()
    except ProfileError as error:
        return PersonAnswer(row, {}, tuple(error.problems))
    return PersonAnswer(row, {code: Priority(p) for code, p in evaluated.items()})


def answer_header(
    engine: RuleEngine, identifiers: Iterable[str], lang: str, style: HeaderStyle
) -> list[str]:
    """The answer's columns: the identifier columns as they came, row number, rule base
    version, one per service of the catalogue, errors."""
    services = engine.rule_base.catalogue.services
    if style is HeaderStyle.CODES:
        row, version, errors = _CODE_COLUMNS
        titles = [s.code for s in services]
    else:
        row, version, errors = _own_columns(lang)
        labels = [s.label.get(lang) for s in services]
        twice = {label for label, count in Counter(labels).items() if count > 1}
        # Two services sharing a label would give two columns of one name: add the code.
        titles = [
            f"{label} ({s.code})" if label in twice else label
            for label, s in zip(labels, services, strict=True)
        ]
    return [*identifiers, row, version, *titles, errors]


def answer_cells(engine: RuleEngine, answer: PersonAnswer, lang: str) -> list[str]:
    """One person's row of the answer, in the columns of :func:`answer_header`."""
    codes = [s.code for s in engine.rule_base.catalogue.services]
    shown = {code: PRIORITY_LABELS[p][lang] for code, p in answer.priorities.items()}
    problems = "; ".join(
        f"{p.field}: {p.message_es if lang == 'es' else p.message}" for p in answer.problems
    )
    return [
        *answer.row.identifiers,
        str(answer.row.number),
        engine.version,
        *(shown.get(code, "") for code in codes),
        problems,
    ]


def csv_lines(rows: Iterable[list[str]], separator: str = ",") -> str:
    """Rows as CSV text, cells separated by ``separator`` (the sheet's own)."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows(rows)
    return out.getvalue()


def answer_lines(
    engine: RuleEngine, rows: Iterable[SheetRow], lang: str, separator: str = ","
) -> bytes:
    """The answer's CSV lines for ``rows``, encoded, ready to send."""
    answers = (answer_cells(engine, answer_person(engine, row), lang) for row in rows)
    return csv_lines(answers, separator).encode()
