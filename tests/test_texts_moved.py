"""Refusals that were once written as English/Spanish pairs in the code now come from the
catalogues: a person still reads the same words, in both languages, from the API, the CLI and
the audit tools. The expected wording is the one the code gave before the move."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.case_schemas import CASE_REQUEST
from api.cli import app
from api.main import create_app
from audit import AuditError, RequirementsError, load_suite, parse_requirements, read_requirements
from engine.rule_base import DEFAULT_GROUP
from store import DIMENSIONS
from texts import both
from tokens import authorise

runner = CliRunner()
GROUPS = ", ".join(DIMENSIONS)

#: (key, values, English, Spanish) as the code worded them before they moved.
WORDED_BEFORE: list[tuple[str, dict[str, object], str, str]] = [
    (
        "error.case_office_required",
        {},
        "name the case's office: one of the ids of the network's offices",
        "indique la oficina del caso: uno de los identificadores de las oficinas de la red",
    ),
    (
        "store.report_dimensions",
        {"dimensions": GROUPS},
        f"group by any of {GROUPS}, each once",
        f"agrupe por cualquiera de {GROUPS}, cada uno una vez",
    ),
    (
        "audit.requirements_unreadable",
        {"file": "r.yaml", "reason": "boom"},
        "r.yaml: cannot read the requirements file: boom",
        "r.yaml: no se puede leer el archivo de requisitos: boom",
    ),
    (
        "audit.requirement_unknown_service",
        {"file": "r.yaml", "requirement": "R1", "service": "'NOPE'"},
        "r.yaml: requirement R1: unknown service 'NOPE'",
        "r.yaml: requisito R1: servicio desconocido 'NOPE'",
    ),
    (
        "audit.solver_undecided",
        {"reason": "timeout"},
        "verifier fault: the solver could not decide a question (timeout)",
        "fallo del verificador: el solucionador no pudo decidir una pregunta (timeout)",
    ),
    (
        "audit.witness_not_shown",
        {"what": "rule P01"},
        "verifier fault: the witness for rule P01 does not show it when evaluated",
        "fallo del verificador: el testigo de rule P01 no lo muestra al evaluarlo",
    ),
    (
        "audit.no_suite_folder",
        {"folder": "cases"},
        "cases: no such suite folder",
        "cases: no existe esa carpeta",
    ),
    (
        "cli.unknown_office",
        {"offices": "a, b"},
        "unknown office; use one of: a, b",
        "oficina desconocida; use una de: a, b",
    ),
    (
        "cli.no_such_file",
        {"file": "r.yaml"},
        "r.yaml: no such file",
        "r.yaml: no existe el archivo",
    ),
    ("rules.default_group", {}, "Rules", "Reglas"),
    (
        "audit.requirement_one_target",
        {},
        "give exactly one of service or area",
        "indique service o area",
    ),
]


@pytest.mark.parametrize(("key", "values", "english", "spanish"), WORDED_BEFORE)
def test_the_moved_texts_keep_their_wording(
    key: str, values: dict[str, object], english: str, spanish: str
) -> None:
    assert both(key, **values) == (english, spanish)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_rule_file_without_a_title_is_grouped_under_the_catalogues_words() -> None:
    assert (DEFAULT_GROUP.en, DEFAULT_GROUP.es) == ("Rules", "Reglas")


def test_a_case_for_an_unknown_office_names_the_field_in_both_languages(
    client: TestClient,
) -> None:
    authorise(client, "admin")
    answer = client.post("/v1/cases", json={**CASE_REQUEST, "office": "oam-nowhere"})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["error"]["problems"]
    assert problem["field"] == "office"
    assert (problem["message"], problem["message_es"]) == WORDED_BEFORE[0][2:]


def test_a_report_grouped_by_an_unknown_dimension_is_refused_in_both_languages(
    client: TestClient,
) -> None:
    authorise(client, "auditor")
    answer = client.get("/v1/reports/referrals", params={"by": "office,shoe_size"})
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["error"]["problems"]
    assert problem["field"] == "by"
    assert (problem["message"], problem["message_es"]) == WORDED_BEFORE[1][2:]


def test_an_unreadable_requirements_file_is_named_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(RequirementsError) as refused:
        read_requirements(path)
    assert refused.value.message.startswith("requirements.yaml: cannot read the requirements")
    assert refused.value.message_es.startswith(
        "requirements.yaml: no se puede leer el archivo de requisitos: "
    )


def test_a_requirement_with_two_targets_is_refused_in_both_languages() -> None:
    written = (
        "requirements:\n  - id: X\n    title: {es: x, en: x}\n"
        "    expect: {service: A, area: health}\n"
    )
    with pytest.raises(RequirementsError) as refused:
        parse_requirements(written, "r.yaml")
    assert "give exactly one of service or area / indique service o area" in str(
        refused.value.message
    )


def test_a_missing_suite_folder_is_named_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as refused:
        load_suite([tmp_path / "nowhere"])
    assert (refused.value.message, refused.value.message_es) == (
        "nowhere: no such suite folder",
        "nowhere: no existe esa carpeta",
    )


def test_users_add_with_an_unknown_office_lists_the_offices_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUTA_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(
        app, ["users", "add", "carla", "--role", "caseworker", "--office", "oam-nowhere"]
    )
    assert result.exit_code == 1
    assert "unknown office; use one of: " in result.output
    assert "oficina desconocida; use una de: " in result.output
    assert "oam-cucuta" in result.output


def test_audit_verify_with_a_missing_requirements_file_says_so_in_both_languages(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "requirements.yaml"
    result = runner.invoke(app, ["audit", "verify", "--requirements", str(missing)])
    assert result.exit_code == 1
    assert "requirements.yaml: no such file" in result.output
    assert "requirements.yaml: no existe el archivo" in result.output
