"""``ruta rules simulate``: a table of who gains or loses each service, and the broken cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from engine import default_rules_dir

runner = CliRunner()
P01 = '{field: years_abroad, op: ">=", value: 3}'


@pytest.fixture
def p01_raised(tmp_path: Path) -> Path:
    """A copy of the shipped rules (cases included) with P01 at 4 years abroad."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    path = folder / "ley-retorno.yaml"
    text = path.read_text(encoding="utf-8")
    assert P01 in text
    path.write_text(text.replace(P01, P01.replace("3}", "4}"), 1), encoding="utf-8")
    return folder


def test_simulate_prints_the_changes_and_the_broken_cases_in_spanish(p01_raised: Path) -> None:
    result = runner.invoke(app, ["rules", "simulate", "--to", str(p01_raised), "--cases"])
    assert result.exit_code == 1, result.output  # protocol cases break
    assert "197 perfiles, 3 con otra hoja de ruta, 0 no válidos" in result.stdout
    assert "LEGAL_RUR_REGISTRATION" in result.stdout and "pierden" in result.stdout
    assert "Inscripción" in result.stdout  # the service's label, under its code
    assert "casos de protocolo fallan con la base propuesta" in result.stdout
    assert "ley-retorno.yaml:7 «P01 applies at exactly 3 years abroad»" in result.stdout
    assert "LEGAL_RUR_REGISTRATION: se esperaba normal, no se recomienda" in result.stdout
    assert "se esperaba que la regla P01 aplicara" in result.stdout


def test_simulate_reads_a_spreadsheet_and_answers_json_in_english(
    p01_raised: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "age,department,municipality,years_abroad,months_since_return,return_kind\n"
        "30,54,54001,3.5,2,voluntary\n"
        "30,11,11001,3.5,2,voluntary,extra\n"
        "7391,11,11001,5,2,voluntary\n"
        "30,11,11001,5,2,voluntary\n",
        encoding="utf-8",
    )
    options = ["--profiles", str(sheet), "--as-of", "2026-11-27", "--json", "--lang", "en"]
    result = runner.invoke(app, ["rules", "simulate", "--to", str(p01_raised), *options])
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["profiles"] == 4 and body["changed"] == 1
    assert body["invalid"] == [
        {"position": 1, "fields": ["(row)"]},
        {"position": 2, "fields": ["age"]},
    ]
    [service] = body["services"]
    assert service["code"] == "LEGAL_RUR_REGISTRATION"
    assert service["by_department"] == {
        "54": {"gained": 0, "lost": 1, "priority_up": 0, "priority_down": 0}
    }
    assert "7391" not in result.output


def test_simulate_of_an_unchanged_base_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    result = runner.invoke(
        app, ["rules", "simulate", "--to", str(folder), "--synthetic", "300", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "300 profiles, 0 with another roadmap, 0 invalid" in result.stdout
    assert "No service changes." in result.stdout
    assert "Every protocol case passes." in result.stdout


def test_simulate_takes_one_population_only(p01_raised: Path) -> None:
    result = runner.invoke(
        app, ["rules", "simulate", "--to", str(p01_raised), "--cases", "--synthetic", "10"]
    )
    assert result.exit_code == 1
    assert "elija una sola población" in result.output


def test_simulate_names_a_faulty_proposed_base(p01_raised: Path) -> None:
    path = p01_raised / "ley-retorno.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("field: age,", "field: agee,", 1),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "simulate", "--to", str(p01_raised), "--cases"])
    assert result.exit_code == 1
    assert "ley-retorno.yaml:" in result.output and "did you mean 'age'?" in result.output
