"""The auditors' pages through the test client: audits and their reports, the network heatmap,
the access log and the audit trail, each checked against the API's own JSON answer."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from web_client import SAME_SITE, log_in, tokens, web

from api.case_schemas import CASE_REQUEST
from store import access
from tokens import bearer

__all__ = ["tokens", "web"]

#: A one-case suite: P20 applies with a school-age child out of school (it passes).
PASSING = (
    "- name: P20 applies with one school-age child out of school\n"
    "  as_of: 2026-11-27\n"
    "  profile: {age: 35, department: '11', municipality: '11001', years_abroad: 1,\n"
    "            months_since_return: 24, return_kind: voluntary,\n"
    "            school_age_children: 1, employment: employed,\n"
    "            health_coverage: contributory}\n"
    "  services: {EDU_SCHOOL_ENROLLMENT: high}\n"
)
#: The same person, expecting the wrong priority (it fails).
FAILING = PASSING.replace("applies with", "gives normal for").replace(": high}", ": normal}")


def _finished(web: TestClient, token: str, audit_id: str) -> dict[str, Any]:
    """The API's answer about ``audit_id`` once it is done (or failed)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        found: dict[str, Any] = web.get(f"/v1/audits/{audit_id}", headers=bearer(token)).json()
        if found["status"] in ("done", "failed"):
            return found
        time.sleep(0.3)
    raise AssertionError(f"audit {audit_id} did not finish")


def _start_from_page(web: TestClient, files: dict[str, str], rules: str = "") -> str:
    """Start an audit through the page's form; the id it was sent to."""
    answer = web.post(
        "/audits",
        data={"rule_base": "published", "suite": "files", "rules": rules},
        files=[
            ("files", (name, text.encode(), "application/x-yaml")) for name, text in files.items()
        ],
        headers=SAME_SITE,
    )
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/audits/([A-Za-z0-9_-]+)", answer.headers["location"])
    assert match is not None
    return match.group(1)


def _text(page: str) -> str:
    """The page's text without tags, whitespace collapsed, entities read."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _yaml_blocks(page: str) -> list[Any]:
    """What each folded YAML block of the page says (witnesses, suggested cases)."""
    reader = YAML(typ="safe")
    return [reader.load(html.unescape(b)) for b in re.findall(r"<pre>(.*?)</pre>", page, re.S)]


def _element(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|p|table|ul)>', page, re.S)
    assert match is not None, element_id
    return _text(match.group(1)).strip()


def test_a_report_page_shows_the_numbers_of_the_api_report(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["aurelio"])
    audit_id = _start_from_page(web, {"escuela.yaml": PASSING}, rules="P20")
    found = _finished(web, tokens["aurelio"], audit_id)
    assert found["status"] == "done", found
    result = found["result"]
    page = web.get(f"/audits/{audit_id}?lang=en").text
    coverage, mutation = result["coverage"], result["mutation"]
    totals = coverage["totals"]
    assert _element(page, "summary-coverage") == (
        f"{totals['covered']} of {totals['items']} ({totals['percent']:.1f}%)"
    )
    assert _element(page, "summary-suite") == f"{result['suite']['passed']} of 1"
    assert _element(page, "summary-mutation") == f"{mutation['score'] * 100:.1f}%"
    assert _element(page, "mutation-total").startswith(
        f"Score {mutation['score'] * 100:.1f}%: {mutation['killed']} of {mutation['mutants']}"
        f" mutants killed, {len(mutation['survivors'])} survived"
    )
    rules_table = _element(page, "coverage-rules")
    for rule in coverage["rules"]:
        assert f"{rule['id']} {'yes' if rule['fired'] else 'no'} {rule['covered']} " in rules_table
        assert f" {rule['items']} {rule['percent']:.1f}%" in rules_table
    text = _text(page)
    for rule in coverage["rules"]:
        for item in rule["uncovered"]:
            assert item["description"] in text
    assert mutation["survivors"], "a one-case suite leaves some mutant of P20 alive"
    survivors = _element(page, "mutation-survivors")
    for survivor in mutation["survivors"]:
        assert survivor["description"] in survivors
        assert [survivor["suggested_case"]] in _yaml_blocks(page)
    verification = result["verification"]
    refuted = [r for r in verification["requirements"] if not r["holds"]]
    assert _element(page, "summary-verification") == (
        f"{len(verification['dead'])} dead rules, {len(verification['subsumed'])} subsumed,"
        f" {len(verification['conflicts'])} conflicts, {len(refuted)} requirements refuted"
    )
    requirements = _element(page, "verification-requirements")
    for requirement in verification["requirements"]:
        verdict = "holds" if requirement["holds"] else "refuted"
        assert f"{requirement['requirement']} {'✓' if requirement['holds'] else '✗'} {verdict}" in (
            requirements
        )
    blocks = _yaml_blocks(page)
    witnesses = [r["witness"] for r in refuted] + [c["witness"] for c in verification["conflicts"]]
    assert witnesses
    for witness in witnesses:
        assert witness in blocks
    conflicts = _element(page, "verification-conflicts")
    for conflict in verification["conflicts"]:
        (first, second), (high, low) = conflict["rules"], conflict["priorities"]
        said = f"{conflict['service']}: {first} gives {high}, {second} gives {low}"
        assert said in conflicts
    network = result["network"]
    assert network
    for level in ("municipality", "department", "national", "neighbour", "nearest", "none"):
        count = sum(1 for cell in network if cell["level"] == level)
        assert re.search(rf'id="network-{level}">{count}<', page), level
    spanish = web.get(f"/audits/{audit_id}?lang=es").text
    # CLDR's Spanish: a decimal comma and a no-break space before the sign.
    assert f"{totals['percent']:.1f}\u00a0%".replace(".", ",") in spanish


def test_a_failing_suite_shows_expected_against_got_and_no_score(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["aurelio"])
    audit_id = _start_from_page(web, {"mal.yaml": FAILING}, rules="P20")
    result = _finished(web, tokens["aurelio"], audit_id)["result"]
    assert result["suite"]["failed"] == 1 and result["mutation"] is None
    page = web.get(f"/audits/{audit_id}?lang=en").text
    failures = _element(page, "suite-failures")
    [failure] = result["suite"]["failures"]
    assert f"{failure['name']} {failure['file']}:{failure['line']}" in failures
    for difference in failure["differences"]:
        assert difference in failures
    assert "No score" in _element(page, "summary-mutation")
    spanish = _element(web.get(f"/audits/{audit_id}?lang=es").text, "suite-failures")
    assert all(d in spanish for d in failure["differences_es"])


def test_the_audit_page_polls_while_running_and_serves_the_offline_report(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["aurelio"])
    audit_id = _start_from_page(web, {"escuela.yaml": PASSING}, rules="P20")
    page = web.get(f"/audits/{audit_id}").text
    still = web.get(f"/v1/audits/{audit_id}", headers=bearer(tokens["aurelio"])).json()
    if still["status"] in ("queued", "running"):  # then it was so when the page was made
        assert f'hx-get="/audits/{audit_id}/progress"' in page
        assert 'hx-trigger="every 2s"' in page
    listed = web.get("/audits").text
    assert f'href="/audits/{audit_id}"' in listed
    _finished(web, tokens["aurelio"], audit_id)
    polled = web.get(f"/audits/{audit_id}/progress", headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled.headers["HX-Redirect"] == f"/audits/{audit_id}"
    plain = web.get(f"/audits/{audit_id}/progress")
    assert plain.status_code == 303 and plain.headers["location"] == f"/audits/{audit_id}"
    assert 'id="summary-coverage"' in web.get(f"/audits/{audit_id}").text
    for language in ("es", "en"):
        offline = web.get(f"/audits/{audit_id}/report.html?lang={language}")
        api = web.get(
            f"/v1/audits/{audit_id}/report.html",
            params={"lang": language},
            headers=bearer(tokens["aurelio"]),
        )
        assert offline.status_code == 200 and offline.text == api.text
        assert offline.headers["content-type"].startswith("text/html")
    assert web.get("/audits/0000000000000000").status_code == 404


def test_the_start_form_shows_the_api_problems(web: TestClient, tokens: dict[str, str]) -> None:
    log_in(web, tokens["aurelio"])
    versions = web.get("/v1/rule-bases", headers=bearer(tokens["aurelio"])).json()["versions"]
    offered = re.findall(r'<option value="([^"]+)"', web.get("/audits").text)
    assert offered == ["published"] + [v["hash"] for v in versions]
    broken = web.post(
        "/audits?lang=en",
        data={"rule_base": "published", "suite": "files"},
        files=[("files", ("roto.yaml", b"- name: [unclosed\n", "application/x-yaml"))],
        headers=SAME_SITE,
    )
    api = web.post(
        "/v1/audits",
        json={"files": {"roto.yaml": "- name: [unclosed\n"}},
        headers=bearer(tokens["aurelio"]),
    )
    assert broken.status_code == api.status_code == 422

    def spaced(words: str) -> str:
        return re.sub(r"\s+", " ", html.unescape(words))

    text = spaced(broken.text)
    assert spaced(api.json()["error"]["message"]) in text
    assert api.json()["error"]["problems"]
    for problem in api.json()["error"]["problems"]:
        assert spaced(problem["message"]) in text
    unknown = web.post(
        "/audits?lang=en", data={"rule_base": "deadbeef00", "suite": "cases"}, headers=SAME_SITE
    )
    assert unknown.status_code == 404
    expected = web.post(
        "/v1/audits",
        json={"rule_base": "deadbeef00", "cases": True},
        headers=bearer(tokens["aurelio"]),
    ).json()["error"]["message"]
    assert expected in _text(unknown.text)
    no_rule = web.post(
        "/audits?lang=en", data={"suite": "cases", "rules": "P20, P99"}, headers=SAME_SITE
    )
    [problem] = web.post(
        "/v1/audits",
        json={"cases": True, "rules": ["P20", "P99"]},
        headers=bearer(tokens["aurelio"]),
    ).json()["error"]["problems"]
    assert no_rule.status_code == 422 and problem["field"] == "rules"
    assert f'<p class="problem" id="problem-rules-1">{problem["message"]}</p>' in no_rule.text
    assert re.search(r'id="rules"[^>]*aria-describedby="rules-help problem-rules-1"', no_rule.text)
    no_files = web.post("/audits?lang=en", data={"suite": "files"}, headers=SAME_SITE)
    [problem] = web.post(
        "/v1/audits", json={"files": {}}, headers=bearer(tokens["aurelio"])
    ).json()["error"]["problems"]
    assert no_files.status_code == 422 and problem["message"] in html.unescape(no_files.text)
    assert web.get("/v1/audits", headers=bearer(tokens["aurelio"])).json()["audits"] == []


def test_heatmap_cells_are_the_levels_of_the_network_reach(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])  # read_network: every role may see it
    page = web.get("/network-heatmap?lang=en")
    assert page.status_code == 200
    cells = {
        (d, s): level
        for d, s, level in re.findall(
            r'data-department="(\d+)" data-service="([A-Z_]+)" data-level="([a-z]+)"', page.text
        )
    }
    reach = web.get("/v1/network/reach", headers=bearer(tokens["carla"])).json()
    assert cells == {(r["department"], r["service"]): r["level"] for r in reach}
    for level in ("municipality", "department", "national", "neighbour", "nearest", "none"):
        count = sum(1 for r in reach if r["level"] == level)
        assert re.search(rf'id="count-{level}">{count}<', page.text), level
    nobody = [r for r in reach if r["level"] == "none"]
    for row in nobody:
        assert f"{row['department']} {row['department_name']}" in _text(page.text)


def _open_cases(web: TestClient, token: str, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        answer = web.post("/v1/cases", json=CASE_REQUEST, headers=bearer(token))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def _rows(page: str, table: str) -> list[list[str]]:
    match = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)
    if match is None:
        return []
    return [
        [_text(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    ]


def test_the_access_log_rows_filters_and_pages_are_the_apis(
    web: TestClient, tokens: dict[str, str]
) -> None:
    cases = _open_cases(web, tokens["carla"], 3)
    for _ in range(52):
        web.get(f"/v1/cases/{cases[0]}", headers=bearer(tokens["carla"]))
    log_in(web, tokens["aurelio"])
    auditor = bearer(tokens["aurelio"])

    def shown(entry: dict[str, Any]) -> list[str]:
        at = entry["at"][:19].replace("T", " ")
        return [
            str(entry["seq"]),
            at,
            entry["actor"],
            access().roles[entry["role"]]["es"],  # the role as the access policy names it
            entry["case_id"],
            entry["action"],
        ]

    first = web.get("/access-log")
    api = web.get("/v1/access-log", params={"limit": 50}, headers=auditor).json()
    assert _rows(first.text, "access-log") == [shown(e) for e in api["entries"]]
    assert api["next_after"] is not None
    link = html.unescape(re.search(r'<a href="([^"]+)" rel="next"', first.text).group(1))  # type: ignore[union-attr]
    assert link == f"/access-log?after={api['next_after']}"
    second = web.get(link)
    rest = web.get(
        "/v1/access-log", params={"after": api["next_after"], "limit": 50}, headers=auditor
    ).json()
    assert _rows(second.text, "access-log") == [shown(e) for e in rest["entries"]]
    assert 'rel="next"' not in second.text
    only = web.get("/access-log", params={"case": cases[2], "actor": "carla"})
    filtered = web.get(
        "/v1/access-log", params={"case": cases[2], "actor": "carla"}, headers=auditor
    ).json()["entries"]
    assert len(filtered) == 1
    assert _rows(only.text, "access-log") == [shown(e) for e in filtered]
    assert f'href="/access-log?case={cases[2]}"' in only.text  # each case filters by itself
    today = filtered[0]["at"][:10]
    assert len(_rows(web.get("/access-log", params={"since": today}).text, "access-log")) == 50
    assert _rows(web.get("/access-log", params={"until": today}).text, "access-log") == []
    wrong = web.get("/access-log", params={"since": "yesterday", "lang": "en"})
    problem = web.get("/v1/access-log", params={"since": "yesterday"}, headers=auditor).json()
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
    assert problem["error"]["problems"][0]["field"] == "query.since"
    assert re.search(
        r'id="filter-since"[^>]*aria-describedby="[^"]*problem-since-1"', wrong.text, re.S
    )
    assert html.escape(problem["error"]["problems"][0]["message"], quote=False) in wrong.text


def test_the_trail_rows_filters_and_pages_are_the_apis(
    web: TestClient, tokens: dict[str, str]
) -> None:
    store = web.app.state.service.store  # type: ignore[attr-defined]
    for number in range(30):  # each adds two events: user_created, token_created
        store.add_user(f"person{number}", "caseworker", by="root", office="oam-cucuta")
    log_in(web, tokens["aurelio"])
    auditor = bearer(tokens["aurelio"])

    def shown(event: dict[str, Any]) -> list[str]:
        return [
            str(event["seq"]),
            event["at"][:19].replace("T", " "),
            event["actor"],
            event["action"],
        ]

    def chain(page: str) -> list[tuple[str, str]]:
        return re.findall(
            r'class="hash-prev" title="([0-9a-f]+)".*?class="hash" title="([0-9a-f]+)"', page, re.S
        )

    api = web.get("/v1/audit-trail", params={"limit": 50}, headers=auditor).json()
    first = web.get("/trail").text
    assert [row[:4] for row in _rows(first, "trail")] == [shown(e) for e in api["events"]]
    assert chain(first) == [(e["prev_hash"], e["hash"]) for e in api["events"]]
    assert re.search(r">[0-9a-f]{10}</code> → <code", first)
    second = web.get(f"/trail?after={api['next_after']}").text
    rest = web.get(
        "/v1/audit-trail", params={"after": api["next_after"], "limit": 50}, headers=auditor
    ).json()
    assert rest["events"] and [r[:4] for r in _rows(second, "trail")] == [
        shown(e) for e in rest["events"]
    ]
    created = web.get("/trail", params={"action": "user_created", "actor": "root"}).text
    expected = web.get(
        "/v1/audit-trail", params={"action": "user_created", "actor": "root"}, headers=auditor
    ).json()["events"]
    assert len(expected) == 30
    assert [r[:4] for r in _rows(created, "trail")] == [shown(e) for e in expected]
    seeded = web.get("/v1/audit-trail", params={"action": "seeded"}, headers=auditor).json()
    assert len(seeded["events"]) == 1
    assert [r[:4] for r in _rows(web.get("/trail?action=seeded").text, "trail")] == [
        shown(e) for e in seeded["events"]
    ]
    author = bearer(tokens["ana"])
    draft = web.post(
        "/v1/rule-bases/drafts", json={"from": "published", "message": "P20 out"}, headers=author
    )
    path = f"/v1/rule-bases/drafts/{draft.json()['id']}/rules/P20"
    etag = web.get(path, headers=author).headers["etag"]
    assert web.delete(path, headers={**author, "If-Match": etag}).status_code == 200
    by_rule = web.get("/v1/audit-trail", params={"rule": "P20"}, headers=auditor).json()
    assert [e["action"] for e in by_rule["events"]] == ["rule_removed"]
    rows = _rows(web.get("/trail?rule=P20").text, "trail")
    assert [r[:4] for r in rows] == [shown(e) for e in by_rule["events"]]
    assert rows[0][5] == "P20"
    assert 'href="/trail?rule=P20"' in web.get("/trail?action=rule_removed").text


@pytest.mark.parametrize("who", ["carla", "ana"])
def test_caseworkers_and_policy_authors_may_not_open_the_auditors_pages(
    web: TestClient, tokens: dict[str, str], who: str
) -> None:
    log_in(web, tokens[who])
    for path in ("/audits", "/audits/0000000000000000", "/access-log", "/trail"):
        answer = web.get(path)
        assert answer.status_code == 403, path
        assert "Su rol no permite usar esta página." in answer.text, path
    refused = web.post("/audits", data={"suite": "cases"}, headers=SAME_SITE)
    assert refused.status_code == 403
    admin = bearer(tokens["root"])
    assert web.get("/v1/audits", headers=admin).json()["audits"] == []
    assert web.get("/network-heatmap").status_code == 200  # read_network: every role


def test_the_trail_page_says_whether_the_chain_is_whole_as_the_api_does(
    web: TestClient, tokens: dict[str, str]
) -> None:
    from sqlalchemy import text as sql

    log_in(web, tokens["aurelio"])
    auditor = bearer(tokens["aurelio"])
    whole = web.get("/v1/audit-trail/verification", headers=auditor).json()
    assert whole["ok"]
    banner = re.search(r'id="trail-verification">(.*?)</div>', web.get("/trail").text, re.S)
    assert banner is not None and f"{whole['events']} eventos" in banner.group(1)
    assert whole["head"][:16] in banner.group(1)
    store = web.app.state.service.store  # type: ignore[attr-defined]
    with store.db.write() as session:
        session.execute(sql("UPDATE audit_trail SET subject = 'mallory' WHERE seq = 2"))
    broken = web.get("/v1/audit-trail/verification", headers=auditor).json()
    page = html.unescape(web.get("/trail?lang=en").text)
    alert = re.search(r'role="alert" id="trail-verification">(.*?)</div>', page, re.S)
    assert alert is not None
    assert alert.group(1) == f"The chain is broken at event 2: {broken['message']}"
