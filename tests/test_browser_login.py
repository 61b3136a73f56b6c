"""Logging in, the language switch and the menu by role, in a real browser."""

from __future__ import annotations

import re

from browser_pages import (
    Site,
    log_in,
    serious_accessibility_violations,
)
from playwright.sync_api import Page, expect


def test_a_wrong_token_is_refused_and_a_right_one_opens_the_home_page(
    page: Page, site: Site
) -> None:
    page.goto(f"{site.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Token de acceso").fill("ruta_not-a-token")
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("alert")).to_contain_text("no es válido")
    assert serious_accessibility_violations(page) == []
    log_in(page, site, "carla")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicio")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Nueva atención")).to_be_visible()
    expect(nav.get_by_role("link", name="Auditorías")).to_have_count(0)
    assert serious_accessibility_violations(page) == []


def test_the_language_switch_turns_the_pages_to_english_and_back(page: Page, site: Site) -> None:
    log_in(page, site, "aurelio")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Audits")).to_be_visible()
    expect(nav.get_by_role("link", name="New intake")).to_be_visible()
    expect(nav.get_by_role("link", name="Cases")).to_have_count(0)
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicio")
    page.get_by_role("button", name="Salir").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{site.url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_a_person_logs_in_and_reaches_the_intake_with_the_keyboard_alone(
    page: Page, site: Site
) -> None:
    """Keyboard use (WCAG 2.1.1): the first Tab reaches the skip link, the token field takes
    the token, Enter sends it, and the menu's links are reached and followed by Tab and Enter."""
    page.goto(f"{site.url}/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "token":
            break
    assert page.evaluate("document.activeElement.id") == "token"
    page.keyboard.type(site.tokens["carla"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicio")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/intake":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nueva atención")
    # The focus shows where it is: the focused element draws an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
