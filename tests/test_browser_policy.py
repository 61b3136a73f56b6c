"""Policy staff change a rule in a real browser, as the issue's journey goes: an author
changes a threshold, simulates, reads the chart and submits; an approver approves and
publishes; the service then answers with the change (and is rolled back at the end)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from browser_pages import (
    Site,
    log_in,
    screenshot,
    serious_accessibility_violations,
)
from playwright.sync_api import Page, expect

from servers import call


def served(site: Site, who: str, path: str) -> Any:
    port = urlsplit(site.url).port
    assert port is not None
    status, body = call(port, "GET", path, site.tokens[who])
    assert status == 200, body
    return body


def author_drafts_and_changes_the_threshold(page: Page, site: Site, old: int, new: int) -> str:
    """Ana reads the rules, makes a draft, changes P24's age in its number field and checks
    the diff; the draft's address."""
    log_in(page, site, "ana", "/rules")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reglas en servicio")
    expect(page.locator("tr[data-rule='P24']")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "policy-rules")
    page.goto(f"{site.url}/drafts")
    page.get_by_label("Para qué es el cambio").fill(f"P24: edad mínima {new} años")
    page.get_by_role("button", name="Crear borrador").click()
    expect(page).to_have_url(re.compile(r"/drafts/[0-9a-f]+$"))
    draft_url = page.url
    page.get_by_role("link", name=re.compile(r"^P24 ·")).click()
    expect(page.locator("#rule-source")).to_contain_text("field: age")
    page.locator("#threshold-0").fill(str(new))
    page.get_by_role("button", name="Guardar umbrales").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#rule-source")).to_contain_text(f"value: {new}")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "policy-editor")
    page.get_by_role("link", name="Ver qué cambia").click()
    row = page.locator("section[data-rule='P24'] tr[data-path='when.all[0].value']")
    expect(row.locator("del")).to_have_text(str(old))
    expect(row.locator("ins")).to_have_text(str(new))
    assert serious_accessibility_violations(page) == []
    return draft_url


def author_simulates_and_submits(page: Page, draft_url: str) -> None:
    """Ana simulates a small population, reads the chart and the failing cases, submits."""
    page.goto(draft_url)
    page.get_by_label("Cuántas personas sintéticas").fill("300")
    page.get_by_role("button", name="Simular").click()
    expect(page.locator("#simulation-state")).to_contain_text("Terminada", timeout=90_000)
    expect(page.locator("svg#chart-services")).to_be_visible()
    expect(page.locator("#table-services tr[data-code='INCOME_JOB_PLACEMENT']")).to_be_visible()
    expect(page.locator("#broken-heading")).to_contain_text("casos del protocolo fallan")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "policy-simulation")
    page.goto(draft_url)
    expect(page.get_by_role("button", name="Publicar")).to_have_count(0)
    page.get_by_role("button", name="Enviar a aprobación").click()
    expect(page.locator("#draft-status")).to_have_text("Enviado a aprobación")


def approver_approves_and_publishes(page: Page, site: Site, draft_url: str) -> None:
    """Pablo approves and publishes; as the simulation showed, protocol cases that assumed
    the old age now fail, so the API asks for the reason to publish anyway."""
    log_in(page, site, "pablo", urlsplit(draft_url).path)
    page.get_by_role("button", name="Aprobar").click()
    expect(page.locator("#draft-status")).to_have_text("Aprobado")
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_role("alert")).to_contain_text("caso(s) de protocolo fallan")
    page.get_by_label(re.compile("por qué se publica igual")).fill("decreto 2026: edad mínima")
    page.get_by_role("button", name="Publicar").click()
    expect(page.locator("#step-done")).to_have_text("La versión está en servicio.")
    expect(page.locator("#draft-status")).to_have_text("Publicado")
    screenshot(page, "policy-publish")


def test_an_author_changes_a_threshold_and_an_approver_publishes_it(page: Page, site: Site) -> None:
    before = served(site, "pablo", "/v1/rule-bases")["published"]
    threshold = served(site, "ana", "/v1/rules/P24")["when"]["all"][0]
    assert threshold["field"] == "age"
    changed = threshold["value"] + 3
    draft_url = author_drafts_and_changes_the_threshold(page, site, threshold["value"], changed)
    author_simulates_and_submits(page, draft_url)
    approver_approves_and_publishes(page, site, draft_url)

    # The service answers with the change.
    assert served(site, "pablo", "/v1/rules/P24")["when"]["all"][0]["value"] == changed
    assert served(site, "pablo", "/v1/rule-bases")["published"] != before

    # The approver puts the earlier version back in service from the versions page.
    page.goto(f"{site.url}/drafts")
    version = page.locator("tr", has=page.locator("code", has_text=before[:12]))
    version.get_by_text("Volver a publicar esta versión").click()
    version.get_by_label("Por qué").fill("fin de la prueba")
    version.get_by_role("button", name=re.compile("^Publicar de nuevo")).click()
    expect(page.get_by_role("status")).to_have_text("La versión elegida está de nuevo en servicio.")
    assert served(site, "pablo", "/v1/rule-bases")["published"] == before
    assert served(site, "pablo", "/v1/rules/P24")["when"]["all"][0] == threshold
