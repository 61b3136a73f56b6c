"""Hypothesis strategies and independent oracles for the partner network's property tests.

Each example draws a whole network: the 33 departments with made-up capitals inside Colombia's
bounding box, a random symmetric neighbour relation (often none at all, so the land borders
run out and the nearest departments as the crow flies are drawn on), a few municipalities per
department, one or two regions covering every department, up to three offices with partners,
1–60 institutions with random services (catalogue codes), areas served, capacity, active flag
and tags, and the network's policy (how many nearest departments, how far). The records are
built with :mod:`network.models` (so they pass the same field checks as the files) and wrapped
with ``network.Network`` directly, without the loader.

Occupancies (referrals used this week) are drawn around each institution's capacity: none,
one short of it, exactly it, beyond it.

The oracles (what an institution may be chosen for, how far apart two capitals are, which
departments the nearest step may draw on) are written here from the data, without calling the
network's own code.
"""

from __future__ import annotations

import math
import random
from functools import cache

from hypothesis import settings
from hypothesis import strategies as st

from engine import PreferredTag, ReferralPreference
from engine.loader import CATALOGUE_FILE, default_rules_dir
from engine.rule_model import Catalogue, Text
from engine.vocabulary import DEPARTMENTS
from engine.yaml_source import read_yaml
from network import NearestPolicy, Network, NetworkData, NetworkPolicy, Occupancy, Selection
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
EXAMPLES = max(10, (settings.default.max_examples if settings.default else 100) * 3 // 10)


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
    by one through Hypothesis is slow and shrinks to nothing useful); the neighbour relation
    stays a Hypothesis choice: none at all (the borders run out everywhere), random pairs of
    some density, or each department bordering its one or two nearest capitals (as on a map,
    where the departments reached over land are also near as the crow flies).
    """
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    borders = draw(st.sampled_from(["none", "random", "random", "nearest"]))
    density = draw(st.sampled_from([0.03, 0.06, 0.12]))

    def point() -> tuple[float, float]:
        return round(rng.uniform(*LAT), 4), round(rng.uniform(*LON), 4)

    capitals = {code: point() for code in ALL_DEPARTMENTS}
    neighbours: dict[str, set[str]] = {code: set() for code in ALL_DEPARTMENTS}
    for a in ALL_DEPARTMENTS:
        if borders == "nearest":
            around = sorted(ALL_DEPARTMENTS, key=lambda b: haversine_km(capitals[a], capitals[b]))
            near = around[1 : 1 + rng.randint(1, 2)]
        else:
            near = [b for b in ALL_DEPARTMENTS if borders == "random" and rng.random() < density]
        for b in near:
            if a != b:
                neighbours[a].add(b)
                neighbours[b].add(a)

    departments = []
    municipalities = []
    for code in ALL_DEPARTMENTS:
        lat, lon = capitals[code]
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
        policy=draw(policies()),
    )


@st.composite
def policies(draw: st.DrawFn) -> NetworkPolicy:
    """How many nearest departments (0 turns the step off) and how far, as the crow flies."""
    return NetworkPolicy(
        nearest=NearestPolicy(
            departments=draw(st.sampled_from([0, 1, 2, 3, 5, 32])),
            max_km=draw(st.sampled_from([150.0, 600.0, 1000.0, 2500.0])),
        )
    )


@st.composite
def occupancies(draw: st.DrawFn, data: NetworkData) -> Occupancy | None:
    """None (nothing counted), or referrals used this week by a share of the institutions,
    drawn around each one's capacity (none, one short, exactly it, beyond it, anything) so that
    institutions are often just full or just not. The counts come from a seeded
    ``random.Random`` (drawn one by one through Hypothesis they are slow); the seed and the
    share counted are Hypothesis choices."""
    if draw(st.booleans()):
        return None
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    share = draw(st.sampled_from([0.2, 0.5, 1.0]))
    used: dict[str, int] = {}
    for institution in data.institutions:
        if rng.random() >= share:
            continue
        capacity = institution.weekly_capacity
        around = [0, 1, 7] if capacity is None else [0, max(0, capacity - 1), capacity]
        used[institution.id] = rng.choice(around) if rng.random() < 0.8 else rng.randint(0, 120)
    return Occupancy(used)


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


def used(occupancy: Occupancy | None, institution: Institution) -> int:
    return 0 if occupancy is None else occupancy.get(institution.id, 0)


def full(institution: Institution, occupancy: Occupancy | None = None) -> bool:
    """Used up this week: a known capacity, and at least as many referrals counted."""
    capacity = institution.weekly_capacity
    return capacity is not None and used(occupancy, institution) >= capacity


def capacity_key(institution: Institution, occupancy: Occupancy | None = None) -> int:
    """Most room left this week first, unknown capacity after every known one."""
    capacity = institution.weekly_capacity
    return -(capacity - used(occupancy, institution)) if capacity is not None else 1


def available(institution: Institution, occupancy: Occupancy | None = None) -> bool:
    return institution.active and not full(institution, occupancy)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points, Earth radius 6,371 km."""
    phi1, phi2 = math.radians(a[0]), math.radians(b[0])
    dphi, dlambda = phi2 - phi1, math.radians(b[1] - a[1])
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.atan2(math.sqrt(h), math.sqrt(1 - h))


def capital_distance(data: NetworkData, a: str, b: str) -> float:
    """Distance as the crow flies between the capitals of departments ``a`` and ``b``."""
    capitals = {d.code: (d.capital.lat, d.capital.lon) for d in data.departments}
    return haversine_km(capitals[a], capitals[b])


def nearest_beyond_land(data: NetworkData, department: str) -> list[tuple[float, str]]:
    """The departments the nearest step may draw on for a person of ``department``, nearest
    first: not reached over land, the policy's number of them, none beyond its distance."""
    policy = data.policy.nearest
    over_land = reachable(data, department) | {department}
    candidates = sorted(
        (capital_distance(data, department, d.code), d.code)
        for d in data.departments
        if d.code not in over_land
    )
    return [(km, code) for km, code in candidates if km <= policy.max_km][: policy.departments]


def reaches(institution: Institution) -> set[str]:
    """The departments an institution serves in whole or in part."""
    serves = institution.serves
    return set(serves.departments) | {m[:2] for m in serves.municipalities}


# --- small hand-made networks ----------------------------------------------------------------

#: The nearest step of the small networks: the 3 nearest departments, up to 200 km.
SMALL_NEAREST = NearestPolicy(departments=3, max_km=200.0)


def small_network(
    institutions: list[Institution],
    nearest: NearestPolicy = SMALL_NEAREST,
    borders: tuple[tuple[str, str], ...] = (("54", "68"),),
) -> Network:
    """The 33 departments on a line of capitals (about 33 km apart, in code order), bordering
    as ``borders`` says (by default 54 and 68 only), and ``institutions``."""
    departments = []
    for n, code in enumerate(ALL_DEPARTMENTS):
        neighbours = sorted(
            {b for a, b in borders if a == code} | {a for a, b in borders if b == code}
        )
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
            policy=NetworkPolicy(nearest=nearest),
        )
    )


def shelter(
    ident: str,
    serves: Serves,
    municipality: str,
    tags: list[str] | None = None,
    capacity: int | None = 10,
) -> Institution:
    """An institution offering temporary shelter."""
    return Institution(
        id=ident,
        name=ident,
        kind="ngo",
        services=["HUM_TEMPORARY_SHELTER"],
        serves=serves,
        municipality=municipality,
        weekly_capacity=capacity,
        tags=tags or [],
        status="illustrative",
    )
