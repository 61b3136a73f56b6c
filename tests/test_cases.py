"""The YAML case checker reports every difference in words and refuses misspelt names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine import RuleBase, RuleBaseError, RuleEngine
from engine.cases import Case, check_case, read_cases, unknown_names

PROFILE = {
    "age": 30,
    "department": "11",
    "municipality": "11001",
    "years_abroad": 1,
    "months_since_return": 2,
    "return_kind": "voluntary",
    "has_shelter": False,
}


def test_a_misspelt_service_or_rule_is_reported(rule_base: RuleBase) -> None:
    case = Case(name="x", profile=PROFILE, services_exclude=["HUM_FOOD_AIDS"], fired_exclude=["P2"])
    assert unknown_names(case, rule_base) == [
        "unknown service code HUM_FOOD_AIDS",
        "unknown rule id P2",
    ]


def test_differences_are_told_in_words(engine: RuleEngine) -> None:
    result = engine.evaluate(PROFILE, date(2026, 11, 27))
    case = Case(
        name="x",
        profile=PROFILE,
        services_include={"HUM_TEMPORARY_SHELTER": "high", "HUM_FOOD_AID": "high"},
        services_exclude=["INCOME_JOB_PLACEMENT"],
        fired_include=["P02"],
    )
    assert check_case(case, result) == [
        "HUM_TEMPORARY_SHELTER: expected high, got urgent",
        "HUM_FOOD_AID: expected high, not recommended",
        "INCOME_JOB_PLACEMENT: must not be recommended, got normal",
        "rule P02 was expected to fire",
    ]


def test_a_case_file_with_an_unknown_key_names_file_and_case(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- name: one\n  profile: {age: 1}\n  servics: {}\n", encoding="utf-8")
    with pytest.raises(RuleBaseError) as refused:
        read_cases(path)
    assert "bad.yaml:1" in str(refused.value)
    assert "servics" in str(refused.value)
