"""The caseworker's journey of the issue, in a real browser: the intake of a deported man
without shelter in Cúcuta, his roadmap and its printed sheet, then a case for him with a
roadmap kept as a receipt and a referral proposed and moved on."""

from __future__ import annotations

import re

from browser_pages import (
    Site,
    first_render_seconds,
    log_in,
    screenshot,
    serious_accessibility_violations,
)
from playwright.sync_api import Page, expect

#: The rule base's service for a bed tonight, and the network's Hogar de Paso in Cúcuta.
SHELTER = "HUM_TEMPORARY_SHELTER"
CENTRE = "Centro de Migraciones (Misión Scalabriniana)"
CENTRE_ID = "centro-migraciones-cucuta"


def answer_the_basic_questions(page: Page) -> None:
    page.get_by_label("Edad (años cumplidos)").fill("34")
    page.get_by_label("Departamento de residencia").select_option(label="Norte de Santander")
    municipality = page.get_by_label("Municipio de residencia")
    expect(municipality.locator("option", has_text="Cúcuta")).to_have_count(1)
    municipality.select_option(label="Cúcuta")
    page.get_by_label("Años continuos en el exterior").fill("4")
    page.get_by_label("Meses desde el regreso").fill("0,5")
    page.get_by_label("Forma de retorno").select_option(label="Deportado/a")


def test_a_deported_man_without_shelter_in_cucuta_is_sent_to_shelter_first(
    page: Page, site: Site
) -> None:
    log_in(page, site, "carla", "/intake")
    page.goto(f"{site.url}/intake")
    assert first_render_seconds(page) < 1.0
    expect(page.get_by_role("heading", level=1)).to_have_text("Nueva atención")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "caseworker-intake")

    answer_the_basic_questions(page)
    # Once the basic answers are in, the questions that could change the roadmap come first.
    worth = page.locator('[data-group="worth"]')
    shelter = page.locator("#q-has_shelter")
    expect(shelter).to_have_attribute("data-group", "worth")
    assert worth.count() >= 1
    shelter.get_by_label("No", exact=True).check()
    first = page.locator("#roadmap li.service").first
    expect(first).to_have_attribute("data-service", SHELTER)
    expect(first.locator(".badge")).to_have_text("Urgente")
    expect(first.locator("li.target").first).to_contain_text(CENTRE)
    expect(page.get_by_label("Edad (años cumplidos)")).to_have_value("34")
    first.get_by_text("Por qué se recomienda").click()
    assert serious_accessibility_violations(page) == []
    page.locator("#roadmap").evaluate("element => element.scrollIntoView()")
    screenshot(page, "caseworker-roadmap")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Hoja para imprimir").click()
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator("html")).to_have_attribute("lang", "es")
    expect(sheet.locator("ol.sheet-services > li").first).to_have_attribute("data-service", SHELTER)
    expect(sheet.locator("ol.sheet-services > li").first).to_contain_text(CENTRE)
    expect(sheet.get_by_text("Ley 1581 de 2012")).to_be_visible()
    assert serious_accessibility_violations(sheet) == []
    screenshot(sheet, "caseworker-sheet")
    sheet.close()


def test_a_case_gets_a_receipt_and_a_referral_that_moves_on(page: Page, site: Site) -> None:
    log_in(page, site, "carla", "/cases/new")
    page.get_by_label("Nombre").fill("Jorge Enrique Salcedo")
    page.get_by_label("Número de documento").fill("CC 80.123.456")
    answer_the_basic_questions(page)
    page.locator("details.more summary").click()
    page.locator("#q-has_shelter").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Abrir el caso").click()
    expect(page).to_have_url(re.compile(r"/cases/[0-9a-f]+$"))
    assert "Salcedo" not in page.url and "80.123" not in page.url
    expect(page.locator("dl.identity")).to_contain_text("Jorge Enrique Salcedo")

    page.get_by_role("button", name="Pedir hoja de ruta").click()
    expect(page).to_have_url(re.compile(r"/receipts/1$"))
    first = page.locator("#roadmap li.service").first
    expect(first).to_have_attribute("data-service", SHELTER)
    assert serious_accessibility_violations(page) == []
    first.get_by_role(
        "button", name=re.compile(f"Proponer remisión: .*{re.escape(CENTRE)}")
    ).click()

    referral = page.locator("article.referral").first
    expect(referral).to_have_attribute("data-status", "proposed")
    page.get_by_label("Institución con la que la persona autoriza").select_option(CENTRE_ID)
    page.get_by_role("button", name="Registrar consentimiento").click()
    expect(page.locator("#consents table")).to_contain_text(CENTRE)
    page.locator("article.referral").first.get_by_role("button", name="Pasar a «enviada»").click()
    referral = page.locator("article.referral").first
    expect(referral).to_have_attribute("data-status", "sent")
    expect(referral.locator("form.move")).to_have_count(3)  # accepted, rejected, cancelled
    referral.get_by_role("button", name="Pasar a «rechazada»").click()
    expect(page.locator("article.referral .alert")).to_contain_text("necesita un motivo")
    referral = page.locator("article.referral").first
    referral.get_by_role("button", name="Pasar a «aceptada»").click()
    expect(page.locator("article.referral").first).to_have_attribute("data-status", "accepted")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "caseworker-case")
