"""Properties of target selection on random partner networks built in memory.

Each example draws a whole network: the 33 departments with made-up capitals inside Colombia's
bounding box, a random symmetric neighbour relation, a few municipalities per department, one or
two regions covering every department, up to three offices with partners, and 1–60 institutions
with random services (catalogue codes), areas served, capacity, active flag and tags. The
records are built with :mod:`network.models` (so they pass the same field checks as the files)
and wrapped with ``network.Network`` directly, without the loader.

Queries are drawn towards the border departments (54, 52) and the humanitarian services, where
the Hogar de Paso rule applies, and include municipalities absent from the data.
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import PreferredTag, ReferralPreference
from engine.loader import CATALOGUE_FILE, default_rules_dir
from engine.rule_model import Catalogue, Text
from engine.vocabulary import DEPARTMENTS
from engine.yaml_source import read_yaml
from network import Level, Network, NetworkData, Selection
from network.models import (
    Capital,
    Contact,
    Department,
    Institution,
    Municipality,
    Office,
    Region,
    Serves,
)

ALL_DEPARTMENTS: tuple[str, ...] = tuple(sorted(DEPARTMENTS))
BORDER = ("54", "52")
HOGAR = "hogar_de_paso"
LAT = (-4.3, 13.5)
LON = (-82.0, -66.8)
SUFFIXES = ["001", "002", "003", "010", "100"]
#: Examples per property: a third of the profile's (30 by default, 600 with
#: HYPOTHESIS_PROFILE=deep); each example builds a whole network.
EXAMPLES = max(10, settings.default.max_examples * 3 // 10)


@cache
def catalogue_codes() -> tuple[str, ...]:
    data, problem = read_yaml(default_rules_dir() / CATALOGUE_FILE, CATALOGUE_FILE)
    assert problem is None, problem
    return tuple(sorted(s.code for s in Catalogue.model_validate(data).services))


@cache
def humanitarian_codes() -> tuple[str, ...]:
    return tuple(c for c in catalogue_codes() if c.startswith("HUM_"))


#: The referral preference the properties are checked under, written here, not read from the
#: default rule base: the Hogar de Paso first for humanitarian services in the border departments.
PREFERENCE = ReferralPreference(
    (
        PreferredTag(
            HOGAR,
            frozenset(humanitarian_codes()),
            frozenset(BORDER),
            Text(es="Hogar de Paso de frontera", en="border Hogar de Paso"),
        ),
    )
)
NO_PREFERENCE = ReferralPreference()


# --- strategies ------------------------------------------------------------------------------


@cache
def services() -> st.SearchStrategy[str]:
    """Humanitarian services drawn often (the Hogar de Paso rule), any catalogue code too."""
    return st.one_of(st.sampled_from(humanitarian_codes()), st.sampled_from(catalogue_codes()))


@st.composite
def departments_and_places(
    draw: st.DrawFn,
) -> tuple[list[Department], list[Municipality]]:
    """The 33 departments, a symmetric neighbour relation and 0–4 listed municipalities each.

    The geography comes from a seeded ``random.Random`` (drawing hundreds of coordinates one
    by one through Hypothesis is slow and shrinks to nothing useful); how dense the neighbour
    relation is stays a Hypothesis choice.
    """
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    density = draw(st.sampled_from([0.0, 0.03, 0.06, 0.12]))
    neighbours: dict[str, set[str]] = {code: set() for code in ALL_DEPARTMENTS}
    for a in ALL_DEPARTMENTS:
        for b in ALL_DEPARTMENTS:
            if a < b and rng.random() < density:
                neighbours[a].add(b)
                neighbours[b].add(a)

    def point() -> tuple[float, float]:
        return round(rng.uniform(*LAT), 4), round(rng.uniform(*LON), 4)

    departments = []
    municipalities = []
    for code in ALL_DEPARTMENTS:
        lat, lon = point()
        capital = Capital(name=f"Capital {code}", municipality=f"{code}001", lat=lat, lon=lon)
        departments.append(
            Department(
                code=code,
                name=f"Departamento {code}",
                capital=capital,
                neighbours=sorted(neighbours[code]),
            )
        )
        for suffix in sorted(rng.sample(SUFFIXES, rng.randint(0, 4))):
            lat, lon = point()
            municipalities.append(
                Municipality(
                    code=f"{code}{suffix}", name=f"Municipio {code}{suffix}", lat=lat, lon=lon
                )
            )
    return departments, municipalities


def place_codes(municipalities: list[Municipality]) -> list[str]:
    """Every municipality code the data knows: listed ones and the capitals."""
    return sorted({m.code for m in municipalities} | {f"{c}001" for c in ALL_DEPARTMENTS})


KINDS = ("national_entity", "departmental", "municipal", "ngo", "international")
TAGS: tuple[tuple[str, ...], ...] = ((), (), (), (HOGAR,), ("pastoral",))


@st.composite
def institution_records(draw: st.DrawFn, places: list[str], count: int) -> list[Institution]:
    """``count`` institutions located and serving among ``places`` (border places drawn often).

    Strategies are built once per call, not per institution: building them is what costs.
    """
    border_places = [p for p in places if p[:2] in BORDER]
    department = st.one_of(st.sampled_from(BORDER), st.sampled_from(ALL_DEPARTMENTS))
    place = st.one_of(st.sampled_from(border_places), st.sampled_from(places))
    record = st.tuples(
        st.sampled_from([False, False, False, True]),  # national
        st.lists(department, max_size=3, unique=True),
        st.lists(place, max_size=3, unique=True),
        st.sampled_from(places),  # where it is, unless it serves municipalities
        st.sampled_from(KINDS),
        st.lists(services(), min_size=1, max_size=4, unique=True),
        st.one_of(st.none(), st.just(0), st.integers(min_value=1, max_value=100)),
        st.sampled_from([True, True, True, False]),  # active
        st.sampled_from(TAGS),
    )
    institutions = []
    for number, drawn in enumerate(draw(st.lists(record, min_size=count, max_size=count))):
        national, departments, municipalities, located, kind, offered, capacity, active, tags = (
            drawn
        )
        if not (national or departments or municipalities):
            municipalities = [located]
        institutions.append(
            Institution(
                id=f"inst-{number:03d}",
                name=f"Institución {number}",
                kind=kind,
                services=offered,
                serves=Serves(
                    national=national, departments=departments, municipalities=municipalities
                ),
                municipality=municipalities[0] if municipalities else located,
                contact=Contact(phone="+57 600 000 0000"),
                weekly_capacity=capacity,
                active=active,
                tags=list(tags),
                status="illustrative",
            )
        )
    return institutions


@st.composite
def network_data(draw: st.DrawFn, max_institutions: int = 60, hogar: bool = True) -> NetworkData:
    departments, municipalities = draw(departments_and_places())
    places = place_codes(municipalities)
    count = draw(st.integers(min_value=1, max_value=max_institutions))
    institutions = draw(institution_records(places, count))
    if not hogar:
        institutions = [i.model_copy(update={"tags": []}) for i in institutions]
    split = draw(st.integers(min_value=0, max_value=len(ALL_DEPARTMENTS) - 1))
    shuffled = draw(st.permutations(ALL_DEPARTMENTS))
    groups = [sorted(shuffled[:split]), sorted(shuffled[split:])]
    regions = [
        Region(id=f"region-{n}", name=Text(es=f"Región {n}", en=f"Region {n}"), departments=g)
        for n, g in enumerate(groups)
        if g
    ]
    region_of = {code: r.id for r in regions for code in r.departments}
    offices = []
    ids = [i.id for i in institutions]
    for number in range(draw(st.integers(min_value=0, max_value=3))):
        where = draw(st.sampled_from(places))
        offices.append(
            Office(
                id=f"oam-{number}",
                name=f"OAM {number}",
                municipality=where,
                region=region_of[where[:2]],
                partners=draw(st.lists(st.sampled_from(ids), max_size=5, unique=True)),
                status="illustrative",
            )
        )
    return NetworkData(
        departments=tuple(departments),
        municipalities=tuple(municipalities),
        regions=tuple(regions),
        offices=tuple(offices),
        institutions=tuple(institutions),
    )


@st.composite
def queries(draw: st.DrawFn, data: NetworkData) -> tuple[str, str, int]:
    """(service, municipality, k): municipalities listed, capitals, absent ones; border often."""
    listed = place_codes(list(data.municipalities))
    offered = sorted({s for i in data.institutions for s in i.services})
    service = draw(st.one_of(st.sampled_from(offered), services()))
    department = draw(st.one_of(st.sampled_from(BORDER), st.sampled_from(ALL_DEPARTMENTS)))
    municipality = draw(
        st.one_of(
            st.sampled_from(listed),
            st.sampled_from([p for p in listed if p[:2] == department]),
            st.just(f"{department}999"),  # well-formed, absent from the data
        )
    )
    k = draw(st.integers(min_value=1, max_value=6))
    return service, municipality, k


# --- helpers ---------------------------------------------------------------------------------


def border_first(selection: Selection) -> bool:
    return selection.municipality[:2] in BORDER and selection.service.startswith("HUM_")


def leading_hogares(selection: Selection) -> int:
    """How many targets at the head are ranked first as a border Hogar de Paso."""
    if not border_first(selection):
        return 0
    count = 0
    for target in selection.targets:
        if HOGAR not in target.institution.tags:
            break
        count += 1
    return count


def serves_place(institution: Institution, municipality: str) -> bool:
    serves = institution.serves
    return (
        serves.national
        or municipality in serves.municipalities
        or municipality[:2] in serves.departments
    )


def reachable(data: NetworkData, department: str) -> set[str]:
    """Departments reachable from ``department`` through the neighbour relation."""
    neighbours = {d.code: d.neighbours for d in data.departments}
    seen = {department}
    todo = [department]
    while todo:
        for code in neighbours[todo.pop()]:
            if code not in seen:
                seen.add(code)
                todo.append(code)
    return seen - {department}


def capacity_key(capacity: int | None) -> int:
    """Most weekly capacity first, unknown capacity after every known one."""
    return -capacity if capacity is not None else 1


def available(institution: Institution) -> bool:
    return institution.active and institution.weekly_capacity != 0


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
        selection = network.select_targets(service, municipality, k, preference=PREFERENCE)
        department = municipality[:2]
        assert selection.known_municipality == (municipality in network.municipalities)
        assert selection.network_version == network.version
        for target in selection.targets:
            institution = target.institution
            assert service in institution.services
            assert available(institution), "an inactive or full institution was chosen"
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
            else:
                assert target.level == Level.NEIGHBOUR
                assert not serves_place(institution, municipality)
                reached = set(serves.departments) | {m[:2] for m in serves.municipalities}
                assert reached & reachable(network_records, department)
                assert "km" in target.reason.en and "km" in target.reason.es
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
        selection = network.select_targets(service, municipality, k, preference=PREFERENCE)
        assert len(selection.targets) <= k
        head = leading_hogares(selection)
        for part in (selection.targets[:head], selection.targets[head:]):
            keys = [
                (
                    t.level,
                    t.distance_km if t.level == Level.NEIGHBOUR else 0.0,
                    t.partner_of is None,
                    capacity_key(t.institution.weekly_capacity),
                    t.distance_km,
                )
                for t in part
            ]
            assert keys == sorted(keys), [t.institution.id for t in part]
        # Outside the border rule, a Hogar de Paso gets no special place.
        if not border_first(selection):
            assert head == 0
        # A fallback to a neighbouring department comes only when the place has too few.
        if any(t.level == Level.NEIGHBOUR for t in selection.targets):
            local = [
                i
                for i in network_records.institutions
                if service in i.services and available(i) and serves_place(i, municipality)
            ]
            assert len(local) < k
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
        first = network.select_targets(service, municipality, k, preference=PREFERENCE)
        assert network.select_targets(service, municipality, k, preference=PREFERENCE) == first
        assert again.select_targets(service, municipality, k, preference=PREFERENCE) == first
        assert len(first.targets) <= k
        more = network.select_targets(service, municipality, k + 3, preference=PREFERENCE)
        # A larger k never drops a target chosen with a smaller k, nor reorders them
        # (the neighbouring fallback may add more, but the head stays).
        if all(t.level != Level.NEIGHBOUR for t in more.targets):
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
        selection = network.select_targets(service, municipality, k, preference=PREFERENCE)
        passed = {p.institution_id: p.reason for p in selection.passed_over}
        for institution in network_records.institutions:
            if service not in institution.services or not serves_place(institution, municipality):
                continue
            if not institution.active:
                assert passed[institution.id].en == "inactive"
            elif institution.weekly_capacity == 0:
                assert passed[institution.id].en == "no capacity"
        for reason in passed.values():
            assert reason.es and reason.en


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_adding_an_institution_never_loses_a_better_level(data: st.DataObject) -> None:
    """Adding an institution (not a Hogar de Paso: that one ranks first in the border
    departments by design, see the examples) never makes the best level worse."""
    network_records = data.draw(network_data(max_institutions=30))
    places = place_codes(list(network_records.municipalities))
    extra = data.draw(institution_records(places, 1))[0]
    extra = extra.model_copy(update={"id": "zz-added", "tags": []})
    before = Network(network_records)
    after = Network(replace(network_records, institutions=(*network_records.institutions, extra)))
    assert after.version != before.version
    for _ in range(5):
        service, municipality, k = data.draw(queries(network_records))
        old = before.select_targets(service, municipality, k, preference=PREFERENCE)
        new = after.select_targets(service, municipality, k, preference=PREFERENCE)
        old_best = min((t.level for t in old.targets), default=Level.NONE)
        new_best = min((t.level for t in new.targets), default=Level.NONE)
        assert new_best <= old_best
        assert len(new.targets) >= len(old.targets)
        if not (service in extra.services and available(extra)):
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
        targets = network.select_targets(
            gap.service, capital, k=len(records.institutions), preference=NO_PREFERENCE
        ).targets
        best = min((t.level for t in targets), default=Level.NONE)
        assert gap.level == best
        if gap.level == Level.NONE:
            assert gap.institution_id is None and gap.distance_km is None
        else:
            assert gap.institution_id in network.institutions
            assert gap.distance_km is not None and gap.distance_km >= 0


# --- the Hogar de Paso rule, on small hand-made networks -------------------------------------


def small_network(institutions: list[Institution]) -> Network:
    """The 33 departments on a line of capitals, 54 bordering 68 only, and ``institutions``."""
    departments = []
    for n, code in enumerate(ALL_DEPARTMENTS):
        neighbours = {"54": ["68"], "68": ["54"]}.get(code, [])
        capital = Capital(
            name=f"Capital {code}", municipality=f"{code}001", lat=1.0 + n * 0.3, lon=-75.0
        )
        departments.append(
            Department(code=code, name=f"Dep {code}", capital=capital, neighbours=neighbours)
        )
    return Network(
        NetworkData(
            departments=tuple(departments),
            municipalities=(),
            regions=(
                Region(id="all", name=Text(es="Todo", en="All"), departments=list(ALL_DEPARTMENTS)),
            ),
            offices=(),
            institutions=tuple(institutions),
        )
    )


def shelter(ident: str, serves: Serves, municipality: str, tags: list[str]) -> Institution:
    return Institution(
        id=ident,
        name=ident,
        kind="ngo",
        services=["HUM_TEMPORARY_SHELTER"],
        serves=serves,
        municipality=municipality,
        weekly_capacity=10,
        tags=tags,
        status="illustrative",
    )


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
