"""The partner network as a graph, and the choice of concrete referral targets.

For caseworkers: a recommended service becomes a referral to institutions chosen for the
person's municipality — those that serve the municipality, then the department, then national
entities, then the nearest department reached over land, and once the land borders run out the
nearest departments as the crow flies (``policy.yaml``) — with the office's partners, the room
left this week and distance breaking ties, and a reason for every choice (in Spanish and
English). When nothing can be offered, the answer says why instead of leaving the list empty.

Institutions that have used their weekly capacity this week are passed over: the counts come
from the store as an :class:`~network.occupancy.Occupancy`, passed in with each selection.

Which institutions go first whatever their level (the border Hogar de Paso) is not the
network's choice but the rule base's (``referrals`` in ``rules/base.yaml``): every selection is
made under the :class:`~engine.ReferralPreference` of the rule base in service, passed in, so
one network serves any rule base, and a rule base published while the service runs changes the
referrals without the network being loaded again.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import networkx as nx

from engine import PreferredTag, ReferralPreference
from engine.loader import CATALOGUE_FILE, default_rules_dir
from engine.rule_model import Catalogue, Text
from engine.yaml_source import read_yaml
from texts import text

from .errors import DataProblem, NetworkDataError, UnknownPlaceError
from .levels import Level
from .models import Department, Institution, Municipality, NetworkPolicy, Office, Region
from .occupancy import Occupancy, room_left
from .reasons import (
    INACTIVE,
    NO_CAPACITY,
    chosen_because,
    everyone_full,
    full_or_inactive,
    nobody_offers,
    nobody_within_reach,
    out_of_area,
)

__all__ = [
    "Gap",
    "Network",
    "NetworkData",
    "PassedOver",
    "Selection",
    "Target",
]

_EARTH_KM = 6371.0
#: No preference: the network's own ranking (coverage is measured under it).
_NO_PREFERENCE = ReferralPreference()
#: The part of an occupancy a selection depends on: (institution id, referrals used) for the
#: institutions offering the service, with a stated capacity, that have used some of it.
_Load = frozenset[tuple[str, int]]
#: Nothing counted this week.
_NO_LOAD: _Load = frozenset()


@dataclass(frozen=True, slots=True)
class NetworkData:
    """Everything the network files hold, checked."""

    departments: tuple[Department, ...]
    municipalities: tuple[Municipality, ...]
    regions: tuple[Region, ...]
    offices: tuple[Office, ...]
    institutions: tuple[Institution, ...]
    policy: NetworkPolicy


@dataclass(frozen=True, slots=True)
class Target:
    """An institution to refer the person to, and why it was chosen."""

    institution: Institution
    level: Level
    distance_km: float
    partner_of: str | None
    reason: Text


@dataclass(frozen=True, slots=True)
class PassedOver:
    """An institution offering the service that was not chosen, and why."""

    institution_id: str
    reason: Text


@dataclass(frozen=True, slots=True)
class Selection:
    """The referral targets for one service and one municipality, and, when there are none,
    why (``no_target_reason``: nobody offers the service, nobody within reach, or everyone
    within reach full this week or inactive); ``None`` whenever there is a target."""

    service: str
    municipality: str
    known_municipality: bool
    targets: tuple[Target, ...]
    passed_over: tuple[PassedOver, ...]
    network_version: str
    no_target_reason: Text | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """How well a department is covered for a service: the best level reachable from its
    capital and the distance to that provider (``level`` NONE when nobody provides it)."""

    department: str
    service: str
    level: Level
    distance_km: float | None
    institution_id: str | None
    #: Why nobody can be offered (``level`` NONE only), in Spanish and English.
    no_target_reason: Text | None = None


def catalogue_codes(rules_dir: Path | None = None) -> frozenset[str]:
    """The service codes of the catalogue in ``rules_dir`` (default: the default rule base)."""
    folder = rules_dir or default_rules_dir()
    data, problem = read_yaml(folder / CATALOGUE_FILE, CATALOGUE_FILE)
    if problem is not None:
        raise NetworkDataError(
            [DataProblem(CATALOGUE_FILE, problem.line, None, "", problem.message)]
        )
    return frozenset(s.code for s in Catalogue.model_validate(data).services)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_KM * math.asin(math.sqrt(h))


class Network:
    """The partner network: read-only once built, versioned by the hash of its content."""

    def __init__(self, data: NetworkData, services: frozenset[str] | None = None) -> None:
        """``services``: the catalogue's codes (default: the default rule base's catalogue)."""
        self.data = data
        self.services = services if services is not None else catalogue_codes()
        self.departments = {d.code: d for d in data.departments}
        self.municipalities = {m.code: m for m in data.municipalities}
        self.institutions = {i.id: i for i in data.institutions}
        self.policy = data.policy
        self.graph = self._build_graph()
        self._remembered_selection = lru_cache(maxsize=4096)(self._select)
        self._remembered_load = lru_cache(maxsize=1024)(self._load)
        self._partners_by_department: dict[str, dict[str, str]] = defaultdict(dict)
        for office in data.offices:
            region = next(r for r in data.regions if r.id == office.region)
            for code in region.departments:
                for partner in office.partners:
                    self._partners_by_department[code].setdefault(partner, office.name)
        self._by_place: dict[tuple[str, str], list[Institution]] = defaultdict(list)
        self._national: dict[str, list[Institution]] = defaultdict(list)
        self._located: dict[tuple[str, str], list[Institution]] = defaultdict(list)
        self._in_department: dict[tuple[str, str], list[Institution]] = defaultdict(list)
        # Per service, the institutions whose weekly capacity a referral can use up.
        capped: dict[str, set[str]] = defaultdict(set)
        self._offered: set[str] = set()
        for institution in data.institutions:
            for service in institution.services:
                self._offered.add(service)
                if institution.weekly_capacity:
                    capped[service].add(institution.id)
                if institution.serves.national:
                    self._national[service].append(institution)
                for code in institution.serves.departments:
                    self._by_place[(service, code)].append(institution)
                for code in institution.serves.municipalities:
                    self._by_place[(service, code)].append(institution)
                self._located[(service, institution.department)].append(institution)
                reached = set(institution.serves.departments) | {
                    code[:2] for code in institution.serves.municipalities
                }
                for code in sorted(reached):
                    self._in_department[(service, code)].append(institution)
        self._capped = {service: frozenset(ids) for service, ids in capped.items()}
        self._distances = {
            code: nx.single_source_dijkstra_path_length(
                self.graph.subgraph([("department", c) for c in self.departments]),
                ("department", code),
                weight="distance_km",
            )
            for code in self.departments
        }
        # Every other department by distance between capitals as the crow flies, nearest first.
        self._straight = {
            code: sorted(
                (distance_km(self._point(code), self._point(other)), other)
                for other in self.departments
                if other != code
            )
            for code in self.departments
        }

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the network's content: equal data, equal hash."""
        content: dict[str, object] = {
            name: [item.model_dump(mode="json") for item in getattr(self.data, name)]
            for name in ("departments", "municipalities", "regions", "offices", "institutions")
        }
        content["policy"] = self.data.policy.model_dump(mode="json")
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def version(self) -> str:
        return self.hash[:12]

    def _build_graph(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for department in self.data.departments:
            capital = department.capital
            graph.add_node(
                ("department", department.code),
                name=department.name,
                lat=capital.lat,
                lon=capital.lon,
            )
        for municipality in self.data.municipalities:
            node = ("municipality", municipality.code)
            graph.add_node(node, name=municipality.name, lat=municipality.lat, lon=municipality.lon)
            graph.add_edge(node, ("department", municipality.code[:2]), kind="in")
        for department in self.data.departments:
            for code in department.neighbours:
                graph.add_edge(
                    ("department", department.code),
                    ("department", code),
                    kind="neighbour",
                    distance_km=distance_km(self._point(department.code), self._point(code)),
                )
        graph.add_node(("country", "CO"), name="Colombia")
        for institution in self.data.institutions:
            node = ("institution", institution.id)
            graph.add_node(node, name=institution.name, kind=institution.kind.value)
            graph.add_edge(node, self._place_node(institution.municipality), kind="located")
            if institution.serves.national:
                graph.add_edge(node, ("country", "CO"), kind="serves")
            for code in institution.serves.departments:
                graph.add_edge(node, ("department", code), kind="serves")
            for code in institution.serves.municipalities:
                graph.add_edge(node, self._place_node(code), kind="serves")
        for office in self.data.offices:
            node = ("office", office.id)
            graph.add_node(node, name=office.name, region=office.region)
            graph.add_edge(node, self._place_node(office.municipality), kind="located")
            for partner in office.partners:
                graph.add_edge(node, ("institution", partner), kind="partner")
        return graph

    def _place_node(self, code: str) -> tuple[str, str]:
        if code in self.municipalities:
            return ("municipality", code)
        return ("department", code[:2])

    def _point(self, code: str) -> tuple[float, float]:
        """Coordinates of a municipality, or of its department's capital if not in the data."""
        municipality = self.municipalities.get(code)
        if municipality is not None:
            return (municipality.lat, municipality.lon)
        capital = self.departments[code[:2]].capital
        return (capital.lat, capital.lon)

    def select_targets(
        self,
        service: str,
        municipality: str,
        k: int = 3,
        *,
        preference: ReferralPreference,
        occupancy: Occupancy | None = None,
    ) -> Selection:
        """The ``k`` best institutions to refer a person living in ``municipality`` to, under
        the referral ``preference`` of the rule base in service
        (``rule_base.referral_preference``; ``ReferralPreference()`` for none), and the
        referrals each institution has sent or accepted this ISO week (``occupancy``, counted
        by the store; ``None``: none counted, as ``Occupancy()``).

        An institution whose ``weekly_capacity`` is known and used up is passed over ("sin cupo
        esta semana" / "no capacity this week"); among the others, the one with most room left
        goes first where the levels and partnership tie.

        The network never changes once built, so the answer is kept and given again (the most
        recent 4,096 of them), keyed by the service, place, ``k``, preference and the referrals
        used at the institutions offering the service: a referral to one institution leaves
        the kept answers for the services it does not offer untouched.
        """
        if service not in self.services:
            raise UnknownPlaceError(f"'{service}' is not a service code of the catalogue")
        if k < 1:
            raise UnknownPlaceError("ask for at least one target (k >= 1)")
        load = _NO_LOAD if occupancy is None else self._remembered_load(service, occupancy)
        return self._remembered_selection(service, municipality, k, preference, load)

    def forget_selections(self) -> None:
        """Drop the answers kept by :meth:`select_targets` (for measuring a selection's work)."""
        self._remembered_selection.cache_clear()
        self._remembered_load.cache_clear()

    def _load(self, service: str, occupancy: Occupancy) -> _Load:
        """What of ``occupancy`` a selection for ``service`` depends on: the referrals used at
        each institution offering it with a stated capacity (kept per occupancy and service,
        as the store hands the same occupancy to many selections)."""
        return occupancy.used_among(self._capped.get(service, frozenset()))

    def _select(
        self,
        service: str,
        municipality: str,
        k: int,
        preference: ReferralPreference,
        load: _Load,
    ) -> Selection:
        used = dict(load)
        department = self._check_place(municipality)
        known = municipality in self.municipalities
        place = self.municipalities[municipality].name if known else None
        department_name = self.departments[department].name
        place_es = place or text("network.unnamed_municipality", "es", code=municipality)
        place_en = place or text("network.unnamed_municipality", "en", code=municipality)
        partners = self._partners_by_department.get(department, {})
        first_choices = preference.applying_to(service, department)
        here = self._point(municipality)
        chosen: dict[str, tuple[Institution, Level, float]] = {}

        def consider(institution: Institution, level: Level, distance: float) -> None:
            current = chosen.get(institution.id)
            if current is None or level < current[1]:
                chosen[institution.id] = (institution, level, distance)

        for institution in self._by_place.get((service, municipality), ()):
            consider(
                institution,
                Level.MUNICIPALITY,
                distance_km(here, self._point(institution.municipality)),
            )
        for institution in self._by_place.get((service, department), ()):
            consider(
                institution,
                Level.DEPARTMENT,
                distance_km(here, self._point(institution.municipality)),
            )
        for institution in self._national.get(service, ()):
            consider(
                institution,
                Level.NATIONAL,
                distance_km(here, self._point(institution.municipality)),
            )
        passed: dict[str, Text] = {}
        blocked: set[str] = set()  # within reach, but full this week or inactive

        def can_take(institution: Institution) -> bool:
            reason = _unavailable(institution, used)
            if reason is not None:
                passed[institution.id] = reason
                blocked.add(institution.id)
            return reason is None

        available = {key: value for key, value in chosen.items() if can_take(value[0])}
        served_in: dict[str, str] = {}
        if len(available) < k:
            self._neighbours(
                service, department, k - len(available), available, can_take, served_in
            )
        if len(available) < k:
            self._nearest(service, department, k - len(available), available, can_take, served_in)
        for institution in self._located.get((service, department), ()):
            if institution.id not in chosen and institution.id not in available:
                passed.setdefault(institution.id, out_of_area(place_es, place_en))

        def rank(item: tuple[Institution, Level, float]) -> tuple[object, ...]:
            institution, level, distance = item
            # A first choice of the rule base goes first when it serves the person's own place.
            room = room_left(institution, used)
            return (
                _first_choice(first_choices, institution, level),
                level,
                distance if level >= Level.NEIGHBOUR else 0.0,  # far away: nearest first
                institution.id not in partners,
                -(room if room is not None else -1),  # most room left; unknown after known
                distance,
                institution.id,
            )

        ranked = sorted(available.values(), key=rank)[:k]
        targets = tuple(
            Target(
                institution,
                level,
                round(distance, 1),
                partners.get(institution.id),
                chosen_because(
                    level,
                    place=place,
                    department_name=department_name,
                    distance=distance,
                    served_in=self.departments[
                        served_in.get(institution.id, institution.department)
                    ].name,
                    first_choice=_chosen_first(first_choices, institution, level),
                    partner_of=partners.get(institution.id),
                    known=known,
                ),
            )
            for institution, level, distance in ranked
        )
        return Selection(
            service,
            municipality,
            known,
            targets,
            tuple(PassedOver(i, r) for i, r in sorted(passed.items())),
            self.version,
            None if targets else self._no_target(service, department_name, passed, blocked),
        )

    def _check_place(self, municipality: str) -> str:
        if len(municipality) != 5 or not municipality.isdigit():
            raise UnknownPlaceError(
                'the municipality must be a 5-digit DIVIPOLA code, e.g. "54001"'
            )
        department = municipality[:2]
        if department not in self.departments:
            raise UnknownPlaceError(
                "the municipality code does not start with a known department code"
            )
        return department

    def _neighbours(
        self,
        service: str,
        department: str,
        wanted: int,
        available: dict[str, tuple[Institution, Level, float]],
        can_take: Callable[[Institution], bool],
        served_in: dict[str, str],
    ) -> None:
        """Fill up with providers of the nearest other departments reached over land, nearest
        first; their distance is the one between department capitals, along borders."""
        distances = self._distances[department]
        for node, between in sorted(distances.items(), key=lambda item: (item[1], item[0][1])):
            code = node[1]
            if code == department:
                continue
            if wanted <= 0:
                break
            wanted -= self._take_department(
                service, code, Level.NEIGHBOUR, between, available, can_take, served_in
            )

    def _nearest(
        self,
        service: str,
        department: str,
        wanted: int,
        available: dict[str, tuple[Institution, Level, float]],
        can_take: Callable[[Institution], bool],
        served_in: dict[str, str],
    ) -> None:
        """Once the land borders run out: providers of the departments not reached over land
        whose capitals are nearest as the crow flies, nearest first. Which departments are
        looked at is geography and policy alone — the ``policy.nearest.departments`` nearest
        not reached over land, none beyond ``policy.nearest.max_km`` — never who provides what,
        so adding an institution never takes a referral away."""
        policy = self.policy.nearest
        over_land = self._distances[department]
        looked_at = 0
        for between, code in self._straight[department]:
            if wanted <= 0 or between > policy.max_km:
                break
            if ("department", code) in over_land:
                continue
            if looked_at >= policy.departments:
                break
            looked_at += 1
            wanted -= self._take_department(
                service, code, Level.NEAREST, between, available, can_take, served_in
            )

    def _take_department(
        self,
        service: str,
        code: str,
        level: Level,
        between: float,
        available: dict[str, tuple[Institution, Level, float]],
        can_take: Callable[[Institution], bool],
        served_in: dict[str, str],
    ) -> int:
        """Add every provider of ``service`` serving department ``code`` not yet chosen (a whole
        department at a time, so a larger k only ever adds farther providers); how many."""
        added = 0
        for institution in sorted(self._in_department.get((service, code), ()), key=lambda i: i.id):
            if institution.id in available or not can_take(institution):
                continue
            available[institution.id] = (institution, level, between)
            served_in[institution.id] = code
            added += 1
        return added

    def _no_target(
        self, service: str, department_name: str, passed: dict[str, Text], blocked: set[str]
    ) -> Text:
        """Why nobody is offered: everyone within reach full or inactive, nobody within reach,
        or nobody in the network offering the service at all."""
        if blocked:
            if all(passed[i] == NO_CAPACITY for i in blocked):
                return everyone_full()
            return full_or_inactive()
        if service in self._offered:
            return nobody_within_reach(department_name, self.policy.nearest.max_km)
        return nobody_offers()

    def gaps(self) -> list[Gap]:
        """For every department and service, the best level reachable from its capital.

        Coverage is the network's own: it is measured without any rule base's referral
        preference (which only reorders institutions that are there anyway).
        """
        found = []
        for code in sorted(self.departments):
            capital = self.departments[code].capital.municipality
            for service in sorted(self.services):
                # Look at a few targets and keep the best level among them.
                selection = self.select_targets(service, capital, k=3, preference=_NO_PREFERENCE)
                if selection.targets:
                    best = min(selection.targets, key=lambda t: (t.level, t.distance_km))
                    found.append(
                        Gap(code, service, best.level, best.distance_km, best.institution.id)
                    )
                else:
                    found.append(
                        Gap(code, service, Level.NONE, None, None, selection.no_target_reason)
                    )
        return found

    def institutions_for(
        self,
        service: str | None = None,
        department: str | None = None,
        municipality: str | None = None,
    ) -> list[Institution]:
        """Institutions filtered by service offered and by where they are located."""
        return [
            i
            for i in self.data.institutions
            if (service is None or service in i.services)
            and (department is None or i.department == department)
            and (municipality is None or i.municipality == municipality)
        ]


def _unavailable(institution: Institution, used: dict[str, int]) -> Text | None:
    """Why ``institution`` cannot take a referral now (given the referrals ``used`` this week
    per institution id), or ``None`` if it can."""
    if not institution.active:
        return INACTIVE
    if room_left(institution, used) == 0:
        return NO_CAPACITY
    return None


def _first_choice(choices: tuple[PreferredTag, ...], institution: Institution, level: Level) -> int:
    """The place of the first of ``choices`` whose tag ``institution`` carries, if it serves
    the person's municipality or department (a first choice never brings in a distant
    institution); ``len(choices)`` for an institution chosen first by none."""
    if level <= Level.DEPARTMENT and institution.tags:
        for place, choice in enumerate(choices):
            if choice.tag in institution.tags:
                return place
    return len(choices)


def _chosen_first(
    choices: tuple[PreferredTag, ...], institution: Institution, level: Level
) -> PreferredTag | None:
    """The first choice ``institution`` is proposed under, if any (its reason is said first)."""
    place = _first_choice(choices, institution, level)
    return choices[place] if place < len(choices) else None
