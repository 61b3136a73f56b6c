"""The ``ruta`` command line: check rules, recommend, show gaps."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import durable_rules_engine
import pytest
from typer.testing import CliRunner

from api import examples
from api.cli import GAP_COLUMNS, app
from engine import Profile, compile_rule_base, default_rules_dir, load_rule_base
from network import Level, load_network

runner = CliRunner()
PROFILE: dict[str, Any] = examples.RECOMMENDATION_REQUEST["profile"]


def test_rules_check_passes_on_the_default_base() -> None:
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0
    assert "32 rules, no problems" in result.output


def test_rules_check_lists_each_problem_and_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    health = folder / "health.yaml"
    health.write_text(
        health.read_text(encoding="utf-8").replace(
            'field: age, op: ">=", value: 60', 'field: agee, op: ">=", value: 60'
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "check", str(folder)])
    assert result.exit_code == 1
    assert "health.yaml:49: rule P16:" in result.output
    assert "did you mean 'age'?" in result.output


def test_recommend_prints_the_roadmap_and_json(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    table = runner.invoke(app, ["recommend", str(profile), "--as-of", "2026-11-27"])
    assert table.exit_code == 0
    assert "Alojamiento temporal" in table.output
    as_json = runner.invoke(app, ["recommend", str(profile), "--json", "--lang", "en"])
    assert json.loads(as_json.output)["services"][1]["label"] == "Temporary shelter"


def test_recommend_lists_the_questions_still_to_ask(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    unasked = {k: v for k, v in PROFILE.items() if k != "has_funds"}
    profile.write_text(json.dumps(unasked), encoding="utf-8")
    spanish = runner.invoke(app, ["recommend", str(profile), "--as-of", "2026-11-27"])
    assert spanish.exit_code == 0
    assert "Preguntas pendientes" in spanish.output
    assert "has_funds (se supone: sí)" in spanish.output
    assert "si es no: Asistencia alimentaria de emergencia — Urgente" in spanish.output
    english = runner.invoke(
        app, ["recommend", str(profile), "--lang", "en", "--as-of", "2026-11-27"]
    )
    assert "Still to ask" in english.output and "Preguntas pendientes" not in english.output
    assert "has_funds (assumed: yes)" in english.output
    assert "if no: Emergency food aid — Urgent" in english.output
    # A raise names the priority now.
    assert "Subsidised health enrolment — High (now Normal)" in english.output
    as_json = runner.invoke(app, ["recommend", str(profile), "--json", "--as-of", "2026-11-27"])
    still = {item["field"]: item for item in json.loads(as_json.output)["open_fields"]}
    assert still["has_funds"]["services"][0]["code"] == "HUM_FOOD_AID"


def test_recommend_says_when_nothing_is_left_to_ask(tmp_path: Path) -> None:
    everything = {
        name: info.default for name, info in Profile.model_fields.items() if not info.is_required()
    }
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({**PROFILE, **everything}), encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(profile), "--lang", "en"])
    assert result.exit_code == 0
    assert "Still to ask: none" in result.output


def test_recommend_names_bad_fields_in_spanish(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({**PROFILE, "age": 7391}), encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(profile)])
    assert result.exit_code == 1
    assert "age" in result.output and "como máximo 120" in result.output
    assert "7391" not in result.output


def test_network_gaps_lists_distant_coverage() -> None:
    result = runner.invoke(app, ["network", "gaps"])
    assert result.exit_code == 0
    assert "97" in result.output  # Vaupés has no local provider


def _gap_rows(*options: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["network", "gaps", "--json", *options])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def test_network_gaps_as_json_name_departments_and_label_services() -> None:
    network = load_network()
    services = load_rule_base().services
    english = _gap_rows("--lang", "en")
    assert english, "the shipped network has distant coverage somewhere"
    for row in english:
        assert list(row) == list(GAP_COLUMNS)
        assert row["level"] in {"national", "neighbour", "nearest", "none"}
        assert row["department_name"] == network.departments[row["department"]].name
        assert row["service_label"] == services[row["service"]].label.en
        assert row["level_label"] == Level[row["level"].upper()].label.en
        institution = network.institutions[row["institution_id"]]
        assert row["institution_name"] == institution.name
        assert row["no_target_reason"] is None
    island = {(r["department"], r["service"]): r for r in english}[("88", "HEALTH_URGENT_CARE")]
    assert island["level"] == "nearest" and island["level_label"] == "nearest department"
    assert island["department_name"].startswith("Archipiélago de San Andrés")
    spanish = _gap_rows()
    assert [(r["department"], r["service"]) for r in spanish] == [
        (r["department"], r["service"]) for r in english
    ]
    for row in spanish:
        assert row["service_label"] == services[row["service"]].label.es
    every = _gap_rows("--all")
    assert len(every) == 33 * len(services)
    assert {r["level"] for r in every} >= {"municipality", "department"}


def test_network_gaps_as_csv_has_the_same_rows() -> None:
    result = runner.invoke(app, ["network", "gaps", "--csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ",".join(GAP_COLUMNS)
    rows = list(csv.DictReader(lines))
    shown = _gap_rows("--lang", "en")
    assert len(rows) == len(shown)
    for row, expected in zip(rows, shown, strict=True):
        assert row == {k: "" if v is None else str(v) for k, v in expected.items()}


def test_network_gaps_takes_json_or_csv_not_both() -> None:
    result = runner.invoke(app, ["network", "gaps", "--json", "--csv"])
    assert result.exit_code == 1
    assert "--json" in result.output and "--csv" in result.output


def test_batch_writes_a_row_per_person(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter\n"
        "34,54,54001,4,0.5,deported,no\n"
        "30,11,11001,1,1,voluntary,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["batch", str(source), str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [r["row"] for r in rows] == ["1", "2"]
    assert rows[0]["HUM_TEMPORARY_SHELTER"] == "Urgente"
    assert rows[1]["HUM_TEMPORARY_SHELTER"] == ""


def test_recommend_speaks_english_when_asked(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(profile), "--lang", "en"])
    assert result.exit_code == 0
    assert "Roadmap" in result.output and "first referral" in result.output
    assert "Urgent" in result.output and "Temporary shelter" in result.output
    spanish = runner.invoke(app, ["recommend", str(profile)])
    assert "primera remisión" in spanish.output and "Urgente" in spanish.output


def test_recommend_refuses_a_language_it_does_not_speak(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(profile), "--lang", "fr"])
    assert result.exit_code == 2 and "fr" in result.output


def test_recommend_says_where_a_file_is_not_json(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text('{"age": 34,\n "department": 54001 54}', encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(profile)])
    assert result.exit_code == 1
    assert "p.json: no es JSON (línea 2" in result.output
    assert "54001" not in result.output


def test_recommend_refuses_a_day_that_is_no_date(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    result = runner.invoke(app, ["recommend", str(profile), "--as-of", "27/11/2026"])
    assert result.exit_code == 1 and "AAAA-MM-DD" in result.output


def test_batch_refuses_a_sheet_that_is_not_utf8(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes("año,department\n34,54\n".encode("latin-1"))
    result = runner.invoke(app, ["batch", str(source), str(target), "--lang", "en"])
    assert result.exit_code == 1
    assert "in.csv: the CSV is not UTF-8 text" in result.output
    assert not target.exists()


def test_batch_names_a_row_with_too_many_cells(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("age,department\n34,54,54001\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source), str(target)])
    assert result.exit_code == 1, result.output
    assert "(row): la fila tiene más celdas" in target.read_text(encoding="utf-8")
    assert "fila 1: (row): la fila tiene más celdas" in result.stderr
    assert "54001" not in target.read_text(encoding="utf-8") + result.output


def test_batch_says_when_the_answer_cannot_be_written(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("age\n34\n", encoding="utf-8")
    target = tmp_path / "missing-folder" / "out.csv"
    result = runner.invoke(app, ["batch", str(source), str(target)])
    assert result.exit_code == 1
    assert "out.csv: no puede escribirse" in result.output


def _failing_start(monkeypatch: pytest.MonkeyPatch, times: int) -> None:
    """durable-rules fails ``times`` times after starting a match in an evaluation, then works
    (the command's engine first probes each of its rulesets: those calls go through)."""
    start = durable_rules_engine.start_action_for_state
    probes = len(compile_rule_base(load_rule_base()).rulesets)
    left = times

    def failing(*args: Any) -> Any:
        nonlocal left, probes
        started = start(*args)
        if probes:
            probes -= 1
        elif left:
            left -= 1
            raise RuntimeError("injected durable-rules failure")
        return started

    monkeypatch.setattr(durable_rules_engine, "start_action_for_state", failing)


def test_batch_asks_again_after_one_engine_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter\n"
        "34,54,54001,4,0.5,deported,no\n",
        encoding="utf-8",
    )
    _failing_start(monkeypatch, 1)
    result = runner.invoke(app, ["batch", str(source), str(target)])
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(target.read_text(encoding="utf-8").splitlines())
    assert row["HUM_TEMPORARY_SHELTER"] == "Urgente"


def test_recommend_says_so_when_the_engine_keeps_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    _failing_start(monkeypatch, 2)
    result = runner.invoke(app, ["recommend", str(profile)])
    assert result.exit_code == 1
    assert "el motor de reglas falló" in result.output
    assert "Alojamiento" not in result.output


def _two_rule_bases(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(default_rules_dir(), old)
    shutil.copytree(default_rules_dir(), new)
    return old, new


def test_rules_diff_prints_one_line_per_change(tmp_path: Path) -> None:
    """P01's years-abroad threshold raised from 3 to 4 (its second test)."""
    old, new = _two_rule_bases(tmp_path)
    ley = new / "ley-retorno.yaml"
    text = ley.read_text(encoding="utf-8")
    threshold = '{field: years_abroad, op: ">=", value: 3}'
    assert text.count(threshold) == 1
    ley.write_text(text.replace(threshold, threshold.replace("3", "4")), encoding="utf-8")
    result = runner.invoke(app, ["rules", "diff", str(old), str(new), "--lang", "en"])
    assert result.exit_code == 0
    assert result.output == "P01 when.all[1].value: 3 → 4\n"
    as_json = runner.invoke(app, ["rules", "diff", str(old), str(new), "--json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert data["rules"]["changed"] == [
        {"id": "P01", "changes": [{"path": "when.all[1].value", "old": 3, "new": 4}]}
    ]
    assert data["from"] != data["to"]


def test_rules_diff_says_when_there_is_no_difference(tmp_path: Path) -> None:
    old, new = _two_rule_bases(tmp_path)
    health = new / "health.yaml"
    health.write_text("# only a comment added\n" + health.read_text(encoding="utf-8"))
    spanish = runner.invoke(app, ["rules", "diff", str(old), str(new)])
    assert (spanish.exit_code, spanish.output) == (0, "sin diferencias\n")
    english = runner.invoke(app, ["rules", "diff", str(old), str(new), "--lang", "en"])
    assert (english.exit_code, english.output) == (0, "no differences\n")


def test_rules_diff_refuses_a_broken_folder(tmp_path: Path) -> None:
    old, new = _two_rule_bases(tmp_path)
    (new / "catalogue.yaml").unlink()
    result = runner.invoke(app, ["rules", "diff", str(old), str(new)])
    assert result.exit_code == 1
    assert "new: the rule base was refused" in result.output
    assert "catalogue.yaml: is missing from the rule base" in result.output
