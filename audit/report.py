"""The auditors' report: one run of a suite, its coverage, its mutation score and the
verification of the rule base, with the partner network's reach for every service the
protocols can promise, gathered in one object that renders as JSON or as one self-contained
HTML page (inline style, no outside assets, opens offline) in Spanish and English.

The network join answers "where does a protocol promise what no partner delivers?": for every
department and every service some rule can recommend, the best level a returnee living in the
department's capital can be referred at (municipality, department, national, neighbouring
department, nearest department as the crow flies once the land borders run out, or none).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from engine import RuleBase
from network import Level, Network
from texts import N_, both, text

from .coverage import CoverageReport, measure_coverage
from .mutation import MutationReport, mutation_score, yaml_case
from .requirements import Requirement
from .suite import SuiteCase, SuiteResult, run_suite
from .verify import Verification, verify_rule_base

__all__ = [
    "STAGES",
    "AuditReport",
    "Reach",
    "audit_report",
    "network_reach",
    "recommended_services",
    "shown_first",
]


@dataclass(frozen=True)
class Reach:
    """How far the network carries one service the protocols recommend in one department."""

    department: str
    department_name: str
    service: str
    level: Level
    distance_km: float | None
    institution_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "department_name": self.department_name,
            "service": self.service,
            "level": self.level.name.lower(),
            "distance_km": self.distance_km,
            "institution_id": self.institution_id,
        }


def recommended_services(rule_base: RuleBase) -> list[str]:
    """Every service some rule of ``rule_base`` recommends, in code order."""
    return sorted({r.service for rule in rule_base.rules for r in rule.recommend})


def network_reach(rule_base: RuleBase, network: Network) -> list[Reach]:
    """For every department × service the rule base can recommend, the best level the network
    reaches from the department's capital (:meth:`network.Network.gaps`, which measures the
    network's own coverage, without any rule base's referral preference)."""
    wanted = set(recommended_services(rule_base))
    return [
        Reach(
            gap.department,
            network.departments[gap.department].name,
            gap.service,
            gap.level,
            gap.distance_km,
            gap.institution_id,
        )
        for gap in network.gaps()
        if gap.service in wanted
    ]


@dataclass(frozen=True)
class AuditReport:
    """Everything an auditor reads about one rule base and one suite.

    ``mutation`` is ``None`` when some case fails on the rule base itself: a mutation score
    only means something for a suite the protocols pass.
    """

    suite: SuiteResult
    coverage: CoverageReport
    mutation: MutationReport | None
    verification: Verification
    network: tuple[Reach, ...]

    def as_json(self) -> dict[str, Any]:
        """The shape of ``ruta audit report --json``: each part as its own command gives it."""
        return {
            "suite": self.suite.as_json(),
            "coverage": self.coverage.as_json(),
            "mutation": self.mutation.to_json() if self.mutation is not None else None,
            "verification": self.verification.as_json(),
            "network": [r.as_json() for r in self.network],
        }

    def html(self, lang: str = "es") -> str:
        """One self-contained page in both languages; ``lang`` is the one shown first (a
        button switches; without scripts both stay readable in the source)."""
        return _Page(self).render(lang)


#: The stages of an audit, in the order :func:`audit_report` runs them.
STAGES: tuple[str, ...] = ("suite", "coverage", "mutation", "verification", "network")


def audit_report(
    cases: Sequence[SuiteCase],
    rule_base: RuleBase,
    network: Network,
    requirements: Sequence[Requirement] = (),
    *,
    workers: int | None = None,
    rules: Collection[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> AuditReport:
    """Run the suite, measure its coverage, score it by mutation (limited to ``rules`` if
    given, in ``workers`` processes), verify the rule base against ``requirements`` and join
    the network: each once. ``progress(stage, done)`` is told as each of :data:`STAGES`
    begins, with how many stages are done."""

    def begin(stage: str) -> None:
        if progress is not None:
            progress(stage, STAGES.index(stage))

    begin("suite")
    suite = run_suite(cases, rule_base)
    begin("coverage")
    coverage = measure_coverage(cases, rule_base)
    begin("mutation")
    mutation = (
        mutation_score(rule_base, [c.case for c in cases], workers=workers, rules=rules)
        if suite.passed
        else None
    )
    begin("verification")
    verification = verify_rule_base(rule_base, list(requirements))
    begin("network")
    reach = tuple(network_reach(rule_base, network))
    return AuditReport(
        suite=suite,
        coverage=coverage,
        mutation=mutation,
        verification=verification,
        network=reach,
    )


def shown_first(page: str, lang: str) -> str:
    """A page made by :meth:`AuditReport.html`, set to show ``lang`` first (the page holds both
    languages; only which one opens differs), so a stored page serves both."""
    first = "en" if lang == "en" else "es"
    prefix = '<!DOCTYPE html><html lang="'
    if not page.startswith(prefix):
        raise ValueError("not a page made by AuditReport.html")
    was = page[len(prefix) : len(prefix) + 2]
    page = prefix + first + page[len(prefix) + 2 :]
    return page.replace(f'<body class="{was}">', f'<body class="{first}">', 1)


# --- the page ------------------------------------------------------------------------------

#: The catalogue's key of each section heading.
_HEADING_TEXTS: dict[str, str] = {
    "summary": N_("report.heading.summary"),
    "coverage": N_("report.heading.coverage"),
    "uncovered": N_("report.heading.uncovered"),
    "mutation": N_("report.heading.mutation"),
    "verification": N_("report.heading.verification"),
    "network": N_("report.heading.network"),
}
#: Section headings, Spanish and English (tests look for both).
HEADINGS: dict[str, tuple[str, str]] = {
    section: (text(key, "es"), text(key, "en")) for section, key in _HEADING_TEXTS.items()
}

_LEVELS: dict[Level, tuple[str, str, str]] = {
    # level: (short, the catalogue's key of its name, colour)
    Level.MUNICIPALITY: ("M", N_("report.level.municipality"), "#1a9850"),
    Level.DEPARTMENT: ("D", N_("report.level.department"), "#91cf60"),
    Level.NATIONAL: ("N", N_("report.level.national"), "#fee08b"),
    Level.NEIGHBOUR: ("V", N_("report.level.neighbour"), "#fc8d59"),
    Level.NEAREST: ("L", N_("report.level.nearest"), "#f46d43"),
    Level.NONE: ("—", N_("report.level.none"), "#d73027"),
}

_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:80em}td,th{vertical-align:top;"
    "padding:2px 6px;text-align:left}.bar{width:140px;height:10px;background:#ddd}"
    ".bar span{display:block;height:10px;background:#2a7}pre{background:#f4f4f4;padding:4px;"
    "white-space:pre-wrap}table.heat td{text-align:center;font-size:80%;min-width:1.5em}"
    "table.heat th{font-size:70%}body.es .en,body.en .es{display:none}"
    "button{margin-right:.5em}"
)

_SCRIPT = "function lang(l){document.body.className=l;document.documentElement.lang=l}"


def _both(english_spanish: tuple[str, str], tag: str = "span") -> str:
    """A text in both languages, as ``texts.both`` gives it; the page shows one at a time."""
    en, es = english_spanish
    return f'<{tag} class="es">{html.escape(es)}</{tag}><{tag} class="en">{html.escape(en)}</{tag}>'


def _heading(key: str) -> str:
    es, en = HEADINGS[key]
    return _both((en, es), "h2")


def _witness(witness: Any) -> str:
    if witness is None:
        return ""
    return f"<pre>{html.escape(json.dumps(witness, ensure_ascii=False))}</pre>"


class _Page:
    def __init__(self, report: AuditReport) -> None:
        self.report = report

    def render(self, lang: str) -> str:
        first = "en" if lang == "en" else "es"
        title_en, title_es = both("report.title")
        spanish = html.escape(text("language.es", "es"))
        english = html.escape(text("language.en", "en"))
        parts = [
            self._summary(),
            self._coverage(),
            self._uncovered(),
            self._mutation(),
            self._verification(),
            self._network(),
        ]
        return (
            f'<!DOCTYPE html><html lang="{first}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title_es)} / {html.escape(title_en)}</title>"
            f"<style>{_STYLE}</style><script>{_SCRIPT}</script></head>"
            f'<body class="{first}">'
            f"<p><button onclick=\"lang('es')\">{spanish}</button>"
            f"<button onclick=\"lang('en')\">{english}</button></p>"
            + _both((title_en, title_es), "h1")
            + "".join(parts)
            + "</body></html>"
        )

    def _summary(self) -> str:
        r = self.report
        suite, cov = r.suite, r.coverage
        passed = len(suite.outcomes) - len(suite.failures)
        fired = sum(x.fired for x in cov.rules)
        none = sum(1 for x in r.network if x.level == Level.NONE)
        v = r.verification
        if r.mutation is not None:
            mutation = (r.mutation.summary("en"), r.mutation.summary("es"))
        else:
            mutation = both("report.no_mutation_score")
        rows = [
            both("report.cases", passed=passed, cases=len(suite.outcomes)),
            both(
                "report.coverage",
                covered=cov.covered,
                total=cov.total,
                percent=format(cov.percent, ".1f"),
                fired=fired,
                rules=len(cov.rules),
            ),
            mutation,
            both(
                "report.verification",
                dead=len(v.dead),
                subsumed=len(v.subsumed),
                never=len(v.never_recommended),
                conflicts=len(v.conflicts),
                refuted=len(v.failed_requirements),
                requirements=len(v.requirements),
            ),
            both("report.network", none=none, pairs=len(r.network)),
        ]
        version = html.escape(cov.rule_base_version)
        version_of = _both(both("report.version"))
        return (
            _heading("summary")
            + f"<p>{version_of}: {version}</p><ul>"
            + "".join(f"<li>{_both(row)}</li>" for row in rows)
            + "</ul>"
        )

    def _coverage(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(rule.rule)}</td><td>{rule.covered}/{len(rule.items)}</td>"
            f'<td><div class="bar"><span style="width:{rule.percent:.0f}%"></span></div></td>'
            f"<td>{rule.percent:.0f} %</td></tr>"
            for rule in self.report.coverage.rules
        )
        return _heading("coverage") + f"<table>{rows}</table>"

    def _uncovered(self) -> str:
        items = []
        for rule in self.report.coverage.rules:
            for item in rule.uncovered:
                suggestion = (
                    f"<pre>{html.escape(item.suggestion.yaml(item.item))}</pre>"
                    if item.suggestion is not None
                    else _both(both("audit.coverage.no_case_found"), "p")
                )
                described = (item.item.describe("en"), item.item.describe("es"))
                items.append(
                    f"<li><b>{html.escape(rule.rule)}</b>: {_both(described)}{suggestion}</li>"
                )
        return _heading("uncovered") + f"<ul>{''.join(items)}</ul>"

    def _mutation(self) -> str:
        m = self.report.mutation
        if m is None:
            return _heading("mutation") + _both(both("report.mutation_not_measured"), "p")
        survivors = "".join(
            f"<li>{html.escape(o.mutant.description)}"
            f"<pre>{html.escape(yaml_case(o.suggested_case or {}))}</pre></li>"
            for o in m.survivors
        )
        equivalent = "".join(f"<li>{html.escape(o.mutant.description)}</li>" for o in m.equivalent)
        undecided = "".join(
            f"<li>{html.escape(o.mutant.description)}</li>" for o in m.equivalent_candidates
        )
        return (
            _heading("mutation")
            + f"<ul>{survivors}</ul>"
            + _both(both("report.equivalent_mutants"), "h3")
            + f"<ul>{equivalent}</ul>"
            + (
                _both(both("report.undecided_mutants"), "h3") + f"<ul>{undecided}</ul>"
                if undecided
                else ""
            )
        )

    def _verification(self) -> str:
        v = self.report.verification
        rows: list[str] = []

        def add(finding: tuple[str, str], witness: Any) -> None:
            rows.append(f"<li>{_both(finding)}{_witness(witness)}</li>")

        for item in v.dead:
            add(both("report.dead_rule", rule=item["rule"]), None)
        for item in v.subsumed:
            add(both("report.subsumed", rule=item["rule"], by=item["by"]), item["witness"])
        for item in v.never_recommended:
            add(
                both("report.never_recommended", service=item["service"], reason=item["reason"]),
                item["witness"],
            )
        for item in v.conflicts:
            first, second = item["rules"]
            low, high = item["priorities"]
            add(
                both(
                    "report.conflict",
                    service=item["service"],
                    first=first,
                    low=low,
                    second=second,
                    high=high,
                ),
                item["witness"],
            )
        for item in v.requirements:
            finding = (
                N_("report.requirement_holds")
                if item["holds"]
                else N_("report.requirement_refuted")
            )
            add(both(finding, requirement=item["requirement"]), item["witness"])
        return _heading("verification") + f"<ul>{''.join(rows)}</ul>"

    def _network(self) -> str:
        reach = self.report.network
        services = sorted({r.service for r in reach})
        departments: dict[str, str] = {}
        cells: dict[tuple[str, str], Reach] = {}
        for r in reach:
            departments[r.department] = r.department_name
            cells[(r.department, r.service)] = r
        legend = " ".join(
            f'<span style="background:{colour};padding:0 .4em">{short}</span> ' + _both(both(key))
            for short, key, colour in _LEVELS.values()
        )
        head = "".join(f"<th>{html.escape(s)}</th>" for s in services)
        body = []
        for code, name in sorted(departments.items()):
            row = []
            for service in services:
                cell = cells.get((code, service))
                if cell is None:
                    row.append("<td></td>")
                    continue
                short, key, colour = _LEVELS[cell.level]
                en, es = both(key)
                far = f" {cell.distance_km:.0f} km" if cell.distance_km is not None else ""
                tip = html.escape(f"{name} · {service}: {es} / {en}{far}")
                row.append(f'<td style="background:{colour}" title="{tip}">{short}</td>')
            body.append(f"<tr><th>{html.escape(code)} {html.escape(name)}</th>{''.join(row)}</tr>")
        return (
            _heading("network")
            + f"<p>{legend}</p>"
            + f'<table class="heat"><tr><th></th>{head}</tr>{"".join(body)}</table>'
        )
