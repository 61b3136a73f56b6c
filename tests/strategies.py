"""Hypothesis strategies for Ruta's property tests: profiles, conditions and whole rule bases.

Values are drawn mostly from small pools shared between profiles and rules (protocol
thresholds, a few "hot" departments and municipalities, a few dates), so that generated tests
flip often between true and false instead of almost never matching.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from engine import RuleBaseDocuments
from engine.compiler import rule_capacity_problem
from engine.fields import FieldKind, FieldSpec, profile_fields
from engine.loader import CATALOGUE_FILE, MANIFEST_FILE, default_rules_dir, rule_base_from_data
from engine.rule_base import RuleBase
from engine.rule_model import Rule
from engine.vocabulary import DEPARTMENTS, Area, Priority
from engine.yaml_source import read_yaml

__all__ = [
    "DATE_POINTS",
    "THRESHOLDS",
    "as_of_dates",
    "build_rule_base",
    "catalogue_codes",
    "conditions",
    "default_catalogue",
    "default_manifest",
    "municipality_codes",
    "random_profiles",
    "rule_base_documents",
    "rule_bases",
    "rule_dicts",
    "valid_profiles",
]

# --- shared pools ----------------------------------------------------------------------------

#: Protocol thresholds (and values just around them) for every numeric profile field.
THRESHOLDS: dict[str, tuple[float, ...]] = {
    "age": (0, 1, 4, 5, 6, 12, 17, 18, 19, 59, 60, 61, 120),
    "years_abroad": (0, 0.5, 1, 2.99, 3, 3.01, 4, 5, 11.9, 12, 17, 18, 60, 120),
    "months_since_return": (0, 0.99, 1, 2.99, 3, 3.01, 4, 4.01, 5, 11.9, 12, 12.1, 60, 1440),
    "children_unregistered": (0, 1, 2, 3, 30),
    "school_age_children": (0, 1, 2, 3, 30),
}

ALL_DEPARTMENTS: tuple[str, ...] = tuple(sorted(DEPARTMENTS))
#: Departments drawn more often than the rest, so department tests flip often.
HOT_DEPARTMENTS: tuple[str, ...] = ("05", "11", "54", "76")
#: Municipality suffixes drawn most often (department code + suffix).
HOT_SUFFIXES: tuple[str, ...] = ("001", "002", "500")

#: Days around which rules start and stop applying; as_of dates are drawn around them too.
DATE_POINTS: tuple[date, ...] = (
    date(2010, 1, 1),
    date(2015, 6, 30),
    date(2020, 1, 20),
    date(2024, 2, 29),
    date(2026, 11, 27),
    date(2030, 12, 31),
)
FIRST_DAY = date(2010, 1, 1)
LAST_DAY = date(2030, 12, 31)

PRIORITIES: tuple[str, ...] = tuple(p.value for p in Priority)
AREAS: tuple[str, ...] = tuple(a.value for a in Area)


@cache
def default_manifest() -> dict[str, Any]:
    data, problem = read_yaml(default_rules_dir() / MANIFEST_FILE, MANIFEST_FILE)
    assert problem is None, problem
    manifest = dict(data)
    manifest["version"] = "property-test"
    return manifest


@cache
def default_catalogue() -> Any:
    data, problem = read_yaml(default_rules_dir() / CATALOGUE_FILE, CATALOGUE_FILE)
    assert problem is None, problem
    return data


@cache
def catalogue_codes() -> tuple[str, ...]:
    return tuple(str(entry["code"]) for entry in default_catalogue()["services"])


def build_rule_base(data: tuple[Any, Any, dict[str, Any]]) -> RuleBase:
    """``rule_base_from_data`` applied to a value drawn from :func:`rule_bases`."""
    manifest, catalogue, rule_files = data
    return rule_base_from_data(manifest, catalogue, rule_files)


# --- small value strategies -------------------------------------------------------------------


def departments() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOT_DEPARTMENTS), st.sampled_from(ALL_DEPARTMENTS))


def suffixes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOT_SUFFIXES),
        st.integers(0, 999).map(lambda n: f"{n:03d}"),
    )


def municipality_codes(department: str | None = None) -> st.SearchStrategy[str]:
    """5-digit DIVIPOLA-shaped codes: department + 3 digits (mostly from the hot pools)."""
    prefix = st.just(department) if department is not None else departments()
    return st.builds(lambda d, s: d + s, prefix, suffixes())


def _number(name: str, spec: FieldSpec) -> st.SearchStrategy[Any]:
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else 1000
    if spec.kind is FieldKind.INTEGER:
        pool = [int(v) for v in THRESHOLDS.get(name, (low,)) if float(v).is_integer()]
        return st.one_of(st.sampled_from(pool), st.integers(int(low), int(high)))
    return st.one_of(
        st.sampled_from([float(v) for v in THRESHOLDS.get(name, (low,))]),
        st.sampled_from([int(v) for v in THRESHOLDS.get(name, (low,)) if float(v).is_integer()]),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def as_of_dates() -> st.SearchStrategy[date]:
    """Evaluation days 2010–2030, often exactly on or next to a rule's start or end day."""
    near = st.builds(
        lambda d, shift: min(max(d + timedelta(days=shift), FIRST_DAY), LAST_DAY),
        st.sampled_from(DATE_POINTS),
        st.sampled_from((-1, 0, 0, 1)),
    )
    return st.one_of(near, st.dates(FIRST_DAY, LAST_DAY))


# --- profiles ---------------------------------------------------------------------------------

_REQUIRED = (
    "age",
    "department",
    "municipality",
    "years_abroad",
    "months_since_return",
    "return_kind",
)


def _field_values(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind is FieldKind.BOOLEAN:
        return st.booleans()
    if spec.kind is FieldKind.CHOICE:
        return st.sampled_from(spec.choices)
    if spec.kind.numeric:
        return _number(spec.name, spec)
    raise AssertionError(f"no generic strategy for {spec.name}")  # codes are drawn together


@st.composite
def valid_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Dicts accepted by ``engine.parse_profile``, covering every field of the profile.

    Optional fields are sometimes left out (their default applies); ``origin_municipality`` is
    left out, ``null``, equal to ``municipality``, or another code.
    """
    fields = profile_fields()
    department = draw(departments())
    municipality = draw(municipality_codes(department))
    profile: dict[str, Any] = {"department": department, "municipality": municipality}
    origin = draw(st.sampled_from(("absent", "null", "same", "other", "other")))
    if origin == "null":
        profile["origin_municipality"] = None
    elif origin == "same":
        profile["origin_municipality"] = municipality
    elif origin == "other":
        profile["origin_municipality"] = draw(municipality_codes())
    for name, spec in fields.items():
        if name in ("department", "municipality", "origin_municipality"):
            continue
        if name in _REQUIRED or draw(st.integers(0, 3)) > 0:
            profile[name] = draw(_field_values(spec))
    return profile


# --- conditions -------------------------------------------------------------------------------

_ORDERING = ("<", "<=", ">", ">=")


def _families() -> dict[str, list[str]]:
    families: dict[str, list[str]] = {}
    for spec in profile_fields().values():
        family = "number" if spec.kind.numeric else spec.kind.value
        families.setdefault(family, []).append(spec.name)
    return families


def _code_values(name: str) -> st.SearchStrategy[str]:
    return departments() if name == "department" else municipality_codes()


def _scalar_values(spec: FieldSpec, op: str) -> st.SearchStrategy[Any]:
    """Values for one comparison, near the values profiles are drawn from."""
    if spec.kind is FieldKind.BOOLEAN:
        return st.booleans()
    if spec.kind is FieldKind.CHOICE:
        return st.sampled_from(spec.choices)
    if spec.kind is FieldKind.CODE:
        return _code_values(spec.name)
    pool = THRESHOLDS.get(spec.name, (0,))
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else 1000
    whole = [v for v in pool if float(v).is_integer()]
    if spec.kind is FieldKind.INTEGER and op not in _ORDERING:
        # Whole numbers only (sometimes written as 3.0: the rule checker accepts it).
        return st.one_of(
            st.sampled_from([int(v) for v in whole]),
            st.sampled_from([float(v) for v in whole]),
            st.integers(int(low), int(high)),
        )
    return st.one_of(
        st.sampled_from(pool),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        st.integers(int(low), int(high)),
    )


@st.composite
def tests(draw: st.DrawFn) -> dict[str, Any]:
    """One test on one profile field, with an operator that fits the field's kind."""
    fields = profile_fields()
    spec = fields[draw(st.sampled_from(sorted(fields)))]
    choices = ["==", "!="]
    if spec.kind.numeric:
        choices += list(_ORDERING)
    if spec.kind is not FieldKind.BOOLEAN:
        choices += ["in", "not_in"]
    if spec.nullable:
        choices += ["is_null", "not_null"]
    choices.append("other_field")
    kind = draw(st.sampled_from(choices))
    if kind in ("is_null", "not_null"):
        return {"field": spec.name, "op": kind}
    if kind == "other_field":
        family = "number" if spec.kind.numeric else spec.kind.value
        ops = ["==", "!=", *(_ORDERING if spec.kind.numeric else ())]
        return {
            "field": spec.name,
            "op": draw(st.sampled_from(ops)),
            "other_field": draw(st.sampled_from(_families()[family])),
        }
    if kind in ("in", "not_in"):
        if spec.name == "department" and draw(st.integers(0, 9)) == 0:
            values: list[Any] = draw(
                st.lists(st.sampled_from(ALL_DEPARTMENTS), min_size=10, max_size=33)
            )
        else:
            values = draw(st.lists(_scalar_values(spec, kind), min_size=1, max_size=5))
        return {"field": spec.name, "op": kind, "value": values}
    return {"field": spec.name, "op": kind, "value": draw(_scalar_values(spec, kind))}


def conditions(max_depth: int = 3, max_items: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """Rule-file conditions (``when``): tests under at most ``max_depth`` levels of all/any/not."""
    if max_depth <= 0:
        return tests()
    inner = conditions(max_depth - 1, max_items)
    items = st.lists(inner, min_size=1, max_size=max_items)
    return st.one_of(
        tests(),
        items.map(lambda xs: {"all": xs}),
        items.map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
    )


# --- rules and rule bases ---------------------------------------------------------------------


def _text(label: str) -> dict[str, str]:
    return {"es": f"{label} (es)", "en": f"{label} (en)"}


def _days() -> st.SearchStrategy[date]:
    return st.one_of(st.sampled_from(DATE_POINTS), st.dates(FIRST_DAY, LAST_DAY))


@st.composite
def _recommendations(
    draw: st.DrawFn, rule_id: str, services: tuple[str, ...], count: int, max_depth: int
) -> list[dict[str, Any]]:
    recommend = []
    codes = draw(st.lists(st.sampled_from(services), min_size=count, max_size=count, unique=True))
    for code in codes:
        entry: dict[str, Any] = {"service": code, "priority": draw(st.sampled_from(PRIORITIES))}
        if draw(st.integers(0, 3)) == 0:
            notes = []
            for n in range(draw(st.integers(1, 2))):
                note: dict[str, Any] = {"text": _text(f"Note {n} of {rule_id}")}
                if draw(st.booleans()):
                    note["when"] = draw(conditions(min(2, max_depth)))
                notes.append(note)
            entry["notes"] = notes
        recommend.append(entry)
    return recommend


@st.composite
def _suppression(draw: st.DrawFn, services: tuple[str, ...]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    removed = draw(st.lists(st.sampled_from(services), max_size=3, unique=True))
    areas = draw(st.lists(st.sampled_from(AREAS), max_size=2, unique=True))
    if not removed and not areas:
        removed = [draw(st.sampled_from(services))]
    if removed:
        body["services"] = removed
    if areas:
        body["areas"] = areas
    spared = draw(st.lists(st.sampled_from(services), max_size=2, unique=True))
    if spared:
        body["except"] = spared
    return body


@st.composite
def _regions(draw: st.DrawFn) -> dict[str, Any]:
    regions: dict[str, Any] = {}
    kind = draw(st.sampled_from(("departments", "municipalities", "both")))
    if kind in ("departments", "both"):
        regions["departments"] = draw(st.lists(departments(), min_size=1, max_size=5))
    if kind in ("municipalities", "both"):
        regions["municipalities"] = draw(st.lists(municipality_codes(), min_size=1, max_size=3))
    return regions


@st.composite
def _effective_dates(draw: st.DrawFn) -> dict[str, date]:
    start = draw(st.one_of(st.none(), _days()))
    end = draw(st.one_of(st.none(), _days()))
    if start is not None and end is not None and end < start:
        start, end = end, start
    dates = {}
    if start is not None:
        dates["effective_from"] = start
    if end is not None:
        dates["effective_to"] = end
    return dates


@st.composite
def rule_dicts(
    draw: st.DrawFn, rule_id: str, services: tuple[str, ...], max_depth: int = 3
) -> dict[str, Any]:
    """One rule as rule-file data: random ``when``, effects over ``services``, dates, regions."""
    rule: dict[str, Any] = {
        "id": rule_id,
        "title": _text(f"Rule {rule_id}"),
        "status": draw(st.sampled_from(("in_force", "illustrative"))),
        "legal_basis": draw(st.sampled_from(([], [{"instrument": "Ley 1565 de 2012"}]))),
        "when": draw(conditions(max_depth)),
    }
    suppress = draw(st.integers(0, 4)) == 0
    count = draw(st.integers(0 if suppress else 1, 3))
    recommend = draw(_recommendations(rule_id, services, count, max_depth))
    if recommend:
        rule["recommend"] = recommend
    if suppress:
        rule["suppress"] = draw(_suppression(services))
    if draw(st.integers(0, 4)) == 0:
        rule["regions"] = draw(_regions())
    if draw(st.integers(0, 3)) == 0:
        rule.update(draw(_effective_dates()))
    return rule


def _fits_engine(rule: dict[str, Any]) -> bool:
    context = {"services": dict.fromkeys(catalogue_codes())}
    checked = Rule.model_validate(rule, context=context)
    return rule_capacity_problem(checked) is None


@st.composite
def rule_bases(
    draw: st.DrawFn, min_rules: int = 1, max_rules: int = 30, max_depth: int = 3
) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """Arguments for ``rule_base_from_data``: manifest, the default catalogue, one rule file.

    The rules share a small pool of services, so recommendations overlap and suppressions
    bite. Rules the engine cannot run (``rule_capacity_problem``) are rejected, not kept.
    """
    pool = tuple(
        draw(st.lists(st.sampled_from(catalogue_codes()), min_size=3, max_size=8, unique=True))
    )
    count = draw(st.integers(min_rules, max_rules))
    rules = []
    for number in range(count):
        rule = draw(rule_dicts(f"R{number:03d}", pool, max_depth))
        assume(_fits_engine(rule))
        rules.append(rule)
    rule_file = {"group": _text("Generated"), "rules": rules}
    # The roadmap's order of areas is the rule base's: any order will do.
    manifest = {**default_manifest(), "roadmap": {"area_order": draw(st.permutations(AREAS))}}
    return manifest, default_catalogue(), {"random.yaml": rule_file}


#: The rule files :func:`rule_base_documents` spreads its rules over.
RULE_FILES: tuple[str, ...] = ("a.yaml", "b.yaml", "c.yaml")


@st.composite
def rule_base_documents(
    draw: st.DrawFn, max_rules: int = 10, max_depth: int = 2
) -> RuleBaseDocuments:
    """A random rule base the loader accepts, its rules spread over up to three files (each
    with its own group title), as the documents ``RuleBaseDocuments.from_rule_base`` gives."""
    manifest, catalogue, files = draw(rule_bases(max_rules=max_rules, max_depth=max_depth))
    spread: dict[str, list[dict[str, Any]]] = {}
    for rule in files["random.yaml"]["rules"]:
        spread.setdefault(draw(st.sampled_from(RULE_FILES)), []).append(rule)
    rule_files = {
        name: {"group": _text(f"Group {name}"), "rules": rules} for name, rules in spread.items()
    }
    base = rule_base_from_data(manifest, catalogue, rule_files)
    return RuleBaseDocuments.from_rule_base(base)


# --- profiles from the protocols §1 table -----------------------------------------------------
# Written from the table in protocols §1, not from engine.fields, so that tests comparing the two
# catch a vocabulary that drifts from the protocol. The ceilings (120 years abroad, 1,440 months
# since return, 30 children) are the model's documented plausibility limits.

#: Fields of protocols §1 whose values are words from a fixed list, with that list.
PROFILE_CHOICES: dict[str, tuple[str, ...]] = {
    "return_kind": ("voluntary", "deported", "expelled"),
    "rur_status": ("not_registered", "registered", "beneficiary"),
    "rur_type": ("none", "solidario", "humanitario", "laboral", "productivo"),
    "conflict_victim": ("none", "registered", "unregistered"),
    "health_coverage": ("none", "subsidized", "contributory"),
    "foreign_studies": ("none", "school", "higher"),
    "degree_field": ("none", "law", "accounting", "education", "health", "other"),
    "employment": ("employed", "unemployed", "self_employed", "not_seeking"),
    "protection_risk": ("none", "threats", "trafficking", "gbv"),
}

#: Yes/no fields of protocols §1.
PROFILE_FLAGS: tuple[str, ...] = (
    "pregnant",
    "has_id_document",
    "id_document_cancelled",
    "unaccompanied_minor",
    "extreme_poverty",
    "sentence_in_force",
    "convicted_public_administration",
    "urgent_medical_need",
    "chronic_condition",
    "disability",
    "psychosocial_distress",
    "wants_business",
    "has_trade_skills",
    "importing_goods",
    "bringing_capital",
    "has_shelter",
    "has_funds",
    "wants_travel_to_origin",
)

#: Whole-number fields of protocols §1 and their largest value.
PROFILE_COUNTS: dict[str, int] = {"children_unregistered": 30, "school_age_children": 30}


def _profile_amounts(high: int) -> st.SearchStrategy[float | int]:
    return st.one_of(
        st.integers(0, high),
        st.floats(0, high, allow_nan=False, allow_infinity=False),
    )


def _profile_codes(department: str | None = None) -> st.SearchStrategy[str]:
    prefix = st.just(department) if department else st.sampled_from(sorted(DEPARTMENTS))
    return st.builds(lambda d, n: f"{d}{n:03d}", prefix, st.integers(0, 999))


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Profiles that protocols §1 allows, as dicts: the six required fields, and each optional
    field either left out (its default applies) or given any allowed value.
    """
    department = draw(st.sampled_from(sorted(DEPARTMENTS)))
    profile: dict[str, Any] = {
        "age": draw(st.integers(0, 120)),
        "department": department,
        "municipality": draw(_profile_codes(department)),
        "years_abroad": draw(_profile_amounts(120)),
        "months_since_return": draw(_profile_amounts(1440)),
        "return_kind": draw(st.sampled_from(PROFILE_CHOICES["return_kind"])),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "origin_municipality": st.one_of(st.none(), _profile_codes()),
        **{name: st.booleans() for name in PROFILE_FLAGS},
        **{name: st.integers(0, high) for name, high in PROFILE_COUNTS.items()},
        **{
            name: st.sampled_from(values)
            for name, values in PROFILE_CHOICES.items()
            if name != "return_kind"
        },
    }
    for name, values in optional.items():
        if draw(st.booleans()):
            profile[name] = draw(values)
    return profile


# --- plain random profiles, for tests that need hundreds at once -------------------------------


def random_profiles(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """``count`` valid profiles drawn with ``rng`` from the same pools as :func:`valid_profiles`.

    For tests that need a large fixed batch (threads, ordering), where one Hypothesis example
    holding hundreds of profiles would exceed Hypothesis' data budget.
    """
    fields = profile_fields()
    profiles = []
    for _ in range(count):
        department = rng.choice(HOT_DEPARTMENTS if rng.random() < 0.5 else ALL_DEPARTMENTS)
        municipality = department + rng.choice((*HOT_SUFFIXES, f"{rng.randrange(1000):03d}"))
        profile: dict[str, Any] = {"department": department, "municipality": municipality}
        origin = rng.choice(("absent", "null", "same", "other"))
        if origin == "null":
            profile["origin_municipality"] = None
        elif origin == "same":
            profile["origin_municipality"] = municipality
        elif origin == "other":
            profile["origin_municipality"] = rng.choice(ALL_DEPARTMENTS) + rng.choice(HOT_SUFFIXES)
        for name, spec in fields.items():
            if name in ("department", "municipality", "origin_municipality"):
                continue
            if name not in _REQUIRED and rng.random() < 0.25:
                continue
            if spec.kind is FieldKind.BOOLEAN:
                profile[name] = rng.random() < 0.5
            elif spec.kind is FieldKind.CHOICE:
                profile[name] = rng.choice(spec.choices)
            else:
                high = spec.maximum if spec.maximum is not None else 100
                pool = THRESHOLDS.get(name, (0,))
                if spec.kind is FieldKind.INTEGER:
                    whole = [int(v) for v in pool if float(v).is_integer()]
                    value: Any = (
                        rng.choice(whole) if rng.random() < 0.7 else rng.randint(0, int(high))
                    )
                else:
                    value = float(rng.choice(pool)) if rng.random() < 0.6 else rng.uniform(0, high)
                profile[name] = value
        profiles.append(profile)
    return profiles
