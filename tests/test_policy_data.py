"""The roadmap's order and the referral preferences are the rule base's data (``base.yaml``).

Policy staff change them by editing the rule base, which is versioned and published like its
rules; the engine orders roadmaps as the rule base in use says, and the partner network, loaded
once, chooses targets under the referral preference of whichever rule base answers, so a rule
base published while the service runs changes the referrals without reloading the network.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import pytest

from api import examples
from api.recommend import recommendation
from engine import (
    Area,
    Priority,
    ReferenceEvaluator,
    ReferralPreference,
    RuleBase,
    RuleEngine,
    default_rules_dir,
    rule_base_from_data,
)
from engine.loader import CATALOGUE_FILE, MANIFEST_FILE
from engine.yaml_source import read_yaml
from network import Network, load_network
from network.models import Institution, Serves
from strategies import random_profiles

DAY = date(2026, 11, 27)
SHELTER = "HUM_TEMPORARY_SHELTER"
#: A man deported to Cúcuta, without shelter or money: urgent humanitarian services.
CUCUTA: dict[str, Any] = examples.RECOMMENDATION_REQUEST["profile"]
DEFAULT_ORDER = ["humanitarian", "legal", "health", "education", "income"]


@cache
def _documents() -> tuple[dict[str, Any], Any, dict[str, Any]]:
    folder = default_rules_dir()
    manifest, _ = read_yaml(folder / MANIFEST_FILE, MANIFEST_FILE)
    catalogue, _ = read_yaml(folder / CATALOGUE_FILE, CATALOGUE_FILE)
    files = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name not in (MANIFEST_FILE, CATALOGUE_FILE):
            files[path.name], _ = read_yaml(path, path.name)
    return dict(manifest), catalogue, files


def _rule_base(**manifest_changes: Any) -> RuleBase:
    """The default rule base with keys of ``base.yaml`` changed (``None`` removes a key)."""
    manifest, catalogue, files = _documents()
    changed = {**manifest, **manifest_changes}
    return rule_base_from_data(
        {k: v for k, v in changed.items() if v is not None}, catalogue, files
    )


@cache
def _default() -> RuleBase:
    return _rule_base()


# --- the roadmap's order ----------------------------------------------------------------------


def test_the_default_order_is_the_protocols() -> None:
    assert [a.value for a in _default().manifest.roadmap.area_order] == DEFAULT_ORDER


def test_the_roadmap_follows_the_order_of_the_rule_base_in_use() -> None:
    reversed_order = list(reversed(DEFAULT_ORDER))
    income_first = _rule_base(roadmap={"area_order": reversed_order})
    profiles = random_profiles(random.Random(21), 200)
    reordered = 0
    with RuleEngine(_default()) as default, RuleEngine(income_first) as other:
        reference = ReferenceEvaluator(income_first)
        for profile in profiles:
            before = default.evaluate(profile, DAY).services
            after = other.evaluate(profile, DAY)
            assert after == reference.evaluate(profile, DAY)
            # The same services at the same priorities, within a priority in the new order.
            assert sorted(s.code for s in after.services) == sorted(s.code for s in before)
            for priority in Priority:
                areas = [s.area.value for s in after.services if s.priority is priority]
                assert areas == sorted(areas, key=reversed_order.index)
            reordered += [s.code for s in after.services] != [s.code for s in before]
    assert reordered > 20, "the order of areas should change many roadmaps"


def test_the_order_is_part_of_the_rule_base_version() -> None:
    swapped = _rule_base(
        roadmap={"area_order": ["humanitarian", "health", "legal", "education", "income"]}
    )
    assert swapped.hash != _default().hash
    assert swapped.area_rank[Area.HEALTH] < swapped.area_rank[Area.LEGAL]


# --- the referral preference ------------------------------------------------------------------


def test_the_default_preference_is_the_border_hogar_de_paso() -> None:
    (choice,) = _default().referral_preference.first_choices
    assert choice.tag == "hogar_de_paso"
    assert choice.departments == {"54", "52"}
    assert choice.services == {
        s.code for s in _default().catalogue.services if s.area is Area.HUMANITARIAN
    }
    assert "Hogar de Paso" in choice.reason.es and "Hogar de Paso" in choice.reason.en


def test_every_preferred_tag_is_carried_by_an_institution_of_the_default_network() -> None:
    tags = {tag for i in load_network().data.institutions for tag in i.tags}
    for choice in _default().referral_preference.first_choices:
        assert choice.tag in tags, f"no institution carries the tag {choice.tag}"


def test_a_rule_base_without_referral_preferences_has_none() -> None:
    plain = _rule_base(referrals=None)
    assert plain.referral_preference == ReferralPreference()
    assert plain.hash != _default().hash


def _shelter(ident: str, serves: Serves, capacity: int, tags: list[str]) -> Institution:
    return Institution(
        id=ident,
        name=ident,
        kind="ngo",
        services=[SHELTER],
        serves=serves,
        municipality="54001",
        weekly_capacity=capacity,
        tags=tags,
        status="illustrative",
    )


@pytest.fixture(scope="module")
def network() -> Network:
    """The default geography and offices, with two shelters in Cúcuta: a large one serving the
    city, and a Hogar de Paso serving the whole department (a lower level, less capacity)."""
    data = load_network().data
    shelters = (
        _shelter("big-shelter", Serves(municipalities=["54001"]), 80, []),
        _shelter("hogar", Serves(departments=["54"]), 10, ["hogar_de_paso"]),
    )
    return Network(replace(data, institutions=shelters))


def _shelter_targets(engine: RuleEngine, network: Network) -> list[str]:
    answer = recommendation(engine, network, CUCUTA, DAY, "en", 2)
    (shelter,) = [s for s in answer["services"] if s["code"] == SHELTER]
    return [f"{t['institution_id']}: {t['reason']}" for t in shelter["targets"]]


def test_dropping_the_preference_from_the_rule_base_changes_the_ranking(
    network: Network,
) -> None:
    with RuleEngine(_default()) as default, RuleEngine(_rule_base(referrals=None)) as plain:
        assert _shelter_targets(default, network) == [
            "hogar: border Hogar de Paso; serves the department of Norte de Santander",
            "big-shelter: serves Cúcuta",
        ]
        assert _shelter_targets(plain, network) == [
            "big-shelter: serves Cúcuta",
            "hogar: serves the department of Norte de Santander",
        ]


def test_one_network_follows_each_rule_base_in_turn(network: Network) -> None:
    """Rule bases swapped while the network stays loaded: the selections it keeps are kept per
    preference, so no answer of one rule base is given under another."""
    inland = _rule_base(
        referrals={
            "first_choice": [
                {
                    "tag": "hogar_de_paso",
                    "areas": ["humanitarian"],
                    "departments": ["68"],
                    "reason": {"es": "Hogar de Paso", "en": "Hogar de Paso"},
                }
            ]
        }
    )
    engines = [RuleEngine(_default()), RuleEngine(_rule_base(referrals=None)), RuleEngine(inland)]
    try:
        first = [_shelter_targets(engine, network)[0].split(":")[0] for engine in engines]
        assert first == ["hogar", "big-shelter", "big-shelter"]
        for engine, expected in zip(engines * 3, first * 3, strict=True):
            assert _shelter_targets(engine, network)[0].split(":")[0] == expected
        for engine in engines:
            preference = engine.rule_base.referral_preference
            selection = network.select_targets(SHELTER, "54001", 2, preference=preference)
            assert selection.targets[0].institution.id == first[engines.index(engine)]
    finally:
        for engine in engines:
            engine.close()


def test_the_reason_given_is_the_rule_base_s_wording() -> None:
    reworded = _rule_base(
        referrals={
            "first_choice": [
                {
                    "tag": "hogar_de_paso",
                    "areas": ["humanitarian"],
                    "departments": ["54", "52"],
                    "reason": {
                        "es": "Primera opción en frontera",
                        "en": "first choice at the border",
                    },
                }
            ]
        }
    )
    network = load_network()
    with RuleEngine(reworded) as engine:
        answer = recommendation(engine, network, CUCUTA, DAY, "es", 1)
    (shelter,) = [s for s in answer["services"] if s["code"] == SHELTER]
    assert shelter["targets"][0]["institution_id"] == "centro-migraciones-cucuta"
    assert shelter["targets"][0]["reason"].startswith("Primera opción en frontera; atiende en")
