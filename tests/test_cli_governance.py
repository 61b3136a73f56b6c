"""``ruta users``, ``ruta rules push`` and ``ruta audit verify-trail``: people and tokens,
drafts from files, and the audit trail's check, on the store the settings name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli import app
from engine import default_rules_dir
from store import Store

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh store folder that every command of the test uses (RUTA_DATA_DIR)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("RUTA_DATA_DIR", str(folder))
    return folder


def _store(data: Path) -> Store:
    store = Store(data_dir=data)
    store.upgrade()
    return store


def test_users_add_prints_a_working_token_once(data: Path) -> None:
    result = runner.invoke(app, ["users", "add", "ana", "--role", "policy_author", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert (made["name"], made["role"]) == ("ana", "policy_author")
    store = _store(data)
    person = store.authenticate(made["token"])
    store.close()
    assert person is not None and person.role == "policy_author"
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert made["token"] not in listed.stdout
    [ana] = json.loads(listed.stdout)
    assert ana["tokens"][0]["prefix"] == made["token"][:12] and ana["tokens"][0]["active"]


def test_users_add_refuses_an_unknown_role_in_both_languages(data: Path) -> None:
    result = runner.invoke(app, ["users", "add", "ana", "--role", "boss"])
    assert result.exit_code == 1
    assert "unknown role" in result.output and "rol desconocido" in result.output


def test_users_revoke_stops_the_token(data: Path) -> None:
    token = json.loads(
        runner.invoke(app, ["users", "add", "ana", "--role", "auditor", "--json"]).stdout
    )["token"]
    result = runner.invoke(app, ["users", "revoke", "ana"])
    assert result.exit_code == 0 and "1 token(s) revoked" in result.output
    store = _store(data)
    assert store.authenticate(token) is None
    store.close()


def test_rules_push_makes_a_draft_of_a_folder(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder, ignore=shutil.ignore_patterns("cases"))
    source = folder / "ley-retorno.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            'field: years_abroad, op: ">=", value: 3', 'field: years_abroad, op: ">=", value: 4', 1
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["rules", "push", str(folder), "-m", "P01 to four years", "--author", "ana"]
    )
    assert result.exit_code == 0, result.output
    store = _store(data)
    [draft] = store.rule_bases.drafts()
    rule = draft.documents.rule("P01")
    assert rule is not None
    assert any(t.get("value") == 4 for t in rule["when"]["all"] if isinstance(t, dict))
    assert draft.author == "ana" and draft.documents.manifest["version"] == "2026.11.1"
    assert [e.action for e in store.trail(actor="ana")] == ["draft_created", "draft_pushed"]
    store.close()


def test_rules_push_refuses_a_broken_folder_and_stores_nothing(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder, ignore=shutil.ignore_patterns("cases"))
    (folder / "health.yaml").write_text("rules: [", encoding="utf-8")
    result = runner.invoke(app, ["rules", "push", str(folder), "-m", "x", "--author", "ana"])
    assert result.exit_code == 1 and "health.yaml" in result.output
    store = _store(data)
    assert store.rule_bases.drafts() == []
    store.close()


def test_verify_trail_passes_then_names_the_altered_event(data: Path) -> None:
    for name in ("ana", "luis", "marta"):
        runner.invoke(app, ["users", "add", name, "--role", "auditor"])
    whole = runner.invoke(app, ["audit", "verify-trail", "--json"])
    assert whole.exit_code == 0, whole.output
    assert json.loads(whole.stdout)["ok"] and json.loads(whole.stdout)["events"] == 6
    store = _store(data)
    with store.db.write() as session:
        session.execute(text("UPDATE audit_trail SET subject = 'mallory' WHERE seq = 3"))
    store.close()
    broken = runner.invoke(app, ["audit", "verify-trail"])
    assert broken.exit_code == 1
    assert "event 3" in broken.output and "alterado" in broken.output
