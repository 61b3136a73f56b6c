"""The JSON Schema shipped for editors is current and accepts exactly what the loader accepts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from ruamel.yaml import YAML

from engine import default_rules_dir
from engine.loader import CATALOGUE_FILE, MANIFEST_FILE
from engine.schema import BASE_SCHEMA_PATH, SCHEMA_PATH, render_base_schema, render_rule_file_schema

RULE_FILES = sorted(
    p for p in default_rules_dir().glob("*.yaml") if p.name not in (MANIFEST_FILE, CATALOGUE_FILE)
)


def _as_json(value: Any) -> Any:
    """YAML data as an editor's schema validator sees it (dates are text in JSON)."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_shipped_schema_is_up_to_date() -> None:
    shipped = (default_rules_dir() / SCHEMA_PATH).read_text(encoding="utf-8")
    assert shipped == render_rule_file_schema(), (
        "rules/schema/rule-file.schema.json is stale: run `python -m engine.schema`"
    )


def test_shipped_base_schema_is_up_to_date() -> None:
    shipped = (default_rules_dir() / BASE_SCHEMA_PATH).read_text(encoding="utf-8")
    assert shipped == render_base_schema(), (
        "rules/schema/base.schema.json is stale: run `python -m engine.schema`"
    )


def _base_schema() -> Any:
    return json.loads((default_rules_dir() / BASE_SCHEMA_PATH).read_text(encoding="utf-8"))


def _default_base() -> Any:
    path = default_rules_dir() / MANIFEST_FILE
    return _as_json(YAML(typ="safe").load(path.read_text(encoding="utf-8")))


def test_the_default_base_validates_against_its_schema_and_points_to_it() -> None:
    jsonschema.validate(_default_base(), _base_schema(), format_checker=jsonschema.FormatChecker())
    first = (default_rules_dir() / MANIFEST_FILE).read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schema/base.schema.json"


@pytest.mark.parametrize(
    "change",
    [
        {"roadmap": {"area_order": ["humanitarian", "legal", "health", "education"]}},
        {"roadmap": {"area_order": ["humanitarian", "legal", "health", "legal", "income"]}},
        {"roadmap": {"area_order": ["humanitarian", "legal", "healht", "education", "income"]}},
        {"referrals": {"first_choice": [{"tag": "hogar_de_paso", "areas": ["humanitarian"]}]}},
    ],
    ids=["area-missing", "area-twice", "area-misspelt", "no-departments-nor-reason"],
)
def test_the_base_schema_refuses_what_the_loader_refuses(change: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(_base_schema())
    assert list(validator.iter_errors({**_default_base(), **change}))
    choice = {"tag": "hogar_de_paso", "areas": ["humanitarian"], "reason": {"es": "x", "en": "y"}}
    for departments in (["55"], ["54", "54"]):
        wrong = {"first_choice": [{**choice, "departments": departments}]}
        assert list(validator.iter_errors({**_default_base(), "referrals": wrong}))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_default_rule_files_validate_against_the_schema(path: Path) -> None:
    schema = json.loads((default_rules_dir() / SCHEMA_PATH).read_text(encoding="utf-8"))
    data = _as_json(YAML(typ="safe").load(path.read_text(encoding="utf-8")))
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())


def test_schema_rejects_an_unknown_field_and_service() -> None:
    schema = json.loads((default_rules_dir() / SCHEMA_PATH).read_text(encoding="utf-8"))
    rule = {
        "id": "X1",
        "title": {"es": "x", "en": "x"},
        "status": "in_force",
        "legal_basis": [],
        "when": {"field": "agee", "op": ">=", "value": 18},
        "recommend": [{"service": "NOPE", "priority": "high"}],
    }
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors({"group": {"es": "g", "en": "g"}, "rules": [rule]}))
    assert errors, "the schema must refuse an unknown profile field and service code"


def test_every_rule_file_points_editors_to_the_schema() -> None:
    for path in RULE_FILES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=schema/rule-file.schema.json", path.name


def test_rule_format_doc_lists_every_profile_field() -> None:
    from engine.fields import profile_fields

    doc = (default_rules_dir().parent / "docs" / "rule-format.md").read_text(encoding="utf-8")
    missing = [name for name in profile_fields() if f"| `{name}` |" not in doc]
    assert not missing, f"docs/rule-format.md lacks the profile fields {missing}"


def test_the_rule_format_docs_example_is_a_valid_rule_file() -> None:
    import re

    from engine import rule_base_from_data
    from engine.yaml_source import read_yaml

    doc = (default_rules_dir().parent / "docs" / "rule-format.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(# yaml-language-server.*?)```", doc, re.S)
    assert example is not None
    folder = default_rules_dir()
    manifest, _ = read_yaml(folder / MANIFEST_FILE, MANIFEST_FILE)
    catalogue, _ = read_yaml(folder / CATALOGUE_FILE, CATALOGUE_FILE)
    data = YAML(typ="rt").load(example.group(1))
    base = rule_base_from_data(manifest, catalogue, {"example.yaml": data})
    assert [r.id for r in base.rules] == ["P16"]
