"""The mutation score: mutants a suite catches are killed, the ones it misses survive with a
case that really kills them, and the score counts them as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli import app
from audit import (
    Mutant,
    MutantOutcome,
    MutationError,
    MutationReport,
    mutants_of,
    mutation_score,
    read_suite,
    yaml_case,
)
from engine import (
    CASE_DAY,
    Case,
    RuleBaseDocuments,
    RuleEngine,
    check_case,
    default_cases_dir,
    read_cases,
)

HEALTH = default_cases_dir() / "health.yaml"
BOUNDARY_CASE = "P16 applies at exactly 60 years of age, even when employed"
#: The threshold mutant the boundary case guards: ``age >= 60`` → ``age >= 61``.
AGE_UP = "P16 when.all[1].any[0].value: 60 → 61"

runner = CliRunner()


@pytest.fixture(scope="module")
def documents() -> RuleBaseDocuments:
    return RuleBaseDocuments.from_directory()


@pytest.fixture
def weak_suite(tmp_path: Path) -> Path:
    """A copy of the health cases without the case at exactly 60 years of age."""
    lines = HEALTH.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if BOUNDARY_CASE in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("- name:"))
    folder = tmp_path / "weak"
    folder.mkdir()
    (folder / "health.yaml").write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")
    return folder


def _fails_with_engine(documents: RuleBaseDocuments, case: Case) -> bool:
    """Whether ``case`` fails on ``documents``, judged by the durable-rules engine (not the
    reference evaluator the mutation score itself uses)."""
    with RuleEngine(documents.to_rule_base()) as engine:
        return bool(check_case(case, engine.evaluate(case.profile, case.as_of or CASE_DAY)))


def _mutated(documents: RuleBaseDocuments, mutant: Mutant) -> RuleBaseDocuments:
    return documents.with_rule(mutant.rule, mutant.edited)


def _by_description(report: MutationReport) -> dict[str, MutantOutcome]:
    return {o.mutant.description: o for o in report.outcomes}


def test_a_mutant_that_breaks_a_case_is_killed_by_it(documents: RuleBaseDocuments) -> None:
    report = mutation_score(documents, read_suite([HEALTH]), workers=1, rules={"P16"})
    outcome = _by_description(report)[AGE_UP]
    assert outcome.status == "killed"
    assert outcome.killed_by == BOUNDARY_CASE
    case = next(c for c, _ in read_cases(HEALTH) if c.name == BOUNDARY_CASE)
    assert _fails_with_engine(_mutated(documents, outcome.mutant), case)
    assert not _fails_with_engine(documents, case)


def test_a_weak_suite_leaves_the_threshold_mutant_alive_with_a_case_that_kills_it(
    documents: RuleBaseDocuments, weak_suite: Path
) -> None:
    report = mutation_score(documents, read_suite([weak_suite]), workers=1, rules={"P16"})
    outcome = _by_description(report)[AGE_UP]
    assert outcome.status == "survived"
    assert outcome in report.survivors
    assert outcome.suggested_case is not None
    suggested = Case.model_validate(outcome.suggested_case)
    assert _fails_with_engine(_mutated(documents, outcome.mutant), suggested)
    assert not _fails_with_engine(documents, suggested)
    # the YAML printed for the auditor reads back as the same case
    pasted = weak_suite / "pasted.yaml"
    pasted.write_text(yaml_case(outcome.suggested_case), encoding="utf-8")
    assert [c for c, _ in read_cases(pasted)] == [suggested]
    # and adding it to the suite kills the mutant
    again = mutation_score(documents, read_suite([weak_suite]), workers=1, rules={"P16"})
    assert _by_description(again)[AGE_UP].status == "killed"


def test_a_mutant_that_changes_no_answer_is_an_equivalent_candidate(
    documents: RuleBaseDocuments,
) -> None:
    """P29 also tests ``origin_municipality != municipality``, false on an empty field, so
    dropping its ``origin_municipality not_null`` changes nothing."""
    suite = read_suite([default_cases_dir() / "humanitarian.yaml"])
    report = mutation_score(documents, suite, workers=1, rules={"P29"})
    dropped = _by_description(report)["P29 when.all[2]: origin_municipality not_null → (dropped)"]
    assert dropped.status == "equivalent_candidate"
    assert dropped not in report.survivors


def test_every_kind_of_mutant_is_made(documents: RuleBaseDocuments) -> None:
    kinds = {m.kind for m in mutants_of(documents)}
    assert kinds == {"threshold", "operator", "dropped_condition", "priority", "suppression"}
    p16 = {m.description for m in mutants_of(documents) if m.rule == "P16"}
    assert {
        AGE_UP,
        "P16 when.all[1].any[0].value: 60 → 59",
        "P16 when.all[1].any[0].op: >= → >",
        "P16 when.all[1].any[4].op: < → <=",
        "P16 when.all[0]: health_coverage == none → (dropped)",
        "P16 recommend[0].priority: HEALTH_SUBSIDIZED_ENROLLMENT high → "
        "HEALTH_SUBSIDIZED_ENROLLMENT urgent",
    } <= p16


def _outcome(status: Any) -> MutantOutcome:
    return MutantOutcome(Mutant("R", "operator", "when.op", "<", "<=", {}), status)


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.integers(0, 5), st.randoms())
def test_the_score_is_killed_over_killed_and_survivors(
    killed: int, survived: int, equivalent: int, invalid: int, random: Any
) -> None:
    outcomes = [
        *(_outcome("killed") for _ in range(killed)),
        *(_outcome("survived") for _ in range(survived)),
        *(_outcome("equivalent_candidate") for _ in range(equivalent)),
        *(_outcome("invalid") for _ in range(invalid)),
    ]
    random.shuffle(outcomes)
    report = MutationReport(tuple(outcomes))
    assert report.mutants == killed + survived + equivalent
    assert report.killed == killed
    assert len(report.survivors) == survived
    assert len(report.equivalent_candidates) == equivalent
    expected = 1.0 if killed + survived == 0 else killed / (killed + survived)
    assert report.score == pytest.approx(expected)
    assert 0.0 <= report.score <= 1.0


def test_a_suite_the_base_itself_fails_is_refused(
    documents: RuleBaseDocuments, tmp_path: Path
) -> None:
    text = HEALTH.read_text(encoding="utf-8").replace(
        "HEALTH_SUBSIDIZED_ENROLLMENT: high", "HEALTH_SUBSIDIZED_ENROLLMENT: urgent", 1
    )
    (tmp_path / "health.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MutationError) as caught:
        mutation_score(documents, read_suite([tmp_path]), workers=1, rules={"P16"})
    assert BOUNDARY_CASE in str(caught.value)
    assert "falla" in caught.value.message_es


def test_processes_give_the_same_report_as_one(documents: RuleBaseDocuments) -> None:
    suite = read_suite([HEALTH])
    alone = mutation_score(documents, suite, workers=1, rules={"P16", "P17"})
    pooled = mutation_score(documents, suite, workers=2, rules={"P16", "P17"})
    assert pooled.to_json() == alone.to_json()


def test_cli_json_has_score_mutants_killed_and_survivors(weak_suite: Path) -> None:
    result = runner.invoke(
        app, ["audit", "mutate", str(weak_suite), "--rule", "P16", "--json", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 0.0 <= data["score"] < 1.0
    assert isinstance(data["mutants"], int)
    assert isinstance(data["killed"], int)
    assert data["killed"] < data["mutants"]
    survivors = {s["description"]: s for s in data["survivors"]}
    survivor = survivors[AGE_UP]
    assert survivor["rule"] == "P16"
    assert survivor["kind"] == "threshold"
    assert (survivor["old"], survivor["new"]) == (60, 61)
    assert survivor["suggested_case"]["profile"]["age"] == 60
    assert data["score"] == pytest.approx(data["killed"] / (data["killed"] + len(survivors)))


def test_cli_prints_survivors_with_a_yaml_case(weak_suite: Path) -> None:
    result = runner.invoke(
        app, ["audit", "mutate", str(weak_suite), "--rule", "P16", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert f"survived: {AGE_UP}" in result.stdout
    assert "- name: 'kills P16" in result.stdout


def test_cli_names_a_missing_suite(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "mutate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "nowhere" in result.stderr
