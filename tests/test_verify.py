"""Verification over the whole profile space: planted defects are found, and every witness the
verifier gives shows its finding when the durable-rules engine evaluates it."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli import app
from audit import Requirement, read_requirements, verify_rule_base
from engine import (
    Evaluation,
    ReferenceEvaluator,
    Rule,
    RuleBase,
    RuleEngine,
    default_rules_dir,
    load_rule_base,
)
from engine.conditions import holds
from strategies import as_of_dates, build_rule_base, rule_bases, valid_profiles

runner = CliRunner()
BASE = load_rule_base()


def _with(*rules: dict[str, Any]) -> RuleBase:
    """The default base with ``rules`` added at the end."""
    added = tuple(Rule.model_validate(r) for r in rules)
    return replace(BASE, rules=BASE.rules + added, sources=())


def _rule(rule_id: str, when: dict[str, Any], **effects: Any) -> dict[str, Any]:
    effects = effects or {"recommend": [{"service": "LEGAL_AID", "priority": "normal"}]}
    return {
        "id": rule_id,
        "title": {"es": rule_id, "en": rule_id},
        "status": "illustrative",
        "legal_basis": [],
        "when": when,
        **effects,
    }


def _replay(rule_base: RuleBase, witness: dict[str, Any]) -> Evaluation:
    """A witness evaluated by the durable-rules engine, not the verifier's own checker."""
    engine = RuleEngine(rule_base)
    try:
        return engine.evaluate(witness["profile"], date.fromisoformat(witness["as_of"]))
    finally:
        engine.close()


def _fired(rule_base: RuleBase, witness: dict[str, Any]) -> set[str]:
    return {f.id for f in _replay(rule_base, witness).fired}


def test_the_shipped_base_has_no_dead_or_subsumed_rule_and_every_rule_has_a_witness() -> None:
    found = verify_rule_base(BASE)
    assert found.dead == []
    assert found.subsumed == []
    assert [w["rule"] for w in found.live] == [r.id for r in BASE.rules]
    engine = RuleEngine(BASE)
    try:
        for item in found.live:
            day = date.fromisoformat(item["witness"]["as_of"])
            fired = {f.id for f in engine.evaluate(item["witness"]["profile"], day).fired}
            assert item["rule"] in fired
    finally:
        engine.close()


def test_a_rule_dead_only_through_its_any_branches_is_found() -> None:
    dead = _rule(
        "DEAD_ANY",
        {
            "all": [
                {"field": "age", "op": ">=", "value": 18},
                {
                    "any": [
                        {"field": "age", "op": "<", "value": 10},
                        {
                            "all": [
                                {"field": "pregnant", "op": "==", "value": True},
                                {"not": {"field": "pregnant", "op": "==", "value": True}},
                            ]
                        },
                    ]
                },
            ]
        },
    )
    # The same rule with its first branch reachable is live: the `any` decides.
    alive = copy.deepcopy(dead)
    alive["id"] = "ALIVE_ANY"
    alive["when"]["all"][1]["any"][0]["value"] = 20
    rule_base = _with(dead, alive)
    found = verify_rule_base(rule_base)
    assert found.dead == [{"rule": "DEAD_ANY", "witness": None}]
    [witness] = [w["witness"] for w in found.live if w["rule"] == "ALIVE_ANY"]
    assert 18 <= witness["profile"]["age"] < 20
    assert "ALIVE_ANY" in _fired(rule_base, witness)


def test_rules_dead_through_regions_dates_and_field_comparisons_are_found() -> None:
    region = _rule("DEAD_REGION", {"field": "department", "op": "==", "value": "11"})
    region["regions"] = {"departments": ["54"]}
    compared = _rule(
        "DEAD_COMPARISON",
        {
            "all": [
                {"field": "origin_municipality", "op": "==", "other_field": "municipality"},
                {"field": "origin_municipality", "op": "!=", "other_field": "municipality"},
            ]
        },
    )
    live_dated = _rule("LIVE_DATED", {"field": "age", "op": ">=", "value": 0})
    live_dated.update(effective_from=date(2020, 1, 1), effective_to=date(2020, 12, 31))
    rule_base = _with(region, compared, live_dated)
    found = verify_rule_base(rule_base)
    assert {d["rule"] for d in found.dead} == {"DEAD_REGION", "DEAD_COMPARISON"}
    [witness] = [w["witness"] for w in found.live if w["rule"] == "LIVE_DATED"]
    assert witness["as_of"].startswith("2020-")
    assert "LIVE_DATED" in _fired(rule_base, witness)


def test_a_rule_subsumed_by_p01_is_found_with_a_witness_firing_both() -> None:
    p01 = BASE.rules_by_id["P01"].model_dump(mode="json", by_alias=True, exclude_none=True)
    narrower = _rule(
        "NARROW_P01",
        {"all": [*p01["when"]["all"], {"field": "return_kind", "op": "==", "value": "deported"}]},
        recommend=[{"service": "LEGAL_RUR_REGISTRATION", "priority": "normal"}],
    )
    # Without P01's start date the narrower rule would fire alone before 2012: not subsumed.
    undated = verify_rule_base(_with(narrower))
    assert undated.subsumed == []
    narrower["effective_from"] = p01["effective_from"]
    rule_base = _with(narrower)
    found = verify_rule_base(rule_base)
    [item] = found.subsumed
    assert (item["rule"], item["by"]) == ("NARROW_P01", "P01")
    assert {"NARROW_P01", "P01"} <= _fired(rule_base, item["witness"])


def test_a_rule_recommending_more_urgently_than_p01_subsumes_p01_not_the_reverse() -> None:
    p01 = BASE.rules_by_id["P01"].model_dump(mode="json", by_alias=True, exclude_none=True)
    urgent = _rule(
        "URGENT_P01",
        p01["when"],
        recommend=[{"service": "LEGAL_RUR_REGISTRATION", "priority": "urgent"}],
    )
    found = verify_rule_base(_with(urgent))
    # URGENT_P01 has no start date: it fires whenever P01 does, and more urgently.
    assert [(s["rule"], s["by"]) for s in found.subsumed] == [("P01", "URGENT_P01")]
    [conflict] = [c for c in found.conflicts if "URGENT_P01" in c["rules"]]
    assert conflict["service"] == "LEGAL_RUR_REGISTRATION"


def test_a_service_always_suppressed_is_found_with_a_witness() -> None:
    silencer = _rule(
        "SILENCE_LEGAL_AID",
        {"field": "id_document_cancelled", "op": "==", "value": True},
        suppress={"services": ["LEGAL_AID"]},
    )
    rule_base = _with(silencer)
    found = verify_rule_base(rule_base)
    [item] = [n for n in found.never_recommended if n["service"] == "LEGAL_AID"]
    assert item["reason"] == "always_suppressed"
    result = _replay(rule_base, item["witness"])
    assert "LEGAL_AID" in {s.code for s in result.suppressed}
    assert "LEGAL_AID" not in result.priorities()


def _requirement(data: dict[str, Any]) -> Requirement:
    return Requirement.model_validate({"id": "R", "title": {"es": "r", "en": "r"}, **data})


def test_a_requirement_the_base_breaks_is_refuted_with_a_counterexample() -> None:
    broken = _requirement(
        {
            "when": {"field": "has_funds", "op": "==", "value": False},
            "expect": {"service": "HUM_FOOD_AID"},
        }
    )
    [verdict] = verify_rule_base(BASE, [broken]).requirements
    assert verdict["holds"] is False
    witness = verdict["witness"]
    result = _replay(BASE, witness)
    assert holds(broken.when, result.values)  # type: ignore[arg-type]
    assert "HUM_FOOD_AID" not in result.priorities()


def test_a_requirement_the_base_meets_is_proved() -> None:
    met = _requirement(
        {
            "when": {
                "all": [
                    {"field": "has_shelter", "op": "==", "value": False},
                    {"field": "months_since_return", "op": "<", "value": 1},
                ]
            },
            "expect": {"service": "HUM_TEMPORARY_SHELTER", "priority": "urgent"},
        }
    )
    [verdict] = verify_rule_base(BASE, [met]).requirements
    assert verdict == {"requirement": "R", "holds": True, "witness": None}


def test_the_shipped_requirements_all_hold_but_one_the_protocols_miss() -> None:
    path = default_rules_dir() / "audit" / "requirements.yaml"
    requirements = read_requirements(path, set(BASE.services))
    verdicts = {v["requirement"]: v for v in verify_rule_base(BASE, requirements).requirements}
    refuted = sorted(k for k, v in verdicts.items() if not v["holds"])
    # A finding about the shipped protocols: a deportee already in the Return Registry with
    # less than 3 years abroad gets no legal service at all.
    assert refuted == ["DEPORTED_ADULT_LEGAL"]
    result = _replay(BASE, verdicts["DEPORTED_ADULT_LEGAL"]["witness"])
    assert result.values["return_kind"] in ("deported", "expelled")
    assert not [s for s in result.services if s.code.startswith("LEGAL_")]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    data=rule_bases(max_rules=8),
    samples=st.lists(st.tuples(valid_profiles(), as_of_dates()), min_size=5, max_size=10),
)
def test_every_witness_shows_its_finding_and_dead_rules_never_fire(
    data: tuple[Any, Any, dict[str, Any]], samples: list[tuple[dict[str, Any], date]]
) -> None:
    rule_base = build_rule_base(data)
    found = verify_rule_base(rule_base)
    engine = RuleEngine(rule_base)
    try:

        def fired(witness: dict[str, Any]) -> Evaluation:
            return engine.evaluate(witness["profile"], date.fromisoformat(witness["as_of"]))

        for item in found.live:
            assert item["rule"] in {f.id for f in fired(item["witness"]).fired}
        for item in found.subsumed:
            assert {item["rule"], item["by"]} <= {f.id for f in fired(item["witness"]).fired}
        for item in found.conflicts:
            assert set(item["rules"]) <= {f.id for f in fired(item["witness"]).fired}
        for item in found.never_recommended:
            if item["reason"] == "always_suppressed":
                suppressed = {s.code for s in fired(item["witness"]).suppressed}
                assert item["service"] in suppressed
        dead = {d["rule"] for d in found.dead}
        never = {n["service"] for n in found.never_recommended}
        reference = ReferenceEvaluator(rule_base)
        for profile, day in samples:
            result = reference.evaluate(profile, day)
            assert not dead & {f.id for f in result.fired}
            assert not never & set(result.priorities())
    finally:
        engine.close()


def test_cli_verify_gives_every_kind_of_finding_as_json_and_exits_1_on_a_refuted_one() -> None:
    result = runner.invoke(app, ["audit", "verify", "--json", "--witnesses"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert set(data) >= {"dead", "subsumed", "conflicts", "never_recommended", "requirements"}
    [refuted] = [r for r in data["requirements"] if not r["holds"]]
    assert refuted["requirement"] == "DEPORTED_ADULT_LEGAL"
    assert refuted["witness"]["profile"]["return_kind"] in ("deported", "expelled")
    assert len(data["witnesses"]) == len(BASE.rules)


def test_cli_verify_exits_0_on_a_base_without_findings(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.yaml"
    requirements.write_text("requirements: []\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", "verify", "--requirements", str(requirements)])
    assert result.exit_code == 0, result.output
    assert "0 finding(s) to act on" in result.output


def test_cli_verify_names_a_broken_requirements_file_in_both_languages(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.yaml"
    requirements.write_text(
        "requirements:\n  - id: X\n    title: {es: x, en: x}\n    expect: {service: NOPE}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["audit", "verify", "--requirements", str(requirements)])
    assert result.exit_code == 1
    assert "unknown service 'NOPE'" in result.output
    assert "servicio desconocido 'NOPE'" in result.output


@pytest.mark.parametrize("expect", [{}, {"service": "LEGAL_AID", "area": "legal"}])
def test_a_requirement_names_exactly_one_service_or_area(expect: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one of service or area"):
        _requirement({"expect": expect})
