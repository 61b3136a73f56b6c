"""Every error the API answers with is worded in the catalogues, one file per language.

The codes are found where the API's errors are defined (its own error classes, the store's,
and the codes ``api/errors.py`` answers with directly), not from the table the code keeps of
them; each has a title in both catalogues. The bodies a client receives carry, word for word,
the catalogue's texts of the key that names the situation.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.errors
import store
from api.errors import ERROR_TITLES, RutaApiError, error_title
from api.main import create_app
from texts import LANGUAGES, both, has_text
from tokens import authorise

ERRORS_SOURCE = Path(api.errors.__file__).read_text("utf-8")


def _api_codes(kind: type[RutaApiError]) -> set[str]:
    """The codes of ``kind`` and of every error class derived from it."""
    return {kind.code}.union(*(_api_codes(sub) for sub in kind.__subclasses__()))


def api_error_codes() -> set[str]:
    """Every ``code`` an error body of the API can carry."""
    codes = _api_codes(RutaApiError)
    codes |= {
        kind.code
        for _, kind in inspect.getmembers(store, inspect.isclass)
        if issubclass(kind, store.StoreError)
    }
    # Codes answered directly: error_body("code", …), Starlette's table, the last resort.
    codes |= set(re.findall(r'error_body\(\s*"([a-z_]+)"', ERRORS_SOURCE))
    codes |= set(re.findall(r'\(\s*"([a-z_]+)",\s*N_\("error\.', ERRORS_SOURCE))
    codes |= set(re.findall(r'"([a-z_]+_error)"', ERRORS_SOURCE))
    return codes


def test_the_codes_found_include_the_ones_answered_without_a_class() -> None:
    codes = api_error_codes()
    assert {"invalid_profile", "engine_unavailable", "method_not_allowed"} <= codes
    assert {"engine_error", "internal_error", "unknown_place", "precondition_failed"} <= codes


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_error_code_has_a_title_in_both_catalogues(language: str) -> None:
    missing = sorted(code for code in api_error_codes() if not has_text(f"error.{code}", language))
    assert missing == []
    assert sorted(api_error_codes() - set(ERROR_TITLES)) == []
    for code in api_error_codes():
        assert error_title(code, language).strip()


def test_the_titles_differ_by_language() -> None:
    same = [code for code in api_error_codes() if len(set(both(f"error.{code}"))) == 1]
    assert same == []


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def _texts(response: Any) -> tuple[str, str]:
    error = response.json()["error"]
    return str(error["message"]), str(error["message_es"])


def test_an_unauthenticated_request_is_told_the_catalogues_words(client: TestClient) -> None:
    answer = client.get("/v1/rules", headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    assert _texts(answer) == both("error.unauthenticated.token")


def test_an_unknown_address_and_an_unknown_rule_are_told_the_catalogues_words(
    client: TestClient,
) -> None:
    authorise(client)
    nowhere = client.get("/v1/nowhere")
    assert nowhere.status_code == 404
    assert _texts(nowhere) == both("error.not_found.address")
    rule = client.get("/v1/rules/P99")
    assert rule.status_code == 404
    assert _texts(rule) == both("error.not_found.rule", identifier="P99")


def test_a_rule_missing_from_a_draft_is_a_404_in_both_languages(client: TestClient) -> None:
    authorise(client, "policy_author")
    created = client.post("/v1/rule-bases/drafts", json={"from": "published", "message": "x"})
    assert created.status_code == 201, created.text
    draft = created.json()["id"]
    answer = client.get(f"/v1/rule-bases/drafts/{draft}/rules/P99")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert _texts(answer) == both("error.not_found.draft_rule", identifier="P99", draft=draft)
    english, spanish = _texts(answer)
    assert "P99" in english and "P99" in spanish and english != spanish


#: Messages no other test quotes, as the API worded them before they moved to the catalogues:
#: (key, values, English, Spanish). The wire wording must not change with the move.
WORDED_BEFORE: list[tuple[str, dict[str, object], str, str]] = [
    (
        "error.conflict.no_roadmap",
        {"path": "POST /v1/cases/{id}/recommendations"},
        "the case has no roadmap yet: ask for one (POST /v1/cases/{id}/recommendations)"
        " before referring",
        "el caso aún no tiene hoja de ruta: solicítela (POST /v1/cases/{id}/recommendations)"
        " antes de remitir",
    ),
    (
        "error.invalid_request.not_recommended",
        {"receipt": 3, "service": "HUM_EMERGENCY_KIT", "services": "A, B"},
        "the case's latest roadmap (receipt 3) does not recommend HUM_EMERGENCY_KIT;"
        " it recommends: A, B",
        "la última hoja de ruta del caso (recibo 3) no recomienda HUM_EMERGENCY_KIT;"
        " recomienda: A, B",
    ),
    (
        "error.invalid_request.nothing_recommended",
        {"receipt": 3, "service": "X"},
        "the case's latest roadmap (receipt 3) does not recommend X; it recommends: nothing",
        "la última hoja de ruta del caso (recibo 3) no recomienda X; recomienda: nada",
    ),
    (
        "error.invalid_request.institution_without_service",
        {"institution": "inst-1", "service": "X"},
        "no institution inst-1 of the network offers X; GET /v1/institutions?service=X lists"
        " those that do",
        "ninguna institución inst-1 de la red ofrece X; GET /v1/institutions?service=X lista"
        " las que sí",
    ),
    (
        "error.invalid_transition.allowed",
        {"statuses": "sent, closed"},
        "allowed: sent, closed",
        "permitidos: sent, closed",
    ),
    ("error.invalid_transition.none", {}, "allowed: none", "permitidos: ninguno"),
    (
        "error.precondition_required.referral",
        {},
        "send If-Match with the referral's ETag (from GET), so a change never overwrites"
        " someone else's",
        "envíe If-Match con la ETag de la remisión (de GET), para que un cambio nunca"
        " sobrescriba el de otra persona",
    ),
    (
        "error.precondition_failed.case",
        {},
        "If-Match does not name a revision of this case; GET it and use its ETag",
        "If-Match no nombra una revisión del caso; obténgalo con GET y use su ETag",
    ),
    (
        "error.invalid_request.municipality_filter",
        {},
        "not a DIVIPOLA municipality code (5 digits, e.g. 54 or 54001)",
        "no es un código DIVIPOLA de municipio (5 dígitos, p. ej. 54 o 54001)",
    ),
    (
        "error.audit_not_ready.queued",
        {},
        "the audit is queued: its report is ready when its status is done",
        "la auditoría está en cola: su informe estará listo cuando su estado sea done",
    ),
    (
        "error.invalid_audit_input.one_suite",
        {"files": "files"},
        "give exactly one suite: cases (true) or files {name: YAML text}",
        "indique exactamente una batería: cases (true) o files {nombre: texto YAML}",
    ),
    (
        "error.invalid_request.one_population",
        {"synthetic": "synthetic"},
        "give exactly one population: profiles, cases (true) or synthetic {size, seed}",
        "indique exactamente una población: profiles, cases (true) o synthetic {size, seed}",
    ),
    (
        "error.not_found.draft_service",
        {"draft": "d1", "code": "X"},
        "no service in the catalogue of draft d1 with id 'X'",
        "no existe ningún servicio en el catálogo del borrador d1 con el identificador 'X'",
    ),
    (
        "batch.csv_unreadable",
        {"line": 7},
        "the CSV cannot be read at line 7: check its quotes, separators and cell sizes",
        "el CSV no puede leerse en la línea 7: revise comillas, separadores y tamaño de las celdas",
    ),
]


@pytest.mark.parametrize(("key", "values", "english", "spanish"), WORDED_BEFORE)
def test_the_move_to_the_catalogues_kept_the_wording(
    key: str, values: dict[str, object], english: str, spanish: str
) -> None:
    assert both(key, **values) == (english, spanish)
