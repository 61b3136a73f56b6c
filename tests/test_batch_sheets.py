"""Spreadsheets as offices save them: separators, decimal commas, Spanish headers, identifier
columns, and what is refused (naming columns and rows, never a cell's content)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from api.errors import InvalidCsvError
from api.sheet_columns import columns_from_data, sheet_columns
from api.sheets import column_letter, profile_from_row, read_sheet, separator_of
from engine import Profile, ProfileError, parse_profile, profile_fields
from strategies import valid_profiles

#: The profile's labels as GET /v1/profile-schema gives them: {field: {"es": …, "en": …}}.
LABELS: dict[str, dict[str, str]] = {
    name: spec["labels"] for name, spec in Profile.model_json_schema()["properties"].items()
}
COLUMNS_FILE = Path(__file__).resolve().parent.parent / "api" / "sheet_columns.yaml"
REQUIRED = "age,department,municipality,years_abroad,months_since_return,return_kind"


def _sheet(text: str) -> Any:
    return read_sheet(text.encode("utf-8"))


def _refusal(text: str) -> InvalidCsvError:
    with pytest.raises(InvalidCsvError) as refused:
        _sheet(text)
    assert refused.value.status_code == 422
    return refused.value


# --- the separator ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        ("age,department,municipality", ","),
        ("age;department;municipality", ";"),
        ("age\tdepartment\tmunicipality", "\t"),
        ("age", ","),  # one column: nothing to tell, a comma
        ("age;department,municipality", ","),  # a tie goes to the comma
        ('"Edad, en años";departamento;municipio', ";"),  # a comma in quotes is no separator
        ("\n\nedad;departamento\n34,5;54", ";"),  # blank lines above the header
    ],
)
def test_the_separator_is_the_one_the_header_uses_most(header: str, separator: str) -> None:
    assert separator_of(header + "\n1,2;3\t4\n") == separator


def test_a_spanish_excel_sheet_reads_like_a_plain_one() -> None:
    """Excel in Spanish: the UTF-8 mark, semicolons, decimal commas, Spanish headers."""
    spanish = (
        "\ufeffEdad;Departamento;Municipio;Años en el exterior;Meses desde el regreso;"
        "Forma de retorno;Tiene dónde dormir\r\n34;54;54001;4,5;0,5;deported;No\r\n"
    )
    plain = f"{REQUIRED},has_shelter\n34,54,54001,4.5,0.5,deported,no\n"
    read = read_sheet(spanish.encode("utf-8"))
    assert read.separator == ";" and read.byte_order_mark
    (row,) = read.rows
    (same,) = _sheet(plain).rows
    assert profile_from_row(row) == profile_from_row(same)
    assert profile_from_row(row)["years_abroad"] == 4.5
    assert profile_from_row(row)["has_shelter"] is False


# --- decimal commas, only where fractions belong -----------------------------------------


@pytest.mark.parametrize(
    ("field", "cell", "read"),
    [
        ("years_abroad", "4,5", 4.5),
        ("months_since_return", "0,25", 0.25),
        ("months_since_return", ",5", 0.5),
        ("years_abroad", "4.5", 4.5),
        ("years_abroad", "1,2,3", "1.2.3"),  # not a number: refused by validation
        ("age", "34,0", "34,0"),  # a whole-number field takes no decimal mark
        ("school_age_children", "2,5", "2,5"),
        ("municipality", "54,001", "54,001"),  # a code is text: never reread as a number
    ],
)
def test_a_decimal_comma_is_read_only_in_fields_that_take_fractions(
    field: str, cell: str, read: Any
) -> None:
    (row,) = _sheet(f'{field};department\n"{cell}";54\n').rows
    assert profile_from_row(row)[field] == read


def test_a_whole_number_with_a_decimal_comma_is_refused_naming_the_field() -> None:
    (row,) = _sheet(f"{REQUIRED.replace(',', ';')}\n34,0;54;54001;4;1;deported\n").rows
    with pytest.raises(ProfileError) as refused:
        parse_profile(profile_from_row(row))
    assert [p.field for p in refused.value.problems] == ["age"]
    assert "34" not in str(refused.value.problems)


# --- headers: names, labels, short headers; identifiers; unknown columns -----------------


@pytest.mark.parametrize(
    "header",
    ["edad", "EDAD", " Edad ", "Edad (años cumplidos)", "edad (anos cumplidos)", "Age", "AGE"],
)
def test_a_field_is_named_by_its_name_label_or_short_header(header: str) -> None:
    (row,) = _sheet(f"{header};departamento\n34;54\n").rows
    assert profile_from_row(row) == {"age": 34, "department": "54"}


def test_every_label_of_the_profile_schema_names_its_field() -> None:
    """The oracle is GET /v1/profile-schema's labels, in both languages, as written."""
    columns = sheet_columns()
    for name, labels in LABELS.items():
        for label in (name, labels["es"], labels["en"], labels["es"].split(" (")[0]):
            assert columns.field(label) == name, label
            assert columns.field(label.upper()) == name, label


def test_identifier_columns_come_through_unchanged_and_in_order() -> None:
    sheet = _sheet(
        f"Caso,{REQUIRED},expediente\n"
        ' A-7 ,34,54,54001,4,1,deported,"2026/113, Cúcuta"\n'
        ",30,11,11001,1,1,voluntary,\n"
    )
    assert sheet.identifier_columns == ("Caso", "expediente")
    assert [row.identifiers for row in sheet.rows] == [(" A-7 ", "2026/113, Cúcuta"), ("", "")]
    assert "Caso" not in profile_from_row(sheet.rows[0])


def test_an_unknown_column_refuses_the_sheet_naming_the_column() -> None:
    refused = _refusal(f"{REQUIRED},notas,agee\n34,54,54001,4,1,deported,x,y\n")
    assert "G (notas)" in refused.message and "G (notas)" in refused.message_es
    assert "H (agee), did you mean age?" in refused.message
    assert "¿quiso decir age?" in refused.message_es


def test_an_unknown_header_that_is_not_field_shaped_is_named_by_its_letter_only() -> None:
    """A sheet without a header: its first person becomes the header, and is not echoed."""
    refused = _refusal("Juana Pérez,34,54001\nLuis Gómez,30,11001\n")
    text = refused.message + refused.message_es
    assert "Juana" not in text and "54001" not in text
    assert "A;" in refused.message and "B;" in refused.message  # columns by letter
    assert "first line must name each column" in refused.message
    assert "primera línea debe nombrar cada columna" in refused.message_es


@pytest.mark.parametrize(
    ("header", "twice"),
    [("age,department,age", "age"), ("edad,department,Age", "age"), ("id,age,ID", "id")],
)
def test_two_columns_giving_one_field_are_refused(header: str, twice: str) -> None:
    refused = _refusal(f"{header}\n34,54,30\n")
    assert twice in refused.message and "dos veces" in refused.message_es
    assert "columns A, C" in refused.message


def test_unnamed_empty_columns_are_ignored_and_data_under_them_is_a_row_error() -> None:
    """Spreadsheets leave empty columns at the right (";;;"): they hold nothing to lose."""
    sheet = _sheet(f"{REQUIRED};;\n".replace(",", ";") + "34;54;54001;4;1;deported;;\n")
    assert profile_from_row(sheet.rows[0])["age"] == 34
    sheet = _sheet(f"{REQUIRED};;\n".replace(",", ";") + "34;54;54001;4;1;deported;;María\n")
    with pytest.raises(ProfileError) as refused:
        profile_from_row(sheet.rows[0])
    assert [p.field for p in refused.value.problems] == ["(column H)"]
    assert "María" not in str(refused.value.problems)


def test_rows_are_numbered_under_the_header_and_empty_rows_skipped() -> None:
    sheet = _sheet(f"{REQUIRED}\n34,54,54001,4,1,deported\n,,,,,\n\n30,11,11001,1,1,voluntary\n")
    assert [row.number for row in sheet.rows] == [1, 4]


def test_a_row_with_more_cells_than_columns_is_an_error_of_its_own_row() -> None:
    sheet = _sheet("age,department\n34,54,54001\n30,11,\n")
    with pytest.raises(ProfileError) as refused:
        profile_from_row(sheet.rows[0])
    assert [p.field for p in refused.value.problems] == ["(row)"]
    assert profile_from_row(sheet.rows[1]) == {"age": 30, "department": "11"}  # empty extra


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_columns_are_named_as_spreadsheets_name_them(index: int, letter: str) -> None:
    assert column_letter(index) == letter


# --- the policy data -----------------------------------------------------------------------


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(COLUMNS_FILE.read_text(encoding="utf-8"))
    return data


def test_the_shipped_columns_name_real_fields_and_each_header_one_field() -> None:
    data = _shipped()
    assert set(data["headers"]) <= set(profile_fields())
    assert {"id", "caso"} <= set(data["identifier_columns"])
    columns = columns_from_data(data)
    assert columns.is_identifier("ID") and columns.is_identifier("Número de caso")
    assert columns.field("departamento") == "department" and columns.field("edad") == "age"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["headers"].update(age=["edad", "tipo de retorno"]), "tipo de retorno"),
        (lambda d: d["headers"].update(agee=["x"]), "agee"),
        (lambda d: d["identifier_columns"].append("Edad"), "edad"),
    ],
)
def test_columns_data_giving_one_header_two_meanings_is_refused(change: Any, named: str) -> None:
    data = _shipped()
    change(data)
    with pytest.raises(ValueError, match=named):
        columns_from_data(data)


# --- any profile, written as a Spanish-locale spreadsheet, reads back the same -----------

#: How a sheet is saved: (separator, decimal mark, yes, no).
DIALECTS = [
    (";", ",", "sí", "no"),  # Excel in Spanish
    (";", ",", "VERDADERO", "FALSO"),
    ("\t", ",", "Sí", "No"),
    (",", ".", "true", "false"),  # Ruta's own
]


def _without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _header(draw: st.DrawFn, name: str) -> str:
    """A header an office might write for ``name``: the schema's name or a label, in any case,
    with or without accents."""
    labels = LABELS[name]
    written = draw(st.sampled_from([name, labels["es"], labels["en"], labels["es"].split(" (")[0]]))
    ways: list[Callable[[str], str]] = [str, str.upper, str.lower, _without_accents]
    case = draw(st.sampled_from(ways))
    return str(case(written))


def _cell(value: Any, decimal: str, yes: str, no: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f").replace(".", decimal)
    return str(value)


def _as_a_spreadsheet_holds_it(profile: dict[str, Any]) -> dict[str, Any]:
    """Numbers as a spreadsheet keeps them: up to 15 significant digits, 12 decimals."""
    return {
        name: float(f"{round(value, 12):.15g}") if isinstance(value, float) else value
        for name, value in profile.items()
    }


@st.composite
def spreadsheets(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]], list[str], str]:
    people = draw(
        st.lists(valid_profiles().map(_as_a_spreadsheet_holds_it), min_size=1, max_size=3)
    )
    separator, decimal, yes, no = draw(st.sampled_from(DIALECTS))
    names = draw(st.permutations(sorted({n for person in people for n in person})))
    ending = draw(st.sampled_from(["\r\n", "\n"]))
    # Python's writer quotes a cell holding a line break only if it is in its line ending; a
    # UTF-8 file holds any character but a lone surrogate.
    cell = st.characters(codec="utf-8", exclude_characters="\r" if ending == "\n" else "")
    text = st.text(cell, max_size=8)
    cases = draw(st.lists(text, min_size=len(people), max_size=len(people)))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator=ending)
    writer.writerow(["caso", *(_header(draw, name) for name in names)])
    for case, person in zip(cases, people, strict=True):
        writer.writerow([case, *(_cell(person.get(n), decimal, yes, no) for n in names)])
    mark = draw(st.sampled_from(["", "\ufeff"]))
    return (mark + out.getvalue()).encode("utf-8"), people, cases, separator


@given(spreadsheets())
def test_any_profile_written_as_a_spreadsheet_reads_back_the_same(
    sheet: tuple[bytes, list[dict[str, Any]], list[str], str],
) -> None:
    data, people, cases, separator = sheet
    read = read_sheet(data)
    assert read.separator == separator
    assert read.identifier_columns == ("caso",)
    assert [row.identifiers for row in read.rows] == [(case,) for case in cases]
    back = [parse_profile(profile_from_row(row)) for row in read.rows]
    assert back == [parse_profile(person) for person in people]
