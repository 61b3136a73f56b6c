"""Auditors' tools: suites of cases run on any rule base, and their coverage of the rules."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from audit import (
    AuditError,
    CoverageReport,
    SuiteCase,
    junit_xml,
    leaves,
    load_suite,
    measure_coverage,
    run_suite,
)
from engine import (
    CASE_DAY,
    Case,
    RuleBase,
    RuleEngine,
    default_cases_dir,
    holds,
    load_rule_base,
    rule_base_from_data,
)
from strategies import default_catalogue, default_manifest

runner = CliRunner()

FAILING_CASE = """
- name: P17 gives urgent care at normal priority (wrong on purpose)
  profile: {age: 30, department: "11", municipality: "11001", years_abroad: 1,
            months_since_return: 24, return_kind: voluntary, urgent_medical_need: true}
  services_include: {HEALTH_URGENT_CARE: normal}
- name: P17 gives urgent care at urgent priority
  profile: {age: 30, department: "11", municipality: "11001", years_abroad: 1,
            months_since_return: 24, return_kind: voluntary, urgent_medical_need: true}
  services_include: {HEALTH_URGENT_CARE: urgent}
"""


@cache
def shipped_suite() -> list[SuiteCase]:
    return load_suite([default_cases_dir()])


@cache
def shipped_base() -> RuleBase:
    return load_rule_base()


@cache
def shipped_coverage() -> CoverageReport:
    return measure_coverage(shipped_suite(), shipped_base())


# --- suites ----------------------------------------------------------------------------------


def test_the_shipped_suite_passes_on_the_shipped_base() -> None:
    result = run_suite(shipped_suite(), shipped_base())
    assert result.passed
    assert len(result.outcomes) == len(shipped_suite()) > 100


def test_a_failing_case_reads_as_expected_vs_got_in_both_languages(tmp_path: Path) -> None:
    (tmp_path / "wrong.yaml").write_text(FAILING_CASE, encoding="utf-8")
    result = run_suite(load_suite([tmp_path]), shipped_base())
    [failure] = result.failures
    assert failure.case.line == 2
    assert failure.lines("en") == ["HEALTH_URGENT_CARE: expected normal, got urgent"]
    assert failure.lines("es") == ["HEALTH_URGENT_CARE: se esperaba normal, se obtuvo urgent"]


def test_junit_xml_has_one_testcase_per_case_and_a_failure_per_failing_case(
    tmp_path: Path,
) -> None:
    (tmp_path / "wrong.yaml").write_text(FAILING_CASE, encoding="utf-8")
    root = ET.fromstring(junit_xml(run_suite(load_suite([tmp_path]), shipped_base())))
    assert root.tag == "testsuites"
    [suite] = list(root)
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("classname") for c in cases] == ["wrong", "wrong"]
    assert all(c.get("name") for c in cases)
    failures = [c.find("failure") for c in cases]
    assert failures[1] is None
    failure = failures[0]
    assert failure is not None
    assert failure.get("message") == "HEALTH_URGENT_CARE: expected normal, got urgent"
    assert "se esperaba normal" in (failure.text or "")
    assert {child.tag for c in cases for child in c} == {"failure"}


def test_a_missing_suite_folder_is_refused_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as raised:
        load_suite([tmp_path / "nowhere"])
    assert "nowhere" in raised.value.message
    assert "no existe" in raised.value.message_es


def test_a_case_with_an_invalid_profile_is_refused_naming_case_line_and_field(
    tmp_path: Path,
) -> None:
    (tmp_path / "odd.yaml").write_text(
        FAILING_CASE.replace("age: 30", "age: 1000", 1), encoding="utf-8"
    )
    result = runner.invoke(app, ["audit", "run", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert "the suite was refused" in result.output
    assert re.search(r"odd\.yaml:\d+: case '[^']+': profile\.age:", result.output)
    assert "1000" not in result.output


def test_cli_audit_run_exits_1_on_a_failure_and_writes_junit(tmp_path: Path) -> None:
    (tmp_path / "wrong.yaml").write_text(FAILING_CASE, encoding="utf-8")
    junit = tmp_path / "out.xml"
    result = runner.invoke(
        app, ["audit", "run", str(tmp_path), "--junit", str(junit), "--lang", "en"]
    )
    assert result.exit_code == 1, result.output
    assert "HEALTH_URGENT_CARE: expected normal, got urgent" in result.output
    assert "1/2 cases passed" in result.output
    assert ET.parse(junit).getroot().tag == "testsuites"


def test_cli_audit_run_passes_on_the_shipped_cases_as_json() -> None:
    result = runner.invoke(app, ["audit", "run", str(default_cases_dir()), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["failed"] == 0
    assert data["passed"] == data["cases"] == len(shipped_suite())


# --- coverage on a small hand-made rule base -------------------------------------------------

HAND_RULES: list[dict[str, Any]] = [
    {
        "id": "A1",
        "title": {"es": "Albergue", "en": "Shelter"},
        "status": "illustrative",
        "legal_basis": [],
        "effective_from": "2020-01-01",
        "regions": {"departments": ["54"]},
        "when": {
            "all": [
                {"field": "age", "op": ">=", "value": 18},
                {
                    "any": [
                        {"field": "has_shelter", "op": "==", "value": False},
                        {"field": "return_kind", "op": "==", "value": "deported"},
                    ]
                },
            ]
        },
        "recommend": [{"service": "HUM_TEMPORARY_SHELTER", "priority": "normal"}],
    },
    {
        "id": "A2",
        "title": {"es": "Sin fondos", "en": "No funds"},
        "status": "illustrative",
        "legal_basis": [],
        "when": {"field": "has_funds", "op": "==", "value": False},
        "suppress": {"services": ["HUM_TEMPORARY_SHELTER"]},
    },
]


def hand_base() -> RuleBase:
    rule_file = {"group": {"es": "Mano", "en": "Hand"}, "rules": HAND_RULES}
    return rule_base_from_data(default_manifest(), default_catalogue(), {"hand.yaml": rule_file})


def _case(name: str, **values: Any) -> SuiteCase:
    profile = {
        "age": 30,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 1,
        "months_since_return": 24,
        "return_kind": "voluntary",
        "has_shelter": False,
        "has_funds": True,
        **values,
    }
    return SuiteCase(Case(name=name, profile=profile), "hand.yaml", None)


HAND_SUITE = [
    _case("c0"),
    _case("c1", age=17),
    _case("c2", age=18, has_shelter=True, has_funds=False),
    _case("c3", department="11", municipality="11001"),
]


def _uncovered(report: CoverageReport) -> set[tuple[str, str, int | None, Any]]:
    return {
        (r.rule, i.item.kind, i.item.leaf, i.item.value if i.item.kind == "enum_value" else None)
        for r in report.rules
        for i in r.uncovered
    }


def test_coverage_of_a_hand_made_base_is_what_was_worked_out_by_hand() -> None:
    report = measure_coverage(HAND_SUITE, hand_base(), suggest=False)
    a1, a2 = report.rules
    # A1: fired, 3 × (true, false, MC/DC), 3 boundary items on age >= 18, 3 return kinds,
    # inside and outside its region, before its start: 19 items.
    assert (len(a1.items), a1.covered) == (19, 13)
    # A2: fired, true, false, MC/DC of its one test, and its suppression: 5 items.
    assert (len(a2.items), a2.covered) == (5, 4)
    assert (report.total, report.covered) == (24, 17)
    assert _uncovered(report) == {
        ("A1", "leaf_true", 2, None),
        ("A1", "mcdc", 2, None),
        ("A1", "boundary_above", 0, None),
        ("A1", "enum_value", 2, "deported"),
        ("A1", "enum_value", 2, "expelled"),
        ("A1", "dated_before", None, None),
        ("A2", "suppression_applied", None, None),
    }
    assert a1.fired and a2.fired


def test_removing_a_case_from_the_hand_suite_loses_what_only_it_covered() -> None:
    full = _uncovered(measure_coverage(HAND_SUITE, hand_base(), suggest=False))
    without_c2 = measure_coverage(
        [c for c in HAND_SUITE if c.case.name != "c2"], hand_base(), suggest=False
    )
    assert _uncovered(without_c2) - full == {
        ("A1", "leaf_false", 1, None),
        ("A1", "mcdc", 1, None),
        ("A1", "boundary_at", 0, None),
        ("A2", "fired", None, None),
        ("A2", "leaf_true", 0, None),
        ("A2", "mcdc", 0, None),
    }
    without_c3 = measure_coverage(HAND_SUITE[:3], hand_base(), suggest=False)
    assert _uncovered(without_c3) - full == {("A1", "region_outside", None, None)}


def test_every_gap_of_the_hand_suite_gets_a_suggested_case() -> None:
    report = measure_coverage(HAND_SUITE, hand_base())
    for rule in report.rules:
        for item in rule.uncovered:
            assert item.suggestion is not None, item.item


# --- coverage of the shipped suite -----------------------------------------------------------


@pytest.mark.parametrize("position", [0, 17, 60, 101, 150, -1])
def test_removing_one_shipped_case_lowers_coverage_exactly_where_only_it_covered(
    position: int,
) -> None:
    cases = shipped_suite()
    index = position % len(cases)
    full = shipped_coverage()
    only_it = {
        (r.rule, i.item)
        for r in full.rules
        for i in r.items
        if i.covered and any(group == {index} for group in i.groups)
    }
    smaller = measure_coverage([*cases[:index], *cases[index + 1 :]], shipped_base(), False)
    lost = {
        (r.rule, i.item)
        for r, before in zip(smaller.rules, full.rules, strict=True)
        for i, was in zip(r.items, before.items, strict=True)
        if was.covered and not i.covered
    }
    assert lost == only_it
    assert smaller.covered == full.covered - len(only_it)


def _fires(base: RuleBase, rule_id: str, profile: dict[str, Any], day: date) -> bool:
    return rule_id in {f.id for f in RuleEngine(base).evaluate(profile, day).fired}


def _really_covers(base: RuleBase, rule_id: str, item: Any, suggestion: Any) -> bool:
    """An oracle apart from the coverage code: the rule engine's answer and the rule as written."""
    rule = base.rules_by_id[rule_id]
    day = suggestion.day
    profile = suggestion.profiles[0]
    inside = rule.regions is None or rule.regions.includes(
        profile["department"], profile["municipality"]
    )
    in_force = rule.in_effect(day) and inside
    engine = RuleEngine(base)
    result = engine.evaluate(profile, day)
    fired = rule_id in {f.id for f in result.fired}
    kind = item.kind
    if kind in ("fired", "region_inside"):
        return fired
    if kind == "region_outside":
        return rule.in_effect(day) and not inside and holds(rule.when, profile)
    if kind == "dated_before":
        return (
            rule.effective_from is not None
            and day < rule.effective_from
            and holds(rule.when, profile)
        )
    if kind == "suppression_applied":
        return any(rule_id in s.rules for s in result.suppressed)
    return _really_covers_test(base, rule_id, item, suggestion, fired, in_force)


def _really_covers_test(
    base: RuleBase, rule_id: str, item: Any, suggestion: Any, fired: bool, in_force: bool
) -> bool:
    """The oracle for the items of one test of the rule's conditions."""
    rule = base.rules_by_id[rule_id]
    day = suggestion.day
    profile = suggestion.profiles[0]
    kind = item.kind
    test = leaves(rule.when)[item.leaf]
    value = profile.get(test.field)
    if kind == "leaf_true":
        return in_force and holds(test, profile)
    if kind == "leaf_false":
        return in_force and not holds(test, profile)
    if kind == "enum_value":
        return in_force and value == item.value
    if kind == "boundary_above":
        return in_force and item.value < value <= item.value + 1
    if kind == "mcdc":
        other = suggestion.profiles[1]
        return (
            in_force
            and holds(test, profile) != holds(test, other)
            and fired != _fires(base, rule_id, other, day)
        )
    raise AssertionError(kind)


def test_every_suggested_case_really_covers_its_item_when_evaluated() -> None:
    checked = 0
    for base, report in (
        (shipped_base(), shipped_coverage()),
        (hand_base(), measure_coverage(HAND_SUITE, hand_base())),
    ):
        for rule in report.rules:
            for item in rule.uncovered:
                if item.suggestion is None:
                    continue
                assert _really_covers(base, rule.rule, item.item, item.suggestion), item.item
                checked += 1
    assert checked >= 20


def test_the_shipped_suite_fires_every_rule() -> None:
    report = shipped_coverage()
    assert all(r.fired for r in report.rules)
    assert report.covered < report.total  # the gaps docs/audit.md walks through


def test_cli_coverage_json_names_rules_fired_and_uncovered_items(tmp_path: Path) -> None:
    page = tmp_path / "coverage.html"
    result = runner.invoke(
        app, ["audit", "coverage", str(default_cases_dir()), "--json", "--html", str(page)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["id"] for r in data["rules"]] == [r.id for r in shipped_base().rules]
    for rule in data["rules"]:
        assert isinstance(rule["fired"], bool)
        for item in rule["uncovered"]:
            assert {"kind", "suggested_profile"} <= item.keys()
    assert data["totals"]["covered"] == shipped_coverage().covered
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "Cobertura" in text and "coverage" in text
    assert "http" not in text  # no outside assets
    assert CASE_DAY.isoformat() in text


def test_the_suggested_cases_are_ready_yaml_that_passes_on_the_base(tmp_path: Path) -> None:
    report = shipped_coverage()
    texts = [
        i.suggestion.yaml(i.item)
        for r in report.rules
        for i in r.uncovered
        if i.suggestion is not None
    ]
    assert len(texts) == report.total - report.covered - 1  # all but P29's redundant test
    (tmp_path / "suggested.yaml").write_text("\n".join(texts) + "\n", encoding="utf-8")
    suggested = load_suite([tmp_path])
    assert run_suite(suggested, shipped_base()).passed
    together = measure_coverage([*shipped_suite(), *suggested], shipped_base(), suggest=False)
    assert together.covered == together.total - 1


def test_a_rule_that_ended_is_covered_after_its_end_by_its_suggested_case() -> None:
    ended = {
        **HAND_RULES[1],
        "id": "A3",
        "effective_from": "2020-01-01",
        "effective_to": "2025-12-31",
        "suppress": None,
        "recommend": [{"service": "HUM_FOOD_AID", "priority": "high"}],
    }
    del ended["suppress"]
    rule_file = {"group": {"es": "Mano", "en": "Hand"}, "rules": [ended]}
    base = rule_base_from_data(default_manifest(), default_catalogue(), {"end.yaml": rule_file})
    in_force = _case("in force", has_funds=False)
    dated = SuiteCase(in_force.case.model_copy(update={"as_of": date(2024, 1, 1)}), "end.yaml", 1)
    report = measure_coverage([dated], base)
    assert report.rules[0].fired
    [rule] = report.rules
    gaps = {i.item.kind: i for i in rule.uncovered}
    assert "dated_after" in gaps and "dated_before" in gaps
    suggestion = gaps["dated_after"].suggestion
    assert suggestion is not None
    assert suggestion.day == date(2026, 1, 1)
    profile = suggestion.profiles[0]
    assert holds(base.rules[0].when, profile)
    assert not _fires(base, "A3", profile, suggestion.day)
