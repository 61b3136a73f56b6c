"""The pages' session, language and refusals, through the test client."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_client import SAME_SITE, log_in, tokens, web

__all__ = ["tokens", "web"]


def test_a_page_without_a_session_sends_to_the_login_page_and_back(web: TestClient) -> None:
    answer = web.get("/?from=x")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/%3Ffrom%3Dx"


def test_the_session_cookie_cannot_be_read_by_scripts_nor_sent_by_other_sites(
    web: TestClient, tokens: dict[str, str]
) -> None:
    answer = web.post("/login", data={"token": tokens["carla"], "next": "/"}, headers=SAME_SITE)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("ruta_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=36000" in cookie  # a working day, RUTA_SESSION_SECONDS by default
    assert tokens["carla"] not in web.get("/").text  # the page never shows the token


def test_a_form_from_another_site_is_refused(web: TestClient, tokens: dict[str, str]) -> None:
    for headers in ({"origin": "https://elsewhere.example"}, {}):
        answer = web.post("/login", data={"token": tokens["carla"]}, headers=headers)
        assert answer.status_code == 403
        assert "set-cookie" not in answer.headers
        assert "no vino de una página de Ruta" in answer.text


def test_after_login_the_person_goes_only_to_a_path_of_this_site(
    web: TestClient, tokens: dict[str, str]
) -> None:
    for asked, landed in (("/cases", "/cases"), ("//evil.example/x", "/"), ("https://e.x", "/")):
        data = {"token": tokens["carla"], "next": asked}
        answer = web.post("/login", data=data, headers=SAME_SITE)
        assert answer.headers["location"] == landed, asked


def test_a_wrong_token_is_refused_in_the_page_language(web: TestClient) -> None:
    answer = web.post("/login?lang=en", data={"token": "nope"}, headers=SAME_SITE)
    assert answer.status_code == 401
    assert "That token is not valid or was revoked." in answer.text
    web.get("/language/es")
    spanish = web.post("/login", data={"token": "nope"}, headers=SAME_SITE)
    assert "Ese token no es válido o fue revocado." in spanish.text


def test_the_menu_holds_only_the_pages_the_role_may_use(
    web: TestClient, tokens: dict[str, str]
) -> None:
    shown: dict[str, set[str]] = {}
    for name in ("carla", "ana", "pablo", "aurelio"):
        log_in(web, tokens[name])
        nav = web.get("/").text.split("<nav", 1)[1].split("</nav>", 1)[0]
        shown[name] = set(re.findall(r'href="(/[a-z-]*)"', nav))
    assert {"/intake", "/cases"} <= shown["carla"] and "/audits" not in shown["carla"]
    assert "/simulations" in shown["ana"] and "/cases" not in shown["ana"]
    assert "/audits" in shown["aurelio"] and "/access-log" in shown["aurelio"]
    assert "/simulations" not in shown["aurelio"] and "/access-log" not in shown["pablo"]


def test_the_api_reference_page_loads_nothing_from_another_site(web: TestClient) -> None:
    page = web.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert web.get(source).status_code == 200, source
    assert web.get("/redoc").status_code == 404
    assert web.get("/openapi.json").status_code == 200
