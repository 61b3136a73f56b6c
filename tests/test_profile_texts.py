"""The profile's own words come from the catalogues: its field labels, and what its checks say
about a department or municipality code, each keyed by the check (not found by matching the
start of an English sentence)."""

from __future__ import annotations

from typing import Any

import pytest

from engine import DEPARTMENTS, Profile, ProfileError, parse_profile, profile_fields
from texts import LANGUAGES, catalogue

#: A valid profile with only the fields that have no default.
MINIMAL: dict[str, Any] = {
    "age": 34,
    "department": "54",
    "municipality": "54001",
    "years_abroad": 4,
    "months_since_return": 0.5,
    "return_kind": "deported",
}


def written(key: str, language: str) -> str:
    """The text a translator wrote for ``key``, read straight from the ``.po`` file."""
    found = catalogue(language).get(key)
    assert found is not None, key
    return str(found.string)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_field_label_is_the_catalogues(language: str) -> None:
    schema = Profile.model_json_schema()["properties"]
    assert set(schema) == set(Profile.model_fields)
    for name, spec in schema.items():
        assert spec["labels"][language] == written(f"profile.field.{name}", language)


def _problem(**changes: Any) -> tuple[str, str, str]:
    with pytest.raises(ProfileError) as refused:
        parse_profile({**MINIMAL, **changes})
    (problem,) = refused.value.problems
    return problem.field, problem.message, problem.message_es


def test_an_unknown_department_is_told_in_the_catalogues_words() -> None:
    codes = ", ".join(DEPARTMENTS)
    assert _problem(department="00", municipality="05417") == (
        "department",
        written("profile.unknown_department", "en").format(departments=codes),
        written("profile.unknown_department", "es").format(departments=codes),
    )


def test_a_municipality_of_another_department_names_the_municipality() -> None:
    assert _problem(department="54", municipality="11769") == (
        "municipality",
        written("profile.department_mismatch", "en"),
        written("profile.department_mismatch", "es"),
    )


def test_a_municipality_of_origin_in_no_department_is_told_in_both_languages() -> None:
    assert _problem(origin_municipality="00999") == (
        "origin_municipality",
        written("profile.unknown_department_prefix", "en"),
        written("profile.unknown_department_prefix", "es"),
    )


def test_a_misspelt_field_is_told_with_a_guess_in_both_languages() -> None:
    assert _problem(pregnat=True) == (
        "pregnat",
        written("profile.unknown_field_did_you_mean", "en").format(suggestion="pregnant"),
        written("profile.unknown_field_did_you_mean", "es").format(suggestion="pregnant"),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_answer_of_a_choice_is_named_in_the_catalogues(language: str) -> None:
    """Each value a multiple-choice field of the vocabulary allows has a name written by a
    translator, and the profile schema serves exactly that name."""
    properties = Profile.model_json_schema()["properties"]
    choices = {name: spec.choices for name, spec in profile_fields().items() if spec.choices}
    assert choices
    for name, values in choices.items():
        served = properties[name]["value_labels"][language]
        assert set(served) == {str(v) for v in values}, name
        for value in values:
            assert served[str(value)] == written(f"profile.value.{name}.{value}", language)
