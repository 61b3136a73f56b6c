"""What Ruta does when it starts, and the settings every command shares with the server: a
bad rule edit never takes the service down, and ``ruta`` commands use the same store and rule
files as the server they sit beside."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import examples
from api.cli import app as cli
from api.main import create_app
from api.settings import Settings
from api.startup import StartupError, open_store, prepare
from engine import RuleBaseDocuments, default_rules_dir
from tokens import authorise

runner = CliRunner()
PROFILE: dict[str, Any] = examples.RECOMMENDATION_REQUEST["profile"]


def _rules(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the default rule files with one text replaced."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder, ignore=shutil.ignore_patterns("cases"))
    source = folder / "ley-retorno.yaml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_a_typo_in_the_rule_files_does_not_stop_the_service(tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = Settings(data_dir=data)
    store = open_store(good)
    seeded = prepare(good, store, bootstrap=False).seeded
    store.close()
    broken = _rules(tmp_path, "field: age,", "field: agee,")
    settings = Settings(data_dir=data, rules_dir=broken)
    store = open_store(settings)
    report = prepare(settings, store, bootstrap=False)
    store.close()
    assert report.refused and "ley-retorno.yaml:" in report.refused[0]
    assert "agee" in report.refused[0]
    with TestClient(create_app(settings)) as client:
        authorise(client)
        answer = client.post("/v1/recommendations", json={"profile": PROFILE})
    assert answer.status_code == 200 and answer.json()["rule_base"]["hash"] == seeded


def test_an_empty_store_with_broken_rule_files_cannot_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", rules_dir=_rules(tmp_path, "age,", "agee,"))
    store = open_store(settings)
    with pytest.raises(StartupError, match="no published version") as refused:
        prepare(settings, store)
    store.close()
    assert "ley-retorno.yaml:" in refused.value.message and refused.value.message_es


def test_rule_files_differing_from_the_published_version_stay_out_of_service(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    store = open_store(Settings(data_dir=data))
    seeded = prepare(Settings(data_dir=data), store, bootstrap=False).seeded
    changed = _rules(
        tmp_path,
        'field: years_abroad, op: ">=", value: 3',
        'field: years_abroad, op: ">=", value: 4',
    )
    report = prepare(Settings(data_dir=data, rules_dir=changed), store, bootstrap=False)
    assert report.differs == RuleBaseDocuments.from_directory(changed).to_rule_base().hash
    assert store.rule_bases.published()[1] == seeded
    store.close()


def test_the_command_line_uses_the_servers_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RUTA_RULES_DIR seeds the store the command opens, as it would the server's: here a
    rule base where P01 needs 40 years abroad, so the person gets no RUR registration."""
    strict = _rules(
        tmp_path,
        'field: years_abroad, op: ">=", value: 3',
        'field: years_abroad, op: ">=", value: 40',
    )
    monkeypatch.setenv("RUTA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RUTA_RULES_DIR", str(strict))
    profile = tmp_path / "person.json"
    profile.write_text(json.dumps(PROFILE), encoding="utf-8")
    result = runner.invoke(cli, ["recommend", str(profile), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (
        answer["rule_base"]["hash"] == RuleBaseDocuments.from_directory(strict).to_rule_base().hash
    )
    assert "LEGAL_RUR_REGISTRATION" not in [s["code"] for s in answer["services"]]
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "age,department,municipality,years_abroad,months_since_return,return_kind\n"
        "34,54,54001,4,0.5,deported\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["batch", str(sheet), str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    header, row = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert row.split(",")[header.split(",").index("LEGAL_RUR_REGISTRATION")] == ""


def test_serve_refuses_an_unreachable_database_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUTA_DATABASE_URL", "postgresql://ruta:s3cret@127.0.0.1:1/ruta")
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "cannot be reached" in result.output and "no puede iniciar" in result.output
    assert "Traceback" not in result.output and "s3cret" not in result.output
