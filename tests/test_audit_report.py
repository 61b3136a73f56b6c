"""The auditors' report: one run of every measure, as JSON and as one offline HTML page."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.cli import app
from audit import (
    REQUIREMENTS_FILE,
    audit_report,
    load_suite,
    measure_coverage,
    mutation_score,
    network_reach,
    read_requirements,
    run_suite,
    verify_rule_base,
)
from audit.report import HEADINGS
from engine import RuleBase, default_cases_dir, default_rules_dir, load_rule_base
from network import Level, load_network

runner = CliRunner()

#: Mutation limited to one rule keeps the test to seconds; the full run is the bench's.
MUTATED = "P01"


@cache
def shipped_base() -> RuleBase:
    return load_rule_base()


@cache
def report_run(tmp: str) -> tuple[dict[str, Any], str]:
    page = Path(tmp) / "report.html"
    result = runner.invoke(
        app,
        [
            "audit",
            "report",
            str(default_cases_dir()),
            "--json",
            "--html",
            str(page),
            "--rule",
            MUTATED,
            "--workers",
            "1",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output), page.read_text(encoding="utf-8")


def _run(tmp_path_factory: Any) -> tuple[dict[str, Any], str]:
    return report_run(str(tmp_path_factory.getbasetemp()))


def test_report_json_has_the_five_parts_with_the_individual_measures(
    tmp_path_factory: Any,
) -> None:
    data, _ = _run(tmp_path_factory)
    assert set(data) == {"suite", "coverage", "mutation", "verification", "network"}
    base = shipped_base()
    cases = load_suite([default_cases_dir()])
    assert data["suite"] == run_suite(cases, base).as_json()
    assert data["coverage"] == measure_coverage(cases, base).as_json()
    mutation = mutation_score(base, [c.case for c in cases], workers=1, rules=[MUTATED])
    assert data["mutation"]["score"] == mutation.score
    assert data["mutation"]["mutants"] == mutation.mutants > 0
    assert data["mutation"]["killed"] == mutation.killed
    assert len(data["mutation"]["survivors"]) == len(mutation.survivors)
    wanted = read_requirements(default_rules_dir() / REQUIREMENTS_FILE, set(base.services))
    assert wanted, "the shipped base carries requirements the report should check"
    # Witnesses do not depend on the run: the report's verification equals a new one, whole.
    verification = json.loads(json.dumps(verify_rule_base(base, wanted).as_json()))
    assert data["verification"] == verification


def test_network_reach_covers_every_department_and_recommended_service(
    tmp_path_factory: Any,
) -> None:
    data, _ = _run(tmp_path_factory)
    base = shipped_base()
    network = load_network()
    recommended = {r.service for rule in base.rules for r in rule.recommend}
    pairs = {(r["department"], r["service"]) for r in data["network"]}
    assert pairs == {(d, s) for d in network.departments for s in recommended}
    # Independent side: the network's own gap list, level by level.
    expected = {(g.department, g.service): g.level.name.lower() for g in network.gaps()}
    for row in data["network"]:
        assert row["level"] == expected[(row["department"], row["service"])]
    assert [r.as_json() for r in network_reach(base, network)] == data["network"]


def test_network_reach_reports_none_where_no_partner_offers_the_service() -> None:
    base = shipped_base()
    network = load_network()
    for reach in network_reach(base, network):
        offered = network.institutions_for(service=reach.service)
        if not offered:
            assert reach.level == Level.NONE and reach.institution_id is None


def test_report_html_is_self_contained(tmp_path_factory: Any) -> None:
    _, page = _run(tmp_path_factory)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""<link[^>]+href\s*=\s*["']?(https?:)?//""", page, re.I)
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"""<img[^>]+src\s*=\s*["']?(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page, re.I)
    assert "@import" not in page
    assert '<html lang="en">' in page and '<body class="en">' in page


def test_report_html_has_every_section_in_both_languages(tmp_path_factory: Any) -> None:
    _, page = _run(tmp_path_factory)
    for spanish, english in HEADINGS.values():
        assert f'<h2 class="es">{spanish}</h2>' in page
        assert f'<h2 class="en">{english}</h2>' in page


def test_report_html_shows_the_findings(tmp_path_factory: Any) -> None:
    data, page = _run(tmp_path_factory)
    for survivor in data["mutation"]["survivors"]:
        assert html.escape(survivor["description"]) in page
    for rule in data["coverage"]["rules"]:
        assert f"<td>{rule['id']}</td><td>{rule['covered']}/{rule['items']}</td>" in page
    for finding in data["verification"]["subsumed"]:
        assert f"{finding['rule']} is subsumed by {finding['by']}" in page
    levels = {row["level"] for row in data["network"]}
    assert len(re.findall(r'<td style="background:#', page)) == len(data["network"])
    assert levels <= {"municipality", "department", "national", "neighbour", "nearest", "none"}


def test_a_thin_suite_shows_its_survivors_with_killing_cases_in_the_page() -> None:
    """One file of cases guards P01 poorly: each surviving mutant is on the page with the
    case that would kill it, and the JSON counts the same survivors."""
    cases = load_suite([default_cases_dir() / "humanitarian.yaml"])
    report = audit_report(cases, shipped_base(), load_network(), workers=1, rules=[MUTATED])
    assert report.mutation is not None and report.mutation.survivors
    page = report.html("es")
    assert '<body class="es">' in page
    for outcome in report.mutation.survivors:
        assert html.escape(outcome.mutant.description) in page
        assert outcome.suggested_case is not None
        assert html.escape(outcome.suggested_case["name"]) in page
    data = report.as_json()
    assert data["mutation"] is not None
    assert len(data["mutation"]["survivors"]) == len(report.mutation.survivors)


def test_the_page_lists_a_proved_equivalent_mutant_apart_from_the_survivors() -> None:
    """P29's mutants with the humanitarian cases: one is proved to change no answer; the page
    lists it under its own heading, in both languages, and the summary counts it."""
    cases = load_suite([default_cases_dir() / "humanitarian.yaml"])
    report = audit_report(cases, shipped_base(), load_network(), workers=1, rules=["P29"])
    assert report.mutation is not None
    [equivalent] = report.mutation.equivalent
    page = report.html("en")
    heading = page.index("Equivalent mutants (proved: they change no answer)")
    assert "Mutantes equivalentes (demostrado: no cambian ninguna respuesta)" in page
    assert page.index(html.escape(equivalent.mutant.description), heading) > heading
    assert "1 equivalent (proved)" in page and "1 equivalentes (demostrado)" in page
    assert report.as_json()["mutation"]["equivalent"][0]["proved"] is True


WRONG_CASE = """
- name: P17 gives urgent care at normal priority (wrong on purpose)
  profile: {age: 30, department: "11", municipality: "11001", years_abroad: 1,
            months_since_return: 24, return_kind: voluntary, urgent_medical_need: true}
  services_include: {HEALTH_URGENT_CARE: normal}
"""


def test_a_failing_suite_gets_no_mutation_score(tmp_path: Path) -> None:
    (tmp_path / "wrong.yaml").write_text(WRONG_CASE, encoding="utf-8")
    cases = load_suite([tmp_path])
    report = audit_report(cases, shipped_base(), load_network(), workers=1, rules=[MUTATED])
    assert report.suite.failures and report.mutation is None
    assert report.as_json()["mutation"] is None
    assert "Not measured: some case fails on the rule base itself." in report.html("en")
