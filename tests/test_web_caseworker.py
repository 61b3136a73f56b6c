"""The caseworker's pages (intake, roadmap, cases, referrals, sheet) through the test client,
each checked against the API's own answer for the same request."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from web_client import SAME_SITE, log_in, tokens, web

__all__ = ["tokens", "web"]

#: A deported man just back in Cúcuta, without shelter (the issue's journey).
ANSWERS = {
    "age": "34",
    "department": "54",
    "municipality": "54001",
    "years_abroad": "4",
    "months_since_return": "0,5",
    "return_kind": "deported",
    "has_shelter": "no",
}
#: The same answers as the API takes them.
PROFILE: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 4,
    "months_since_return": 0.5,
    "return_kind": "deported",
    "has_shelter": False,
}
IDENTITY = {
    "person_name": "Yolanda Quintero Zapata",
    "person_document": "CC 99.887.766",
    "person_phone": "3157770001",
}


def api(web: TestClient, token: str, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return web.request(method, path, headers=headers, **kwargs)


def question_block(page: str, field: str) -> str:
    """The markup of one question of the form (its label, input, help and problems)."""
    start = page.index(f'<div class="question" id="q-{field}"')
    return (
        page[start : page.index('<div class="question"', start + 1)]
        if (page.find('<div class="question"', start + 1) != -1)
        else page[start:]
    )


def services_shown(page: str) -> list[str]:
    return re.findall(r'<li class="service[^"]*" data-service="([A-Z_]+)"', page)


def open_case(web: TestClient) -> str:
    answer = web.post("/cases/new", data={**ANSWERS, **IDENTITY}, headers=SAME_SITE)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_the_intake_form_asks_every_field_of_the_schema_with_its_label(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    schema = api(web, tokens["carla"], "GET", "/v1/profile-schema").json()
    for language in ("es", "en"):
        page = web.get(f"/intake?lang={language}").text
        for field, spec in schema["properties"].items():
            block = question_block(page, field)
            assert html.escape(spec["labels"][language], quote=False) in block, (language, field)
            assert f'name="{field}"' in block, field
            for value in spec.get("enum", []):
                assert f'value="{value}"' in block, (field, value)


def test_a_wrong_answer_shows_the_apis_message_next_to_its_field(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    expected = api(
        web,
        tokens["carla"],
        "POST",
        "/v1/recommendations",
        json={"profile": {**PROFILE, "age": 130}},
    ).json()["error"]["problems"]
    assert [p["field"] for p in expected] == ["age"]
    for language, wording in (("es", "message_es"), ("en", "message")):
        answer = web.post(
            f"/intake?lang={language}", data={**ANSWERS, "age": "130"}, headers=SAME_SITE
        )
        assert answer.status_code == 422
        block = question_block(answer.text, "age")
        message = html.escape(expected[0][wording])
        assert f'<p class="problem" id="problem-age-1">{message}</p>' in block
        field = re.findall(r'<input id="age"[^>]*>', block)[0]
        assert 'aria-invalid="true"' in field
        assert re.search(r'aria-describedby="[^"]*\bproblem-age-1\b', field)
        assert "problem-age" not in question_block(answer.text, "department")


def test_the_roadmap_lists_the_apis_services_in_the_apis_order(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    expected = api(
        web, tokens["carla"], "POST", "/v1/recommendations", json={"profile": PROFILE}
    ).json()
    page = web.post("/intake", data=ANSWERS, headers=SAME_SITE).text
    assert services_shown(page) == [s["code"] for s in expected["services"]]
    for service in expected["services"]:
        assert html.escape(service["label"], quote=False) in page
        for target in service["targets"]:
            assert html.escape(target["name"], quote=False) in page
    # The questions offered first are exactly those the API says could change the roadmap.
    asked = re.findall(r'<div class="question" id="q-([a-z_]+)" data-group="worth">', page)
    assert asked == [f["field"] for f in expected["open_fields"]]


def test_the_form_refreshes_in_place_judging_only_the_answers_given(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    partial = {"age": "200", "department": "54"}
    answer = web.post("/intake", data=partial, headers={**SAME_SITE, "HX-Request": "true"})
    assert answer.status_code == 200 and "<html" not in answer.text
    assert re.findall(r'id="problem-([a-z_]+)-1"', answer.text) == ["age"]
    # The municipalities offered are those of the department chosen, from the network data.
    municipality = question_block(answer.text, "municipality")
    codes = set(re.findall(r'<option value="(\d{5})"', municipality))
    assert "54001" in codes and all(code.startswith("54") for code in codes)
    whole = web.post("/intake", data=partial, headers=SAME_SITE)
    assert whole.status_code == 422 and "problem-years_abroad-1" in whole.text


def test_the_intake_sheet_lists_the_roadmap_in_spanish_with_a_data_note(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    web.get("/language/en")
    expected = api(
        web, tokens["carla"], "POST", "/v1/recommendations", json={"profile": PROFILE}
    ).json()
    sheet = web.post("/intake/sheet", data=ANSWERS, headers=SAME_SITE).text
    assert '<html lang="es">' in sheet
    codes = re.findall(r'<li data-service="([A-Z_]+)">', sheet)
    assert codes == [s["code"] for s in expected["services"]]
    assert "Ley 1581 de 2012" in sheet and "Oficina de Atención al Migrante — Cúcuta" in sheet


def test_identity_never_appears_in_an_address(web: TestClient, tokens: dict[str, str]) -> None:
    log_in(web, tokens["carla"])
    case = open_case(web)
    receipt = web.post(f"{case}/roadmap", headers=SAME_SITE).headers["location"]
    pages = [case, "/cases", receipt, f"{receipt}/sheet", f"{case}/profile"]
    shown = web.get(case).text
    assert IDENTITY["person_name"] in shown and IDENTITY["person_document"] in shown
    for path in pages:
        text = web.get(path).text
        addresses = re.findall(r'(?:href|action|src|hx-post|hx-get)="([^"]*)"', text)
        for value in IDENTITY.values():
            assert all(value not in address for address in [path, *addresses]), path
            assert all(value.split()[0] not in address for address in addresses), path
    listing = web.get("/cases").text
    assert case.rsplit("/", 1)[1] in listing
    assert all(value not in listing for value in IDENTITY.values())
    assert all(value not in web.get(f"{receipt}/sheet").text for value in IDENTITY.values())


def test_no_browser_keeps_a_returnees_data_after_the_page(
    web: TestClient, tokens: dict[str, str]
) -> None:
    """On an office's shared computer, neither the cache nor the form filler keeps a returnee's
    identity for the next person."""
    log_in(web, tokens["carla"])
    case = open_case(web)
    shown = web.get(case)
    assert IDENTITY["person_name"] in shown.text
    assert shown.headers["cache-control"] == "no-store"
    form = web.get("/cases/new").text
    for name in ("person_name", "person_document", "person_phone"):
        field = re.search(rf'<input id="{name}"[^>]*>', form)
        assert field is not None and 'autocomplete="off"' in field.group(0), name
    assert "no-store" not in web.get("/login").headers.get("cache-control", "")


def test_a_tampered_hidden_field_is_no_server_error(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    case = open_case(web)
    for receipt in ("x", "99999999999999999999", "-1"):
        answer = web.post(
            f"{case}/referrals",
            data={"service": "NOPE", "institution_id": "nope", "receipt": receipt},
            headers=SAME_SITE,
        )
        assert answer.status_code < 500, receipt


def test_a_referrals_buttons_are_the_moves_its_status_allows(
    web: TestClient, tokens: dict[str, str]
) -> None:
    token = tokens["carla"]
    log_in(web, token)
    lifecycle = api(web, token, "GET", "/v1/referral-lifecycle").json()
    case = open_case(web)
    case_id = case.rsplit("/", 1)[1]
    web.post(f"{case}/roadmap", headers=SAME_SITE)
    proposed = web.post(
        f"{case}/referrals",
        data={"service": "HUM_TEMPORARY_SHELTER", "institution_id": "centro-migraciones-cucuta"},
        headers=SAME_SITE,
    )
    assert proposed.status_code == 303
    referral = proposed.headers["location"].split("#referral-", 1)[1]
    api(
        web,
        token,
        "POST",
        f"/v1/cases/{case_id}/consents",
        json={"institution_id": "centro-migraciones-cucuta"},
    )
    for move in (None, "sent", "accepted", "attended", "closed"):
        if move is not None:
            page = web.get(case).text
            etag = html.unescape(re.findall(r"name=\"etag\" value='([^']*)'", page)[0])
            moved = web.post(
                f"/referrals/{referral}/move", data={"to": move, "etag": etag}, headers=SAME_SITE
            )
            assert moved.status_code == 303, moved.text
        status = api(web, token, "GET", f"/v1/referrals/{referral}").json()["status"]
        article = web.get(case).text.split(f'id="referral-{referral}"', 1)[1]
        article = article.split("</article>", 1)[0]
        assert f'data-status="{status}"' in web.get(case).text
        shown = re.findall(r'data-move="([a-z_]+)"', article)
        assert shown == lifecycle["statuses"][status]["to"], status


def test_a_move_without_a_needed_reason_shows_the_apis_problem(
    web: TestClient, tokens: dict[str, str]
) -> None:
    token = tokens["carla"]
    log_in(web, token)
    case = open_case(web)
    case_id = case.rsplit("/", 1)[1]
    web.post(f"{case}/roadmap", headers=SAME_SITE)
    made = api(
        web,
        token,
        "POST",
        f"/v1/cases/{case_id}/referrals",
        json={"service": "HUM_TEMPORARY_SHELTER", "institution_id": "centro-migraciones-cucuta"},
    )
    referral, etag = made.json()["id"], made.headers["etag"]
    api(
        web,
        token,
        "POST",
        f"/v1/cases/{case_id}/consents",
        json={"institution_id": "centro-migraciones-cucuta"},
    )
    sent = api(
        web,
        token,
        "POST",
        f"/v1/referrals/{referral}/transitions",
        headers={"If-Match": etag},
        json={"to": "sent"},
    )
    expected = api(
        web,
        token,
        "POST",
        f"/v1/referrals/{referral}/transitions",
        headers={"If-Match": sent.headers["etag"]},
        json={"to": "rejected"},
    ).json()["error"]["message_es"]
    page = web.post(
        f"/referrals/{referral}/move",
        data={"to": "rejected", "etag": sent.headers["etag"]},
        headers=SAME_SITE,
    )
    assert page.status_code == 422
    assert html.escape(expected, quote=False) in page.text.split(f'id="error-{referral}"', 1)[1]
    stale = web.post(
        f"/referrals/{referral}/move", data={"to": "accepted", "etag": etag}, headers=SAME_SITE
    )
    assert stale.status_code == 412


def test_a_stale_profile_change_is_refused_with_the_apis_message(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["carla"])
    case = open_case(web)
    form = web.get(f"{case}/profile").text
    etag = html.unescape(re.findall(r'name="etag" value="([^"]*)"', form)[0])
    changed = web.post(
        f"{case}/profile", data={**ANSWERS, "age": "35", "etag": etag}, headers=SAME_SITE
    )
    assert changed.status_code == 303
    assert "35" in web.get(case).text.split('class="profile"', 1)[1].split("</table>", 1)[0]
    stale = web.post(
        f"{case}/profile", data={**ANSWERS, "age": "36", "etag": etag}, headers=SAME_SITE
    )
    assert stale.status_code == 412
    assert "otra persona cambió el caso" in stale.text or "revisión" in stale.text


def test_policy_staff_may_not_see_the_cases(web: TestClient, tokens: dict[str, str]) -> None:
    log_in(web, tokens["carla"])
    case = open_case(web)
    log_in(web, tokens["ana"])
    for path in ("/cases", "/cases/new", case, f"{case}/profile"):
        answer = web.get(path)
        assert answer.status_code == 403, path
        assert IDENTITY["person_name"] not in answer.text
    assert (
        web.post("/cases/new", data={**ANSWERS, **IDENTITY}, headers=SAME_SITE).status_code == 403
    )


def test_the_case_list_pages_as_the_api_does(web: TestClient, tokens: dict[str, str]) -> None:
    token = tokens["carla"]
    log_in(web, token)
    for number in range(26):
        person = {"name": f"Persona {number}"}
        made = api(web, token, "POST", "/v1/cases", json={"profile": PROFILE, "person": person})
        assert made.status_code == 201
    first = api(web, token, "GET", "/v1/cases", params={"limit": 25}).json()
    page = web.get("/cases").text
    listed = re.findall(r'<th scope="row"><a href="/cases/([0-9a-f]+)">', page)
    assert listed == [c["id"] for c in first["cases"]]
    older = re.findall(r'href="/cases\?before=([0-9a-f]+)"', page)
    assert older == [first["next"]]
    rest = api(web, token, "GET", "/v1/cases", params={"limit": 25, "before": older[0]}).json()
    page = web.get(f"/cases?before={older[0]}").text
    listed = re.findall(r'<th scope="row"><a href="/cases/([0-9a-f]+)">', page)
    assert listed == [c["id"] for c in rest["cases"]] and len(listed) == 1
    assert "Persona" not in page


def test_an_administrator_opens_a_case_for_the_office_they_choose(
    web: TestClient, tokens: dict[str, str]
) -> None:
    log_in(web, tokens["root"])
    form = web.get("/cases/new").text
    assert '<option value="oam-cucuta"' in form
    made = web.post(
        "/cases/new", data={**ANSWERS, **IDENTITY, "office": "oam-cucuta"}, headers=SAME_SITE
    )
    assert made.status_code == 303
    case_id = made.headers["location"].rsplit("/", 1)[1]
    found = api(web, tokens["carla"], "GET", f"/v1/cases/{case_id}").json()
    assert found["office"] == "oam-cucuta" and found["person"]["name"] == IDENTITY["person_name"]


def test_a_receipt_shows_its_roadmap_and_its_replay_as_the_api_gives_them(
    web: TestClient, tokens: dict[str, str]
) -> None:
    token = tokens["carla"]
    log_in(web, token)
    case = open_case(web)
    case_id = case.rsplit("/", 1)[1]
    receipt = web.post(f"{case}/roadmap", headers=SAME_SITE).headers["location"]
    assert receipt == f"{case}/receipts/1"
    kept = api(web, token, "GET", f"/v1/cases/{case_id}/receipts/1").json()
    page = web.get(receipt).text
    assert services_shown(page) == [s["code"] for s in kept["answer"]["services"]]
    replayed = api(web, token, "POST", f"/v1/cases/{case_id}/receipts/1/replay").json()
    assert replayed["same"] is True
    page = web.post(f"{receipt}/replay", headers=SAME_SITE).text
    result = page.split('id="replay-result">', 1)[1].split("</div>", 1)[0]
    assert "la decisión coincide" in result
    sheet = web.get(f"{receipt}/sheet").text
    codes = re.findall(r'<li data-service="([A-Z_]+)">', sheet)
    assert codes == [s["code"] for s in kept["answer"]["services"]]
    assert f"{case_id}/1" in sheet and "Ley 1581 de 2012" in sheet
