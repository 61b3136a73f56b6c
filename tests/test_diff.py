"""What changed between two rule bases: examples policy staff meet, and properties for all bases.

The properties use oracles written here, independent of engine/diff.py: applying the reported
changes (as the module documents them) to the old rules gives the new ones; a base compared
with itself shows nothing; comparing the other way round shows every change reversed; and the
comparison is empty exactly when the two hashes are equal.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from functools import cache
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine import (
    Change,
    RuleBase,
    RuleBaseDiff,
    RuleBaseDocuments,
    RuleBaseError,
    diff_rule_bases,
)
from strategies import RULE_FILES, catalogue_codes, rule_base_documents, rule_dicts
from strategies import tests as condition_tests

#: Random rule bases are slow to draw (~0.1 s each): a quarter of the usual examples.
EXAMPLES = max(10, settings().max_examples // 4)


@cache
def shipped_documents() -> RuleBaseDocuments:
    return RuleBaseDocuments.from_directory()


@pytest.fixture(scope="module")
def shipped() -> RuleBaseDocuments:
    return shipped_documents()


def edited_rule(documents: RuleBaseDocuments, rule_id: str) -> dict[str, Any]:
    rule = documents.rule(rule_id)
    assert rule is not None
    return rule


# --- examples -----------------------------------------------------------------------------------


def test_p01_threshold(shipped: RuleBaseDocuments) -> None:
    """P01's years_abroad test is the second of its all-list (rules/ley-retorno.yaml)."""
    rule = edited_rule(shipped, "P01")
    assert rule["when"]["all"][1] == {"field": "years_abroad", "op": ">=", "value": 3}
    rule["when"]["all"][1]["value"] = 4
    diff = diff_rule_bases(shipped, shipped.with_rule("P01", rule))
    assert diff.render("es") == "P01 when.all[1].value: 3 → 4"
    assert diff.render("en") == "P01 when.all[1].value: 3 → 4"
    assert diff.rules_changed == {"P01": (Change("when.all[1].value", 3, 4),)}
    assert json.loads(diff.to_json()) == {
        "from": shipped.to_rule_base().hash,
        "to": shipped.with_rule("P01", rule).to_rule_base().hash,
        "rules": {
            "added": [],
            "removed": [],
            "changed": [
                {"id": "P01", "changes": [{"path": "when.all[1].value", "old": 3, "new": 4}]}
            ],
            "moved": [],
            "reordered": [],
        },
        "catalogue": {"added": [], "removed": [], "changed": [], "reordered": None},
        "manifest": [],
        "files": [],
    }


def test_a_priority_change(shipped: RuleBaseDocuments) -> None:
    rule = edited_rule(shipped, "P01")
    rule["recommend"][0]["priority"] = "high"
    diff = diff_rule_bases(shipped, shipped.with_rule("P01", rule))
    assert diff.render() == "P01 recommend[0].priority: normal → high"


def test_an_inserted_test_reads_as_one_insertion(shipped: RuleBaseDocuments) -> None:
    rule = edited_rule(shipped, "P01")
    rule["when"]["all"].insert(1, {"field": "has_funds", "op": "==", "value": False})
    rule["when"]["all"][2]["value"] = 4  # years_abroad, now third
    diff = diff_rule_bases(shipped, shipped.with_rule("P01", rule))
    assert diff.render("en").splitlines() == [
        "P01 when.all[1]: — → {field: has_funds, op: ==, value: false}",
        "P01 when.all[2].value: 3 → 4",
    ]
    back = diff_rule_bases(shipped.with_rule("P01", rule), shipped)
    assert back.render("en").splitlines() == [
        "P01 when.all[1]: {field: has_funds, op: ==, value: false} → —",
        "P01 when.all[1].value: 4 → 3",
    ]


def test_keys_added_and_removed_and_a_test_that_became_a_list(shipped: RuleBaseDocuments) -> None:
    rule = edited_rule(shipped, "P30")
    rule["effective_to"] = "2027-12-31"
    del rule["regions"]
    before = rule["when"]
    rule["when"] = {"all": [before, {"field": "has_shelter", "op": "==", "value": False}]}
    diff = diff_rule_bases(shipped, shipped.with_rule("P30", rule))
    assert diff.render("en").splitlines() == [
        "P30 effective_to: — → 2027-12-31",
        'P30 regions: {departments: ["54", "52"]} → —',
        "P30 when: {field: months_since_return, op: <, value: 1} → {all: [{field:"
        " months_since_return, op: <, value: 1}, {field: has_shelter, op: ==, value: false}]}",
    ]


def test_rules_added_removed_moved_and_reordered(shipped: RuleBaseDocuments) -> None:
    new_rule = edited_rule(shipped, "P32")
    new_rule["title"] = {"es": "Llegada con menores", "en": "Arrival with children"}
    del new_rule["id"]
    edited = (
        shipped.with_rule("P32.b", new_rule)
        .without_rule("P07")
        .with_rule("P05", edited_rule(shipped, "P05"), file="income.yaml")
    )
    health = edited.files["health.yaml"]
    swapped = [health["rules"][1], health["rules"][0], *health["rules"][2:]]
    edited = RuleBaseDocuments(
        edited.manifest,
        edited.catalogue,
        {**edited.files, "health.yaml": {**health, "rules": swapped}},
    )
    diff = diff_rule_bases(shipped, edited)
    assert [(r.id, r.file) for r in diff.rules_added] == [("P32.b", "humanitarian.yaml")]
    assert diff.rules_added[0].rule == {"id": "P32.b", **new_rule}
    assert [(r.id, r.file) for r in diff.rules_removed] == [("P07", "ley-retorno.yaml")]
    assert diff.rules_changed == {}
    order = ", ".join(r["id"] for r in health["rules"])
    new_order = ", ".join(r["id"] for r in swapped)
    assert diff.render("es").splitlines() == [
        "P32.b: regla nueva en humanitarian.yaml — Llegada con menores",
        "P07: regla retirada de ley-retorno.yaml — Crédito para negocios de retornados",
        "P05: pasa de ley-retorno.yaml a income.yaml",
        f"health.yaml: orden de las reglas {order} → {new_order}",
    ]
    assert diff.render("en").splitlines() == [
        "P32.b: new rule in humanitarian.yaml — Arrival with children",
        "P07: rule removed from ley-retorno.yaml — Business credit",
        "P05: moved from ley-retorno.yaml to income.yaml",
        f"health.yaml: rule order {order} → {new_order}",
    ]
    data = diff.to_data()["rules"]
    assert data["moved"] == [{"id": "P05", "from": "ley-retorno.yaml", "to": "income.yaml"}]
    assert data["reordered"] == [
        {"file": "health.yaml", "old": order.split(", "), "new": new_order.split(", ")}
    ]


def test_catalogue_manifest_and_group_changes(shipped: RuleBaseDocuments) -> None:
    services = copy.deepcopy(shipped.catalogue["services"])
    services[0]["label"]["es"] = "Afiliación a salud"
    services[1], services[2] = services[2], services[1]
    extra = {"code": "HUM_EXTRA", "area": "humanitarian", "label": {"es": "Extra", "en": "Extra"}}
    services.append(extra)
    group = {"es": "Salud y bienestar", "en": "Health"}
    edited = (
        shipped.with_catalogue({"services": services})
        .with_manifest({**shipped.manifest, "version": "2026.12"})
        .with_rule("P32", edited_rule(shipped, "P32"), file="frontera.yaml", group=group)
    )
    health = edited.files["health.yaml"]
    edited = RuleBaseDocuments(
        edited.manifest,
        edited.catalogue,
        {**edited.files, "health.yaml": {**health, "group": group}},
    )
    first, second, third = (s["code"] for s in shipped.catalogue["services"][:3])
    assert diff_rule_bases(shipped, edited).render("en").splitlines() == [
        "P32: moved from humanitarian.yaml to frontera.yaml",
        "catalogue.yaml HEALTH_SUBSIDIZED_ENROLLMENT label.es: Afiliación al régimen subsidiado de"
        " salud → Afiliación a salud",
        "catalogue.yaml HUM_EXTRA: new service (Emergency humanitarian aid) — Extra",
        f"catalogue.yaml: service order {first}, {second}, {third}, "
        + ", ".join(s["code"] for s in shipped.catalogue["services"][3:])
        + f" → {first}, {third}, {second}, "
        + ", ".join(s["code"] for s in shipped.catalogue["services"][3:]),
        'base.yaml version: "2026.11" → "2026.12"',
        "frontera.yaml group: — → {es: Salud y bienestar, en: Health}",
        "health.yaml group.es: Salud → Salud y bienestar",
    ]


def test_no_differences(shipped: RuleBaseDocuments, rule_base: RuleBase) -> None:
    diff = diff_rule_bases(rule_base, shipped)
    assert diff.is_empty
    assert diff.render("es") == "sin diferencias"
    assert diff.render("en") == "no differences"
    assert diff.old_hash == diff.new_hash == rule_base.hash


def test_documents_are_checked_first(shipped: RuleBaseDocuments) -> None:
    rule = edited_rule(shipped, "P01")
    rule["when"]["all"][0]["field"] = "agee"
    with pytest.raises(RuleBaseError, match="unknown profile field 'agee'"):
        diff_rule_bases(shipped, shipped.with_rule("P01", rule))


# --- properties ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def path_parts(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _TOKEN.findall(path)]


def apply_changes(value: Any, changes: tuple[Change, ...]) -> Any:
    """The changes applied one after another, as engine/diff.py's docstring defines them."""
    value = json.loads(json.dumps(value))  # a copy sharing nothing, even repeated items
    for change in changes:
        parts = path_parts(change.path)
        if not parts:
            assert value == change.old
            value = copy.deepcopy(change.new)
            continue
        parent = value
        for part in parts[:-1]:
            parent = parent[part]
        last = parts[-1]
        if change.old is None and isinstance(parent, list):
            assert isinstance(last, int) and last <= len(parent)
            parent.insert(last, copy.deepcopy(change.new))
            continue
        if change.old is None:
            assert last not in parent
        else:
            assert parent[last] == change.old, change
        if change.new is None:
            del parent[last]
        else:
            parent[last] = copy.deepcopy(change.new)
    return value


def without_indexes(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def reversed_changes(changes: tuple[Change, ...]) -> Counter[tuple[str, str, str]]:
    return Counter((without_indexes(c.path), json.dumps(c.new), json.dumps(c.old)) for c in changes)


def forward_changes(changes: tuple[Change, ...]) -> Counter[tuple[str, str, str]]:
    return Counter((without_indexes(c.path), json.dumps(c.old), json.dumps(c.new)) for c in changes)


RULE_EDITS = (
    "redraw",
    "insert",
    "remove_items",
    "shuffle",
    "replace_test",
    "priority",
    "add",
    "remove",
)
OTHER_EDITS = ("move", "swap", "label", "services", "version", "group")


@st.composite
def edits(draw: st.DrawFn, documents: RuleBaseDocuments) -> RuleBaseDocuments:
    """``documents`` after a few edits of the kinds policy staff make (always checked)."""
    for step in range(draw(st.integers(1, 5))):
        # Reordering is drawn three times as often: few files of a small base have two rules.
        kind = draw(st.sampled_from((*RULE_EDITS, *OTHER_EDITS, "swap", "swap")))
        if kind in RULE_EDITS:
            documents = draw(rule_edit(documents, kind, step))
        else:
            documents = draw(other_edit(documents, kind, step))
    try:
        return RuleBaseDocuments.from_rule_base(documents.to_rule_base())
    except RuleBaseError:
        assume(False)
        raise


@st.composite
def rule_edit(
    draw: st.DrawFn, documents: RuleBaseDocuments, kind: str, step: int
) -> RuleBaseDocuments:
    """A rule redrawn, added or removed, or tests inserted, replaced, removed or reordered in
    one."""
    services = catalogue_codes()
    ids = sorted(rules_by_id(documents))
    rule_id = draw(st.sampled_from(ids))
    rule = edited_rule(documents, rule_id)
    items = rule["when"].get("all", rule["when"].get("any"))
    if kind == "redraw":
        return documents.with_rule(rule_id, draw(rule_dicts(rule_id, services, 2)))
    if kind == "add":
        new_id = f"N{step}"
        file = draw(st.sampled_from(RULE_FILES))
        return documents.with_rule(new_id, draw(rule_dicts(new_id, services, 2)), file)
    if kind == "remove":
        return documents.without_rule(rule_id) if len(ids) > 1 else documents
    if kind == "priority" and rule.get("recommend"):
        rule["recommend"][0]["priority"] = draw(st.sampled_from(["urgent", "high", "normal"]))
    elif items is None:
        return documents
    elif kind == "insert":
        items.insert(draw(st.integers(0, len(items))), draw(condition_tests()))
    elif kind == "remove_items" and len(items) > 1:
        kept = draw(st.lists(st.sampled_from(range(len(items))), min_size=1, unique=True))
        items[:] = [item for index, item in enumerate(items) if index in kept]
    elif kind == "shuffle":
        items[:] = draw(st.permutations(items))
    elif kind == "replace_test":
        items[draw(st.integers(0, len(items) - 1))] = draw(condition_tests())
    return documents.with_rule(rule_id, rule)


@st.composite
def other_edit(
    draw: st.DrawFn, documents: RuleBaseDocuments, kind: str, step: int
) -> RuleBaseDocuments:
    """A rule moved to another file or place, the catalogue, the manifest or a group edited."""
    files = dict(documents.files)
    several = [n for n in sorted(files) if len(files[n]["rules"]) > 1]
    name = draw(st.sampled_from(several or sorted(files)))
    if kind == "move":
        rule_id = draw(st.sampled_from(sorted(rules_by_id(documents))))
        rule = edited_rule(documents, rule_id)
        return documents.with_rule(rule_id, rule, draw(st.sampled_from(RULE_FILES)))
    if kind == "swap":
        rules = list(files[name]["rules"])
        rules.insert(draw(st.integers(0, len(rules) - 1)), rules.pop())
        files[name] = {**files[name], "rules": rules}
    elif kind == "group":
        group = {"es": draw(st.sampled_from(["Uno", "Dos"])), "en": "Group"}
        files[name] = {**files[name], "group": group}
    elif kind == "label":
        entries = copy.deepcopy(documents.catalogue["services"])
        entry = draw(st.sampled_from(entries))
        entry["label"]["en"] = draw(st.sampled_from(["Aid", "Care", entry["label"]["es"]]))
        return documents.with_catalogue({"services": entries})
    elif kind == "services":
        entries = draw(st.permutations(copy.deepcopy(documents.catalogue["services"])))
        extra = {"code": f"X_{step}", "area": "legal", "label": {"es": "X", "en": "X"}}
        return documents.with_catalogue({"services": [*entries, extra]})
    elif kind == "version":
        version = draw(st.sampled_from(["1", "2", "2026.11"]))
        return documents.with_manifest({**documents.manifest, "version": version})
    return RuleBaseDocuments(documents.manifest, documents.catalogue, files)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[RuleBaseDocuments, RuleBaseDocuments]:
    old = draw(rule_base_documents(max_rules=6))
    return old, draw(edits(old))


def rules_by_id(documents: RuleBaseDocuments) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for name in documents.files for r in documents.files[name]["rules"]}


def files_by_id(documents: RuleBaseDocuments) -> dict[str, str]:
    return {r["id"]: name for name in documents.files for r in documents.files[name]["rules"]}


@settings(max_examples=EXAMPLES)
@given(pair=pairs())
def test_applying_the_changes_gives_the_new_rule_base(
    pair: tuple[RuleBaseDocuments, RuleBaseDocuments],
) -> None:
    old, new = pair
    diff = diff_rule_bases(old, new)
    rules = rules_by_id(old)
    for entry in diff.rules_removed:
        assert rules.pop(entry.id) == entry.rule
    for rule_id, changes in diff.rules_changed.items():
        rules[rule_id] = apply_changes(rules[rule_id], changes)
    for entry in diff.rules_added:
        rules[entry.id] = entry.rule
    assert rules == rules_by_id(new)
    files = files_by_id(old)
    for entry in diff.rules_removed:
        del files[entry.id]
    files.update({m.id: m.new_file for m in diff.rules_moved})
    files.update({entry.id: entry.file for entry in diff.rules_added})
    assert files == files_by_id(new)
    reordered = {order.where: order for order in diff.rules_reordered}
    for name in set(old.files) & set(new.files):
        old_ids = [r["id"] for r in old.files[name]["rules"]]
        new_ids = [r["id"] for r in new.files[name]["rules"]]
        kept_old = [i for i in old_ids if i in new_ids]
        kept_new = [i for i in new_ids if i in old_ids]
        if name in reordered:
            assert (list(reordered[name].old), list(reordered[name].new)) == (kept_old, kept_new)
        else:
            assert kept_old == kept_new
    codes_old = [s["code"] for s in old.catalogue["services"]]
    codes_new = [s["code"] for s in new.catalogue["services"]]
    kept_codes = (
        [c for c in codes_old if c in codes_new],
        [c for c in codes_new if c in codes_old],
    )
    if diff.services_reordered is None:
        assert kept_codes[0] == kept_codes[1]
    else:
        assert (list(diff.services_reordered.old), list(diff.services_reordered.new)) == kept_codes
    services = {s["code"]: s for s in old.catalogue["services"]}
    for service in diff.services_removed:
        assert services.pop(service.code) == service.service
    for code, changes in diff.services_changed.items():
        services[code] = apply_changes(services[code], changes)
    services.update({s.code: s.service for s in diff.services_added})
    assert services == {s["code"]: s for s in new.catalogue["services"]}
    assert apply_changes(old.manifest, diff.manifest) == new.manifest
    for name in set(old.files) | set(new.files):
        group = {"group": old.files[name]["group"]} if name in old.files else {}
        expected = {"group": new.files[name]["group"]} if name in new.files else {}
        assert apply_changes(group, diff.groups.get(name, ())) == expected


@settings(max_examples=EXAMPLES)
@given(pair=pairs())
def test_comparing_the_other_way_round_gives_the_mirror_image(
    pair: tuple[RuleBaseDocuments, RuleBaseDocuments],
) -> None:
    old, new = pair
    forth, back = diff_rule_bases(old, new), diff_rule_bases(new, old)
    assert (back.old_hash, back.new_hash) == (forth.new_hash, forth.old_hash)
    assert back.rules_added == forth.rules_removed
    assert back.rules_removed == forth.rules_added
    assert {(m.id, m.new_file, m.old_file) for m in back.rules_moved} == {
        (m.id, m.old_file, m.new_file) for m in forth.rules_moved
    }
    assert {(o.where, o.new, o.old) for o in back.rules_reordered} == {
        (o.where, o.old, o.new) for o in forth.rules_reordered
    }
    assert set(back.rules_changed) == set(forth.rules_changed)
    for rule_id, changes in forth.rules_changed.items():
        assert forward_changes(back.rules_changed[rule_id]) == reversed_changes(changes)
    assert back.services_added == forth.services_removed
    assert back.services_removed == forth.services_added
    for code, changes in forth.services_changed.items():
        assert forward_changes(back.services_changed[code]) == reversed_changes(changes)
    if forth.services_reordered is None:
        assert back.services_reordered is None
    else:
        assert back.services_reordered is not None
        assert back.services_reordered.old == forth.services_reordered.new
    assert forward_changes(back.manifest) == reversed_changes(forth.manifest)
    assert {n: forward_changes(c) for n, c in back.groups.items()} == {
        n: reversed_changes(c) for n, c in forth.groups.items()
    }


@settings(max_examples=EXAMPLES)
@given(pair=pairs())
def test_no_differences_exactly_when_the_hashes_are_equal(
    pair: tuple[RuleBaseDocuments, RuleBaseDocuments],
) -> None:
    old, new = pair
    assert diff_rule_bases(old, old).is_empty
    assert diff_rule_bases(new, new).render("en") == "no differences"
    diff = diff_rule_bases(old, new)
    assert diff.is_empty == (old.to_rule_base().hash == new.to_rule_base().hash)
    assert isinstance(diff, RuleBaseDiff)
    lines = diff.render("es").splitlines()
    assert all(line.strip() for line in lines)


_POOL_TESTS = [
    {"field": field, "op": op, "value": value}
    for field in ("age", "years_abroad")
    for op in (">=", "<")
    for value in (3, 18)
]


def _one_rule_base(shipped: RuleBaseDocuments, tests: list[Any], places: list[str]) -> Any:
    rule = edited_rule(shipped, "P30")
    rule["when"] = {"all": tests}
    rule["regions"] = {"departments": places}
    one_file = {"border.yaml": {"group": {"es": "Frontera", "en": "Border"}, "rules": [rule]}}
    return RuleBaseDocuments(shipped.manifest, shipped.catalogue, one_file)


@settings(max_examples=max(20, settings().max_examples // 2))
@given(
    old_tests=st.lists(st.sampled_from(_POOL_TESTS), min_size=1, max_size=6),
    new_tests=st.lists(st.sampled_from(_POOL_TESTS), min_size=1, max_size=6),
    old_places=st.lists(st.sampled_from(["05", "11", "52", "54"]), min_size=1, max_size=5),
    new_places=st.lists(st.sampled_from(["05", "11", "52", "54"]), min_size=1, max_size=5),
)
def test_list_changes_apply_and_mirror(
    old_tests: list[Any],
    new_tests: list[Any],
    old_places: list[str],
    new_places: list[str],
) -> None:
    """Any two lists of tests, or of places, drawn from a small pool (so items repeat, match
    exactly or only by field): the changes rebuild the new rule, and reversed mirror them."""
    old = _one_rule_base(shipped_documents(), old_tests, old_places)
    new = _one_rule_base(shipped_documents(), new_tests, new_places)
    forth, back = diff_rule_bases(old, new), diff_rule_bases(new, old)
    old_rule, new_rule = old.rule("P30"), new.rule("P30")
    changes = forth.rules_changed.get("P30", ())
    assert apply_changes(old_rule, changes) == new_rule
    assert apply_changes(new_rule, back.rules_changed.get("P30", ())) == old_rule
    assert forward_changes(back.rules_changed.get("P30", ())) == reversed_changes(changes)
    assert not any(c.old is None and c.new is None for c in changes)
