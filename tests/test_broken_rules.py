"""Deliberately broken rule bases: each is refused whole, with file, line, rule and a clear fault.

The broken rule files live in ``tests/broken_rules/``; each carries its expected problem in a
comment header (see ``tests/broken_rules/README.md``), so a case is added without touching
Python. The other tests here cover faults outside rule files (missing files, a bad catalogue, a
path that is not a folder), several problems reported at once, and the guarantee that a refused
rule base leaves nothing half-applied.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine import (
    RuleBase,
    RuleBaseError,
    RuleProblem,
    RutaEngineError,
    default_rules_dir,
    load_rule_base,
)
from engine.loader import CATALOGUE_FILE, MANIFEST_FILE

BROKEN_DIR = Path(__file__).parent / "broken_rules"
DEFAULT_RULE_FILES = tuple(
    sorted(
        path
        for path in default_rules_dir().glob("*.yaml")
        if path.name not in (MANIFEST_FILE, CATALOGUE_FILE)
    )
)

_HEADER_LINE = re.compile(r"^#\s*expect-(?P<key>[a-z]+)\s*:\s*(?P<value>.*?)\s*$")
_KEYS = {"line", "rule", "path", "message", "count", "xfail"}
_FILE_KEYS = {"count", "xfail"}


# --- reading the expectations ---------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """One problem a broken file must cause, as written in its comment header."""

    file: str
    line: int | None
    rule: str | None
    path: str | None
    messages: tuple[str, ...]

    def matches(self, problem: RuleProblem) -> bool:
        return (
            problem.file == self.file
            and problem.line == self.line
            and problem.rule_id == self.rule
            and (self.path is None or problem.path == self.path)
            and all(words in problem.message for words in self.messages)
        )

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: rule {self.rule}"
        path = f": {self.path}" if self.path is not None else ""
        return f"{where}{path}: message containing {list(self.messages)}"


@dataclass(frozen=True)
class Header:
    """A broken file's comment header: the problems it must cause (the first is its fault), how
    many problems it causes in all, and the engine bug that makes it a strict xfail, if any."""

    file: str
    problems: tuple[Expectation, ...]
    count: int
    xfail: str | None = None


def _expectation(name: str, found: dict[str, list[str]]) -> Expectation:
    for required in ("line", "rule", "message"):
        if required not in found:
            raise ValueError(f"{name}: a problem in the header needs '# expect-{required}: …'")
    for key, values in found.items():
        if key != "message" and len(values) > 1:
            raise ValueError(f"{name}: 'expect-{key}' is given more than once for one problem")
    line = found["line"][0]
    rule = found["rule"][0]
    return Expectation(
        file=name,
        line=None if line == "none" else int(line),
        rule=None if rule == "none" else rule,
        path=found["path"][0] if "path" in found else None,
        messages=tuple(found["message"]),
    )


def read_header(path: Path) -> Header | None:
    """The header in the leading comment lines of ``path``, or ``None`` if it has none.

    Each ``expect-line`` starts the description of one problem; ``expect-count`` and
    ``expect-xfail`` belong to the whole file, and may each be given once.
    """
    blocks: list[dict[str, list[str]]] = []
    whole: dict[str, str] = {}
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.startswith("#"):
            break
        match = _HEADER_LINE.match(text)
        if match is None:
            continue
        key, value = match["key"], match["value"]
        if key not in _KEYS:
            raise ValueError(f"{path.name}: unknown header key 'expect-{key}'")
        if key in _FILE_KEYS:
            if key in whole:
                raise ValueError(f"{path.name}: 'expect-{key}' is given more than once")
            whole[key] = value
            continue
        if key == "line" or not blocks:
            blocks.append({})
        blocks[-1].setdefault(key, []).append(value)
    if not blocks and not whole:
        return None
    if not blocks:
        raise ValueError(f"{path.name}: the header needs '# expect-line: …'")
    problems = tuple(_expectation(path.name, block) for block in blocks)
    count = int(whole["count"]) if "count" in whole else len(problems)
    if count < len(problems):
        raise ValueError(f"{path.name}: 'expect-count' is less than the problems described")
    return Header(path.name, problems, count, whole.get("xfail"))


@dataclass(frozen=True)
class BrokenCase:
    """One broken rule base: the rule files to add to the default manifest and catalogue, or a
    ``base.yaml`` (or ``catalogue.yaml``) to use instead of the default one, with the default
    rule files."""

    name: str
    files: tuple[Path, ...]
    headers: tuple[Header, ...] = field(default=())

    @property
    def replaces_defaults(self) -> bool:
        """Whether the case is a broken ``base.yaml`` or ``catalogue.yaml``, not rule files."""
        return all(path.name in (MANIFEST_FILE, CATALOGUE_FILE) for path in self.files)

    @property
    def copied(self) -> tuple[Path, ...]:
        """The files put beside the default manifest and catalogue (which they may replace)."""
        return (*DEFAULT_RULE_FILES, *self.files) if self.replaces_defaults else self.files

    @property
    def expectations(self) -> tuple[Expectation, ...]:
        return tuple(e for h in self.headers for e in h.problems)

    @property
    def count(self) -> int:
        return sum(h.count for h in self.headers)

    @property
    def xfail(self) -> str | None:
        reasons = [h.xfail for h in self.headers if h.xfail]
        return "; ".join(reasons) if reasons else None

    @property
    def yaml_level(self) -> bool:
        """Whether the fault stops the loader at reading YAML, before any rule is checked."""
        return any(m.startswith("YAML") for e in self.expectations for m in e.messages)


def broken_cases() -> list[BrokenCase]:
    cases = []
    for entry in sorted(BROKEN_DIR.iterdir()):
        if entry.is_dir():
            files = tuple(sorted(entry.glob("*.yaml")))
        elif entry.suffix == ".yaml":
            files = (entry,)
        else:
            continue
        headers = tuple(h for h in map(read_header, files) if h is not None)
        if not headers:
            raise ValueError(f"{entry.name}: no file has an '# expect-…' header")
        cases.append(BrokenCase(entry.name, files, headers))
    return cases


BROKEN_CASES = broken_cases()


def _param(case: BrokenCase) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


# --- helpers ----------------------------------------------------------------------------------


def rule_base_folder(folder: Path, *rule_files: Path, defaults: bool = True) -> Path:
    """``folder`` holding the default ``base.yaml`` and ``catalogue.yaml`` and ``rule_files``."""
    folder.mkdir(parents=True, exist_ok=True)
    if defaults:
        for name in (MANIFEST_FILE, CATALOGUE_FILE):
            shutil.copy(default_rules_dir() / name, folder / name)
    for path in rule_files:
        shutil.copy(path, folder / path.name)
    return folder


def refusal(folder: Path) -> RuleBaseError:
    """The error refusing ``folder``; fails the test if the rule base is accepted."""
    with pytest.raises(RuleBaseError) as caught:
        load_rule_base(folder)
    return caught.value


def listing(problems: list[RuleProblem]) -> str:
    return "\n".join(f"  {p!s}" for p in problems) or "  (none)"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def line_with(text: str, marker: str) -> int:
    """The 1-based number of the only line of ``text`` containing ``marker``."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if marker in line]
    assert len(lines) == 1, f"{marker!r} is on lines {lines}"
    return lines[0]


GOOD_RULE_FILE = """\
group:
  es: Reglas de prueba
  en: Test rules
rules:
  - id: G01
    title:
      es: Regla correcta
      en: Correct rule
    status: in_force
    legal_basis: []
    when: {field: age, op: ">=", value: 18}
    recommend:
      - service: LEGAL_AID
        priority: normal
"""


# --- the broken files -------------------------------------------------------------------------


@pytest.mark.parametrize("case", [_param(c) for c in BROKEN_CASES])
def test_broken_rule_file_is_refused(case: BrokenCase, tmp_path: Path) -> None:
    problems = refusal(rule_base_folder(tmp_path, *case.copied)).problems
    for expected in case.expectations:
        assert any(expected.matches(p) for p in problems), (
            f"expected {expected}\ngot:\n{listing(problems)}"
        )
    assert len(problems) == case.count, (
        f"expected {case.count} problem(s), got:\n{listing(problems)}"
    )


def test_the_broken_files_cover_the_faults_policy_staff_make() -> None:
    """The folder is not silently emptied or renamed: the core faults are all there."""
    names = {case.name for case in BROKEN_CASES}
    assert {
        "unknown_field.yaml",
        "unknown_other_field.yaml",
        "less_than_on_yes_no.yaml",
        "less_than_on_choice.yaml",
        "in_on_yes_no.yaml",
        "choice_value_not_allowed.yaml",
        "age_out_of_range.yaml",
        "negative_number.yaml",
        "text_for_number.yaml",
        "number_for_yes_no.yaml",
        "in_empty_list.yaml",
        "in_not_a_list.yaml",
        "missing_value.yaml",
        "value_with_is_null.yaml",
        "is_null_on_required_field.yaml",
        "compare_different_kinds.yaml",
        "unknown_service.yaml",
        "suppress_unknown_area.yaml",
        "suppress_unknown_except.yaml",
        "duplicate_id_in_file.yaml",
        "duplicate_id_across_files",
        "bad_date.yaml",
        "inverted_dates.yaml",
        "unknown_rule_key.yaml",
        "unknown_test_key.yaml",
        "duplicate_yaml_key.yaml",
        "yaml_syntax_error.yaml",
        "no_effect.yaml",
        "missing_title_es.yaml",
        "malformed_region_department.yaml",
        "all_and_any.yaml",
        "too_complex.yaml",
        "empty_group.yaml",
        "bad_status.yaml",
        "base_area_misspelt",
        "base_area_listed_twice",
        "base_area_missing",
        "base_first_choice_unknown_department",
        "base_first_choice_unknown_area",
        "base_first_choice_bad_tag",
    } <= names


def test_every_expected_line_is_in_its_file_and_on_the_fault_marker() -> None:
    """An expected line lies inside its file, and the file's first expected problem (its fault)
    is on the ``# <- fault`` marker when there is one (so a header edited without updating
    ``expect-line`` is caught here, not misread as a bug).
    """
    for case in BROKEN_CASES:
        names = {path.name: path for path in case.files}
        for header in case.headers:
            assert header.file in names
            lines = names[header.file].read_text(encoding="utf-8").splitlines()
            for expected in header.problems:
                if expected.line is not None:
                    assert 1 <= expected.line <= len(lines), f"{case.name}: line out of the file"
            marked = [n for n, line in enumerate(lines, 1) if "# <- fault" in line]
            if marked:
                fault = header.problems[0].line
                assert marked == [fault], f"{case.name}: fault marked on lines {marked}"


def test_too_complex_rule_is_just_over_the_engine_limit(tmp_path: Path) -> None:
    """4 any-lists of 3 (81 ways) are refused; 3 any-lists of 4 (exactly 64 ways) are accepted."""
    from engine.compiler import MAX_MATCH_PATHS

    assert 3**4 > MAX_MATCH_PATHS >= 4**3
    fields = ("age", "years_abroad", "months_since_return", "school_age_children")
    lists = "".join(
        "        - any:\n"
        + "".join(
            f'            - {{field: {name}, op: ">=", value: {10 * i + j + 1}}}\n'
            for j, name in enumerate(fields)
        )
        for i in range(3)
    )
    text = GOOD_RULE_FILE.replace(
        '    when: {field: age, op: ">=", value: 18}\n', f"    when:\n      all:\n{lists}"
    )
    write(rule_base_folder(tmp_path), "edge.yaml", text)
    assert [r.id for r in load_rule_base(tmp_path).rules] == ["G01"]


# --- nothing is half-applied ------------------------------------------------------------------


def test_one_broken_file_refuses_the_whole_rule_base(tmp_path: Path) -> None:
    folder = rule_base_folder(tmp_path / "base", BROKEN_DIR / "unknown_field.yaml")
    write(folder, "good.yaml", GOOD_RULE_FILE)
    result: RuleBase | None = None
    with pytest.raises(RuleBaseError) as caught:
        result = load_rule_base(folder)
    assert result is None
    assert [p.file for p in caught.value.problems] == ["unknown_field.yaml"]


def test_the_default_rule_base_plus_one_broken_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder, ignore=shutil.ignore_patterns("__*", "*.py"))
    running = load_rule_base(folder)
    shutil.copy(BROKEN_DIR / "unknown_service.yaml", folder)
    error = refusal(folder)
    assert [(p.file, p.rule_id) for p in error.problems] == [("unknown_service.yaml", "B19")]
    # The rule base already in service is untouched by the refused edit.
    assert running.hash == load_rule_base(default_rules_dir()).hash
    assert "B19" not in running.rules_by_id


def test_rule_base_error_belongs_to_the_engine_error_family(tmp_path: Path) -> None:
    error = refusal(rule_base_folder(tmp_path, BROKEN_DIR / "no_effect.yaml"))
    assert isinstance(error, RutaEngineError)


# --- several problems at once -----------------------------------------------------------------


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    """All broken rule files together: one refusal listing each file's problems (no stop at
    first).

    YAML-level faults are left out: the loader stops at them before checking any rule. So are
    broken ``base.yaml`` files: a rule base has only one.
    """
    cases = [
        c for c in BROKEN_CASES if not c.yaml_level and not c.xfail and not c.replaces_defaults
    ]
    assert len(cases) >= 30
    folder = rule_base_folder(tmp_path, *(f for c in cases for f in c.files))
    problems = refusal(folder).problems
    for case in cases:
        for expected in case.expectations:
            assert any(expected.matches(p) for p in problems), (
                f"expected {expected}\ngot:\n{listing(problems)}"
            )
    assert len(problems) == sum(c.count for c in cases)


def test_several_faults_in_one_file_are_all_reported(tmp_path: Path) -> None:
    text = (
        GOOD_RULE_FILE
        + """\

  - id: G02
    title:
      es: Dos fallas
      en: Two faults
    status: vigente
    legal_basis: []
    when: {field: agee, op: ">=", value: 18}
    recommend:
      - service: LEGAL_AIDE
        priority: normal

  - id: G03
    title:
      es: Una falla
      en: One fault
    status: in_force
    legal_basis: []
    when: {field: pregnant, op: "<", value: true}
    recommend:
      - service: HEALTH_MATERNAL_CARE
        priority: high
"""
    )
    write(rule_base_folder(tmp_path), "several.yaml", text)
    problems = refusal(tmp_path).problems
    located = sorted((p.line, p.rule_id, p.path) for p in problems)
    assert located == [
        (line_with(text, "status: vigente"), "G02", "status"),
        (line_with(text, "field: agee"), "G02", "when.field"),
        (line_with(text, "LEGAL_AIDE"), "G02", "recommend[0].service"),
        (line_with(text, "field: pregnant"), "G03", "when"),
    ]


def test_the_error_text_lists_every_problem_with_file_line_rule_path(tmp_path: Path) -> None:
    folder = rule_base_folder(
        tmp_path,
        BROKEN_DIR / "unknown_field.yaml",
        BROKEN_DIR / "unknown_service.yaml",
        BROKEN_DIR / "empty_group.yaml",
    )
    error = refusal(folder)
    text = str(error)
    lines = text.splitlines()
    assert lines[0] == "the rule base was refused: 3 problems"
    assert lines[1:] == [
        f"  {p.file}:{p.line}: rule {p.rule_id}: {p.path}: {p.message}"
        if p.rule_id
        else f"  {p.file}:{p.line}: {p.path}: {p.message}"
        for p in error.problems
    ]
    assert (
        "  unknown_field.yaml:17: rule B01: when.field: field names an unknown profile field"
        " 'agee' (did you mean 'age'?); the profile fields are listed in docs/rule-format.md"
        in text
    )
    assert (
        "  unknown_service.yaml:19: rule B19: recommend[0].service: unknown service code"
        " 'LEGAL_AIDE' (did you mean 'LEGAL_AID'?)" in text
    )
    assert "  empty_group.yaml:9: rules: a rule file needs at least one rule under 'rules:'" in text


def test_one_problem_is_counted_in_the_singular(tmp_path: Path) -> None:
    error = refusal(rule_base_folder(tmp_path, BROKEN_DIR / "no_effect.yaml"))
    assert str(error).splitlines()[0] == "the rule base was refused: 1 problem"


def test_yaml_faults_of_several_files_are_reported_together(tmp_path: Path) -> None:
    folder = rule_base_folder(
        tmp_path, BROKEN_DIR / "yaml_syntax_error.yaml", BROKEN_DIR / "duplicate_yaml_key.yaml"
    )
    problems = refusal(folder).problems
    assert sorted(p.file for p in problems) == ["duplicate_yaml_key.yaml", "yaml_syntax_error.yaml"]


# --- faults deep inside a condition -----------------------------------------------------------

DEEP_RULE_FILE = """\
group:
  es: Reglas de prueba
  en: Test rules
rules:
  - id: D01
    title:
      es: Condición anidada
      en: Nested condition
    status: in_force
    legal_basis: []
    when:
      all:
        - {field: age, op: ">=", value: 18}
        - any:
            - {field: disability, op: "==", value: true}
            - not:
                all:
                  - {field: health_coverage, op: "!=", value: none}
                  - any:
                      - {field: chronic_condition, op: "==", value: true}
                      - {field: employment, op: "==", value: unemployd}
                      - {field: pregnant, op: "==", value: true}
    recommend:
      - service: HEALTH_SUBSIDIZED_ENROLLMENT
        priority: high
"""


def test_a_fault_deep_in_a_condition_points_at_the_exact_test(tmp_path: Path) -> None:
    write(rule_base_folder(tmp_path), "deep.yaml", DEEP_RULE_FILE)
    (problem,) = refusal(tmp_path).problems
    assert problem.file == "deep.yaml"
    assert problem.line == line_with(DEEP_RULE_FILE, "unemployd")
    assert problem.rule_id == "D01"
    assert problem.path == "when.all[1].any[1].not.all[1].any[1]"
    assert (
        "'employment' has no value 'unemployd' (did you mean 'unemployed'?);"
        " allowed: employed, unemployed, self_employed, not_seeking" in problem.message
    )


def test_an_unknown_field_deep_in_a_block_condition_points_at_its_line(tmp_path: Path) -> None:
    text = DEEP_RULE_FILE.replace(
        '                      - {field: employment, op: "==", value: unemployd}\n',
        '                      - op: "=="\n'
        "                        value: true\n"
        "                        field: disabilty\n",
    )
    write(rule_base_folder(tmp_path), "deep.yaml", text)
    (problem,) = refusal(tmp_path).problems
    assert problem.line == line_with(text, "field: disabilty")
    assert problem.path == "when.all[1].any[1].not.all[1].any[1].field"
    assert (
        "field names an unknown profile field 'disabilty' (did you mean 'disability'?)"
        in problem.message
    )


def test_a_fault_in_a_block_test_points_at_the_test_start(tmp_path: Path) -> None:
    """A fault of the test as a whole (operator, value) is reported at the test's first line."""
    text = DEEP_RULE_FILE.replace(
        '                      - {field: employment, op: "==", value: unemployd}\n',
        "                      - field: age\n"
        '                        op: "<"\n'
        "                        value: 200\n",
    )
    write(rule_base_folder(tmp_path), "deep.yaml", text)
    (problem,) = refusal(tmp_path).problems
    assert problem.line == line_with(text, "- field: age")
    assert "the value 200 is outside what it can hold" in problem.message


# --- faults outside rule files ----------------------------------------------------------------


@pytest.mark.parametrize("missing", [MANIFEST_FILE, CATALOGUE_FILE])
def test_a_missing_manifest_or_catalogue_is_named(missing: str, tmp_path: Path) -> None:
    folder = rule_base_folder(tmp_path)
    write(folder, "good.yaml", GOOD_RULE_FILE)
    (folder / missing).unlink()
    problems = refusal(folder).problems
    assert problems == [RuleProblem(missing, None, None, "", "is missing from the rule base")]
    assert str(problems[0]) == f"{missing}: is missing from the rule base"


def test_both_missing_are_named(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD_RULE_FILE)
    assert [p.file for p in refusal(tmp_path).problems] == [MANIFEST_FILE, CATALOGUE_FILE]


def test_a_folder_without_rule_files_is_refused(tmp_path: Path) -> None:
    (problem,) = refusal(rule_base_folder(tmp_path)).problems
    assert "no rule files" in problem.message


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "rules.yaml", GOOD_RULE_FILE)
    (problem,) = refusal(path).problems
    assert problem.file == "rules.yaml"
    assert problem.message == "is not a folder"


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    (problem,) = refusal(tmp_path / "nowhere").problems
    assert problem.file == "nowhere"
    assert "not a folder" in problem.message


def _catalogue_with(tmp_path: Path, extra: str) -> tuple[Path, str]:
    folder = rule_base_folder(tmp_path)
    write(folder, "good.yaml", GOOD_RULE_FILE)
    text = (default_rules_dir() / CATALOGUE_FILE).read_text(encoding="utf-8") + extra
    write(folder, CATALOGUE_FILE, text)
    return folder, text


DUPLICATE_SERVICE = """
  - code: LEGAL_AID
    area: legal
    label: {es: Asesoría jurídica (copia), en: Legal advice (copy)}
"""


def test_a_catalogue_code_listed_twice_is_refused(tmp_path: Path) -> None:
    folder, _ = _catalogue_with(tmp_path, DUPLICATE_SERVICE)
    (problem,) = refusal(folder).problems
    assert problem.file == CATALOGUE_FILE
    assert problem.rule_id is None
    assert problem.message == "service code LEGAL_AID is listed twice; keep one entry"


def test_a_catalogue_code_listed_twice_points_at_the_second_entry(tmp_path: Path) -> None:
    folder, text = _catalogue_with(tmp_path, DUPLICATE_SERVICE)
    (problem,) = refusal(folder).problems
    second = [n for n, line in enumerate(text.splitlines(), 1) if "code: LEGAL_AID" in line][1]
    assert problem.line == second
    services = (default_rules_dir() / CATALOGUE_FILE).read_text(encoding="utf-8")
    assert problem.path == f"services[{services.count('- code: ')}].code"


def test_every_catalogue_code_listed_twice_is_reported(tmp_path: Path) -> None:
    folder, text = _catalogue_with(
        tmp_path,
        DUPLICATE_SERVICE
        + "  - code: HEALTH_MATERNAL_CARE\n    area: health\n    label: {es: Copia, en: Copy}\n",
    )
    lines = text.splitlines()

    def second(code: str) -> int:
        return [n for n, line in enumerate(lines, 1) if line.endswith(f"code: {code}")][1]

    problems = refusal(folder).problems
    assert sorted((p.line, p.message) for p in problems) == [
        (second("LEGAL_AID"), "service code LEGAL_AID is listed twice; keep one entry"),
        (
            second("HEALTH_MATERNAL_CARE"),
            "service code HEALTH_MATERNAL_CARE is listed twice; keep one entry",
        ),
    ]


def test_a_catalogue_area_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    folder, text = _catalogue_with(
        tmp_path,
        "\n  - code: HUM_NEW_SERVICE\n    area: humanitario\n    label: {es: Nuevo, en: New}\n",
    )
    (problem,) = refusal(folder).problems
    assert problem.file == CATALOGUE_FILE
    assert problem.line == line_with(text, "area: humanitario")
    assert problem.path.startswith("services[") and problem.path.endswith("].area")
    assert "'humanitario' is not allowed here (did you mean 'humanitarian'?)" in problem.message
    assert "use one of: health, education, legal, income, humanitarian" in problem.message


def test_a_broken_manifest_is_refused(tmp_path: Path) -> None:
    folder = rule_base_folder(tmp_path)
    write(folder, "good.yaml", GOOD_RULE_FILE)
    text = (folder / MANIFEST_FILE).read_text(encoding="utf-8").replace("version:", "versoin:")
    write(folder, MANIFEST_FILE, text)
    problems = refusal(folder).problems
    assert {(p.file, p.path) for p in problems} == {
        (MANIFEST_FILE, "versoin"),
        (MANIFEST_FILE, "version"),
    }
    unknown = next(p for p in problems if p.path == "versoin")
    assert unknown.line == line_with(text, "versoin:")
    assert unknown.message == (
        "unknown key 'versoin' (did you mean 'version'?);"
        " allowed here: name, version, edition, description, roadmap, referrals"
    )
    missing = next(p for p in problems if p.path == "version")
    assert missing.message == "missing required key 'version'"
