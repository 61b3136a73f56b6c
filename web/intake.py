"""The intake page: a caseworker asks the returnee the profile's questions and sees the roadmap.

The form is made from ``GET /v1/profile-schema``; each change sends the answers to
``POST /v1/recommendations`` and the roadmap (and the questions still worth asking, the
answer's ``open_fields``) is redrawn in place; without scripts the form is sent whole. A printed
sheet of the roadmap can be handed to the person.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from store import Principal

from .api_calls import call_api
from .form_problems import PROFILE, form_problems
from .forms import form_answers, profile_schema
from .language import page_language
from .profile_form import Places, places, profile_from_form, questions
from .rendering import render
from .roadmap_view import hours_of, institutions_by_id
from .session import SameSite, page_permission
from .sheet import render_sheet, sheet_language

router = APIRouter(include_in_schema=False)

#: The logged-in person, if their role may ask for roadmaps.
Recommender = Annotated[Principal, page_permission("recommend")]


def form_context(
    schema: dict[str, Any],
    language: str,
    answers: dict[str, str],
    problems: dict[str, list[str]],
    roadmap: dict[str, Any] | None,
    where: Places,
    *,
    live: bool = False,
) -> dict[str, Any]:
    """The intake form's questions in the order worth asking them: the required ones, then
    those whose answer could still change the roadmap (with the services each could bring),
    then those already answered, then the rest folded away."""
    asked = questions(schema, language)
    open_fields = {str(o["field"]): o for o in (roadmap or {}).get("open_fields", [])}
    required = [q for q in asked if q.required]
    by_name = {q.name: q for q in asked}
    worth = [by_name[f] for f in open_fields if f in by_name and not by_name[f].required]
    answered = [
        q for q in asked if not q.required and q.name not in open_fields and answers.get(q.name)
    ]
    shown = {q.name for q in required + worth + answered}
    rest = [q for q in asked if q.name not in shown]
    department = answers.get("department", "")
    return {
        "required": required,
        "worth": worth,
        "answered": answered,
        "rest": rest,
        "open_fields": open_fields,
        "answers": answers,
        "problems": problems,
        "departments": where.departments,
        "municipalities": where.municipalities.get(department, {}),
        "fields": [q.name for q in asked],
        "live": live,
    }


async def _roadmap_page(
    request: Request,
    person: Principal,
    answers: dict[str, str],
    *,
    live: bool,
) -> Response:
    language = page_language(request)
    schema = await profile_schema(request)
    profile = profile_from_form(answers, schema)
    answer = await call_api(
        request, "POST", "/v1/recommendations", json={"profile": profile, "lang": language}
    )
    roadmap = answer.body if answer.ok else None
    problems = form_problems(answer, language, within=PROFILE)
    if live:  # while the form is being filled in, only the answers given are judged
        problems = {f: m for f, m in problems.items() if answers.get(f)}
    form = form_context(schema, language, answers, problems, roadmap, places(request), live=True)
    context = {
        "form": form,
        "roadmap": roadmap,
        "institutions": await institutions_by_id(request) if roadmap else {},
        "hours_of": hours_of,
        "error": None if answer.ok or live else answer.message(language),
    }
    template = "intake_body.html" if live else "intake.html"
    status = 200 if answer.ok or live else 422
    return render(request, template, context, person=person, status_code=status)


@router.get("/intake", response_class=HTMLResponse)
async def intake_page(request: Request, person: Recommender) -> Response:
    """An empty intake form."""
    language = page_language(request)
    schema = await profile_schema(request)
    form = form_context(schema, language, {}, {}, None, places(request), live=True)
    context = {"form": form, "roadmap": None, "institutions": {}, "hours_of": hours_of}
    return render(request, "intake.html", context, person=person)


@router.post("/intake", response_class=HTMLResponse, dependencies=[SameSite])
async def intake_answers(request: Request, person: Recommender) -> Response:
    """The roadmap for the answers given: the whole page, or (from htmx, as the answers
    change) the form and the roadmap alone."""
    answers = await form_answers(request)
    live = request.headers.get("hx-request") == "true"
    return await _roadmap_page(request, person, answers, live=live)


@router.post("/intake/municipalities", response_class=HTMLResponse, dependencies=[SameSite])
async def municipalities(request: Request, person: Recommender) -> Response:
    """The municipality choice for the department chosen (forms without the live roadmap)."""
    answers = {"department": (await form_answers(request)).get("department", "")}
    form = form_context({}, page_language(request), answers, {}, None, places(request))
    return render(request, "intake_municipalities.html", {"form": form}, person=person)


@router.post("/intake/sheet", response_class=HTMLResponse, dependencies=[SameSite])
async def intake_sheet(request: Request, person: Recommender) -> Response:
    """The roadmap of the intake's answers as a sheet to print and hand to the person, in
    Spanish unless another language is asked for."""
    answers = await form_answers(request)
    language = sheet_language(answers.get("sheet_lang"))
    schema = await profile_schema(request)
    profile = profile_from_form(answers, schema)
    answer = await call_api(
        request, "POST", "/v1/recommendations", json={"profile": profile, "lang": language}
    )
    if not answer.ok:
        return await _roadmap_page(request, person, answers, live=False)
    return await render_sheet(request, person, answer.body, language, date.today().isoformat())
