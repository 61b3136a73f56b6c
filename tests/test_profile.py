"""The returnee profile (protocols §1): defaults, allowed values, and errors that never leak data.

Every refused profile must give a :class:`ProfileError` whose problems name the field and say
what is allowed, and whose text never repeats what was submitted: profiles are personal data
(Ley 1581 de 2012), and errors are logged and shown. The submitted values below are deliberately
distinctive so that finding them in an error cannot be a coincidence.
"""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from engine import FieldProblem, Profile, ProfileError, RutaEngineError, parse_profile
from engine.fields import FieldKind, profile_fields
from strategies import PROFILE_CHOICES, PROFILE_COUNTS, PROFILE_FLAGS, profiles

#: The required fields of protocols §1, with ordinary values.
MINIMAL: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 4.5,
    "months_since_return": 2,
    "return_kind": "deported",
}

#: Every optional field of protocols §1 and its default, as the table gives it.
PROTOCOL_DEFAULTS: dict[str, Any] = {
    "pregnant": False,
    "origin_municipality": None,
    "rur_status": "not_registered",
    "rur_type": "none",
    "has_id_document": True,
    "id_document_cancelled": False,
    "children_unregistered": 0,
    "school_age_children": 0,
    "unaccompanied_minor": False,
    "conflict_victim": "none",
    "extreme_poverty": False,
    "sentence_in_force": False,
    "convicted_public_administration": False,
    "health_coverage": "none",
    "urgent_medical_need": False,
    "chronic_condition": False,
    "disability": False,
    "psychosocial_distress": False,
    "foreign_studies": "none",
    "degree_field": "none",
    "employment": "unemployed",
    "wants_business": False,
    "has_trade_skills": False,
    "importing_goods": False,
    "bringing_capital": False,
    "has_shelter": True,
    "has_funds": True,
    "protection_risk": "none",
    "wants_travel_to_origin": False,
}


def refusal(data: Any) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    return caught.value


def assert_no_leak(error: ProfileError, *secrets: str) -> None:
    """None of ``secrets`` appears in the error, its problems, its printed traceback, or any
    exception chained to it (even a suppressed context, which tools that walk the chain see)."""
    shown = [
        str(error),
        repr(error.problems),
        "".join(traceback.format_exception(error)),
    ]
    seen: set[int] = set()
    chained: list[BaseException] = [error]
    while chained:
        current = chained.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        shown += [str(current), repr(current)]
        chained += [e for e in (current.__cause__, current.__context__) if e is not None]
    for secret in secrets:
        for text in shown:
            assert secret not in text, f"the submitted value {secret!r} leaks into: {text}"


def with_changes(**changes: Any) -> dict[str, Any]:
    return {**MINIMAL, **changes}


# --- the vocabulary is the protocol's ---------------------------------------------------------


def test_the_fields_are_exactly_those_of_protocols_section_1() -> None:
    assert set(Profile.model_fields) == set(MINIMAL) | set(PROTOCOL_DEFAULTS)
    required = {name for name, info in Profile.model_fields.items() if info.is_required()}
    assert required == set(MINIMAL)


def test_the_strategy_tables_agree_with_the_model() -> None:
    fields = profile_fields()
    assert {n for n, s in fields.items() if s.kind is FieldKind.CHOICE} == set(PROFILE_CHOICES)
    for name, values in PROFILE_CHOICES.items():
        assert fields[name].choices == values, name
    assert {n for n, s in fields.items() if s.kind is FieldKind.BOOLEAN} == set(PROFILE_FLAGS)
    assert {n for n, s in fields.items() if s.kind is FieldKind.INTEGER} == {
        "age",
        *PROFILE_COUNTS,
    }


def test_every_default_is_the_protocol_default() -> None:
    profile = parse_profile(MINIMAL)
    assert profile.model_dump() == {**MINIMAL, **PROTOCOL_DEFAULTS}
    for name, default in PROTOCOL_DEFAULTS.items():
        value = getattr(profile, name)
        assert value == default and type(value) is type(default), name


def test_a_given_value_replaces_the_default() -> None:
    given_values = {
        "pregnant": True,
        "has_id_document": False,
        "has_shelter": False,
        "employment": "employed",
        "children_unregistered": 2,
        "origin_municipality": "05001",
    }
    profile = parse_profile(with_changes(**given_values))
    for name, value in given_values.items():
        assert getattr(profile, name) == value


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in PROFILE_CHOICES.items() for value in values],
)
def test_every_allowed_word_is_accepted(name: str, value: str) -> None:
    assert getattr(parse_profile(with_changes(**{name: value})), name) == value


@pytest.mark.parametrize("name", sorted(PROFILE_CHOICES))
def test_a_word_outside_the_list_names_the_field_and_the_allowed_words(name: str) -> None:
    error = refusal(with_changes(**{name: "zorblax_value"}))
    (problem,) = error.problems
    assert problem.field == name
    for allowed in PROFILE_CHOICES[name]:
        assert f"'{allowed}'" in problem.message
    assert_no_leak(error, "zorblax")


@pytest.mark.parametrize("age", [0, 17, 18, 120])
def test_ages_from_0_to_120_are_accepted(age: int) -> None:
    assert parse_profile(with_changes(age=age)).age == age


def test_numbers_may_be_fractions_or_whole() -> None:
    profile = parse_profile(with_changes(years_abroad=3, months_since_return=0.25))
    assert profile.years_abroad == 3.0
    assert profile.months_since_return == 0.25


def test_municipality_of_origin_may_be_null_or_another_department() -> None:
    assert parse_profile(with_changes(origin_municipality=None)).origin_municipality is None
    assert parse_profile(with_changes(origin_municipality="76001")).origin_municipality == "76001"


# --- refused profiles -------------------------------------------------------------------------

# (case id, profile, field named, words in the message, submitted values that must not leak)
BAD_PROFILES: list[tuple[str, dict[str, Any], str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "unknown field, near miss",
        with_changes(pregnat=True),
        "pregnat",
        ("unknown field", "did you mean 'pregnant'?"),
        (),
    ),
    (
        "unknown field holding personal data",
        with_changes(notes="Quintiliano Aristizábal, cédula 79123456"),
        "notes",
        ("unknown field",),
        ("Quintiliano", "79123456"),
    ),
    ("age as text", with_changes(age="8317"), "age", ("whole number",), ("8317",)),
    ("age as a fraction", with_changes(age=33.5), "age", ("whole number",), ("33.5",)),
    ("age as yes/no", with_changes(age=True), "age", ("whole number",), ("True", "true")),
    ("age over 120", with_changes(age=7391), "age", ("at most 120",), ("7391",)),
    ("negative age", with_changes(age=-6143), "age", ("at least 0",), ("6143",)),
    (
        "negative years abroad",
        with_changes(years_abroad=-2.75),
        "years_abroad",
        ("at least 0",),
        ("2.75",),
    ),
    (
        "years abroad as text",
        with_changes(years_abroad="3.75"),
        "years_abroad",
        ("number",),
        ("3.75",),
    ),
    (
        "months since return not a number",
        with_changes(months_since_return=float("nan")),
        "months_since_return",
        ("finite number",),
        ("nan",),
    ),
    (
        "too many children",
        with_changes(children_unregistered=4729),
        "children_unregistered",
        ("at most 30",),
        ("4729",),
    ),
    (
        "yes/no as text",
        with_changes(pregnant="sí, 7 meses"),
        "pregnant",
        ("true or false",),
        ("7 meses",),
    ),
    ("yes/no as a number", with_changes(disability=1), "disability", ("true or false",), ()),
    (
        "word outside the list",
        with_changes(return_kind="deportada_xq"),
        "return_kind",
        ("'voluntary', 'deported' or 'expelled'",),
        ("deportada_xq",),
    ),
    (
        "municipality in another department",
        with_changes(department="54", municipality="11769"),
        "municipality",
        ("first two digits must equal the department code",),
        ("11769",),
    ),
    (
        "unknown department 00",
        with_changes(department="00", municipality="05417"),
        "department",
        ("not a DIVIPOLA department code", "05", "99"),
        ("05417", "'00'"),
    ),
    (
        "department with one digit",
        with_changes(department="7", municipality="76001"),
        "department",
        ("must be a 2-digit DIVIPOLA code written as text", 'e.g. "54"'),
        ("'7'",),
    ),
    (
        "department as a number",
        with_changes(department=9713),
        "department",
        ("text",),
        ("9713",),
    ),
    (
        "municipality with letters",
        with_changes(municipality="9q9q9"),
        "municipality",
        ("must be a 5-digit DIVIPOLA code written as text", 'e.g. "54001"'),
        ("9q9q9",),
    ),
    (
        "origin municipality too short",
        with_changes(origin_municipality="8642"),
        "origin_municipality",
        ("must be a 5-digit DIVIPOLA code written as text", 'e.g. "54001"'),
        ("8642",),
    ),
    (
        "origin municipality in no department",
        with_changes(origin_municipality="00999"),
        "origin_municipality",
        ("first two digits are not a DIVIPOLA department code",),
        ("00999",),
    ),
    (
        "origin municipality as a number",
        with_changes(origin_municipality=68307),
        "origin_municipality",
        ("text",),
        ("68307",),
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "words", "secrets"),
    [
        pytest.param(data, field, words, secrets, id=case)
        for case, data, field, words, secrets in BAD_PROFILES
    ],
)
def test_a_bad_profile_names_the_field_and_never_the_value(
    data: dict[str, Any], field: str, words: tuple[str, ...], secrets: tuple[str, ...]
) -> None:
    error = refusal(data)
    (problem,) = error.problems
    assert problem.field == field
    for word in words:
        assert word in problem.message
    assert str(error) == f"the profile is invalid: {field}: {problem.message}"
    assert_no_leak(error, *secrets)


@pytest.mark.parametrize("missing", sorted(MINIMAL))
def test_each_missing_required_field_is_named(missing: str) -> None:
    data = {name: value for name, value in MINIMAL.items() if name != missing}
    (problem,) = refusal(data).problems
    assert problem == FieldProblem(missing, "this field is required")


def test_all_missing_required_fields_are_named_at_once() -> None:
    error = refusal({"pregnant": True})
    assert sorted(p.field for p in error.problems) == sorted(MINIMAL)
    assert all(p.message == "this field is required" for p in error.problems)


def test_every_problem_is_reported_at_once() -> None:
    error = refusal(with_changes(age=7391, return_kind="deportada_xq", pregnat=True))
    assert sorted(p.field for p in error.problems) == ["age", "pregnat", "return_kind"]
    assert_no_leak(error, "7391", "deportada_xq")


@pytest.mark.parametrize(
    "data",
    [None, [], ["age", 30], "edad=30; nombre=Quintiliano", 30, b"{}"],
    ids=["null", "empty list", "list", "text", "number", "bytes"],
)
def test_something_other_than_an_object_is_refused(data: Any) -> None:
    error = refusal(data)
    assert error.problems == [FieldProblem("profile", "must be an object of profile fields")]
    assert_no_leak(error, "Quintiliano")


def test_profile_errors_belong_to_the_engine_error_family() -> None:
    error = refusal({})
    assert isinstance(error, RutaEngineError)
    assert not isinstance(error, ValidationError)


# --- the model itself -------------------------------------------------------------------------


def test_a_profile_is_immutable() -> None:
    profile = parse_profile(MINIMAL)
    with pytest.raises(ValidationError):
        profile.age = 35  # type: ignore[misc]
    with pytest.raises(ValidationError):
        profile.pregnant = True  # type: ignore[misc]
    assert profile.age == 34 and profile.pregnant is False
    assert hash(profile) == hash(parse_profile(dict(MINIMAL)))


def test_a_profile_passes_through_parse_profile_unchanged() -> None:
    profile = parse_profile(MINIMAL)
    assert parse_profile(profile) is profile


def test_the_model_is_strict_about_types() -> None:
    """No silent conversion: "22" is not an age, 1 is not yes, 54 is not a department."""
    for changes in ({"age": "22"}, {"pregnant": 1}, {"department": 54}, {"age": 22.0}):
        with pytest.raises(ProfileError):
            parse_profile(with_changes(**changes))


# --- properties -------------------------------------------------------------------------------


@given(profiles())
def test_every_profile_the_protocol_allows_is_accepted_and_round_trips(
    data: dict[str, Any],
) -> None:
    profile = parse_profile(data)
    assert Profile(**profile.model_dump()) == profile
    assert parse_profile(profile.model_dump(mode="json")) == profile
    for name, value in data.items():
        assert getattr(profile, name) == value, name
    for name, default in PROTOCOL_DEFAULTS.items():
        if name not in data:
            assert getattr(profile, name) == default, name


@given(profiles(), st.data())
def test_a_bad_value_in_any_field_is_named_and_never_shown(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    name = draw.draw(st.sampled_from(sorted(Profile.model_fields)), label="field")
    secret = draw.draw(
        st.one_of(
            st.integers(0, 9999).map(lambda n: f"qz{n}secret"),
            st.integers(5_000_000, 5_999_999),
        ),
        label="bad value",
    )
    error = refusal({**data, name: secret})
    (problem,) = error.problems
    assert problem.field == name
    assert problem.message
    assert_no_leak(error, str(secret))


def test_every_bad_code_is_reported_in_one_go() -> None:
    """Department, municipality and origin are each checked on their own, so one submission
    lists all three faults instead of revealing them one at a time."""
    with pytest.raises(ProfileError) as refused:
        parse_profile(
            with_changes(department="00", municipality="00417", origin_municipality="00931")
        )
    assert sorted(p.field for p in refused.value.problems) == [
        "department",
        "municipality",
        "origin_municipality",
    ]


def test_an_unknown_key_that_is_not_a_field_name_is_not_echoed() -> None:
    with pytest.raises(ProfileError) as refused:
        parse_profile({**with_changes(), "María Rodríguez": "x"})
    assert "María" not in str(refused.value)
    assert [p.field for p in refused.value.problems] == ["(unknown field)"]


def test_every_problem_is_told_in_spanish_too() -> None:
    """Caseworkers read these messages: each has a Spanish text (the default language)."""
    with pytest.raises(ProfileError) as refused:
        parse_profile(
            {
                "age": 7391,
                "department": "00",
                "municipality": "0000x",
                "years_abroad": "many",
                "return_kind": "voluntari",
                "pregnat": True,
                "has_funds": 3,
            }
        )
    spanish = {p.field: p.message_es for p in refused.value.problems}
    assert spanish == {
        "age": "debe ser como máximo 120",
        "department": spanish["department"],
        "municipality": (
            'debe ser un código DIVIPOLA de 5 dígitos escrito como texto, p. ej. "54001"'
        ),
        "years_abroad": "debe ser un número",
        "months_since_return": "este campo es obligatorio",
        "return_kind": "debe ser uno de 'voluntary', 'deported' o 'expelled'",
        "has_funds": "debe ser verdadero (true) o falso (false)",
        "pregnat": "campo desconocido: el perfil no tiene este campo (¿quiso decir 'pregnant'?)",
    }
    assert spanish["department"].startswith("no es un código de departamento DIVIPOLA")
    assert all(p.message_es for p in refused.value.problems)
