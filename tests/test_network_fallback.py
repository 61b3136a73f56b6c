"""A referral or a reason for everyone: once the land borders run out, the nearest departments
as the crow flies (``network/data/policy.yaml``); when nothing can be offered, why.

Properties on random networks (``tests/network_strategies.py``, whose neighbour relation is
often empty, so the borders run out everywhere), checked against oracles written from the data
(great-circle distances between capitals computed here); then the shipped network, department
by department and service by service, and San Andrés, an island with no land neighbour.
"""

from __future__ import annotations

import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from network_strategies import (
    EXAMPLES,
    NO_PREFERENCE,
    PREFERENCE,
    available,
    capital_distance,
    haversine_km,
    nearest_beyond_land,
    network_data,
    occupancies,
    queries,
    reachable,
    reaches,
    serves_place,
    shelter,
    small_network,
)

from engine import Text, load_rule_base
from engine.loader import CATALOGUE_FILE, default_rules_dir
from engine.rule_model import Catalogue
from engine.vocabulary import DEPARTMENTS
from engine.yaml_source import read_yaml
from network import POLICY_FILE, Level, NearestPolicy, Network, Occupancy, default_data_dir
from network import load_network as load_shipped_network
from network.models import Serves

SHELTER = "HUM_TEMPORARY_SHELTER"
ISLAND = "88"
#: What the island's people were promised and no partner delivered there (CHANGELOG, issue 9).
ISLAND_GAPS = (
    "EDU_SCHOOL_ENROLLMENT",
    "HEALTH_MATERNAL_CARE",
    "HEALTH_SUBSIDIZED_ENROLLMENT",
    "HEALTH_URGENT_CARE",
    "HUM_TEMPORARY_SHELTER",
)
NOBODY_OFFERS = Text(
    es="ninguna institución de la red de aliados ofrece este servicio en el país",
    en="no institution of the partner network offers this service anywhere in the country",
)


@cache
def catalogue_codes() -> tuple[str, ...]:
    data, problem = read_yaml(default_rules_dir() / CATALOGUE_FILE, CATALOGUE_FILE)
    assert problem is None, problem
    return tuple(sorted(s.code for s in Catalogue.model_validate(data).services))


@cache
def shipped() -> Network:
    return load_shipped_network()


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_every_selection_has_a_target_or_a_reason(data: st.DataObject) -> None:
    records = data.draw(network_data())
    network = Network(records)
    for _ in range(8):
        service, municipality, k = data.draw(queries(records))
        occupancy = data.draw(occupancies(records))
        selection = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        reason = selection.no_target_reason
        if selection.targets:
            assert reason is None
        else:
            assert reason is not None
            assert reason.es and reason.en and reason.es != reason.en


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_the_reason_says_what_is_missing(data: st.DataObject) -> None:
    """Nobody offers the service at all; nobody within reach (the place, national entities,
    the departments reached over land, the nearest ones the policy allows); or everyone
    within reach is full this week or inactive."""
    records = data.draw(network_data())
    network = Network(records)
    for _ in range(8):
        service, municipality, k = data.draw(queries(records))
        occupancy = data.draw(occupancies(records))
        selection = network.select_targets(
            service, municipality, k, preference=NO_PREFERENCE, occupancy=occupancy
        )
        if selection.targets:
            continue
        reason = selection.no_target_reason
        assert reason is not None
        department = municipality[:2]
        drawn_on = {code for _, code in nearest_beyond_land(records, department)}
        offering = [i for i in records.institutions if service in i.services]
        within_reach = [
            i
            for i in offering
            if serves_place(i, municipality)
            or reaches(i) & (reachable(records, department) | drawn_on)
        ]
        assert not [i for i in within_reach if available(i, occupancy)]
        if not offering:
            assert reason == NOBODY_OFFERS
        elif not within_reach:
            name = network.departments[department].name
            km = f"{records.policy.nearest.max_km:,.0f}"
            assert reason.en == (
                f"no institution offering this service serves {name}, the departments joined"
                f" to it by land, or anywhere within {km} km as the crow flies"
            )
            assert name in reason.es and f"{km.replace(',', '.')} km en línea recta" in reason.es
        elif all(i.active for i in within_reach):
            assert reason.en.startswith("no capacity this week at any of the institutions")
            assert reason.es.startswith("sin cupo esta semana en ninguna")
        else:
            assert "inactive" in reason.en and "inactiva" in reason.es


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_the_nearest_departments_are_the_nearest_as_the_crow_flies(data: st.DataObject) -> None:
    """NEAREST targets come from the departments not reached over land whose capitals are
    nearest (distances computed here), at most the policy's number, none beyond its distance,
    nearer ones first: a provider that could be offered from a nearer department is never
    left out for one farther away."""
    records = data.draw(network_data(max_institutions=20))  # few: the fallbacks come often
    network = Network(records)
    names = {d.code: d.name for d in records.departments}
    for _ in range(8):
        service, municipality, k = data.draw(queries(records))
        occupancy = data.draw(occupancies(records))
        selection = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        department = municipality[:2]
        allowed = {code: km for km, code in nearest_beyond_land(records, department)}
        assert len(allowed) <= records.policy.nearest.departments
        chosen = {t.institution.id for t in selection.targets}
        if len(selection.targets) < k:
            # Fewer than asked for: everyone within reach who can take the referral is there.
            over_land = reachable(records, department)
            for institution in records.institutions:
                if (
                    service in institution.services
                    and available(institution, occupancy)
                    and (
                        serves_place(institution, municipality)
                        or reaches(institution) & (over_land | set(allowed))
                    )
                ):
                    assert institution.id in chosen, institution.id
        nearest = [t for t in selection.targets if t.level == Level.NEAREST]
        if not nearest:
            continue
        farthest = 0.0
        for target in nearest:
            # The department it was found in: the nearest allowed one it serves.
            found = min((allowed[c], c) for c in reaches(target.institution) if c in allowed)
            km, code = found
            assert abs(target.distance_km - km) <= 0.051, (target.distance_km, km)
            assert km <= records.policy.nearest.max_km + 1e-6
            assert f"{km:.0f} km, in {names[code]}" in target.reason.en
            assert f"{km:.0f} km, en {names[code]}" in target.reason.es
            farthest = max(farthest, km)
        for code, km in allowed.items():
            if km >= farthest - 1e-6:
                continue
            for institution in records.institutions:
                if (
                    service in institution.services
                    and code in reaches(institution)
                    and available(institution, occupancy)
                ):
                    assert institution.id in chosen, (
                        f"{institution.id} in {code} ({km:.0f} km) left out for one at"
                        f" {farthest:.0f} km"
                    )


# --- small hand-made networks ----------------------------------------------------------------


def test_nobody_offering_the_service_is_said() -> None:
    network = small_network([shelter("a", Serves(municipalities=["54001"]), "54001")])
    selection = network.select_targets("LEGAL_AID", "54001", k=3, preference=NO_PREFERENCE)
    assert selection.targets == ()
    assert selection.no_target_reason == NOBODY_OFFERS


def test_nobody_within_reach_is_said_with_the_distance() -> None:
    # Capitals ~33 km apart in code order; the only shelter serves the last department,
    # far beyond 200 km of 05 (the first), which borders nobody.
    last = sorted(DEPARTMENTS)[-1]
    network = small_network(
        [shelter("far", Serves(departments=[last]), f"{last}001")],
        NearestPolicy(departments=3, max_km=200.0),
    )
    selection = network.select_targets(SHELTER, "05001", k=3, preference=NO_PREFERENCE)
    assert selection.targets == ()
    assert selection.no_target_reason == Text(
        es="ninguna institución que ofrezca este servicio atiende en Dep 05, en los"
        " departamentos unidos a él por tierra ni a menos de 200 km en línea recta",
        en="no institution offering this service serves Dep 05, the departments joined to it"
        " by land, or anywhere within 200 km as the crow flies",
    )


def test_the_nearest_step_counts_departments_not_providers() -> None:
    """The policy's number is of departments looked at, nearest first, with or without a
    provider: adding a provider never takes a referral away."""
    codes = sorted(DEPARTMENTS)  # 05, 08, 11, 13, ...: capitals ~33 km apart in this order
    shelters = [
        shelter("in-13", Serves(departments=["13"]), "13001"),
        shelter("in-15", Serves(departments=["15"]), "15001"),
    ]
    two = NearestPolicy(departments=2, max_km=500.0)
    network = small_network(shelters, two)
    selection = network.select_targets(SHELTER, "05001", k=3, preference=NO_PREFERENCE)
    # 08 and 11 are the two nearest to 05: no shelter there, so nothing.
    assert codes[1:3] == ["08", "11"]
    assert selection.targets == ()
    three = small_network(shelters, NearestPolicy(departments=3, max_km=500.0))
    selection = three.select_targets(SHELTER, "05001", k=3, preference=NO_PREFERENCE)
    assert [t.institution.id for t in selection.targets] == ["in-13"]
    assert selection.targets[0].level == Level.NEAREST
    off = small_network(shelters, NearestPolicy(departments=0, max_km=500.0))
    assert not off.select_targets(SHELTER, "05001", k=3, preference=NO_PREFERENCE).targets


def test_departments_reached_over_land_are_not_counted_among_the_nearest() -> None:
    """05 borders 08, its nearest department: the one nearest department the policy allows
    beyond the land borders is 11, not 08 again."""
    network = small_network(
        [shelter("in-11", Serves(departments=["11"]), "11001")],
        NearestPolicy(departments=1, max_km=500.0),
        borders=(("05", "08"),),
    )
    selection = network.select_targets(SHELTER, "05001", k=3, preference=NO_PREFERENCE)
    assert [(t.institution.id, t.level) for t in selection.targets] == [("in-11", Level.NEAREST)]
    assert "Dep 11" in selection.targets[0].reason.en


# --- the shipped network ---------------------------------------------------------------------


def test_every_department_and_service_gets_a_referral_or_a_reason() -> None:
    network = shipped()
    preference = load_rule_base().referral_preference
    everyone_full = Occupancy({i.id: 10_000 for i in network.data.institutions})
    for code in sorted(DEPARTMENTS):
        places = [network.departments[code].capital.municipality, f"{code}999"]
        for service in catalogue_codes():
            for place in places:
                for k in (1, 3):
                    for occupancy in (None, everyone_full):
                        selection = network.select_targets(
                            service, place, k, preference=preference, occupancy=occupancy
                        )
                        reason = selection.no_target_reason
                        where = f"{code} {place} {service} k={k}"
                        if selection.targets:
                            assert reason is None, where
                        else:
                            assert reason is not None, where
                            assert reason.es.strip() and reason.en.strip(), where
                            assert reason.es != reason.en, where
                        if occupancy is None:
                            # Today nobody is left without a referral on the shipped network.
                            assert selection.targets, where
                        elif not selection.targets:
                            assert reason is not None and "no capacity this week" in reason.en


def test_san_andres_gets_the_nearest_mainland_providers_with_the_distance() -> None:
    """Independent side: the capitals and the policy read from the YAML files here, distances
    computed here."""
    departments, problem = read_yaml(default_data_dir() / "departments.yaml", "departments.yaml")
    assert problem is None
    policy, problem = read_yaml(default_data_dir() / POLICY_FILE, POLICY_FILE)
    assert problem is None
    capitals = {
        d["code"]: (float(d["capital"]["lat"]), float(d["capital"]["lon"]))
        for d in departments["departments"]
    }
    names = {d["code"]: d["name"] for d in departments["departments"]}
    assert not next(d for d in departments["departments"] if d["code"] == ISLAND)["neighbours"]
    looked_at = sorted(
        (haversine_km(capitals[ISLAND], point), code)
        for code, point in capitals.items()
        if code != ISLAND and haversine_km(capitals[ISLAND], point) <= policy["nearest"]["max_km"]
    )[: policy["nearest"]["departments"]]
    assert looked_at, "the policy should reach the mainland from the island"
    network = shipped()
    preference = load_rule_base().referral_preference
    for service in ISLAND_GAPS:
        selection = network.select_targets(service, f"{ISLAND}001", 3, preference=preference)
        assert selection.targets, service
        assert selection.no_target_reason is None
        providers = {i.id: reaches(i) for i in network.data.institutions if service in i.services}
        # The nearest department looked at that has a provider of the service.
        first_km, first_code = next(
            (km, code) for km, code in looked_at if any(code in r for r in providers.values())
        )
        target = selection.targets[0]
        assert target.level == Level.NEAREST
        assert first_code in providers[target.institution.id]
        assert abs(target.distance_km - first_km) <= 0.051
        found = re.search(r"(\d+) km, in (.+?)(;|$)", target.reason.en)
        assert found, target.reason.en
        assert int(found.group(1)) == round(first_km)
        assert found.group(2) == names[first_code]
        assert "as the crow flies" in target.reason.en
        assert f"{round(first_km)} km, en {names[first_code]}" in target.reason.es
        assert "en línea recta" in target.reason.es
        for other in selection.targets:
            assert other.level == Level.NEAREST
            assert other.distance_km >= target.distance_km


def test_the_island_gaps_are_now_reached_from_the_nearest_department() -> None:
    gaps = {(g.department, g.service): g for g in shipped().gaps()}
    assert not [g for g in gaps.values() if g.level == Level.NONE]
    for service in ISLAND_GAPS:
        gap = gaps[(ISLAND, service)]
        assert gap.level == Level.NEAREST
        assert gap.distance_km is not None
        assert round(gap.distance_km) == round(capital_distance(shipped().data, ISLAND, "08"))
