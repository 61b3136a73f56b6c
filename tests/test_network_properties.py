"""Properties of target selection on random partner networks built in memory.

The networks, occupancies and oracles are drawn and written in ``tests/network_strategies.py``
(the 33 departments with made-up capitals and a random neighbour relation, institutions with
random services, areas, capacity, active flag and tags, the network's policy, and the
referrals each institution has used this week).

Queries are drawn towards the border departments (54, 52) and the humanitarian services, where
the Hogar de Paso rule applies, and include municipalities absent from the data.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from network_strategies import (
    ALL_DEPARTMENTS,
    EXAMPLES,
    HOGAR,
    NO_PREFERENCE,
    PREFERENCE,
    available,
    border_first,
    capacity_key,
    full,
    institution_records,
    leading_hogares,
    nearest_beyond_land,
    network_data,
    occupancies,
    place_codes,
    queries,
    reachable,
    reaches,
    serves_place,
    shelter,
    small_network,
)

from network import NO_CAPACITY, Level, Network, NetworkData
from network.models import Serves

# --- properties ------------------------------------------------------------------------------


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_targets_offer_the_service_and_serve_the_place_or_are_labelled_fallback(
    data: st.DataObject,
) -> None:
    network_records = data.draw(network_data())
    network = Network(network_records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(network_records))
        occupancy = data.draw(occupancies(network_records))
        selection = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        department = municipality[:2]
        over_land = reachable(network_records, department)
        assert selection.known_municipality == (municipality in network.municipalities)
        assert selection.network_version == network.version
        for target in selection.targets:
            institution = target.institution
            assert service in institution.services
            assert available(institution, occupancy), "an inactive or full institution was chosen"
            assert target.reason.es and target.reason.en
            serves = institution.serves
            if target.level == Level.MUNICIPALITY:
                assert municipality in serves.municipalities
            elif target.level == Level.DEPARTMENT:
                assert department in serves.departments
                assert municipality not in serves.municipalities
            elif target.level == Level.NATIONAL:
                assert serves.national
                assert department not in serves.departments
                assert municipality not in serves.municipalities
            elif target.level == Level.NEIGHBOUR:
                assert not serves_place(institution, municipality)
                assert reaches(institution) & over_land
                assert "km" in target.reason.en and "km" in target.reason.es
            else:
                assert target.level == Level.NEAREST
                assert not serves_place(institution, municipality)
                assert not reaches(institution) & over_land, "reachable over land, yet NEAREST"
                drawn_on = {code for _, code in nearest_beyond_land(network_records, department)}
                assert reaches(institution) & drawn_on
                assert "as the crow flies" in target.reason.en
                assert "en línea recta" in target.reason.es
            if not selection.known_municipality:
                assert "matched by its department" in target.reason.en
            if target.partner_of is not None:
                assert target.partner_of in target.reason.en


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_targets_follow_the_level_order_and_the_ranking_within_a_level(
    data: st.DataObject,
) -> None:
    network_records = data.draw(network_data())
    network = Network(network_records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(network_records))
        occupancy = data.draw(occupancies(network_records))
        selection = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        assert len(selection.targets) <= k
        head = leading_hogares(selection)
        for part in (selection.targets[:head], selection.targets[head:]):
            keys = [
                (
                    t.level,
                    t.distance_km if t.level >= Level.NEIGHBOUR else 0.0,
                    t.partner_of is None,
                    capacity_key(t.institution, occupancy),  # most room left this week first
                    t.distance_km,
                )
                for t in part
            ]
            assert keys == sorted(keys), [t.institution.id for t in part]
        # Outside the border rule, a Hogar de Paso gets no special place.
        if not border_first(selection):
            assert head == 0
        # A fallback to a neighbouring department comes only when the place has too few, and
        # one to the nearest departments as the crow flies only when the land has too few.
        department = municipality[:2]
        offering = [
            i
            for i in network_records.institutions
            if service in i.services and available(i, occupancy)
        ]
        local = [i for i in offering if serves_place(i, municipality)]
        if any(t.level >= Level.NEIGHBOUR for t in selection.targets):
            assert len(local) < k
        if any(t.level == Level.NEAREST for t in selection.targets):
            over_land = reachable(network_records, department)
            assert len([i for i in offering if i in local or reaches(i) & over_land]) < k
        chosen = {t.institution.id for t in selection.targets}
        passed = {p.institution_id for p in selection.passed_over}
        assert not chosen & passed, "a chosen target is also listed as passed over"


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_selection_is_deterministic_and_k_limits_the_count(data: st.DataObject) -> None:
    network_records = data.draw(network_data())
    network = Network(network_records)
    again = Network(network_records)
    assert again.version == network.version
    for _ in range(5):
        service, municipality, k = data.draw(queries(network_records))
        occupancy = data.draw(occupancies(network_records))
        first = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        assert (
            network.select_targets(
                service, municipality, k, preference=PREFERENCE, occupancy=occupancy
            )
            == first
        )
        assert (
            again.select_targets(
                service, municipality, k, preference=PREFERENCE, occupancy=occupancy
            )
            == first
        )
        assert len(first.targets) <= k
        more = network.select_targets(
            service, municipality, k + 3, preference=PREFERENCE, occupancy=occupancy
        )
        # A larger k never drops a target chosen with a smaller k, nor reorders them
        # (the fallbacks to other departments may add more, but the head stays).
        if all(t.level < Level.NEIGHBOUR for t in more.targets):
            assert more.targets[: len(first.targets)] == first.targets
        ids = [t.institution.id for t in first.targets]
        assert len(ids) == len(set(ids)), "an institution was chosen twice"


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_unavailable_institutions_are_passed_over_with_the_reason(data: st.DataObject) -> None:
    network_records = data.draw(network_data())
    network = Network(network_records)
    for _ in range(5):
        service, municipality, k = data.draw(queries(network_records))
        occupancy = data.draw(occupancies(network_records))
        selection = network.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        passed = {p.institution_id: p.reason for p in selection.passed_over}
        for institution in network_records.institutions:
            if service not in institution.services or not serves_place(institution, municipality):
                continue
            if not institution.active:
                assert passed[institution.id].en == "inactive"
            elif full(institution, occupancy):
                assert passed[institution.id] == NO_CAPACITY
                assert passed[institution.id].en == "no capacity this week"
                assert passed[institution.id].es == "sin cupo esta semana"
        for reason in passed.values():
            assert reason.es and reason.en


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_adding_an_institution_never_loses_a_better_level(data: st.DataObject) -> None:
    """Adding an institution (not a Hogar de Paso: that one ranks first in the border
    departments by design, see the examples) never makes the best level worse, nor leaves
    fewer targets."""
    network_records = data.draw(network_data(max_institutions=30))
    places = place_codes(list(network_records.municipalities))
    extra = data.draw(institution_records(places, 1))[0]
    extra = extra.model_copy(update={"id": "zz-added", "tags": []})
    before = Network(network_records)
    after = Network(replace(network_records, institutions=(*network_records.institutions, extra)))
    assert after.version != before.version
    for _ in range(5):
        service, municipality, k = data.draw(queries(network_records))
        occupancy = data.draw(occupancies(network_records))
        old = before.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        new = after.select_targets(
            service, municipality, k, preference=PREFERENCE, occupancy=occupancy
        )
        old_best = min((t.level for t in old.targets), default=Level.NONE)
        new_best = min((t.level for t in new.targets), default=Level.NONE)
        assert new_best <= old_best
        assert len(new.targets) >= len(old.targets)
        if not (service in extra.services and available(extra, occupancy)):
            # An institution that cannot take this referral changes nothing but passed_over.
            assert new.targets == old.targets


@settings(max_examples=EXAMPLES // 2)
@given(network_data(max_institutions=25, hogar=False))
def test_gaps_give_the_best_level_reachable_from_each_capital(records: NetworkData) -> None:
    network = Network(records)
    gaps = network.gaps()
    offered = sorted(network.services)  # every catalogue service, offered or not
    assert {(g.department, g.service) for g in gaps} == {
        (d, s) for d in ALL_DEPARTMENTS for s in offered
    }
    assert len(gaps) == len(ALL_DEPARTMENTS) * len(offered)
    for gap in gaps:
        capital = network.departments[gap.department].capital.municipality
        selection = network.select_targets(
            gap.service, capital, k=len(records.institutions), preference=NO_PREFERENCE
        )
        best = min((t.level for t in selection.targets), default=Level.NONE)
        assert gap.level == best
        if gap.level == Level.NONE:
            assert gap.institution_id is None and gap.distance_km is None
            assert gap.no_target_reason is not None
            assert gap.no_target_reason == selection.no_target_reason
        else:
            assert gap.institution_id in network.institutions
            assert gap.distance_km is not None and gap.distance_km >= 0
            assert gap.no_target_reason is None


# --- the Hogar de Paso rule, on small hand-made networks -------------------------------------


def test_regression_a_hogar_de_paso_of_another_department_does_not_displace_the_local_shelter() -> (
    None
):
    network = small_network(
        [
            shelter("local-cucuta", Serves(municipalities=["54001"]), "54001", []),
            shelter("hogar-a", Serves(departments=["68"]), "68001", [HOGAR]),
            shelter("hogar-b", Serves(departments=["68"]), "68001", [HOGAR]),
        ]
    )
    selection = network.select_targets("HUM_TEMPORARY_SHELTER", "54001", k=2, preference=PREFERENCE)
    assert selection.targets[0].institution.id == "local-cucuta"
    assert selection.targets[0].level == Level.MUNICIPALITY


def test_regression_gaps_report_the_best_level_even_where_a_hogar_de_paso_ranks_first() -> None:
    network = small_network(
        [
            shelter("local-cucuta", Serves(municipalities=["54001"]), "54001", []),
            shelter("hogar-norte", Serves(departments=["54"]), "54001", [HOGAR]),
        ]
    )
    gap = next(
        g for g in network.gaps() if (g.department, g.service) == ("54", "HUM_TEMPORARY_SHELTER")
    )
    assert gap.level == Level.MUNICIPALITY


def test_the_local_hogar_de_paso_ranks_first_in_the_border_departments_only() -> None:
    network = small_network(
        [
            shelter("big-shelter", Serves(municipalities=["54001", "05001"]), "54001", []),
            shelter("hogar", Serves(departments=["54", "05"]), "54001", [HOGAR]),
        ]
    )
    border = network.select_targets("HUM_TEMPORARY_SHELTER", "54001", k=2, preference=PREFERENCE)
    assert [t.institution.id for t in border.targets] == ["hogar", "big-shelter"]
    assert "Hogar de Paso" in border.targets[0].reason.es
    assert "Hogar de Paso" in border.targets[0].reason.en
    inland = network.select_targets("HUM_TEMPORARY_SHELTER", "05001", k=2, preference=PREFERENCE)
    assert [t.institution.id for t in inland.targets] == ["big-shelter", "hogar"]
