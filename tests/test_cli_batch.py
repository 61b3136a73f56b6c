"""``ruta batch`` as a new user tries it: the answer never overwrites the sheet, bad rows are
told on the terminal and in the exit status, and Spanish Excel sheets are read."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine import PRIORITY_LABELS, Priority, ReferenceEvaluator, load_rule_base

runner = CliRunner()
HEADER = "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter"
PEOPLE = [
    "34,54,54001,4,0.5,deported,no",
    "30,11,11001,1,1,voluntary,",
    "67,76,76001,12,3,expelled,",
]
#: The same people as profiles, for the reference evaluator.
PROFILES = [
    {"age": 34, "department": "54", "municipality": "54001", "years_abroad": 4,
     "months_since_return": 0.5, "return_kind": "deported", "has_shelter": False},
    {"age": 30, "department": "11", "municipality": "11001", "years_abroad": 1,
     "months_since_return": 1, "return_kind": "voluntary"},
    {"age": 67, "department": "76", "municipality": "76001", "years_abroad": 12,
     "months_since_return": 3, "return_kind": "expelled"},
]  # fmt: skip


def _expected(lang: str = "es") -> list[dict[str, str]]:
    """Each person's priorities by service, from the reference evaluator (not Ruta's engine)."""
    reference = ReferenceEvaluator(load_rule_base())
    return [
        {
            s.code: PRIORITY_LABELS[Priority(s.priority)][lang]
            for s in reference.evaluate(profile).services
        }
        for profile in PROFILES
    ]


def _priorities(row: dict[str, str]) -> dict[str, str]:
    own = {"row", "rule_base_version", "errors", "caso", "id"}
    return {code: shown for code, shown in row.items() if code not in own and shown}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


def _sheet(tmp_path: Path) -> Path:
    return _write(tmp_path / "in.csv", "\n".join([HEADER, *PEOPLE]) + "\n")


# --- the answer never overwrites the sheet ----------------------------------------------------


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hard link"])
def test_the_answer_may_not_overwrite_the_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    source = _sheet(tmp_path)
    before = source.read_bytes(), source.stat().st_mtime_ns
    monkeypatch.chdir(tmp_path)
    target: Path
    if how == "same":
        target = source
    elif how == "relative":
        (tmp_path / "sub").mkdir()
        target = Path("sub") / ".." / "in.csv"
    elif how == "symlink":
        target = tmp_path / "link.csv"
        target.symlink_to(source)
    else:
        target = tmp_path / "linked.csv"
        os.link(source, target)
    for lang, said in (
        ("es", "la respuesta sobrescribiría la hoja de cálculo que se lee"),
        ("en", "the answer would overwrite the spreadsheet being read"),
    ):
        result = runner.invoke(app, ["batch", str(source), str(target), "--lang", lang])
        assert result.exit_code == 1, result.output
        assert said in result.stderr
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before


def test_a_symlinked_sheet_may_not_be_answered_onto_its_target(tmp_path: Path) -> None:
    source = _sheet(tmp_path)
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    result = runner.invoke(app, ["batch", str(link), str(source)])
    assert result.exit_code == 1 and "no se escribió nada" in result.stderr
    assert source.read_text(encoding="utf-8").startswith(HEADER)


# --- bad rows: on the terminal and in the exit status ----------------------------------------


def test_bad_rows_are_told_and_the_good_ones_written(tmp_path: Path) -> None:
    rows = [PEOPLE[0], "7391,54,54001,4,0.5,deported,no", PEOPLE[1], "300,11,11001,1,x,voluntary,"]
    source = _write(tmp_path / "in.csv", "\n".join([HEADER, *rows]) + "\n")
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(source), str(target), "--lang", "en"])
    assert result.exit_code == 1
    assert "4 rows written to out.csv" in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0].startswith("2 rows with errors")
    assert lines[1] == "  row 2: age: must be at most 120"
    assert lines[2] == "  row 4: age: must be at most 120; months_since_return: must be a number"
    for value in ("7391", "300", "'x'"):
        assert value not in result.stderr
    answered = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [r["row"] for r in answered] == ["1", "2", "3", "4"]
    expected = _expected("en")
    assert _priorities(answered[0]) == expected[0]
    assert _priorities(answered[2]) == expected[1]
    assert answered[1]["errors"] == "age: must be at most 120"


def test_many_bad_rows_are_counted_past_the_first_twenty(tmp_path: Path) -> None:
    rows = ["200,54,54001,4,1,deported,"] * 25
    source = _write(tmp_path / "in.csv", "\n".join([HEADER, *rows]) + "\n")
    result = runner.invoke(app, ["batch", str(source), str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    told = result.stderr.splitlines()
    assert told[0].startswith("25 filas con errores")
    assert len(told) == 1 + 20 + 1
    assert told[-1] == "  … y 5 filas más: vea la columna de errores de out.csv"


def test_a_clean_sheet_exits_0_and_tells_nothing_on_the_error_stream(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(_sheet(tmp_path)), str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "3 filas escritas en out.csv" in result.stdout


# --- Spanish Excel sheets, identifiers, headers -----------------------------------------------


def test_a_spanish_excel_sheet_is_answered_the_way_it_came(tmp_path: Path) -> None:
    """Semicolons, decimal commas, Spanish headers, a case column and Excel's UTF-8 mark: the
    answer has the same separator and mark, the case column first, and the priorities the
    reference evaluator gives for the same people."""
    header = (
        "Caso;Edad;Departamento;Municipio;Años en el exterior;Meses desde el regreso;"
        "Forma de retorno;Tiene dónde dormir"
    )
    people = [
        "A-1;34;54;54001;4;0,5;deported;No",
        "A-2;30;11;11001;1;1;voluntary;",
        "A-3;67;76;76001;12;3;expelled;",
    ]
    source = _write(tmp_path / "hoja.csv", "\ufeff" + "\r\n".join([header, *people]) + "\r\n")
    target = tmp_path / "respuesta.csv"
    result = runner.invoke(app, ["batch", str(source), str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfCaso;row;rule_base_version;")
    answered = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert [r["Caso"] for r in answered] == ["A-1", "A-2", "A-3"]
    assert [_priorities({k: v for k, v in r.items() if k != "Caso"}) for r in answered] == (
        _expected("es")
    )


def test_an_unknown_column_refuses_the_sheet_and_writes_nothing(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", f"{HEADER},cedula\n{PEOPLE[0]},1093\n")
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(source), str(target), "--lang", "en"])
    assert result.exit_code == 1
    assert "in.csv: the header has columns that are neither" in result.stderr
    assert "H (cedula)" in result.stderr and "1093" not in result.output
    assert not target.exists()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_answer_can_be_headed_by_service_labels(tmp_path: Path, lang: str) -> None:
    source = _write(tmp_path / "in.csv", f"id,{HEADER}\n7,{PEOPLE[0]}\n")
    target = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["batch", str(source), str(target), "--headers", "labels", "--lang", lang]
    )
    assert result.exit_code == 0, result.output
    header, row = csv.reader(target.read_text(encoding="utf-8").splitlines())
    services = load_rule_base().catalogue.services
    own = {
        "es": ("fila", "versión de la base de reglas", "errores"),
        "en": ("row", "rule base version", "errors"),
    }[lang]
    labels = [s.label.es if lang == "es" else s.label.en for s in services]
    assert header == ["id", own[0], own[1], *labels, own[2]]
    shown = {header[i]: cell for i, cell in enumerate(row) if cell and i > 2}
    label_of = {s.code: (s.label.es if lang == "es" else s.label.en) for s in services}
    assert shown == {label_of[code]: p for code, p in _expected(lang)[0].items()}


def test_headers_take_only_codes_or_labels(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["batch", str(_sheet(tmp_path)), str(tmp_path / "o.csv"), "--headers", "names"]
    )
    assert result.exit_code == 2 and "names" in result.output
