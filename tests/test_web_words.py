"""The names the pages give to codes come from the packages that own them: areas and
priorities from the engine's keys, reach levels from the network, choices from the profile
schema; a code nobody named yet is shown as it is rather than breaking the page."""

from __future__ import annotations

from engine import AREA_KEYS, PRIORITY_KEYS
from network import Level
from texts import LANGUAGES, text
from web.policy_words import area_label, priority_label
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
