"""The policy staff's pages (rules, drafts, the rule editor, the diff, simulations) through
the test client, each checked against the API's own JSON answer."""

from __future__ import annotations

import html
import re
import time
from typing import Any

from fastapi.testclient import TestClient
from web_client import SAME_SITE, log_in, tokens, web

from texts import text

__all__ = ["tokens", "web"]


def api(
    web: TestClient,
    token: str,
    method: str,
    path: str,
    *,
    if_match: str | None = None,
    **options: Any,
) -> Any:
    """``method path`` on the API as the holder of ``token`` (the oracle of these tests)."""
    headers = {"Authorization": f"Bearer {token}"}
    if if_match is not None:
        headers["If-Match"] = if_match
    return web.request(method, path, headers=headers, **options)


def new_draft(web: TestClient, token: str, message: str = "a change") -> str:
    answer = api(web, token, "POST", "/v1/rule-bases/drafts", json={"message": message})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def etag_of(page: str) -> str:
    found = re.search(r'name="etag" value="([^"]*)"', page)
    assert found is not None
    return html.unescape(found.group(1))


def cells(page: str, table_id: str) -> dict[str, dict[str, int]]:
    """A simulation table of the page: row code → kind of change → number."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, dict[str, int]] = {}
    for code, row in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', table, re.S):
        rows[code] = {
            kind: int(value) for kind, value in re.findall(r'data-kind="([a-z_]+)">(\d+)</td>', row)
        }
    return rows


def test_the_rules_page_lists_exactly_the_rules_in_service(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    page = web.get("/rules")
    assert page.status_code == 200
    shown = re.findall(r'<tr data-rule="([^"]+)">', page.text)
    served = [rule["id"] for rule in api(web, tokens["carla"], "GET", "/v1/rules").json()]
    assert sorted(shown) == sorted(served)
    one = web.get("/rules/P24")
    rule = api(web, tokens["carla"], "GET", "/v1/rules/P24").json()
    assert rule["title"]["es"] in one.text
    assert all(f"<code>{r['service']}</code>" in one.text for r in rule["recommend"])


def test_a_broken_edit_shows_the_loaders_problem_at_its_line_and_changes_nothing(
    web: TestClient, tokens: dict[str, str]
) -> None:
    draft_id = new_draft(web, tokens["ana"])
    before = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24")
    broken = before.json()
    broken["when"]["all"][0]["field"] = "agee"
    refusal = api(
        web,
        tokens["ana"],
        "PUT",
        f"/v1/rule-bases/drafts/{draft_id}/rules/P24",
        json=broken,
        if_match=before.headers["etag"],
    )
    assert refusal.status_code == 422
    problem = refusal.json()["error"]["problems"][0]
    log_in(web, tokens["ana"])
    editor = web.get(f"/drafts/{draft_id}/rules/P24")
    source = html.unescape(
        re.search(r'<textarea id="rule-source"[^>]*>(.*?)</textarea>', editor.text, re.S).group(1)  # type: ignore[union-attr]
    )
    assert "field: age\n" in source
    written = source.replace("field: age\n", "field: agee\n", 1)
    line = written.split("\n").index("    - field: agee") + 1
    for language, wording, at in (
        ("es", problem["message_es"], "Línea"),
        ("en", problem["message"], "Line"),
    ):
        answer = web.post(
            f"/drafts/{draft_id}/rules/P24?lang={language}",
            data={"source": written, "etag": etag_of(editor.text)},
            headers=SAME_SITE,
        )
        assert answer.status_code == 422
        shown = html.unescape(answer.text)
        assert wording in shown
        assert f'<a href="#line-{line}">{at} {line}</a>' in shown
        assert f'<li id="line-{line}" class="bad">' in answer.text
        assert 'aria-invalid="true"' in answer.text
    after = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24")
    assert after.json() == before.json()
    assert after.headers["etag"] == before.headers["etag"]


def test_a_threshold_changed_in_its_field_is_what_the_api_then_holds(
    web: TestClient, tokens: dict[str, str]
) -> None:
    draft_id = new_draft(web, tokens["ana"])
    log_in(web, tokens["ana"])
    editor = web.get(f"/drafts/{draft_id}/rules/P24")
    saved = web.post(
        f"/drafts/{draft_id}/rules/P24/thresholds",
        data={"etag": etag_of(editor.text), "threshold-0": "21"},
        headers=SAME_SITE,
    )
    assert saved.status_code == 303
    rule = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24").json()
    assert rule["when"]["all"][0] == {"field": "age", "op": ">=", "value": 21}
    stale = web.post(
        f"/drafts/{draft_id}/rules/P24/thresholds",
        data={"etag": etag_of(editor.text), "threshold-0": "30"},
        headers=SAME_SITE,
    )
    assert stale.status_code == 412
    rule = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24").json()
    assert rule["when"]["all"][0]["value"] == 21


def steps_shown(page: str, draft_id: str) -> set[str]:
    return set(re.findall(rf'action="/drafts/{draft_id}/steps/([a-z-]+)"', page))


def test_each_role_sees_only_the_steps_it_may_take(web: TestClient, tokens: dict[str, str]) -> None:
    draft_id = new_draft(web, tokens["ana"])
    log_in(web, tokens["ana"])
    assert steps_shown(web.get(f"/drafts/{draft_id}").text, draft_id) == {"submit", "withdraw"}
    assert web.post(f"/drafts/{draft_id}/steps/submit", headers=SAME_SITE).status_code == 303
    assert "publish" not in steps_shown(web.get(f"/drafts/{draft_id}").text, draft_id)
    log_in(web, tokens["pablo"])
    assert steps_shown(web.get(f"/drafts/{draft_id}").text, draft_id) == {"approve", "send-back"}
    assert web.post(f"/drafts/{draft_id}/steps/approve", headers=SAME_SITE).status_code == 303
    assert steps_shown(web.get(f"/drafts/{draft_id}").text, draft_id) == {"publish"}
    log_in(web, tokens["carla"])
    assert web.get("/drafts").status_code == 403
    assert web.get(f"/drafts/{draft_id}").status_code == 403


def test_self_approval_shows_the_apis_refusal(web: TestClient, tokens: dict[str, str]) -> None:
    draft_id = new_draft(web, tokens["root"])
    api(web, tokens["root"], "POST", f"/v1/rule-bases/drafts/{draft_id}/submit")
    log_in(web, tokens["root"])
    page = web.post(f"/drafts/{draft_id}/steps/approve?lang=en", headers=SAME_SITE)
    assert page.status_code == 403
    again = api(web, tokens["root"], "POST", f"/v1/rule-bases/drafts/{draft_id}/approve")
    assert again.status_code == 403
    assert html.escape(again.json()["error"]["message"], quote=True) in page.text


def test_the_diff_page_lists_what_the_api_diff_lists(
    web: TestClient, tokens: dict[str, str]
) -> None:
    draft_id = new_draft(web, tokens["ana"])
    for rule_id, path, value in (("P24", 0, 21), ("P25", 0, 25)):
        current = api(
            web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/{rule_id}"
        )
        rule = current.json()
        rule["when"]["all"][path]["value"] = value
        etag = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}").headers["etag"]
        changed = api(
            web,
            tokens["ana"],
            "PUT",
            f"/v1/rule-bases/drafts/{draft_id}/rules/{rule_id}",
            json=rule,
            if_match=etag,
        )
        assert changed.status_code == 200, changed.text
    diff = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/diff").json()
    log_in(web, tokens["ana"])
    page = web.get(f"/drafts/{draft_id}/diff").text
    expected = {
        (entry["id"], change["path"], str(change["old"]), str(change["new"]))
        for entry in diff["rules"]["changed"]
        for change in entry["changes"]
    }
    shown = set()
    for rule_id, body in re.findall(
        r'<section class="diff-rule" data-rule="([^"]+)".*?>(.*?)</section>', page, re.S
    ):
        for path, old, new in re.findall(
            r'<tr data-path="([^"]+)">.*?<del>(.*?)</del>.*?<ins>(.*?)</ins>', body, re.S
        ):
            shown.add((rule_id, html.unescape(path), old, new))
    assert shown == expected and len(expected) == 2
    age = api(web, tokens["ana"], "GET", "/v1/profile-schema").json()["properties"]["age"]
    before, after = (
        text("page.rules.test.ge", "es", field=age["labels"]["es"], value=value)
        for value in (18, 21)
    )
    assert f"{before} → {after}" in html.unescape(page)


def test_the_simulation_tables_hold_the_apis_numbers(
    web: TestClient, tokens: dict[str, str]
) -> None:
    draft_id = new_draft(web, tokens["ana"])
    current = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24")
    rule = current.json()
    rule["when"]["all"][0]["value"] = 25
    changed = api(
        web,
        tokens["ana"],
        "PUT",
        f"/v1/rule-bases/drafts/{draft_id}/rules/P24",
        json=rule,
        if_match=current.headers["etag"],
    )
    assert changed.status_code == 200, changed.text
    log_in(web, tokens["ana"])
    started = web.post(
        "/simulations",
        data={"draft_id": draft_id, "population": "synthetic", "size": "300", "seed": "7"},
        headers=SAME_SITE,
    )
    assert started.status_code == 303
    simulation_id = started.headers["location"].rsplit("/", 1)[1]
    for _ in range(240):
        found = api(web, tokens["ana"], "GET", f"/v1/simulations/{simulation_id}").json()
        if found["status"] in ("done", "failed"):
            break
        time.sleep(0.25)
    assert found["status"] == "done"
    result = found["result"]
    page = web.get(f"/simulations/{simulation_id}").text
    kinds = ("gained", "lost", "priority_up", "priority_down")
    assert cells(page, "table-services") == {
        s["code"]: {k: s[k] for k in kinds} for s in result["services"]
    }
    departments: dict[str, dict[str, int]] = {}
    for service in result["services"]:
        for code, counts in service["by_department"].items():
            into = departments.setdefault(code, dict.fromkeys(kinds, 0))
            for kind in kinds:
                into[kind] += counts[kind]
    assert cells(page, "table-departments") == departments
    assert result["services"] and sum(s["lost"] for s in result["services"]) > 0
    bars = re.findall(r'<rect class="bar (lost)"[^>]*data-value="(\d+)"', page)
    assert sorted(int(v) for _, v in bars) == sorted(
        [s["lost"] for s in result["services"]] + [d["lost"] for d in departments.values()]
    )
    assert '<title id="chart-services-title">' in page
    follow = web.get(f"/simulations/{simulation_id}/progress").text
    assert "hx-get" not in follow and 'id="table-services"' in follow  # the polling stops


def test_a_rollback_from_the_versions_page_puts_the_earlier_version_back(
    web: TestClient, tokens: dict[str, str]
) -> None:
    seed = api(web, tokens["pablo"], "GET", "/v1/rule-bases").json()["published"]
    draft_id = new_draft(web, tokens["ana"], "P24 at 21")
    current = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24")
    rule = current.json()
    rule["description"] = {"es": "otra", "en": "other"}
    put = api(
        web,
        tokens["ana"],
        "PUT",
        f"/v1/rule-bases/drafts/{draft_id}/rules/P24",
        json=rule,
        if_match=current.headers["etag"],
    )
    assert put.status_code == 200, put.text
    for who, step in (("ana", "submit"), ("pablo", "approve"), ("pablo", "publish")):
        done = api(web, tokens[who], "POST", f"/v1/rule-bases/drafts/{draft_id}/{step}")
        assert done.status_code in (200, 201), done.text
    log_in(web, tokens["ana"])
    assert f'action="/versions/{seed}/publish"' not in web.get("/drafts").text
    log_in(web, tokens["pablo"])
    listing = web.get("/drafts").text
    assert f'action="/versions/{seed}/publish"' in listing
    published = api(web, tokens["pablo"], "GET", "/v1/rule-bases").json()["published"]
    assert f'name="expected" value="{published}"' in listing
    answer = web.post(
        f"/versions/{seed}/publish",
        data={"reason": "too early", "expected": published},
        headers=SAME_SITE,
    )
    assert answer.status_code == 303
    after = api(web, tokens["pablo"], "GET", "/v1/rule-bases").json()
    assert after["published"] == seed
    assert after["publications"][0]["kind"] == "rollback"
    assert after["publications"][0]["reason"] == "too early"


def test_a_refused_simulation_shows_the_apis_problem_next_to_its_field(
    web: TestClient, tokens: dict[str, str]
) -> None:
    draft_id = new_draft(web, tokens["ana"])
    refusal = api(
        web,
        tokens["ana"],
        "POST",
        f"/v1/rule-bases/drafts/{draft_id}/simulations",
        json={"synthetic": {"size": 0, "seed": 1}},
    )
    assert refusal.status_code == 422
    (problem,) = refusal.json()["error"]["problems"]
    log_in(web, tokens["ana"])
    page = web.post(
        "/simulations?lang=en",
        data={"draft_id": draft_id, "population": "synthetic", "size": "0", "seed": "1"},
        headers=SAME_SITE,
    )
    assert page.status_code == 422
    field = problem["field"].replace(".", "-")
    assert f'<p class="problem" id="problem-{field}-1">{problem["message"]}</p>' in page.text
    assert f'aria-describedby="sim-size-help problem-{field}-1" aria-invalid="true"' in page.text


def test_yaml_aliases_are_refused_at_their_line_before_they_unfold(
    web: TestClient, tokens: dict[str, str]
) -> None:
    """A few hundred bytes of nested aliases would unfold into gigabytes once read."""
    draft_id = new_draft(web, tokens["ana"])
    before = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24")
    log_in(web, tokens["ana"])
    editor = web.get(f"/drafts/{draft_id}/rules/P24")
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    bomb = "\n".join(["id: P24", *levels]) + "\n"
    answer = web.post(
        f"/drafts/{draft_id}/rules/P24?lang=en",
        data={"source": bomb, "etag": etag_of(editor.text)},
        headers=SAME_SITE,
    )
    assert answer.status_code == 422
    assert '<li id="line-3" class="bad">' in answer.text  # the first alias, on a1's line
    after = api(web, tokens["ana"], "GET", f"/v1/rule-bases/drafts/{draft_id}/rules/P24")
    assert after.headers["etag"] == before.headers["etag"]
