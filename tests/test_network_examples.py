"""Examples on the default partner network (``network/data/``): the cases a caseworker meets.

Shelter in the two border cities, a municipality absent from the data, a department with no
local provider, institutions that take no referrals now, coverage of the offices' departments,
and the version of the network.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from engine import load_rule_base
from engine.loader import CATALOGUE_FILE, default_rules_dir
from engine.rule_model import Catalogue
from engine.vocabulary import DEPARTMENTS
from engine.yaml_source import read_yaml
from network import Level, Network, UnknownPlaceError, load_network

SHELTER = "HUM_TEMPORARY_SHELTER"
CUCUTA, IPIALES, VAUPES = "54001", "52356", "97"
ABSENT = "54003"  # Ábrego: a real municipality of Norte de Santander, not in the data
#: The referral preference of the default rule base (rules/base.yaml): the border Hogar de Paso.
PREFERENCE = load_rule_base().referral_preference


@cache
def catalogue_codes() -> tuple[str, ...]:
    data, problem = read_yaml(default_rules_dir() / CATALOGUE_FILE, CATALOGUE_FILE)
    assert problem is None, problem
    return tuple(sorted(s.code for s in Catalogue.model_validate(data).services))


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network()


def test_shelter_in_cucuta_ranks_the_scalabrinian_centre_first(network: Network) -> None:
    selection = network.select_targets(SHELTER, CUCUTA, k=3, preference=PREFERENCE)
    assert selection.known_municipality
    first = selection.targets[0]
    assert first.institution.id == "centro-migraciones-cucuta"
    assert "Scalabrin" in first.institution.name
    assert first.level == Level.MUNICIPALITY
    assert "Hogar de Paso" in first.reason.en
    assert "Hogar de Paso" in first.reason.es
    assert "serves Cúcuta" in first.reason.en
    assert "atiende en Cúcuta" in first.reason.es


def test_shelter_in_ipiales_ranks_the_hogar_de_paso_first(network: Network) -> None:
    selection = network.select_targets(SHELTER, IPIALES, k=3, preference=PREFERENCE)
    first = selection.targets[0]
    assert first.institution.id == "hogar-de-paso-ipiales"
    assert first.institution.municipality == IPIALES
    assert first.institution.status == "illustrative"  # the sources do not confirm it
    assert "Hogar de Paso" in first.reason.en
    assert "Hogar de Paso" in first.reason.es
    assert "Ipiales" in first.reason.en


def test_the_hogar_de_paso_rule_stays_in_the_border_departments(network: Network) -> None:
    for service in catalogue_codes():
        for place in ("11001", "05001", "76001", "08001"):
            for target in network.select_targets(
                service, place, k=5, preference=PREFERENCE
            ).targets:
                assert "Hogar de Paso" not in target.reason.en


@pytest.mark.parametrize("service", [SHELTER, "LEGAL_RUR_REGISTRATION", "HEALTH_URGENT_CARE"])
def test_a_municipality_absent_from_the_data_is_matched_by_its_department(
    network: Network, service: str
) -> None:
    assert ABSENT not in network.municipalities
    selection = network.select_targets(service, ABSENT, k=3, preference=PREFERENCE)
    assert not selection.known_municipality
    assert selection.targets
    for target in selection.targets:
        assert target.level != Level.MUNICIPALITY
        assert "matched by its department" in target.reason.en
        assert "se usa su departamento" in target.reason.es
    levels = {t.level for t in selection.targets}
    assert levels & {Level.DEPARTMENT, Level.NATIONAL}


def test_a_department_without_local_provider_gets_national_or_neighbouring_ones(
    network: Network,
) -> None:
    local = [
        i
        for i in network.data.institutions
        if i.department == VAUPES
        or VAUPES in i.serves.departments
        or any(m[:2] == VAUPES for m in i.serves.municipalities)
    ]
    assert not local, "the example expects Vaupés to have no local provider"
    names = {d.name for d in network.data.departments}
    fallbacks = 0
    for service in catalogue_codes():
        selection = network.select_targets(service, "97001", k=3, preference=PREFERENCE)
        assert selection.targets, f"nobody reachable for {service} from Mitú"
        for target in selection.targets:
            assert target.level in {Level.NATIONAL, Level.NEIGHBOUR}
            if target.level == Level.NEIGHBOUR:
                fallbacks += 1
                found = re.fullmatch(
                    r"nearest provider: (\d+) km, in (.+?)(; partner of .*)?", target.reason.en
                )
                assert found, target.reason.en
                assert abs(int(found.group(1)) - target.distance_km) <= 0.55
                assert found.group(2) in names
                assert target.reason.es.startswith(
                    f"proveedor más cercano: {found.group(1)} km, en "
                )
    assert fallbacks, "no service fell back on a neighbouring department"


def test_an_institution_at_zero_capacity_is_passed_over_never_chosen(network: Network) -> None:
    full = [i for i in network.data.institutions if i.weekly_capacity == 0]
    assert full, "the default network should have an institution at zero capacity"
    for institution in full:
        for service in institution.services:
            for place in [institution.municipality, *institution.serves.municipalities]:
                selection = network.select_targets(service, place, k=50, preference=PREFERENCE)
                assert institution.id not in {t.institution.id for t in selection.targets}
                passed = {p.institution_id: p.reason for p in selection.passed_over}
                assert passed[institution.id].en == "no capacity this week"
                assert passed[institution.id].es == "sin cupo esta semana"


def test_an_inactive_institution_is_passed_over_never_chosen(network: Network) -> None:
    inactive = [i for i in network.data.institutions if not i.active]
    for institution in inactive:
        for service in institution.services:
            selection = network.select_targets(
                service, institution.municipality, k=50, preference=PREFERENCE
            )
            assert institution.id not in {t.institution.id for t in selection.targets}
            passed = {p.institution_id: p.reason for p in selection.passed_over}
            assert passed[institution.id].en == "inactive"


def test_every_office_department_has_every_service_at_municipal_or_departmental_level(
    network: Network,
) -> None:
    offices = {o.municipality[:2] for o in network.data.offices}
    assert len(network.data.offices) == 8
    best = {(g.department, g.service): g for g in network.gaps()}
    missing = [
        f"{code} {service}: {best[(code, service)].level.name}"
        for code in sorted(offices)
        for service in catalogue_codes()
        if best[(code, service)].level > Level.DEPARTMENT
    ]
    assert not missing


def test_gaps_cover_every_department_and_every_service(network: Network) -> None:
    gaps = network.gaps()
    pairs = {(g.department, g.service) for g in gaps}
    assert len(gaps) == len(pairs) == 33 * len(catalogue_codes())
    assert pairs == {(d, s) for d in DEPARTMENTS for s in catalogue_codes()}
    for gap in gaps:
        if gap.level == Level.NONE:
            assert gap.institution_id is None and gap.distance_km is None
        else:
            assert gap.institution_id in network.institutions
            assert gap.distance_km is not None and gap.distance_km >= 0


def test_the_version_is_the_content_hash_and_stable_across_loads(network: Network) -> None:
    again = load_network()
    assert again.version == network.version
    assert again.hash == network.hash
    assert re.fullmatch(r"[0-9a-f]{12}", network.version)
    assert network.hash.startswith(network.version)
    selection = network.select_targets(SHELTER, CUCUTA, preference=PREFERENCE)
    assert selection.network_version == network.version


def test_reasons_exist_in_spanish_and_english(network: Network) -> None:
    places = ["11001", CUCUTA, IPIALES, ABSENT, "97001", "88001", "05088"]
    for service in catalogue_codes():
        for place in places:
            selection = network.select_targets(service, place, k=3, preference=PREFERENCE)
            assert len(selection.targets) <= 3
            for target in selection.targets:
                assert service in target.institution.services
                assert target.reason.es and target.reason.en
                assert target.reason.es != target.reason.en
            for passed in selection.passed_over:
                assert passed.reason.es and passed.reason.en
                assert passed.reason.es != passed.reason.en


@pytest.mark.parametrize("code", ["5400", "540011", "abcde", "00001", ""])
def test_a_code_that_is_not_a_municipality_of_a_known_department_is_refused(
    network: Network, code: str
) -> None:
    with pytest.raises(UnknownPlaceError):
        network.select_targets(SHELTER, code, preference=PREFERENCE)
