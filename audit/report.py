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

#: Section headings, Spanish and English (tests look for both).
HEADINGS: dict[str, tuple[str, str]] = {
    "summary": ("Resumen", "Summary"),
    "coverage": ("Cobertura por regla", "Coverage per rule"),
    "uncovered": ("Sin cubrir, con casos sugeridos", "Uncovered, with suggested cases"),
    "mutation": ("Mutantes sobrevivientes", "Surviving mutants"),
    "verification": ("Hallazgos de verificación", "Verification findings"),
    "network": ("Alcance de la red", "Network reach"),
}

_LEVELS: dict[Level, tuple[str, str, str, str]] = {
    # level: (short, Spanish, English, colour)
    Level.MUNICIPALITY: ("M", "municipio", "municipality", "#1a9850"),
    Level.DEPARTMENT: ("D", "departamento", "department", "#91cf60"),
    Level.NATIONAL: ("N", "nacional", "national", "#fee08b"),
    Level.NEIGHBOUR: ("V", "vecino", "neighbour", "#fc8d59"),
    Level.NEAREST: ("L", "más cercano en línea recta", "nearest as the crow flies", "#f46d43"),
    Level.NONE: ("—", "ninguno", "none", "#d73027"),
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


def _both(es: str, en: str, tag: str = "span") -> str:
    return f'<{tag} class="es">{html.escape(es)}</{tag}><{tag} class="en">{html.escape(en)}</{tag}>'


def _heading(key: str) -> str:
    es, en = HEADINGS[key]
    return _both(es, en, "h2")


def _witness(witness: Any) -> str:
    if witness is None:
        return ""
    return f"<pre>{html.escape(json.dumps(witness, ensure_ascii=False))}</pre>"


class _Page:
    def __init__(self, report: AuditReport) -> None:
        self.report = report

    def render(self, lang: str) -> str:
        first = "en" if lang == "en" else "es"
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
            "<title>Auditoría de protocolos / Protocol audit</title>"
            f"<style>{_STYLE}</style><script>{_SCRIPT}</script></head>"
            f'<body class="{first}">'
            "<p><button onclick=\"lang('es')\">Español</button>"
            "<button onclick=\"lang('en')\">English</button></p>"
            + _both("Auditoría de protocolos", "Protocol audit", "h1")
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
            mut_es, mut_en = r.mutation.summary("es"), r.mutation.summary("en")
        else:
            mut_es = "sin puntaje de mutación: algún caso falla en la base misma"
            mut_en = "no mutation score: some case fails on the rule base itself"
        rows = [
            (
                f"casos: {passed}/{len(suite.outcomes)} correctos",
                f"cases: {passed}/{len(suite.outcomes)} passed",
            ),
            (
                f"cobertura: {cov.covered}/{cov.total} elementos ({cov.percent:.1f} %), "
                f"{fired}/{len(cov.rules)} reglas aplicadas",
                f"coverage: {cov.covered}/{cov.total} items ({cov.percent:.1f} %), "
                f"{fired}/{len(cov.rules)} rules fired",
            ),
            (mut_es, mut_en),
            (
                f"verificación: {len(v.dead)} reglas muertas, {len(v.subsumed)} subsumidas, "
                f"{len(v.never_recommended)} servicios nunca recomendados, "
                f"{len(v.conflicts)} conflictos, {len(v.failed_requirements)} de "
                f"{len(v.requirements)} requisitos refutados",
                f"verification: {len(v.dead)} dead rules, {len(v.subsumed)} subsumed, "
                f"{len(v.never_recommended)} services never recommended, "
                f"{len(v.conflicts)} conflicts, {len(v.failed_requirements)} of "
                f"{len(v.requirements)} requirements refuted",
            ),
            (
                f"red: {none} de {len(r.network)} pares departamento × servicio sin proveedor",
                f"network: {none} of {len(r.network)} department × service pairs with no provider",
            ),
        ]
        version = html.escape(cov.rule_base_version)
        return (
            _heading("summary")
            + f"<p>{_both('Versión de la base', 'Rule base version')}: {version}</p><ul>"
            + "".join(f"<li>{_both(es, en)}</li>" for es, en in rows)
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
                    else _both("(no se encontró un caso)", "(no case found)", "p")
                )
                items.append(
                    f"<li><b>{html.escape(rule.rule)}</b>: "
                    f"{_both(item.item.describe('es'), item.item.describe('en'))}{suggestion}</li>"
                )
        return _heading("uncovered") + f"<ul>{''.join(items)}</ul>"

    def _mutation(self) -> str:
        m = self.report.mutation
        if m is None:
            return _heading("mutation") + _both(
                "No medido: algún caso falla en la base misma.",
                "Not measured: some case fails on the rule base itself.",
                "p",
            )
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
            + _both(
                "Mutantes equivalentes (demostrado: no cambian ninguna respuesta)",
                "Equivalent mutants (proved: they change no answer)",
                "h3",
            )
            + f"<ul>{equivalent}</ul>"
            + (
                _both(
                    "Candidatos a equivalentes (el solucionador no decidió a tiempo)",
                    "Equivalent candidates (the solver did not decide in time)",
                    "h3",
                )
                + f"<ul>{undecided}</ul>"
                if undecided
                else ""
            )
        )

    def _verification(self) -> str:
        v = self.report.verification
        rows: list[str] = []

        def add(es: str, en: str, witness: Any) -> None:
            rows.append(f"<li>{_both(es, en)}{_witness(witness)}</li>")

        for item in v.dead:
            add(
                f"regla muerta {item['rule']}: ningún perfil la aplica en ningún día",
                f"dead rule {item['rule']}: no profile fires it on any day",
                None,
            )
        for item in v.subsumed:
            add(
                f"la regla {item['rule']} queda subsumida por {item['by']}",
                f"rule {item['rule']} is subsumed by {item['by']}",
                item["witness"],
            )
        for item in v.never_recommended:
            add(
                f"el servicio {item['service']} nunca se recomienda ({item['reason']})",
                f"service {item['service']} is never recommended ({item['reason']})",
                item["witness"],
            )
        for item in v.conflicts:
            first, second = item["rules"]
            low, high = item["priorities"]
            add(
                f"conflicto en {item['service']}: {first} da {low}, {second} da {high}",
                f"conflict on {item['service']}: {first} gives {low}, {second} gives {high}",
                item["witness"],
            )
        for item in v.requirements:
            holds = bool(item["holds"])
            add(
                f"requisito {item['requirement']}: {'se cumple' if holds else 'REFUTADO'}",
                f"requirement {item['requirement']}: {'holds' if holds else 'REFUTED'}",
                item["witness"],
            )
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
            f'<span style="background:{colour};padding:0 .4em">{short}</span> ' + _both(es, en)
            for short, es, en, colour in _LEVELS.values()
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
                short, es, en, colour = _LEVELS[cell.level]
                far = f" {cell.distance_km:.0f} km" if cell.distance_km is not None else ""
                tip = html.escape(f"{name} · {service}: {es} / {en}{far}")
                row.append(f'<td style="background:{colour}" title="{tip}">{short}</td>')
            body.append(f"<tr><th>{html.escape(code)} {html.escape(name)}</th>{''.join(row)}</tr>")
        return (
            _heading("network")
            + f"<p>{legend}</p>"
            + f'<table class="heat"><tr><th></th>{head}</tr>{"".join(body)}</table>'
        )
