"""Rule-base problems in Spanish and English: the two catalogues, and every problem reported.

Policy staff edit rules through the API and ``ruta rules check``; a refused rule base must say
what is wrong in either language. The catalogues (engine/rule_messages.py) are checked as a
whole — every type in both languages, the same placeholders, no English left in the Spanish —
and so is every problem that the broken rule files of ``tests/broken_rules/`` and the other
faults (documents, JSON, case files, folders) cause.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_core.core_schema import ErrorType
from test_broken_rules import (
    BROKEN_CASES,
    GOOD_RULE_FILE,
    BrokenCase,
    refusal,
    rule_base_folder,
    write,
)
from typer.testing import CliRunner

from api.cli import app
from engine import (
    RULE_MESSAGE_CATALOGUES,
    RuleBaseDocuments,
    RuleBaseError,
    RuleMessage,
    RuleProblem,
    default_rules_dir,
    load_rule_base,
    read_cases,
)
from engine.rule_messages import ENGLISH, SPANISH, did_you_mean, placeholders
from engine.rule_model import Test as RuleTest
from texts import catalogue

ENGINE_DIR = Path(__file__).resolve().parent.parent / "engine"

#: Words of the rule format (keys, operators, values) and names, the same in every language.
FORMAT_WORDS = frozenset(
    {
        "all",
        "any",
        "field",
        "not",
        "value",
        "recommend",
        "suppress",
        "regions",
        "departments",
        "municipalities",
        "manifest",
        "catalogue",
        "files",
        "rules",
        "true",
        "false",
        "yaml",
        "json",
        "divipola",
        "ruta",
        "norte",
        "santander",
        "http",
        "https",
    }
)
#: English words that are also everyday Spanish ("use uno de estos": usted form of *usar*;
#: "base de reglas", "fecha real", "dirección web", "carácter de control", "un alias").
SHARED_WORDS = frozenset({"use", "real", "base", "web", "control", "alias"})

#: Placeholders, and quoted names and values: not sentence words in either language.
_NOT_WORDS = re.compile(r"\{[^}]*\}|'[^']*'|\"[^\"]*\"")
#: A token with one of these is a key, a path or a file name: the format's, not a word.
_CODE = re.compile(r"[_./*]")


def _words(text: str) -> set[str]:
    tokens = re.findall(r"[\w./*-]+", _NOT_WORDS.sub(" ", text).lower())
    return {t for t in tokens if not _CODE.search(t)}


def english_words(template: str) -> set[str]:
    """The English words a template writes itself: not its placeholders, not the rule format's
    quoted names, keys and paths, and not words of the format that every language keeps."""
    text = re.sub(r"(\w)'s\b", r"\1", template)  # engine's, rule's
    return {w for w in _words(text) if len(w) >= 3 and w.isalpha()} - FORMAT_WORDS


def leftovers(english_template: str, spanish: str) -> set[str]:
    """The words of ``english_template`` found in ``spanish`` outside quotes: English that was
    not translated."""
    return (english_words(english_template) - SHARED_WORDS) & _words(spanish)


def assert_bilingual(problem: RuleProblem) -> None:
    """``problem`` has a type of the catalogues, and a Spanish message that is a translation."""
    assert problem.type in ENGLISH, f"{problem}: no message type"
    assert problem.message_es, f"{problem}: no Spanish"
    assert problem.message_es != problem.message, f"{problem}: Spanish is the English"
    left = leftovers(ENGLISH[problem.type], problem.message_es)
    assert not left, f"{problem.message_es!r} keeps English words {sorted(left)}"


# --- the catalogues -------------------------------------------------------------------------


def test_every_type_is_in_both_languages_with_the_same_placeholders() -> None:
    assert set(RULE_MESSAGE_CATALOGUES) == {"en", "es"}
    assert set(ENGLISH) == set(SPANISH)
    for kind in ENGLISH:
        assert ENGLISH[kind].strip() and SPANISH[kind].strip(), kind
        assert placeholders(ENGLISH[kind]) == placeholders(SPANISH[kind]), kind


def test_every_template_is_filled_in_both_languages() -> None:
    for kind, template in ENGLISH.items():
        names = placeholders(template)
        message = RuleMessage(kind, {name: f"<{name}>" for name in names})
        for lang in ("en", "es"):
            text = message.render(lang)
            assert all(f"<{name}>" in text for name in names), (kind, lang, text)
            assert not re.search(r"\{[a-z_]+\}", text), (kind, lang, text)


def test_no_spanish_template_keeps_english_words() -> None:
    found = {kind: leftovers(ENGLISH[kind], SPANISH[kind]) for kind in ENGLISH}
    assert {kind: words for kind, words in found.items() if words} == {}


def test_the_english_check_catches_an_untranslated_or_half_translated_sentence() -> None:
    english = ENGLISH["unknown_service"]
    assert leftovers(english, english.format(code="X", hint=""))
    assert leftovers(english, "código desconocido 'LEGAL_AIDE'; the codes are in the catalogue")
    assert not leftovers(english, SPANISH["unknown_service"])


def test_spanish_differs_from_english_wherever_the_sentence_has_words() -> None:
    for kind in ENGLISH:
        if english_words(ENGLISH[kind]):
            assert SPANISH[kind] != ENGLISH[kind], kind


def test_no_type_is_also_one_of_pydantics_own() -> None:
    """The loader passes its own types through and words pydantic's: a type in both would be
    rendered with the wrong context."""
    assert set(ENGLISH).isdisjoint(typing.get_args(ErrorType))


def test_every_type_is_reported_by_some_check() -> None:
    """No dead sentences for translators: each type is named by the code that reports it."""
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in ENGINE_DIR.glob("*.py")
        if path.name != "rule_messages.py"
    )
    used = {"did_you_mean"}  # named by its helper, did_you_mean()
    unused = [kind for kind in ENGLISH if kind not in used and f'"{kind}"' not in source]
    assert unused == []


def test_an_unknown_type_is_refused_at_once() -> None:
    with pytest.raises(KeyError):
        RuleMessage("no_such_fault")


def test_pydantic_says_a_rule_fault_as_the_english_catalogue_does() -> None:
    with pytest.raises(ValidationError) as caught:
        RuleTest.model_validate({"field": "employment", "op": "==", "value": "unemployd"})
    (item,) = caught.value.errors()
    assert item["type"] == "choice_value_not_allowed"
    message = RuleMessage(item["type"], item["ctx"])
    assert item["msg"] == message.render("en")
    assert message.render("es") == (
        "'employment' no tiene el valor 'unemployd' (¿quiso decir 'unemployed'?);"
        " valores permitidos: employed, unemployed, self_employed, not_seeking"
    )


# --- every problem reported -----------------------------------------------------------------


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in BROKEN_CASES])
def test_every_broken_file_is_explained_in_spanish(case: BrokenCase, tmp_path: Path) -> None:
    problems = refusal(rule_base_folder(tmp_path, *case.copied)).problems
    assert problems
    for problem in problems:
        assert_bilingual(problem)


def test_faults_of_folders_documents_json_and_case_files_are_in_spanish(tmp_path: Path) -> None:
    problems: list[RuleProblem] = []

    def collect(call: typing.Callable[[], object]) -> None:
        with pytest.raises(RuleBaseError) as caught:
            call()
        problems.extend(caught.value.problems)

    # Folders: not a folder; missing files, a .yml file; no rule files.
    collect(lambda: RuleBaseDocuments.from_directory(tmp_path / "nowhere"))
    bare = tmp_path / "bare"
    bare.mkdir()
    write(bare, "old.yml", GOOD_RULE_FILE)
    collect(lambda: RuleBaseDocuments.from_directory(bare))
    collect(lambda: load_rule_base(rule_base_folder(tmp_path / "empty")))
    # Documents: not plain data, a bad file name, a rule renamed, rules that are not a list.
    plain = rule_base_folder(tmp_path / "plain")
    write(plain, "c.yaml", "group: {es: C, en: C}\nrules:\n  - id: C1\n    x: .inf\n    1: one\n")
    collect(lambda: RuleBaseDocuments.from_directory(plain))
    shipped = RuleBaseDocuments.from_directory()
    collect(lambda: RuleBaseDocuments(shipped.manifest, shipped.catalogue, {"a/b.yaml": {}}))
    collect(lambda: shipped.with_rule("P01", {"id": "P99"}))
    odd = RuleBaseDocuments(shipped.manifest, shipped.catalogue, {"odd.yaml": {"rules": 3}})
    collect(lambda: odd.with_rule("Z1", {}, "odd.yaml"))
    # JSON: not JSON, NaN, wrong parts, files not a mapping.
    stored = json.loads(shipped.to_json())
    for text in (
        "{",
        '{"manifest": NaN}',
        "[]",
        json.dumps({**stored, "files": []}),
    ):
        collect(functools.partial(RuleBaseDocuments.from_json, text))
    # Case files: not a list, an unknown key, a name used twice.
    cases = tmp_path / "cases"
    cases.mkdir()
    for name, text in (
        ("a.yaml", "name: one\n"),
        ("b.yaml", "- name: one\n  profile: {age: 1}\n  servics: {}\n"),
        ("c.yaml", "- {name: one, profile: {}}\n- {name: one, profile: {}}\n"),
    ):
        collect(functools.partial(read_cases, write(cases, name, text)))
    assert {p.type for p in problems} >= {
        "not_a_folder",
        "file_missing",
        "yml_file",
        "no_rule_files",
        "finite_number_expected",
        "key_not_text",
        "rule_file_name",
        "rule_id_mismatch",
        "rules_not_a_list",
        "not_json",
        "json_constant",
        "json_parts",
        "json_files_not_mapping",
        "case_file_not_a_list",
        "case_invalid",
        "case_name_twice",
    }
    for problem in problems:
        assert_bilingual(problem)


def test_the_refusal_reads_in_spanish_and_stays_english_as_text(tmp_path: Path) -> None:
    broken = Path(__file__).parent / "broken_rules"
    error = refusal(
        rule_base_folder(tmp_path, broken / "unknown_field.yaml", broken / "empty_group.yaml")
    )
    assert str(error) == error.render("en") == error.render()
    assert str(error).splitlines()[0] == "the rule base was refused: 2 problems"
    assert error.render("es").splitlines() == [
        "la base de reglas fue rechazada: 2 problemas",
        "  empty_group.yaml:9: rules: un archivo de reglas necesita al menos una regla bajo"
        " 'rules:'",
        "  unknown_field.yaml:17: regla B01: when.field: la clave field nombra un campo del"
        " perfil que no existe: 'agee' (¿quiso decir 'age'?); los campos del perfil están en"
        " docs/rule-format.md",
    ]
    assert [str(p) for p in error.problems] == [p.render("en") for p in error.problems]


def test_one_problem_is_counted_in_the_singular_in_spanish(tmp_path: Path) -> None:
    broken = Path(__file__).parent / "broken_rules"
    error = refusal(rule_base_folder(tmp_path, broken / "no_effect.yaml"))
    assert error.render("es").splitlines()[0] == "la base de reglas fue rechazada: 1 problema"


def test_problems_are_equal_whatever_their_spanish_says() -> None:
    """Equality is about the fault: file, line, rule, path and English message."""
    bare = RuleProblem("base.yaml", None, None, "", "is missing from the rule base")
    full = RuleProblem.of("base.yaml", None, None, "", RuleMessage("file_missing"))
    assert bare == full
    assert (full.message_es, full.type) == ("falta en la base de reglas", "file_missing")
    assert bare.render("es") == "base.yaml: is missing from the rule base"  # nothing to show


# --- ruta rules check --lang ----------------------------------------------------------------


def _folder_with_a_misspelt_field(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    health = folder / "health.yaml"
    health.write_text(
        health.read_text(encoding="utf-8").replace(
            'field: age, op: ">=", value: 60', 'field: agee, op: ">=", value: 60'
        ),
        encoding="utf-8",
    )
    return folder


def test_rules_check_lists_the_problems_in_spanish(tmp_path: Path) -> None:
    folder = _folder_with_a_misspelt_field(tmp_path)
    result = CliRunner().invoke(app, ["rules", "check", str(folder), "--lang", "es"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "la base de reglas fue rechazada: 1 problema"
    assert lines[1].startswith("  health.yaml:49: regla P16: when.")
    assert "'agee' (¿quiso decir 'age'?)" in lines[1]
    assert "did you mean" not in result.output and "refused" not in result.output


def test_rules_check_stays_in_english_by_default(tmp_path: Path) -> None:
    folder = _folder_with_a_misspelt_field(tmp_path)
    result = CliRunner().invoke(app, ["rules", "check", str(folder)])
    assert result.exit_code == 1
    assert result.output.startswith("the rule base was refused: 1 problem\n")
    assert "health.yaml:49: rule P16:" in result.output


def test_rules_check_passes_in_spanish_on_the_default_base() -> None:
    result = CliRunner().invoke(app, ["rules", "check", "--lang", "es"])
    assert result.exit_code == 0
    assert "32 reglas, sin problemas" in result.output


@pytest.mark.parametrize(
    "kind",
    [
        "unknown_key",
        "value_not_allowed",
        "unknown_field",
        "choice_value_not_allowed",
        "unknown_service",
    ],
)
def test_a_guess_is_said_in_a_whole_sentence_of_the_catalogue(kind: str) -> None:
    """A translator sees the sentence with its "did you mean" entire, not a fragment."""
    names = placeholders(ENGLISH[kind])
    values: dict[str, object] = {name: f"<{name}>" for name in names}
    for lang in ("en", "es"):
        whole = catalogue(lang).get(f"rule.{kind}_did_you_mean")
        assert whole is not None and "{suggestion}" in str(whole.string)
        guessed = RuleMessage(kind, {**values, "hint": did_you_mean("age")}).render(lang)
        assert guessed == re.sub(
            r"\{([a-z_]+)\}", lambda found: f"<{found[1]}>", str(whole.string)
        ).replace("<suggestion>", "age")
        plain = RuleMessage(kind, {**values, "hint": did_you_mean(None)}).render(lang)
        assert "age" not in plain and plain == RULE_MESSAGE_CATALOGUES[lang][kind].format(**values)
