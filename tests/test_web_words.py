"""The names the pages give to codes come from the packages that own them: areas and
priorities from the engine's keys, reach levels from the network, choices from the profile
schema; a code nobody named yet is shown as it is rather than breaking the page."""

from __future__ import annotations

from typing import Any

from engine import AREA_KEYS, PRIORITY_KEYS, Profile
from network import Level
from texts import LANGUAGES, text
from web.api_calls import ApiAnswer, in_language
from web.conditions import describe
from web.form_problems import PROFILE, form_problems
from web.policy_words import area_label, priority_label
from web.profile_form import questions
from web.reach_levels import reach_level, reach_levels


def test_area_and_priority_names_are_the_engines() -> None:
    for language in LANGUAGES:
        for area, key in AREA_KEYS.items():
            assert area_label(str(area), language) == text(key, language)
        for priority, key in PRIORITY_KEYS.items():
            assert priority_label(str(priority), language) == text(key, language)


def test_an_unknown_area_or_priority_is_shown_by_its_code() -> None:
    assert area_label("housing", "es") == "housing"
    assert priority_label("someday", "en") == "someday"


def test_every_network_level_is_drawn_with_the_networks_name() -> None:
    for language in LANGUAGES:
        drawn = reach_levels(language)
        assert list(drawn) == [level.name.lower() for level in Level]
        for level in Level:
            shown = drawn[level.name.lower()]
            assert shown.name.lower() == level.label.get(language).lower()
            assert shown.css == f"reach-{level.name.lower()}"


def test_a_level_the_pages_do_not_know_falls_back_to_its_code() -> None:
    shown = reach_level("orbit", "es")
    assert (shown.name, shown.css) == ("orbit", "reach-other")


def test_a_choice_is_named_as_the_profile_schema_names_it_or_by_its_value() -> None:
    schema = Profile.model_json_schema()
    for language in LANGUAGES:
        asked = {q.name: q for q in questions(schema, language)}
        for value in asked["employment"].choices:
            served = schema["properties"]["employment"]["value_labels"][language][value]
            assert asked["employment"].choice_label(value) == served
    newer = {"properties": {"tenure": {"enum": ["owner", "tenant"], "labels": {"es": "Vivienda"}}}}
    (question,) = questions(newer, "es")
    assert [question.choice_label(v) for v in question.choices] == ["owner", "tenant"]


def test_api_problems_are_shown_by_the_form_field_they_name() -> None:
    problem: dict[str, Any] = {
        "code": "invalid",
        "message": "Wrong",
        "message_es": "Mal",
        "problems": [],
    }
    named = ["body.profile.age", "body.person.name", "query.since", "rules[0].when", "body"]
    problem["problems"] = [
        {"field": f, "message": f"{f} wrong", "message_es": f"{f} mal"} for f in named
    ]
    answer = ApiAnswer(422, {"error": problem})
    assert form_problems(answer, "es", within=PROFILE, names={"person.name": "person_name"}) == {
        "age": ["body.profile.age mal"],
        "person_name": ["body.person.name mal"],
        "since": ["query.since mal"],
        "rules": ["rules[0].when mal"],
        "body": ["body mal"],
    }
    assert form_problems(answer, "en")["profile"] == ["body.profile.age wrong"]
    assert answer.message("es") == "Mal" and in_language(problem, "en") == "Wrong"


def test_a_test_is_one_sentence_of_the_catalogue_per_operator() -> None:
    labels = {"age": "Edad", "years_abroad": "Años fuera"}
    assert describe({"field": "age", "op": ">=", "value": 18}, labels, "es").words == (
        "Edad es al menos 18"
    )
    assert describe({"field": "age", "op": "is_null"}, labels, "en").words == "Edad is not known"
    compared = {"field": "age", "op": "<", "other_field": "years_abroad"}
    assert describe(compared, labels, "en").words == "Edad is less than Años fuera"
