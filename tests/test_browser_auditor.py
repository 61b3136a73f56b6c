"""An auditor's day in a real browser: audit the version in service with the shipped cases,
follow it, read its report; then the network heatmap, the access log and the audit trail."""

from __future__ import annotations

import re

from browser_pages import (
    Site,
    log_in,
    screenshot,
    serious_accessibility_violations,
)
from playwright.sync_api import Page, expect

from api.case_schemas import CASE_REQUEST


def _bearer(site: Site, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.tokens[who]}"}


def test_an_auditor_audits_the_published_version_and_reads_the_logs(page: Page, site: Site) -> None:
    opened = page.request.post(
        f"{site.url}/v1/cases", data=CASE_REQUEST, headers=_bearer(site, "carla")
    )
    assert opened.status == 201, opened.text()
    log_in(page, site, "aurelio", "/audits")
    _audit_and_read_the_report(page, site)
    _read_the_heatmap(page, site)
    _read_the_logs(page, site, opened.json()["id"])


def _audit_and_read_the_report(page: Page, site: Site) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Auditorías")
    expect(page.get_by_label("Los casos del protocolo que trae el servicio")).to_be_checked()
    expect(page.get_by_label("Versión de las reglas")).to_have_value("published")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Iniciar la auditoría").click()
    expect(page).to_have_url(re.compile(r"/audits/[A-Za-z0-9_-]+$"))
    audit_id = page.url.rsplit("/", 1)[1]
    if page.locator("#audit-stage").is_visible():  # still running: the stage, updated in place
        expect(page.locator("#audit-progress")).to_have_attribute("max", "5")
        assert serious_accessibility_violations(page) == []
    expect(page.get_by_role("heading", name="Resumen")).to_be_visible(timeout=120_000)

    found = page.request.get(
        f"{site.url}/v1/audits/{audit_id}", headers=_bearer(site, "aurelio")
    ).json()
    assert found["status"] == "done" and found["suite"]["source"] == "cases"
    totals, score = found["result"]["coverage"]["totals"], found["result"]["mutation"]["score"]
    shown_percent = f"{totals['percent']:.1f}\u00a0%".replace(".", ",")
    expect(page.locator("#summary-coverage")).to_have_text(
        f"{totals['covered']} de {totals['items']} ({shown_percent})"
    )
    expect(page.locator("#summary-mutation")).to_have_text(
        f"{score * 100:.1f}\u00a0%".replace(".", ",")
    )
    requirements = page.locator("#verification-requirements")
    for requirement in found["result"]["verification"]["requirements"]:
        verdict = "se cumple" if requirement["holds"] else "refutado"
        expect(
            requirements.get_by_role("row", name=re.compile(requirement["requirement"]))
        ).to_contain_text(verdict)
    page.get_by_text("Contraejemplo").first.click()
    expect(page.locator("details.witness[open] pre").first).to_contain_text("return_kind")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "auditor-report")

    page.get_by_role("link", name=re.compile("Informe completo")).click()
    expect(page).to_have_url(re.compile(rf"/audits/{audit_id}/report\.html\?lang=es$"))
    expect(page.locator("body")).to_contain_text("DEPORTED_ADULT_LEGAL")
    page.go_back()


def _read_the_heatmap(page: Page, site: Site) -> None:
    page.get_by_role("navigation").first.get_by_role("link", name="Mapa de la red").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alcance de la red")
    reach = page.request.get(
        f"{site.url}/v1/network/reach", headers=_bearer(site, "aurelio")
    ).json()
    expect(page.locator("#heatmap td[data-level]")).to_have_count(len(reach))
    for shown in (reach[0], reach[-1]):
        cell = page.locator(
            f'#heatmap td[data-department="{shown["department"]}"]'
            f'[data-service="{shown["service"]}"]'
        )
        expect(cell).to_have_attribute("data-level", shown["level"])
    assert serious_accessibility_violations(page) == []
    screenshot(page, "auditor-heatmap")


def _read_the_logs(page: Page, site: Site, case_id: str) -> None:
    page.get_by_role("navigation").first.get_by_role("link", name="Registro de accesos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registro de accesos")
    page.get_by_label("Persona").fill("carla")
    page.get_by_role("button", name="Filtrar").click()
    expect(page).to_have_url(re.compile(r"actor=carla"))
    expect(page.locator("#access-log tbody tr").filter(has_text=case_id).first).to_contain_text(
        "carla"
    )
    assert serious_accessibility_violations(page) == []
    screenshot(page, "auditor-access-log")

    page.get_by_role("navigation").first.get_by_role("link", name="Bitácora").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitácora de auditoría")
    events = page.request.get(
        f"{site.url}/v1/audit-trail", params={"limit": 50}, headers=_bearer(site, "aurelio")
    ).json()["events"]
    first_row = page.locator("#trail tbody tr").first
    expect(first_row).to_contain_text(events[0]["action"])
    expect(first_row.locator("code.hash")).to_have_text(events[0]["hash"][:10])
    assert serious_accessibility_violations(page) == []
    screenshot(page, "auditor-trail")
