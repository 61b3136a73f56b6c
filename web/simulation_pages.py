"""Simulations for policy staff: run a draft against the version in service over a population
(synthetic people, or the protocol cases), follow it while it runs, and read who would gain or
lose each service, by service and by department, with example people and their roadmaps before
and after, as tables and as bar charts.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal
from texts import N_, text

from .api_calls import ApiAnswer, call_api, in_language
from .charts import Series, bar_chart
from .draft_pages import UNDER_WAY
from .forms import profile_labels
from .language import page_language
from .policy_words import department_label, priority_label, service_label, services
from .rendering import render
from .session import SameSite, page_permission
from .simulation_form import DEFAULTS, simulation_request

router = APIRouter(include_in_schema=False)

Simulator = Annotated[Principal, page_permission("simulate")]

#: The kinds of change a simulation counts, in the order the tables show them.
CHANGES = {
    "gained": N_("page.simulation.change.gained"),
    "lost": N_("page.simulation.change.lost"),
    "priority_up": N_("page.simulation.change.priority_up"),
    "priority_down": N_("page.simulation.change.priority_down"),
}


def _series(language: str) -> list[Series]:
    return [Series(key, text(label, language)) for key, label in CHANGES.items()]


def result_view(
    result: dict[str, Any],
    catalogue: dict[str, dict[str, Any]],
    labels: dict[str, str],
    language: str,
) -> dict[str, Any]:
    """What the page shows of a finished simulation: the counts by service and by department
    (tables and charts) and the example people."""
    rows: list[dict[str, Any]] = []
    departments: dict[str, dict[str, int]] = {}
    for service in result.get("services") or []:
        label = service_label(catalogue, service["code"], language)
        rows.append(
            {"code": service["code"], "label": label, **{k: service.get(k, 0) for k in CHANGES}}
        )
        for code, counts in (service.get("by_department") or {}).items():
            total = departments.setdefault(code, dict.fromkeys(CHANGES, 0))
            for key in CHANGES:
                total[key] += int(counts.get(key, 0))
    by_department: list[dict[str, Any]] = [
        {"code": code, "label": department_label(code), **counts}
        for code, counts in sorted(departments.items())
    ]
    examples = []
    for service in result.get("services") or []:
        for example in service.get("examples") or []:
            examples.append(
                {
                    "service": service_label(catalogue, service["code"], language),
                    "change": text(CHANGES.get(example["change"], example["change"]), language)
                    if example["change"] in CHANGES
                    else example["change"],
                    "profile": [
                        (labels.get(name, name), value)
                        for name, value in (example.get("profile") or {}).items()
                    ],
                    "who": text(
                        "page.simulation.example_who",
                        language,
                        age=(example.get("profile") or {}).get("age", "?"),
                        department=department_label(
                            str((example.get("profile") or {}).get("department", ""))
                        ),
                    ),
                    "as_of": example.get("as_of"),
                    "before": _roadmap(example.get("before") or [], catalogue, language),
                    "after": _roadmap(example.get("after") or [], catalogue, language),
                }
            )
    series = [
        s
        for s in _series(language)
        if s.key in ("gained", "lost") or any(row[s.key] for row in rows)
    ]
    return {
        "profiles": result.get("profiles", 0),
        "changed": result.get("changed", 0),
        "invalid": len(result.get("invalid") or []),
        "broken_cases": result.get("broken_cases") or [],
        "services": rows,
        "departments": by_department,
        "examples": examples,
        "columns": _series(language),
        "service_chart": bar_chart(
            "chart-services",
            text("page.simulation.chart.services", language),
            text("page.simulation.chart.description", language),
            [(row["label"], row) for row in rows],
            series,
        ),
        "department_chart": bar_chart(
            "chart-departments",
            text("page.simulation.chart.departments", language),
            text("page.simulation.chart.description", language),
            [(row["label"], row) for row in by_department],
            series,
        ),
    }


def _roadmap(
    steps: list[dict[str, Any]], catalogue: dict[str, dict[str, Any]], language: str
) -> list[str]:
    return [
        f"{service_label(catalogue, step['code'], language)}"
        f" ({priority_label(str(step.get('priority')), language)})"
        for step in steps
    ]


async def _start_page(
    request: Request,
    person: Principal,
    *,
    refusal: ApiAnswer | None = None,
    chosen: str | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    language = page_language(request)
    drafts = await call_api(request, "GET", "/v1/rule-bases/drafts")
    listed = [d for d in drafts.body if d["status"] in UNDER_WAY] if drafts.ok else []
    return render(
        request,
        "simulations.html",
        {
            "drafts": listed,
            "chosen": chosen or request.query_params.get("draft"),
            "error": (refusal.message(language) if refusal else None) or drafts.message(language),
            "problems": refusal.problems(language) if refusal else {},
            "simulation_form": {**DEFAULTS, **(sent or {})},
        },
        person=person,
        status_code=refusal.status if refusal else 200,
    )


@router.get("/simulations", response_class=HTMLResponse)
async def simulations_page(request: Request, person: Simulator) -> Response:
    """Start a simulation of a draft."""
    return await _start_page(request, person)


@router.post("/simulations", response_class=HTMLResponse, dependencies=[SameSite])
async def start(
    request: Request,
    person: Simulator,
    draft_id: Annotated[str, Form(max_length=64)] = "",
    population: Annotated[str, Form(max_length=20)] = "synthetic",
    size: Annotated[str, Form(max_length=20)] = "",
    seed: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Ask the API to simulate the draft; then follow it on its own page."""
    sent = {"population": population, "size": size, "seed": seed}
    body = simulation_request(sent)
    answer = await call_api(
        request, "POST", f"/v1/rule-bases/drafts/{quote(draft_id, safe='')}/simulations", json=body
    )
    if not answer.ok:
        return await _start_page(request, person, refusal=answer, chosen=draft_id, sent=sent)
    return RedirectResponse(f"/simulations/{quote(answer.body['id'], safe='')}", status_code=303)


async def _simulation(
    request: Request, person: Principal, simulation_id: str, page: str
) -> Response:
    language = page_language(request)
    answer = await call_api(request, "GET", f"/v1/simulations/{quote(simulation_id, safe='')}")
    if not answer.ok:
        return render(
            request,
            page,
            {"simulation": None, "error": answer.message(language)},
            person=person,
            status_code=answer.status,
        )
    simulation = answer.body
    view = None
    if simulation["status"] == "done" and simulation.get("result"):
        view = result_view(
            simulation["result"],
            await services(request),
            await profile_labels(request, language),
            language,
        )
    failure = simulation.get("error") or {}
    return render(
        request,
        page,
        {
            "simulation": simulation,
            "view": view,
            "failure": in_language(failure, language) or None,
            "error": None,
        },
        person=person,
    )


@router.get("/simulations/{simulation_id}", response_class=HTMLResponse)
async def simulation_page(request: Request, simulation_id: str, person: Simulator) -> Response:
    """A simulation: its progress while it runs, its result when done."""
    return await _simulation(request, person, simulation_id, "simulation.html")


@router.get("/simulations/{simulation_id}/progress", response_class=HTMLResponse)
async def simulation_progress(request: Request, simulation_id: str, person: Simulator) -> Response:
    """The part of the simulation's page that changes (htmx asks for it every second while
    the simulation runs)."""
    return await _simulation(request, person, simulation_id, "simulation_status.html")
