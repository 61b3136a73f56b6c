"""The default rule base encodes protocols.md rule for rule: ids, effects, statuses, sources."""

from __future__ import annotations

import pytest

from engine import Area, RuleBase, RuleStatus, default_rules_dir

# protocols.md §3: rule id → (recommended service → priority, status).
PROTOCOLS: dict[str, tuple[dict[str, str], str]] = {
    "P01": ({"LEGAL_RUR_REGISTRATION": "normal"}, "in_force"),
    "P02": ({"LEGAL_RUR_WAIVER": "normal"}, "in_force"),
    "P03": ({}, "in_force"),
    "P04": ({"LEGAL_CUSTOMS_EXEMPTION": "high"}, "in_force"),
    "P05": ({"LEGAL_CAPITAL_EXEMPTION": "normal"}, "in_force"),
    "P06": ({"INCOME_PRODUCTIVE_PROJECT": "normal"}, "in_force"),
    "P07": ({"INCOME_CREDIT": "normal"}, "illustrative"),
    "P08": ({"HUM_CHILD_PROTECTION": "urgent"}, "in_force"),
    "P09": ({"LEGAL_PROTECTION": "urgent"}, "in_force"),
    "P10": ({"LEGAL_VICTIMS_UNIT": "high"}, "in_force"),
    "P11": ({"LEGAL_VICTIM_DECLARATION": "high"}, "in_force"),
    "P12": ({"LEGAL_ID_DOCUMENTS": "high"}, "in_force"),
    "P13": ({"LEGAL_ID_DOCUMENTS": "high"}, "in_force"),
    "P14": ({"LEGAL_AID": "normal"}, "in_force"),
    "P15": ({"HEALTH_SUBSIDIZED_ENROLLMENT": "normal"}, "in_force"),
    "P16": ({"HEALTH_SUBSIDIZED_ENROLLMENT": "high"}, "in_force"),
    "P17": ({"HEALTH_URGENT_CARE": "urgent"}, "in_force"),
    "P18": ({"HEALTH_MATERNAL_CARE": "high"}, "in_force"),
    "P19": ({"HEALTH_PSYCHOSOCIAL": "normal"}, "in_force"),
    "P20": ({"EDU_SCHOOL_ENROLLMENT": "high"}, "in_force"),
    "P21": ({"EDU_SCHOOL_CONVALIDATION": "normal"}, "in_force"),
    "P22": ({"EDU_DEGREE_CONVALIDATION": "normal"}, "in_force"),
    "P23": ({"EDU_VOCATIONAL_TRAINING": "normal"}, "in_force"),
    "P24": ({"INCOME_JOB_PLACEMENT": "normal"}, "in_force"),
    "P25": ({"INCOME_SKILLS_CERTIFICATION": "normal"}, "in_force"),
    "P26": ({"INCOME_ENTREPRENEURSHIP": "normal"}, "in_force"),
    "P27": ({"HUM_TEMPORARY_SHELTER": "urgent"}, "in_force"),
    "P28": ({"HUM_FOOD_AID": "high"}, "in_force"),
    "P29": ({"HUM_TRANSPORT_ORIGIN": "normal"}, "illustrative"),
    "P30": ({"HUM_EMERGENCY_KIT": "high"}, "illustrative"),
    "P31": ({"HUM_EMERGENCY_KIT": "high"}, "in_force"),
    "P32": ({"HUM_FOOD_AID": "urgent"}, "in_force"),
}

# protocols.md: the instrument each rule's legal basis must cite.
CITED = {
    "P01": "Ley 1565 de 2012",
    "P02": "Ley 1565 de 2012",
    "P03": "Ley 1565 de 2012",
    "P04": "Ley 1565 de 2012",
    "P05": "Ley 1565 de 2012",
    "P06": "Ley 1565 de 2012",
    "P08": "Ley 2136 de 2021",
    "P10": "Ley 1448 de 2011",
    "P11": "Ley 1448 de 2011",
    "P22": "Resolución 10687 de 2019",
}

# protocols.md §2, in order: code → area.
CATALOGUE = {
    "HEALTH_SUBSIDIZED_ENROLLMENT": "health",
    "HEALTH_URGENT_CARE": "health",
    "HEALTH_MATERNAL_CARE": "health",
    "HEALTH_PSYCHOSOCIAL": "health",
    "EDU_SCHOOL_ENROLLMENT": "education",
    "EDU_SCHOOL_CONVALIDATION": "education",
    "EDU_DEGREE_CONVALIDATION": "education",
    "EDU_VOCATIONAL_TRAINING": "education",
    "LEGAL_RUR_REGISTRATION": "legal",
    "LEGAL_RUR_WAIVER": "legal",
    "LEGAL_CUSTOMS_EXEMPTION": "legal",
    "LEGAL_CAPITAL_EXEMPTION": "legal",
    "LEGAL_ID_DOCUMENTS": "legal",
    "LEGAL_VICTIMS_UNIT": "legal",
    "LEGAL_VICTIM_DECLARATION": "legal",
    "LEGAL_AID": "legal",
    "LEGAL_PROTECTION": "legal",
    "INCOME_JOB_PLACEMENT": "income",
    "INCOME_SKILLS_CERTIFICATION": "income",
    "INCOME_ENTREPRENEURSHIP": "income",
    "INCOME_PRODUCTIVE_PROJECT": "income",
    "INCOME_CREDIT": "income",
    "HUM_TEMPORARY_SHELTER": "humanitarian",
    "HUM_FOOD_AID": "humanitarian",
    "HUM_TRANSPORT_ORIGIN": "humanitarian",
    "HUM_CHILD_PROTECTION": "humanitarian",
    "HUM_EMERGENCY_KIT": "humanitarian",
}

LEY_RETORNO = {
    "LEGAL_RUR_REGISTRATION",
    "LEGAL_RUR_WAIVER",
    "LEGAL_CUSTOMS_EXEMPTION",
    "LEGAL_CAPITAL_EXEMPTION",
    "INCOME_PRODUCTIVE_PROJECT",
    "INCOME_CREDIT",
}


def test_every_protocol_is_encoded_once_and_nothing_else(rule_base: RuleBase) -> None:
    assert sorted(r.id for r in rule_base.rules) == sorted(PROTOCOLS)


@pytest.mark.parametrize("rule_id", sorted(PROTOCOLS))
def test_rule_effects_and_status_follow_the_protocol(rule_base: RuleBase, rule_id: str) -> None:
    rule = rule_base.rules_by_id[rule_id]
    services, status = PROTOCOLS[rule_id]
    assert {r.service: r.priority.value for r in rule.recommend} == services
    assert rule.status is RuleStatus(status)
    assert rule.title.es and rule.title.en
    if rule_id in CITED:
        assert CITED[rule_id] in [basis.instrument for basis in rule.legal_basis]


def test_p03_suppresses_exactly_the_ley_retorno_services(rule_base: RuleBase) -> None:
    suppression = rule_base.rules_by_id["P03"].suppress
    assert suppression is not None
    removed = {
        code for code, area in rule_base.service_areas.items() if suppression.removes(code, area)
    }
    assert removed == LEY_RETORNO


def test_p08_stops_the_adult_route_but_keeps_documents_and_protection(rule_base: RuleBase) -> None:
    suppression = rule_base.rules_by_id["P08"].suppress
    assert suppression is not None
    removed = {
        code for code, area in rule_base.service_areas.items() if suppression.removes(code, area)
    }
    expected = {code for code, area in CATALOGUE.items() if area in ("income", "legal")} - {
        "LEGAL_ID_DOCUMENTS",
        "LEGAL_PROTECTION",
    }
    assert removed == expected


def test_only_the_border_reception_is_regional(rule_base: RuleBase) -> None:
    regional = {r.id: r.regions for r in rule_base.rules if r.regions is not None}
    assert list(regional) == ["P30"]
    assert sorted(regional["P30"].departments) == ["52", "54"]


def test_p22_note_is_conditional_and_bilingual(rule_base: RuleBase) -> None:
    (recommendation,) = rule_base.rules_by_id["P22"].recommend
    (note,) = recommendation.notes
    assert note.when is not None
    assert "180" in note.text.es and "180" in note.text.en


def test_catalogue_is_protocols_section_2(rule_base: RuleBase) -> None:
    assert {s.code: s.area.value for s in rule_base.catalogue.services} == CATALOGUE
    assert [s.code for s in rule_base.catalogue.services] == list(CATALOGUE)
    for service in rule_base.catalogue.services:
        assert service.label.es.strip() and service.label.en.strip()
        assert service.label.es != service.label.en or service.code == ""


def test_every_area_has_services(rule_base: RuleBase) -> None:
    assert {s.area for s in rule_base.catalogue.services} == set(Area)


def test_hash_identifies_content_and_is_stable(rule_base: RuleBase) -> None:
    from engine import load_rule_base

    again = load_rule_base()
    assert again.hash == rule_base.hash
    assert len(rule_base.hash) == 64
    assert rule_base.version == "2026.11"


def test_each_rule_knows_the_file_and_line_it_was_written_at(rule_base: RuleBase) -> None:
    source = rule_base.source_of("P30")
    assert source is not None and source.file == "humanitarian.yaml"
    lines = (default_rules_dir() / source.file).read_text(encoding="utf-8").splitlines()
    assert source.line is not None and "id: P30" in lines[source.line - 1]
    assert rule_base.source_of("P99") is None


def test_a_rule_base_survives_pickling_as_the_simulation_workers_receive_it(
    rule_base: RuleBase,
) -> None:
    """The simulation sends rule bases to its worker processes by pickling them."""
    import pickle

    copy = pickle.loads(pickle.dumps(rule_base))
    assert copy.hash == rule_base.hash
    assert copy.layout == rule_base.layout
    assert dict(copy.groups) == dict(rule_base.groups)
    with pytest.raises(TypeError):
        copy.groups["new.yaml"] = copy.groups["health.yaml"]
