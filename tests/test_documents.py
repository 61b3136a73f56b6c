"""The rule base as documents: read from a folder, written back, stored as JSON, edited.

What must hold: every way of writing a rule base out (YAML files, JSON, documents of a checked
base) reads back as the same rule base, with the same hash; documents are checked exactly as
the loader checks a folder, with the same problems on the same lines; edits change only what
they name, and problems in edited rules still name file, rule and path.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_broken_rules import BROKEN_CASES, rule_base_folder

from engine import (
    RuleBase,
    RuleBaseDocuments,
    RuleBaseError,
    RuleProblem,
    default_rules_dir,
    load_rule_base,
)
from engine.yaml_source import read_yaml
from strategies import rule_base_documents

#: Random rule bases are slow to draw (~0.1 s each): a quarter of the usual examples.
EXAMPLES = max(10, settings().max_examples // 4)
RULE_ORDER = ["id", "title", "description", "status", "legal_basis", "effective_from", "when"]


@pytest.fixture(scope="module")
def shipped() -> RuleBaseDocuments:
    return RuleBaseDocuments.from_directory(default_rules_dir())


def written(documents: RuleBaseDocuments, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.to_yaml_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def refused(documents: RuleBaseDocuments) -> list[RuleProblem]:
    with pytest.raises(RuleBaseError) as caught:
        documents.to_rule_base()
    return caught.value.problems


# --- the shipped rule base ----------------------------------------------------------------------


def test_the_shipped_folder_as_documents_is_the_shipped_rule_base(
    shipped: RuleBaseDocuments, rule_base: RuleBase
) -> None:
    assert shipped.to_rule_base().hash == rule_base.hash
    assert set(shipped.files) == {p.name for p in default_rules_dir().glob("*.yaml")} - {
        "base.yaml",
        "catalogue.yaml",
    }
    assert shipped.rule("P30") is not None
    assert shipped.rule_file("P30") == "humanitarian.yaml"
    assert RuleBaseDocuments.from_rule_base(rule_base) == shipped


def test_documents_keep_the_files_lines(shipped: RuleBaseDocuments, rule_base: RuleBase) -> None:
    base = shipped.to_rule_base()
    assert base.sources == rule_base.sources
    assert all(source.line is not None for source in base.sources)


def test_yaml_files_read_like_the_shipped_ones(shipped: RuleBaseDocuments) -> None:
    texts = shipped.to_yaml_files()
    assert list(texts)[:2] == ["base.yaml", "catalogue.yaml"]
    ley = texts["ley-retorno.yaml"]
    assert ley.startswith("group:\n  es: Ley Retorno\n  en: Return Law\nrules:\n  - id: P01\n")
    assert '        - {field: years_abroad, op: ">=", value: 3}\n' in ley
    assert "    effective_from: 2012-07-31\n" in ley
    assert "        priority: normal\n\n  - id: P02\n" in ley
    assert '      departments: ["54", "52"]\n' in texts["humanitarian.yaml"]
    assert (
        '    when: {field: months_since_return, op: "<", value: 1}\n' in texts["humanitarian.yaml"]
    )
    assert 'version: "2026.11"\nedition: 2026-11-01\n' in texts["base.yaml"]
    description = ley.split("description:\n      es: >-\n", 1)[1].splitlines()
    assert description[0].startswith("        Si la persona es mayor de edad")
    assert all(len(line) <= 100 for text in texts.values() for line in text.splitlines())


def test_keys_follow_the_shipped_files_order(shipped: RuleBaseDocuments) -> None:
    stored = json.loads(shipped.to_json(), object_pairs_hook=lambda pairs: pairs)
    files = dict(stored)["files"]
    rule = dict(dict(files)["ley-retorno.yaml"])["rules"][0]
    assert [key for key, _ in rule] == [*RULE_ORDER, "recommend"]
    first = shipped.files["ley-retorno.yaml"]["rules"][0]
    shuffled = {key: first[key] for key in reversed(list(first))}
    edited = shipped.with_rule("P01", shuffled)
    assert edited == shipped
    assert edited.to_json() == shipped.to_json()


def test_yaml_files_load_as_the_same_rule_base(
    shipped: RuleBaseDocuments, rule_base: RuleBase, tmp_path: Path
) -> None:
    folder = written(shipped, tmp_path / "out")
    assert load_rule_base(folder).hash == rule_base.hash
    assert RuleBaseDocuments.from_directory(folder) == shipped


def test_json_round_trip(shipped: RuleBaseDocuments, rule_base: RuleBase) -> None:
    text = shipped.to_json()
    again = RuleBaseDocuments.from_json(text)
    assert again == shipped
    assert again.to_json() == text
    assert again.to_rule_base().hash == rule_base.hash
    assert again.lines == {}


# --- any rule base ------------------------------------------------------------------------------


def read_back(texts: dict[str, str], folder: Path) -> dict[str, Any]:
    """Each YAML text written to ``folder`` and read back as Ruta reads rule files, as plain
    data (JSON types)."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = {}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        data, problem = read_yaml(folder / name, name)
        assert problem is None, problem
        documents[name] = json.loads(json.dumps(data))
    return documents


@settings(max_examples=EXAMPLES)
@given(documents=rule_base_documents())
def test_every_way_of_writing_a_rule_base_reads_back_the_same(
    documents: RuleBaseDocuments, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Documents of a checked base, JSON and YAML files all give the same rule base. (The
    manifest and catalogue here are the default ones, written and read back by the tests above;
    only the rule files are written, to keep this test fast.)"""
    base = documents.to_rule_base()
    assert RuleBaseDocuments.from_rule_base(base) == documents
    assert RuleBaseDocuments.from_rule_base(base).to_rule_base().hash == base.hash
    assert RuleBaseDocuments.from_json(documents.to_json()).to_rule_base().hash == base.hash
    rule_files = RuleBaseDocuments({}, {}, documents.files).to_yaml_files()
    del rule_files["base.yaml"], rule_files["catalogue.yaml"]
    files = read_back(rule_files, tmp_path_factory.mktemp("yaml"))
    assert files == documents.files
    again = RuleBaseDocuments(documents.manifest, documents.catalogue, files).to_rule_base()
    assert again.hash == base.hash
    assert [s.file for s in again.sources] == [s.file for s in base.sources]


_TEXTS = st.text(min_size=1, max_size=300).filter(lambda t: t.strip() != "")


@given(
    text=_TEXTS,
    other=st.lists(st.sampled_from(["alpha", "beta", "tres", "4", "5.0", "true", "#"]), min_size=1),
)
def test_any_text_survives_yaml(
    shipped: RuleBaseDocuments,
    text: str,
    other: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Titles and descriptions of any length and characters, and values that look like numbers
    or yes/no, read back as the same text."""
    rule = shipped.rule("P01")
    assert rule is not None
    rule["title"]["es"] = text
    rule["description"]["en"] = " ".join([text, *other]) * 3
    rule["legal_basis"][0]["article"] = other[0]
    document = {"group": {"es": text, "en": "G"}, "rules": [rule]}
    texts = RuleBaseDocuments({}, {}, {"t.yaml": document}).to_yaml_files()
    assert read_back(texts, tmp_path_factory.mktemp("text")) == {
        "base.yaml": {},
        "catalogue.yaml": {},
        "t.yaml": document,
    }


def test_the_hash_covers_the_file_each_rule_is_in(shipped: RuleBaseDocuments) -> None:
    rule = shipped.rule("P05")
    assert rule is not None
    moved = shipped.with_rule("P05", rule, file="income.yaml")
    assert moved.rule_file("P05") == "income.yaml"
    before, after = shipped.to_rule_base(), moved.to_rule_base()
    assert before.rules_by_id == after.rules_by_id
    assert before.hash != after.hash
    assert moved.to_yaml_files() != shipped.to_yaml_files()


def test_the_hash_ignores_lines_and_comments(rule_base: RuleBase, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    health = folder / "health.yaml"
    health.write_text("# a comment\n\n\n" + health.read_text(encoding="utf-8"), encoding="utf-8")
    moved = load_rule_base(folder)
    assert moved.source_of("P15") != rule_base.source_of("P15")
    assert moved.hash == rule_base.hash


def test_the_hash_covers_each_files_group_title(shipped: RuleBaseDocuments) -> None:
    health = shipped.files["health.yaml"]
    retitled = RuleBaseDocuments(
        shipped.manifest,
        shipped.catalogue,
        {**shipped.files, "health.yaml": {**health, "group": {"es": "Salud", "en": "Care"}}},
    )
    assert retitled.to_rule_base().hash != shipped.to_rule_base().hash


# --- problems -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", BROKEN_CASES, ids=[c.name for c in BROKEN_CASES])
def test_documents_report_the_loaders_problems_on_the_same_lines(case: Any, tmp_path: Path) -> None:
    folder = rule_base_folder(tmp_path, *case.files)
    with pytest.raises(RuleBaseError) as by_loader:
        load_rule_base(folder)
    with pytest.raises(RuleBaseError) as by_documents:
        RuleBaseDocuments.from_directory(folder).to_rule_base()
    assert by_documents.value.problems == by_loader.value.problems


def test_a_replaced_rules_problems_are_at_its_line(shipped: RuleBaseDocuments) -> None:
    line = shipped.to_rule_base().source_of("P16")
    assert line is not None
    rule = shipped.rule("P16")
    assert rule is not None
    rule["when"]["all"][1]["any"][0]["field"] = "agee"
    (problem,) = refused(shipped.with_rule("P16", rule))
    assert (problem.file, problem.line, problem.rule_id) == ("health.yaml", line.line, "P16")
    assert problem.path == "when.all[1].any[0].field"
    assert "did you mean 'age'?" in problem.message


def test_lines_of_other_rules_stay_right_after_a_removal(shipped: RuleBaseDocuments) -> None:
    """Removing P15 moves P17 up one place in health.yaml; its problems keep P17's lines."""
    text = (default_rules_dir() / "health.yaml").read_text(encoding="utf-8").splitlines()
    service_line = next(
        n for n, line in enumerate(text, 1) if "service: HEALTH_URGENT_CARE" in line
    )
    bad = shipped.files["health.yaml"]["rules"]
    index = next(i for i, r in enumerate(bad) if r["id"] == "P17")
    assert bad[index]["recommend"][0]["service"] == "HEALTH_URGENT_CARE"
    broken = json.loads(
        json.dumps(shipped.files["health.yaml"]).replace("HEALTH_URGENT_CARE", "HEALTH_URGENT")
    )
    edited = RuleBaseDocuments(
        shipped.manifest,
        shipped.catalogue,
        {**shipped.files, "health.yaml": broken},
        shipped.lines,
    ).without_rule("P15")
    problems = [p for p in refused(edited) if p.rule_id == "P17"]
    assert [(p.file, p.line, p.path) for p in problems] == [
        ("health.yaml", service_line, "recommend[0].service")
    ]


def test_an_added_rules_problems_name_file_rule_and_path_without_a_line(
    shipped: RuleBaseDocuments,
) -> None:
    rule = shipped.rule("P29")
    assert rule is not None
    rule["recommend"][0]["priority"] = "very high"
    (problem,) = refused(shipped.with_rule("P99", {**rule, "id": "P99"}))
    assert (problem.file, problem.line, problem.rule_id) == ("added.yaml", None, "P99")
    assert problem.path == "recommend[0].priority"
    assert str(problem).startswith("added.yaml: rule P99: recommend[0].priority: ")


def test_problems_of_json_documents_name_file_rule_and_path(shipped: RuleBaseDocuments) -> None:
    stored = json.loads(shipped.to_json())
    stored["files"]["ley-retorno.yaml"]["rules"][0]["when"]["all"][0]["field"] = "agee"
    (problem,) = refused(RuleBaseDocuments.from_json(json.dumps(stored)))
    assert (problem.file, problem.line, problem.rule_id, problem.path) == (
        "ley-retorno.yaml",
        None,
        "P01",
        "when.all[0].field",
    )
    assert "unknown profile field 'agee'" in problem.message
    assert str(problem).startswith("ley-retorno.yaml: rule P01: when.all[0].field: ")


def test_a_duplicate_id_without_lines_names_the_other_file(shipped: RuleBaseDocuments) -> None:
    rule = shipped.rule("P01")
    assert rule is not None
    twice = RuleBaseDocuments(
        shipped.manifest,
        shipped.catalogue,
        {**shipped.files, "zz.yaml": {"group": {"es": "Z", "en": "Z"}, "rules": [rule]}},
        shipped.lines,
    )
    duplicate = [p for p in refused(twice) if p.file == "zz.yaml"]
    line = shipped.lines["ley-retorno.yaml"][("rules", 0)]
    assert line is not None
    assert [p.message for p in duplicate] == [
        f"duplicate rule id; already used at ley-retorno.yaml:{line}"
    ]
    from_json = RuleBaseDocuments.from_json(twice.to_json())
    assert [p.message for p in refused(from_json)] == [
        "duplicate rule id; already used at ley-retorno.yaml"
    ]


def test_yaml_faults_are_refused_when_reading(tmp_path: Path) -> None:
    broken = rule_base_folder(tmp_path / "broken")
    (broken / "a.yaml").write_text("group: [\n", encoding="utf-8")
    with pytest.raises(RuleBaseError) as caught:
        RuleBaseDocuments.from_directory(broken)
    ((file, line, message),) = [(p.file, p.line, p.message) for p in caught.value.problems]
    assert (file, line) == ("a.yaml", 2) and message.startswith("YAML: ")


def test_documents_that_are_not_plain_data_are_refused_when_reading(tmp_path: Path) -> None:
    folder = rule_base_folder(tmp_path / "rules")
    (folder / "b.yaml").write_text("- just a list\n", encoding="utf-8")
    (folder / "c.yaml").write_text(
        "group: {es: C, en: C}\nrules:\n  - id: C1\n    x: .inf\n    1: one\n", encoding="utf-8"
    )
    with pytest.raises(RuleBaseError) as caught:
        RuleBaseDocuments.from_directory(folder)
    found = [(p.file, p.line, p.rule_id, p.path) for p in caught.value.problems]
    assert found == [
        ("b.yaml", 1, None, ""),
        ("c.yaml", 4, "C1", "x"),
        ("c.yaml", 5, "C1", ""),
    ]
    messages = [p.message for p in caught.value.problems]
    assert messages[0].startswith("must be a mapping of keys")
    assert messages[1] == "must be a finite number"
    assert messages[2].startswith("the key 1 is not text")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not valid JSON"),
        ("[]", "exactly the keys manifest, catalogue and files"),
        ('{"manifest": {}, "catalogue": {}}', "exactly the keys"),
        ('{"manifest": {}, "catalogue": {}, "files": []}', "must map file names"),
        ('{"manifest": {"x": NaN}, "catalogue": {}, "files": {}}', "not valid JSON"),
        ('{"manifest": {"x": 1e999}, "catalogue": {}, "files": {}}', "finite number"),
        ('{"manifest": [], "catalogue": {}, "files": {}}', "must be a mapping of keys"),
        ('{"manifest": {}, "catalogue": {}, "files": {"../x.yaml": {}}}', "holds no '/'"),
        ('{"manifest": {}, "catalogue": {}, "files": {"base.yaml": {}}}', "is not base.yaml"),
        ('{"manifest": {}, "catalogue": {}, "files": {"x.yml": {}}}', "ends in '.yaml'"),
    ],
)
def test_bad_json_is_refused_with_the_reason(text: str, words: str) -> None:
    with pytest.raises(RuleBaseError) as caught:
        RuleBaseDocuments.from_json(text)
    assert words in str(caught.value)


# --- edits --------------------------------------------------------------------------------------


def test_an_edit_changes_only_its_rule(shipped: RuleBaseDocuments) -> None:
    rule = shipped.rule("P01")
    assert rule is not None
    rule["when"]["all"][1]["value"] = 4
    edited = shipped.with_rule("P01", rule)
    assert edited.rule("P01") == rule
    assert shipped.rule("P01") != rule, "the original documents are unchanged"
    assert (
        edited.files["ley-retorno.yaml"]["rules"][1:]
        == shipped.files["ley-retorno.yaml"]["rules"][1:]
    )
    assert {n: d for n, d in edited.files.items() if n != "ley-retorno.yaml"} == {
        n: d for n, d in shipped.files.items() if n != "ley-retorno.yaml"
    }
    base = edited.to_rule_base()
    assert [s.file for s in base.sources] == [s.file for s in shipped.to_rule_base().sources]
    assert base.rules_by_id["P01"].when != shipped.to_rule_base().rules_by_id["P01"].when


def test_rule_gives_a_copy(shipped: RuleBaseDocuments) -> None:
    rule = shipped.rule("P01")
    assert rule is not None
    rule["title"]["es"] = "cambiado"
    assert shipped.rule("P01") != rule
    assert shipped.rule("P99") is None
    assert shipped.rule_file("P99") is None


@pytest.mark.parametrize(
    ("rule_id", "file"),
    [("P08.b", "protection.yaml"), ("P01-2027", "ley-retorno.yaml"), ("P33", "added.yaml")],
)
def test_a_new_rule_joins_its_family_or_a_new_file(
    shipped: RuleBaseDocuments, rule_id: str, file: str
) -> None:
    rule = shipped.rule("P32")
    assert rule is not None
    del rule["id"]
    added = shipped.with_rule(rule_id, rule)
    assert added.rule_file(rule_id) == file
    assert added.files[file]["rules"][-1]["id"] == rule_id
    assert added.to_rule_base().rules_by_id[rule_id].title.es == rule["title"]["es"]
    if file == "added.yaml":
        assert added.files[file]["group"] == {"es": "Reglas añadidas", "en": "Added rules"}


def test_a_new_file_takes_the_group_given(shipped: RuleBaseDocuments) -> None:
    rule = shipped.rule("P32")
    assert rule is not None
    group = {"es": "Frontera", "en": "Border"}
    added = shipped.with_rule("P32", rule, file="border.yaml", group=group)
    assert added.files["border.yaml"] == {"group": group, "rules": [rule]}
    assert added.rule_file("P32") == "border.yaml"
    assert "P32" not in {r["id"] for r in added.files["humanitarian.yaml"]["rules"]}


def test_removing_the_last_rule_of_a_file_removes_the_file(shipped: RuleBaseDocuments) -> None:
    fewer = shipped
    for rule in shipped.files["identity.yaml"]["rules"]:
        fewer = fewer.without_rule(rule["id"])
    assert "identity.yaml" not in fewer.files
    assert "identity.yaml" not in fewer.lines
    assert len(fewer.to_rule_base().rules) == len(shipped.to_rule_base().rules) - len(
        shipped.files["identity.yaml"]["rules"]
    )
    with pytest.raises(KeyError):
        shipped.without_rule("P99")


def test_an_edit_cannot_rename_a_rule_or_write_outside_the_folder(
    shipped: RuleBaseDocuments,
) -> None:
    rule = shipped.rule("P01")
    assert rule is not None
    with pytest.raises(RuleBaseError, match="the rule's id is 'P01', not 'P02'"):
        shipped.with_rule("P02", rule)
    for name in ("../escape.yaml", "base.yaml", "notes.txt"):
        with pytest.raises(RuleBaseError, match="a rule file's name"):
            shipped.with_rule("P01", rule, file=name)
    with pytest.raises(RuleBaseError, match="must be a finite number"):
        shipped.with_rule("P01", {**rule, "when": {"field": "age", "op": ">=", "value": 1e999}})


def test_manifest_and_catalogue_are_replaced_whole(shipped: RuleBaseDocuments) -> None:
    newer = shipped.with_manifest({**shipped.manifest, "version": "2026.12"})
    assert newer.to_rule_base().version == "2026.12"
    services = [dict(s) for s in shipped.catalogue["services"]]
    services[0] = {**services[0], "label": {"es": "Salud subsidiada", "en": "Subsidised health"}}
    relabelled = newer.with_catalogue({"services": services})
    base = relabelled.to_rule_base()
    assert base.services["HEALTH_SUBSIDIZED_ENROLLMENT"].label.es == "Salud subsidiada"
    assert base.version == "2026.12"
    assert "catalogue.yaml" not in relabelled.lines and "base.yaml" not in relabelled.lines
    unknown = relabelled.with_catalogue({"services": services[1:]})
    assert any("unknown service code" in p.message for p in refused(unknown))


def test_a_rule_base_travels_to_another_process_whole() -> None:
    """Simulations send rule bases to worker processes: pickled and back, same content."""
    base = load_rule_base()
    again = pickle.loads(pickle.dumps(base))
    assert again.hash == base.hash and dict(again.groups) == dict(base.groups)
    assert isinstance(again.groups, MappingProxyType)
