"""The mutation score: mutants a suite catches are killed, the ones it misses survive with a
case that really kills them, and the score counts them as documented."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli import app
from audit import (
    Comparison,
    Mutant,
    MutantKind,
    MutantOutcome,
    MutationError,
    MutationReport,
    WitnessError,
    mutants_of,
    mutation_score,
    read_suite,
    yaml_case,
)
from engine import (
    CASE_DAY,
    Case,
    Evaluation,
    RuleBaseDocuments,
    RuleEngine,
    check_case,
    default_cases_dir,
    read_cases,
)
from strategies import as_of_dates, valid_profiles

HEALTH = default_cases_dir() / "health.yaml"
BOUNDARY_CASE = "P16 applies at exactly 60 years of age, even when employed"
#: The threshold mutant the boundary case guards: ``age >= 60`` → ``age >= 61``.
AGE_UP = "P16 when.all[1].any[0].value: 60 → 61"
#: P29 also tests ``origin_municipality != municipality``, false on an empty field, so dropping
#: its ``origin_municipality not_null`` changes no answer.
P29_DROPPED = "P29 when.all[2]: origin_municipality not_null → (dropped)"
#: P27 with its first test written with a ``not`` (same meaning: ``has_shelter`` is never
#: empty), so that a rule base has a ``not`` to drop.
NEGATED = "P27 when.all[0]: not (has_shelter == true) → has_shelter == true"

runner = CliRunner()


@pytest.fixture(scope="module")
def documents() -> RuleBaseDocuments:
    return RuleBaseDocuments.from_directory()


@cache
def shipped() -> RuleBaseDocuments:
    return RuleBaseDocuments.from_directory()


@cache
def shipped_cases() -> list[Case]:
    return read_suite([default_cases_dir()])


@cache
def with_a_not() -> RuleBaseDocuments:
    """The shipped base with P27's ``has_shelter == false`` written as
    ``not (has_shelter == true)``."""
    rule = copy.deepcopy(shipped().rule("P27") or {})
    assert rule["when"]["all"][0] == {"field": "has_shelter", "op": "==", "value": False}
    rule["when"]["all"][0] = {"not": {"field": "has_shelter", "op": "==", "value": True}}
    return shipped().with_rule("P27", rule)


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


def test_a_mutant_that_changes_no_answer_is_proved_equivalent(
    documents: RuleBaseDocuments,
) -> None:
    suite = read_suite([default_cases_dir() / "humanitarian.yaml"])
    report = mutation_score(documents, suite, workers=1, rules={"P29"})
    dropped = _by_description(report)[P29_DROPPED]
    assert dropped.status == "equivalent"
    assert dropped in report.equivalent
    assert dropped not in report.survivors and not report.equivalent_candidates
    assert dropped.to_json()["proved"] is True
    assert report.score == report.killed / (report.killed + len(report.survivors))


@cache
def _p29_engines() -> tuple[RuleEngine, RuleEngine]:
    mutant = next(m for m in mutants_of(shipped()) if m.description == P29_DROPPED)
    return RuleEngine(shipped().to_rule_base()), RuleEngine(
        _mutated(shipped(), mutant).to_rule_base()
    )


def _answer(result: Evaluation) -> tuple[Any, ...]:
    """Everything a case can check, as the case checks it."""
    return (
        result.priorities(),
        {s.code: sorted(s.rules) for s in result.suppressed},
        {s.code: sorted(n.rule for n in s.notes) for s in result.services if s.notes},
        sorted(f.id for f in result.fired),
    )


@given(valid_profiles(), as_of_dates())
def test_the_proved_equivalent_mutant_answers_every_profile_alike(
    profile: dict[str, Any], day: Any
) -> None:
    """An independent look at the proof: the durable-rules engine gives P29 without its
    ``not_null`` test the same answer as P29 on any profile and day."""
    original, mutant = _p29_engines()
    assert _answer(original.evaluate(profile, day)) == _answer(mutant.evaluate(profile, day))


def test_every_kind_of_mutant_is_made(documents: RuleBaseDocuments) -> None:
    made = mutants_of(documents) + mutants_of(with_a_not())
    assert {m.kind for m in made} == set(get_args(MutantKind))
    p16 = {m.description for m in mutants_of(documents) if m.rule == "P16"}
    assert {
        AGE_UP,
        "P16 when.all[1].any[0].value: 60 → 59",
        "P16 when.all[1].any[0].op: >= → >",
        "P16 when.all[1].any[4].op: < → <=",
        "P16 when.all[0]: health_coverage == none → (dropped)",
        "P16 when.all[1].any[1].value: true → false",
        "P16 recommend[0].priority: HEALTH_SUBSIDIZED_ENROLLMENT high → "
        "HEALTH_SUBSIDIZED_ENROLLMENT urgent",
    } <= p16
    described = {m.description for m in made}
    assert {*KIND_EXAMPLES.values(), NEGATED} <= described
    assert "P31 when.all[0].value: [deported, expelled] → [deported, expelled, voluntary]" in (
        described
    )
    assert "P30 regions.departments: [54, 52] → [54]" in described
    assert "P01 effective_from: 2012-07-31 → 2012-07-30" in described


def test_a_yes_no_test_is_turned_round_once_not_also_swapped(documents: RuleBaseDocuments) -> None:
    """On a yes/no field ``==`` → ``!=`` means the same as the value turned round: one
    mutant, not two counted twice."""
    p28 = {m.description for m in mutants_of(documents) if m.rule == "P28"}
    assert "P28 when.all[0].value: false → true" in p28
    assert "P28 when.all[0].op: == → !=" not in p28
    assert "P28 when.all[1].op: < → <=" in p28


#: One mutant of each new kind (and of each new operator swap and of a note's condition), as
#: the report describes it.
KIND_EXAMPLES: dict[str, str] = {
    "boolean": "P28 when.all[0].value: false → true",
    "list_value": "P31 when.all[0].value: [deported, expelled] → [expelled]",
    "list_value_added": "P25 when.all[2].value: [unemployed, self_employed] → "
    "[unemployed, self_employed, not_seeking]",
    "in_not_in": "P31 when.all[0].op: in → not_in",
    "emptiness": "P29 when.all[2].op: not_null → is_null",
    "region_narrowed": "P30 regions.departments: [54, 52] → [52]",
    "region_removed": "P30 regions: departments [54, 52] → (none)",
    "date_later": "P01 effective_from: 2012-07-31 → 2012-08-01",
    "date_earlier": "P10 effective_from: 2011-06-10 → 2011-06-09",
    "note_condition": "P22 recommend[0].notes[0].when.value: "
    "[law, accounting, education, health] → [accounting, education, health]",
    "negation": NEGATED,
}


def _example(label: str) -> tuple[RuleBaseDocuments, Mutant]:
    documents = with_a_not() if label == "negation" else shipped()
    description = KIND_EXAMPLES[label]
    return documents, next(m for m in mutants_of(documents) if m.description == description)


def _engine_failures(documents: RuleBaseDocuments, cases: list[Case]) -> set[str]:
    """The names of the cases that fail on ``documents``, judged by the durable-rules engine
    (not by the reference evaluator the score uses)."""
    with RuleEngine(documents.to_rule_base()) as engine:
        return {
            c.name for c in cases if check_case(c, engine.evaluate(c.profile, c.as_of or CASE_DAY))
        }


@pytest.mark.parametrize("label", list(KIND_EXAMPLES))
def test_each_new_kind_of_mutant_is_killed_by_a_case_aimed_at_it(label: str) -> None:
    documents, mutant = _example(label)
    report = mutation_score(documents, shipped_cases(), workers=1, rules={mutant.rule})
    outcome = _by_description(report)[mutant.description]
    assert outcome.status == "killed"
    killer = next(c for c in shipped_cases() if c.name == outcome.killed_by)
    assert _engine_failures(_mutated(documents, mutant), [killer]) == {killer.name}
    assert not _engine_failures(documents, [killer])


@pytest.mark.parametrize("label", list(KIND_EXAMPLES))
def test_each_new_kind_of_mutant_survives_a_weak_suite_with_a_case_that_kills_it(
    label: str,
) -> None:
    documents, mutant = _example(label)
    mutated = _mutated(documents, mutant)
    killers = _engine_failures(mutated, shipped_cases())
    assert killers  # the shipped suite guards against this slip
    weak = [c for c in shipped_cases() if c.name not in killers]
    report = mutation_score(documents, weak, workers=1, rules={mutant.rule})
    outcome = _by_description(report)[mutant.description]
    assert outcome.status == "survived"
    assert outcome.suggested_case is not None
    suggested = Case.model_validate(outcome.suggested_case)
    assert _engine_failures(mutated, [suggested]) == {suggested.name}
    assert not _engine_failures(documents, [suggested])
    again = mutation_score(documents, [*weak, suggested], workers=1, rules={mutant.rule})
    assert _by_description(again)[mutant.description].status == "killed"


def test_a_mutant_the_solver_cannot_decide_is_an_unproved_candidate(
    documents: RuleBaseDocuments, monkeypatch: pytest.MonkeyPatch
) -> None:
    def undecided(*_: Any, **__: Any) -> Comparison:
        return Comparison("undecided")

    monkeypatch.setattr("audit.mutation.compare_rule_bases", undecided)
    suite = read_suite([default_cases_dir() / "humanitarian.yaml"])
    report = mutation_score(documents, suite, workers=1, rules={"P29"})
    dropped = _by_description(report)[P29_DROPPED]
    assert dropped.status == "equivalent_candidate"
    assert dropped in report.equivalent_candidates and not report.equivalent
    data = report.to_json()
    assert [o["description"] for o in data["equivalent_candidates"]] == [P29_DROPPED]
    assert data["equivalent_candidates"][0]["proved"] is False
    assert data["score"] == 1.0


def test_a_witness_that_does_not_tell_the_mutant_apart_is_a_fault_not_a_survivor(
    documents: RuleBaseDocuments, weak_suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the solver (or its encoding) wrong, the mutation score must stop, not report a
    survivor with a case that does not kill it."""
    ordinary = {
        "profile": {
            "age": 30,
            "department": "11",
            "municipality": "11001",
            "years_abroad": 1,
            "months_since_return": 6,
            "return_kind": "voluntary",
        },
        "as_of": "2026-11-01",
    }

    def wrong(*_: Any, **__: Any) -> Comparison:
        return Comparison("differ", ordinary)

    monkeypatch.setattr("audit.mutation.compare_rule_bases", wrong)
    with pytest.raises(WitnessError) as caught:
        mutation_score(documents, read_suite([weak_suite]), workers=1, rules={"P16"})
    # the first P16 mutant the weak suite does not kill
    assert "mutation fault" in str(caught.value) and "P16 when." in str(caught.value)
    assert "no lo distingue" in caught.value.message_es


def _outcome(status: Any) -> MutantOutcome:
    return MutantOutcome(Mutant("R", "operator", "when.op", "<", "<=", {}), status)


@given(
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 5),
    st.integers(0, 5),
    st.randoms(),
)
def test_the_score_is_killed_over_killed_and_survivors(
    killed: int, survived: int, equivalent: int, undecided: int, invalid: int, random: Any
) -> None:
    outcomes = [
        *(_outcome("killed") for _ in range(killed)),
        *(_outcome("survived") for _ in range(survived)),
        *(_outcome("equivalent") for _ in range(equivalent)),
        *(_outcome("equivalent_candidate") for _ in range(undecided)),
        *(_outcome("invalid") for _ in range(invalid)),
    ]
    random.shuffle(outcomes)
    report = MutationReport(tuple(outcomes))
    assert report.mutants == killed + survived + equivalent + undecided
    assert report.killed == killed
    assert len(report.survivors) == survived
    assert len(report.equivalent) == equivalent
    assert len(report.equivalent_candidates) == undecided
    counts = report.to_json()["by_kind"].get("operator", {"mutants": 0})
    assert counts["mutants"] == report.mutants
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


def test_cli_prints_survivors_with_a_yaml_case_in_spanish_or_english(weak_suite: Path) -> None:
    for lang, said in (("es", "sobrevive"), ("en", "survived")):
        result = runner.invoke(
            app,
            ["audit", "mutate", str(weak_suite), "--rule", "P16", "--workers", "1", "--lang", lang],
        )
        assert result.exit_code == 0, result.output
        assert f"{said}: {AGE_UP}" in result.stdout
        assert "- name: 'kills P16" in result.stdout
    assert (
        "puntaje de mutación"
        in runner.invoke(
            app, ["audit", "mutate", str(weak_suite), "--rule", "P16", "--workers", "1"]
        ).stdout
    )


def test_cli_lists_the_proved_equivalent_mutant_apart() -> None:
    suite = str(default_cases_dir() / "humanitarian.yaml")
    args = ["audit", "mutate", suite, "--rule", "P29", "--workers", "1"]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [(e["description"], e["proved"]) for e in data["equivalent"]] == [(P29_DROPPED, True)]
    assert data["equivalent_candidates"] == [] and data["survivors"] == []
    assert data["score"] == 1.0 and data["killed"] == data["mutants"] - 1
    text = runner.invoke(app, [*args, "--lang", "en"]).stdout
    assert f"equivalent (proved: no profile on any day gets another answer): {P29_DROPPED}" in text


def test_cli_names_a_missing_suite(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "mutate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "nowhere" in result.stderr
