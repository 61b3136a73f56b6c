"""The editor of one rule of a draft: the rule's YAML, and a small form for the numeric
thresholds of its conditions (an age, a number of months).

Saving sends the rule to the API with the draft's revision (``If-Match``): the API checks the
whole rule base with the loader of the rule files and stores nothing if there is a problem.
Its problems are shown next to the editor with the line of the YAML they are about; if someone
else edited the draft meanwhile, the API's refusal says so and nothing is overwritten.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from store import Principal, access
from texts import text

from .api_calls import ApiAnswer, call_api
from .conditions import BLANK, describe, test_words
from .form_problems import source_problems
from .forms import form_answers, profile_labels
from .language import page_language
from .rendering import render
from .rule_yaml import YamlFault, rule_to_yaml, yaml_to_rule
from .session import SameSite, page_permission

router = APIRouter(include_in_schema=False)

VersionReader = Annotated[Principal, page_permission("read_versions")]
DraftEditor = Annotated[Principal, page_permission("edit_drafts")]

#: Operators whose value is a threshold a person may change with a number field.
_NUMERIC_OPERATORS = ("<", "<=", ">", ">=", "==", "!=")


def thresholds(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """Every test of the rule's conditions that compares a field with a number: its path in
    the rule (``when.all[0].value``), field, operator and value."""
    found: list[dict[str, Any]] = []

    def walk(condition: Any, path: str) -> None:
        if not isinstance(condition, dict):
            return
        for group in ("all", "any"):
            if isinstance(condition.get(group), list):
                for index, part in enumerate(condition[group]):
                    walk(part, f"{path}.{group}[{index}]")
                return
        if "not" in condition:
            walk(condition["not"], f"{path}.not")
            return
        value = condition.get("value")
        if (
            condition.get("op") in _NUMERIC_OPERATORS
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            found.append(
                {
                    "path": f"{path}.value",
                    "field": str(condition.get("field")),
                    "op": str(condition.get("op")),
                    "value": value,
                }
            )

    walk(rule.get("when"), "when")
    return found


def _set(rule: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (``when.all[0].value``) of ``rule`` to ``value``."""
    node: Any = rule
    steps = path.replace("[", ".").replace("]", "").split(".")
    for step in steps[:-1]:
        node = node[int(step)] if isinstance(node, list) else node[step]
    node[steps[-1]] = value


def _number(entered: str) -> Any:
    """The number a person typed (``21``, ``2,5``), or the text itself for the API to refuse."""
    cleaned = entered.strip().replace(",", ".")
    for kind in (int, float):
        try:
            return kind(cleaned)
        except ValueError:
            continue
    return entered


def _path(draft_id: str, rule_id: str) -> str:
    return f"/v1/rule-bases/drafts/{quote(draft_id, safe='')}/rules/{quote(rule_id, safe='')}"


async def _editor(
    request: Request,
    person: Principal,
    draft_id: str,
    rule_id: str,
    *,
    source: str | None = None,
    etag: str | None = None,
    refusal: ApiAnswer | None = None,
    fault: YamlFault | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    language = page_language(request)
    draft = await call_api(request, "GET", f"/v1/rule-bases/drafts/{quote(draft_id, safe='')}")
    rule = await call_api(request, "GET", _path(draft_id, rule_id))
    if not draft.ok or not rule.ok:
        failed = rule if not rule.ok else draft
        return render(
            request,
            "draft_rule.html",
            {"draft": None, "error": failed.message(language)},
            person=person,
            status_code=failed.status,
        )
    stored = rule_to_yaml(rule.body)
    text_shown = stored if source is None else source
    problems = source_problems(refusal, text_shown, rule_id, language)
    if fault is not None:
        problems.append(
            {
                "field": None,
                "rule": rule_id,
                "file": None,
                "line": fault.line,
                "message": text("page.editor.yaml_fault", language, column=fault.column),
            }
        )
    labels = await profile_labels(request, language)
    lines = text_shown.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    status = 200
    if refusal is not None:
        status = refusal.status
    elif fault is not None:
        status = 422
    return render(
        request,
        "draft_rule.html",
        {
            "draft": draft.body,
            "rule_id": rule_id,
            "title": (rule.body.get("title") or {}).get(language, rule_id),
            "file": rule.headers.get("x-rule-file", ""),
            "source": text_shown,
            "line_count": max(len(lines), 1),
            "problem_lines": {p["line"] for p in problems if p["line"]},
            "etag": etag or rule.headers.get("etag", ""),
            "thresholds": [
                {
                    **t,
                    "label": test_words(
                        labels.get(t["field"], t["field"]), t["op"], BLANK, language
                    ),
                }
                for t in thresholds(rule.body)
            ],
            "entered": entered or {},
            "words": describe(rule.body.get("when"), labels, language),
            "may_edit": draft.body["status"] == "open" and access().may(person.role, "edit_drafts"),
            "problems": problems,
            "error": refusal.message(language) if refusal else None,
            "saved": request.query_params.get("saved") == "1",
        },
        person=person,
        status_code=status,
    )


@router.get("/drafts/{draft_id}/rules/{rule_id}", response_class=HTMLResponse)
async def editor_page(
    request: Request, draft_id: str, rule_id: str, person: VersionReader
) -> Response:
    """One rule of the draft, in YAML, with its thresholds as number fields."""
    return await _editor(request, person, draft_id, rule_id)


def _saved(draft_id: str, rule_id: str) -> Response:
    return RedirectResponse(
        f"/drafts/{quote(draft_id, safe='')}/rules/{quote(rule_id, safe='')}?saved=1",
        status_code=303,
    )


@router.post(
    "/drafts/{draft_id}/rules/{rule_id}", response_class=HTMLResponse, dependencies=[SameSite]
)
async def save_rule(
    request: Request,
    draft_id: str,
    rule_id: str,
    person: DraftEditor,
    source: Annotated[str, Form(max_length=200_000)] = "",
    etag: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Save the rule as written; shown again with the API's problems if it refuses it."""
    read = yaml_to_rule(source)
    if isinstance(read, YamlFault):
        return await _editor(
            request, person, draft_id, rule_id, source=source, etag=etag, fault=read
        )
    answer = await call_api(
        request, "PUT", _path(draft_id, rule_id), json=read, headers={"If-Match": etag}
    )
    if not answer.ok:
        return await _editor(
            request, person, draft_id, rule_id, source=source, etag=etag, refusal=answer
        )
    return _saved(draft_id, rule_id)


@router.post(
    "/drafts/{draft_id}/rules/{rule_id}/thresholds",
    response_class=HTMLResponse,
    dependencies=[SameSite],
)
async def save_thresholds(
    request: Request, draft_id: str, rule_id: str, person: DraftEditor
) -> Response:
    """Change the rule's numeric thresholds, and nothing else of it."""
    form = await form_answers(request)
    etag = form.get("etag", "")
    current = await call_api(request, "GET", _path(draft_id, rule_id))
    if not current.ok:
        return await _editor(request, person, draft_id, rule_id, refusal=current)
    rule = copy.deepcopy(current.body)
    entered: dict[str, str] = {}
    for index, found in enumerate(thresholds(current.body)):
        value = form.get(f"threshold-{index}", "")
        if value.strip():
            entered[found["path"]] = value
            _set(rule, found["path"], _number(value))
    answer = await call_api(
        request, "PUT", _path(draft_id, rule_id), json=rule, headers={"If-Match": etag}
    )
    if not answer.ok:
        return await _editor(
            request,
            person,
            draft_id,
            rule_id,
            source=rule_to_yaml(rule),
            etag=etag,
            refusal=answer,
            entered=entered,
        )
    return _saved(draft_id, rule_id)
