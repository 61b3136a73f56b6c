"""Simulating a rule change: who gains or loses each service, checked against an oracle.

The expected side is computed here with the plain-Python ReferenceEvaluator and a comparison
written independently of simulation/tally.py; the P01 example of issue #8 is checked against the
rule's own conditions, written out by hand.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import (
    FieldProblem,
    Priority,
    ProfileError,
    ReferenceEvaluator,
    RuleBase,
    RuleEngine,
    default_rules_dir,
    parse_profile,
    rule_base_from_data,
)
from engine.loader import CATALOGUE_FILE, MANIFEST_FILE
from engine.yaml_source import read_yaml
from simulation import (
    PART_SIZE,
    Population,
    PopulationError,
    SimulationResult,
    broken_cases,
    cases_population,
    profiles_population,
    read_synthetic_spec,
    simulate,
    synthetic_population,
)
from strategies import as_of_dates, build_rule_base, rule_bases, valid_profiles

DAY = date(2026, 11, 27)
#: Most urgent first, as protocols §4 orders them; written here, not taken from the engine.
URGENCY = [Priority.URGENT, Priority.HIGH, Priority.NORMAL]
SCALE = max(1, settings().max_examples // 100)


# --- rule bases edited in memory ----------------------------------------------------------------


@cache
def _rule_files() -> tuple[Any, Any, dict[str, Any]]:
    folder = default_rules_dir()
    documents = {}
    for path in sorted(folder.glob("*.yaml")):
        data, problem = read_yaml(path, path.name)
        assert problem is None, problem
        documents[path.name] = data
    return documents.pop(MANIFEST_FILE), documents.pop(CATALOGUE_FILE), documents


def edited_base(edit: Callable[[dict[str, dict[str, Any]]], None]) -> RuleBase:
    """The shipped rule base with ``edit`` applied to its rules (rule id → rule data)."""
    manifest, catalogue, files = copy.deepcopy(_rule_files())
    rules = {rule["id"]: rule for data in files.values() for rule in data["rules"]}
    edit(rules)
    return rule_base_from_data(manifest, catalogue, files)


def _test_of(rule: dict[str, Any], field: str) -> dict[str, Any]:
    return next(t for t in rule["when"]["all"] if t.get("field") == field)


def raise_p01(rules: dict[str, dict[str, Any]]) -> None:
    """Issue #8's example: P01's ``years_abroad >= 3`` becomes ``>= 4``."""
    _test_of(rules["P01"], "years_abroad")["value"] = 4


def four_kinds(rules: dict[str, dict[str, Any]]) -> None:
    """A change where each kind happens: P01 lost (>= 4), P02 gained (< 4 years abroad), P19
    psychosocial care up (normal → high), P27 temporary shelter down (urgent → high)."""
    raise_p01(rules)
    _test_of(rules["P02"], "years_abroad")["value"] = 4
    rules["P19"]["recommend"][0]["priority"] = "high"
    rules["P27"]["recommend"][0]["priority"] = "high"


@pytest.fixture(scope="module")
def p01_raised() -> RuleBase:
    return edited_base(raise_p01)


@pytest.fixture(scope="module")
def changed() -> RuleBase:
    return edited_base(four_kinds)


@pytest.fixture(scope="session")
def no_cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder of protocol cases, for simulations where cases are not the point."""
    return tmp_path_factory.mktemp("no-cases")


# --- the oracle -----------------------------------------------------------------------------


def expected_changes(
    before: RuleBase, after: RuleBase, people: list[tuple[Any, date]]
) -> dict[str, Any]:
    """What a simulation must report, worked out with the reference evaluator: ``changed``,
    per service the four counts and the counts per department, and the invalid positions."""
    old_rules, new_rules = ReferenceEvaluator(before), ReferenceEvaluator(after)
    changed = 0
    invalid = []
    services: dict[str, dict[str, Counter[str]]] = {}
    for position, (data, day) in enumerate(people):
        try:
            profile = parse_profile(data)
        except ProfileError:
            invalid.append(position)
            continue
        old = {s.code: s.priority for s in old_rules.evaluate(profile, day).services}
        new = {s.code: s.priority for s in new_rules.evaluate(profile, day).services}
        kinds = {}
        for code in old.keys() | new.keys():
            if code not in old:
                kinds[code] = "gained"
            elif code not in new:
                kinds[code] = "lost"
            elif URGENCY.index(new[code]) < URGENCY.index(old[code]):
                kinds[code] = "priority_up"
            elif URGENCY.index(new[code]) > URGENCY.index(old[code]):
                kinds[code] = "priority_down"
        changed += bool(kinds)
        for code, kind in kinds.items():
            service = services.setdefault(code, {})
            service.setdefault("total", Counter())[kind] += 1
            service.setdefault(profile.department, Counter())[kind] += 1
    return {
        "changed": changed,
        "invalid": invalid,
        "services": {
            code: {place: dict(counter) for place, counter in sorted(counts.items())}
            for code, counts in sorted(services.items())
        },
    }


def reported_changes(result: SimulationResult) -> dict[str, Any]:
    """The same figures read from a simulation's JSON."""
    body = result.to_json()
    kinds = ("gained", "lost", "priority_up", "priority_down")
    services = {}
    for service in body["services"]:
        counts = {"total": {k: service[k] for k in kinds if service[k]}}
        for department, per in service["by_department"].items():
            counts[department] = {k: per[k] for k in kinds if per[k]}
        services[service["code"]] = dict(sorted(counts.items()))
    return {
        "changed": body["changed"],
        "invalid": [i["position"] for i in body["invalid"]],
        "services": services,
    }


def people_of(population: Population, day: date = DAY) -> list[tuple[Any, date]]:
    return [(data, own or day) for data, own in population.members()]


def test_simulation_agrees_with_the_reference_evaluator(
    rule_base: RuleBase, changed: RuleBase, no_cases: Path
) -> None:
    population = synthetic_population(1500, seed=3)
    result = simulate(rule_base, changed, population, DAY, workers=1, cases_dir=no_cases)
    expected = expected_changes(rule_base, changed, people_of(population))
    assert reported_changes(result) == expected
    assert result.profiles == 1500
    # Every kind of change happened, so the comparison above covered all four.
    kinds = {kind for service in expected["services"].values() for kind in service["total"]}
    assert kinds == {"gained", "lost", "priority_up", "priority_down"}


def test_examples_are_the_first_people_of_each_change_with_both_roadmaps(
    rule_base: RuleBase, changed: RuleBase, no_cases: Path
) -> None:
    population = synthetic_population(1500, seed=3)
    result = simulate(rule_base, changed, population, DAY, workers=1, cases_dir=no_cases)
    old_rules, new_rules = ReferenceEvaluator(rule_base), ReferenceEvaluator(changed)
    firsts: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for data, _ in population.members():
        profile = parse_profile(data)
        old, new = dict(_pairs(old_rules, profile)), dict(_pairs(new_rules, profile))
        for code in old.keys() | new.keys():
            kind = _kind(old.get(code), new.get(code))
            if kind and len(firsts.setdefault(code, {}).setdefault(kind, [])) < 5:
                firsts[code][kind].append(profile.model_dump(mode="json", exclude_defaults=True))
    for service in result.to_json()["services"]:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for example in service["examples"]:
            by_kind.setdefault(example["change"], []).append(example)
        for kind, examples in by_kind.items():
            assert len(examples) == min(5, service[kind])
        for example in service["examples"]:
            profile = parse_profile(example["profile"])
            day = date.fromisoformat(example["as_of"])
            for rules, key in ((old_rules, "before"), (new_rules, "after")):
                roadmap = [
                    {"code": s.code, "priority": s.priority.value}
                    for s in rules.evaluate(profile, day).services
                ]
                assert example[key] == roadmap
        # The first people of the population showing this change, in order.
        assert {k: [e["profile"] for e in v] for k, v in by_kind.items()} == firsts[service["code"]]


def _pairs(rules: ReferenceEvaluator, profile: Any) -> list[tuple[str, Priority]]:
    return [(s.code, s.priority) for s in rules.evaluate(profile, DAY).services]


def _kind(old: Priority | None, new: Priority | None) -> str | None:
    if old == new:
        return None
    if old is None:
        return "gained"
    if new is None:
        return "lost"
    return "priority_up" if URGENCY.index(new) < URGENCY.index(old) else "priority_down"


# --- issue #8's example: P01 at 4 years abroad ----------------------------------------------


def loses_p01(profile: dict[str, Any], day: date) -> bool:
    """P01's conditions as written in rules/ley-retorno.yaml, with the threshold between the
    old 3 and the new 4 years, and P03's exclusion (a sentence or conviction removes the RUR
    registration)."""
    checked = parse_profile(profile)
    return (
        day >= date(2012, 7, 31)
        and checked.age >= 18
        and 3 <= checked.years_abroad < 4
        and checked.months_since_return < 12
        and checked.rur_status == "not_registered"
        and not checked.sentence_in_force
        and not checked.convicted_public_administration
    )


def test_raising_p01_to_4_years_loses_the_registration_for_3_to_4_years_abroad(
    rule_base: RuleBase, p01_raised: RuleBase
) -> None:
    population = synthetic_population(3000, seed=1)
    result = simulate(rule_base, p01_raised, population, DAY, workers=1)
    losers = [data for data, _ in population.members() if loses_p01(data, DAY)]
    assert len(losers) > 30  # the population does reach P01's boundary
    by_department = Counter(p["department"] for p in losers)

    body = result.to_json()
    assert body["changed"] == len(losers)
    [service] = body["services"]
    assert service["code"] == "LEGAL_RUR_REGISTRATION"
    assert (service["lost"], service["gained"]) == (len(losers), 0)
    assert (service["priority_up"], service["priority_down"]) == (0, 0)
    assert {d: c["lost"] for d, c in service["by_department"].items()} == dict(by_department)
    assert len(by_department) > 5  # split over many departments
    assert [e["change"] for e in service["examples"]] == ["lost"] * 5
    for example in service["examples"]:
        assert loses_p01(example["profile"], DAY)
        assert {"code": "LEGAL_RUR_REGISTRATION", "priority": "normal"} in example["before"]
        assert "LEGAL_RUR_REGISTRATION" not in [s["code"] for s in example["after"]]

    broken = {case["name"]: case for case in body["broken_cases"]}
    at_boundary = broken["P01 applies at exactly 3 years abroad"]
    assert at_boundary["file"] == "ley-retorno.yaml" and at_boundary["line"] == 7
    assert at_boundary["differences"] == [
        "LEGAL_RUR_REGISTRATION: expected normal, not recommended",
        "rule P01 was expected to fire",
    ]
    assert at_boundary["differences_es"] == [
        "LEGAL_RUR_REGISTRATION: se esperaba normal, no se recomienda",
        "se esperaba que la regla P01 aplicara",
    ]
    assert "P01 does not apply at 2.99 years abroad" not in broken


def test_broken_cases_are_those_the_rule_base_fails(
    rule_base: RuleBase, p01_raised: RuleBase
) -> None:
    assert broken_cases(rule_base) == []
    broken = broken_cases(p01_raised)
    assert "P01 applies at exactly 3 years abroad" in [case.name for case in broken]
    # Only cases with a person at 3 to 4 years abroad whom P01 served break.
    for case in broken:
        assert any("LEGAL_RUR_REGISTRATION" in d or "P01" in d for d in case.differences)


def test_the_population_of_the_cases_shows_the_same_change(
    rule_base: RuleBase, p01_raised: RuleBase, no_cases: Path
) -> None:
    population = cases_population()
    result = simulate(rule_base, p01_raised, population, DAY, workers=1, cases_dir=no_cases)
    # Each case is evaluated on its own day, not the simulation's.
    assert reported_changes(result) == expected_changes(
        rule_base, p01_raised, [(p, d) for p, d in population.members() if d is not None]
    )
    assert result.changed == 3


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=10 * SCALE, deadline=None)
@given(seed=st.integers(0, 2**32), size=st.integers(0, 80))
def test_a_rule_base_against_itself_changes_nothing(
    rule_base: RuleBase, seed: int, size: int, no_cases: Path
) -> None:
    population = synthetic_population(size, seed)
    result = simulate(rule_base, rule_base, population, DAY, workers=1, cases_dir=no_cases)
    assert result.to_json() == {
        "profiles": size,
        "changed": 0,
        "invalid": [],
        "services": [],
        "broken_cases": [],
    }


@settings(
    max_examples=15 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    first=rule_bases(max_rules=12),
    second=rule_bases(max_rules=12),
    profiles=st.lists(valid_profiles(), min_size=1, max_size=12),
    day=as_of_dates(),
)
def test_random_changes_agree_with_the_oracle_and_swapping_swaps_gains_and_losses(
    first: Any, second: Any, profiles: list[dict[str, Any]], day: date, no_cases: Path
) -> None:
    before, after = build_rule_base(first), build_rule_base(second)
    population = profiles_population(profiles)
    forward = simulate(before, after, population, day, workers=1, cases_dir=no_cases)
    backward = simulate(after, before, population, day, workers=1, cases_dir=no_cases)
    assert reported_changes(forward) == expected_changes(
        before, after, [(p, day) for p in profiles]
    )
    swap = {"gained": "lost", "lost": "gained", "priority_up": "priority_down"}
    swap["priority_down"] = "priority_up"
    assert forward.changed == backward.changed
    mirrored = {
        code: {place: {swap[k]: n for k, n in counts.items()} for place, counts in per.items()}
        for code, per in reported_changes(forward)["services"].items()
    }
    assert mirrored == reported_changes(backward)["services"]


@settings(max_examples=25 * SCALE, deadline=None)
@given(
    first=rule_bases(max_rules=12),
    profiles=st.lists(st.tuples(valid_profiles(), as_of_dates()), min_size=1, max_size=8),
)
def test_the_roadmap_alone_is_the_evaluations_services(
    first: Any, profiles: list[tuple[dict[str, Any], date]]
) -> None:
    base = build_rule_base(first)
    with RuleEngine(base) as engine:
        for profile, day in profiles:
            services = engine.evaluate(profile, day).services
            assert engine.roadmap(profile, day) == tuple((s.code, s.priority) for s in services)


# --- populations ------------------------------------------------------------------------------


def test_synthetic_people_are_valid_and_the_same_for_the_same_seed() -> None:
    people = [p for p, _ in synthetic_population(2000, seed=11).members()]
    for person in people:
        parsed = parse_profile(person)
        assert parsed.municipality.startswith(parsed.department)
    again = [p for p, _ in synthetic_population(2000, seed=11).members()]
    assert people == again
    other = [p for p, _ in synthetic_population(2000, seed=12).members()]
    assert people != other
    # Person i does not depend on the population's size.
    assert [p for p, _ in synthetic_population(50, seed=11).members()] == people[:50]
    assert [p for p, _ in synthetic_population(2000, seed=11).part(700, 760).members()] == (
        people[700:760]
    )


def test_every_rule_of_the_default_base_applies_to_some_synthetic_people(
    engine: RuleEngine, rule_base: RuleBase
) -> None:
    fired: set[str] = set()
    for person, _ in synthetic_population(3000, seed=0).members():
        fired.update(engine.matching_rules(person, DAY))
    assert fired == {rule.id for rule in rule_base.rules}


def test_synthetic_people_look_like_returnees() -> None:
    people = [parse_profile(p) for p, _ in synthetic_population(3000, seed=5).members()]
    departments = Counter(p.department for p in people)
    assert len(departments) > 25 and departments.most_common(1)[0][0] == "11"
    assert all(not p.pregnant or 15 <= p.age <= 45 for p in people)
    assert all(not p.unaccompanied_minor or p.age < 18 for p in people)
    assert all(p.rur_type == "none" or p.rur_status != "not_registered" for p in people)
    assert all(p.degree_field == "none" or p.foreign_studies == "higher" for p in people)
    assert 0.1 < sum(p.age < 18 for p in people) / len(people) < 0.3


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("  return_kind:", "  return_kinds:"), "fields.return_kinds"),
        (("{voluntary: 60,", "{voluntarily: 60,"), "'voluntarily' is not allowed"),
        (('"99001": 1', '"99001": -1'), "places.99001"),
        (('"99001": 1', '"00001": 1'), "'00001'"),
        (("only_if: {foreign_studies: [higher]}", "only_if: {employment: [employed]}"), "employ"),
        (("{chance: 0.03}", "{weights: {true: 1}}"), "fields.id_document_cancelled"),
    ],
)
def test_a_faulty_synthetic_description_is_refused_naming_the_entry(
    tmp_path: Path, change: tuple[str, str], named: str
) -> None:
    source = Path(__file__).resolve().parent.parent / "simulation" / "synthetic.yaml"
    text = source.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "synthetic.yaml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(PopulationError) as refused:
        read_synthetic_spec(path)
    assert "synthetic.yaml" in refused.value.message and named in refused.value.message
    assert "synthetic.yaml" in refused.value.message_es


def test_invalid_profiles_are_counted_by_position_and_field_never_value(
    rule_base: RuleBase, p01_raised: RuleBase, no_cases: Path
) -> None:
    good = {"age": 30, "department": "11", "municipality": "11001", "years_abroad": 3.5}
    good |= {"months_since_return": 2, "return_kind": "voluntary"}
    # As api.batch.profile_from_row reports a spreadsheet row with more cells than columns:
    unread = ProfileError([FieldProblem("(row)", "too many cells", "demasiadas celdas")])
    people = [good, {**good, "age": 7391, "return_kind": "returned"}, "Juana Pérez", unread, good]
    result = simulate(
        rule_base, p01_raised, profiles_population(people), DAY, workers=1, cases_dir=no_cases
    )
    body = result.to_json()
    assert body["invalid"] == [
        {"position": 1, "fields": ["age", "return_kind"]},
        {"position": 2, "fields": ["profile"]},
        {"position": 3, "fields": ["(row)"]},
    ]
    assert body["profiles"] == 5 and body["changed"] == 2
    text = json.dumps(body["invalid"])
    assert "7391" not in text and "Juana" not in text


def test_profiles_must_come_as_a_list() -> None:
    with pytest.raises(PopulationError) as refused:
        profiles_population({"age": 30})  # type: ignore[arg-type]
    assert "lista" in refused.value.message_es


# --- where it runs ----------------------------------------------------------------------------


def test_serial_pool_and_dask_give_the_same_result(
    rule_base: RuleBase, changed: RuleBase, no_cases: Path
) -> None:
    from distributed import LocalCluster

    population = synthetic_population(2 * PART_SIZE + 300, seed=9)
    told: list[tuple[int, int]] = []
    serial = simulate(rule_base, changed, population, DAY, workers=1, cases_dir=no_cases)
    pool = simulate(
        rule_base,
        changed,
        population,
        DAY,
        workers=2,
        progress=lambda done, total: told.append((done, total)),
        cases_dir=no_cases,
    )
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        dask = simulate(rule_base, changed, population, DAY, scheduler=address, cases_dir=no_cases)
    assert serial.changed > 0
    assert pool.to_json() == serial.to_json()
    assert dask.to_json() == serial.to_json()
    # Progress is told as parts finish, in people, up to the whole population.
    total = len(population)
    assert told[0] == (0, total) and told[-1] == (total, total)
    assert [d for d, _ in told] == sorted(d for d, _ in told) and len(told) == 4


def test_the_day_defaults_to_each_persons_own_then_the_simulations(
    rule_base: RuleBase, p01_raised: RuleBase, no_cases: Path
) -> None:
    person = {"age": 30, "department": "11", "municipality": "11001", "years_abroad": 3.5}
    person |= {"months_since_return": 2, "return_kind": "voluntary"}
    before_the_law = date(2012, 7, 30)  # P01 applies from 2012-07-31
    on_old_day = profiles_population([person], as_of=before_the_law)
    assert simulate(rule_base, p01_raised, on_old_day, DAY, cases_dir=no_cases).changed == 0
    on_sim_day = profiles_population([person])
    assert simulate(rule_base, p01_raised, on_sim_day, DAY, cases_dir=no_cases).changed == 1
    earlier = simulate(rule_base, p01_raised, on_sim_day, before_the_law, cases_dir=no_cases)
    assert earlier.changed == 0
