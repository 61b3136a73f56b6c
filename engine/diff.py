"""What changed between two versions of the rule base, rule by rule, as policy staff read it.

:func:`diff_rule_bases` compares two rule bases as written (the documents
:meth:`RuleBaseDocuments.from_rule_base` gives, so layout and comments do not count): rules
added, removed, changed, moved to another file or put in another order within their file;
services of the catalogue added, removed, changed or reordered; changes to the manifest
(name, version, edition, description) and to the group title of each rule file. Two rule bases
have no differences exactly when they have the same hash.

A :class:`Change` says what is at ``path`` inside a rule (``when.all[1].value``,
``recommend[0].priority``), a service or a document, before and after. ``None`` on one side
means absent: the key or list item was added or removed (no value of a checked rule base is
ever empty, so ``None`` never stands for a value). The changes of one rule, applied one after
another in the order given, turn the old rule into the new one:

- a change at a list item with ``old`` ``None`` inserts ``new`` at that place; with ``new``
  ``None`` it removes the item there; otherwise it replaces the item;
- within a list, removals come first, from the last item back, so each is named by its place
  in the old list; then insertions, from the first, each named by its place in the new list;
  then the changes inside items kept, named by their place in the new list.

Lists are matched on the items that stayed equal, so inserting a test in a rule's ``all`` list
reads as one insertion (``when.all[1]: — → {field: …}``), not as every later test changed. A
threshold edited in place reads ``P01 when.all[1].value: 3 → 4``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from texts import N_, text

from .documents import RuleBaseDocuments
from .loader import CATALOGUE_FILE, MANIFEST_FILE
from .rule_base import RuleBase
from .vocabulary import AREA_LABELS, Area
from .yaml_output import sorted_keys

__all__ = [
    "CatalogueEntry",
    "Change",
    "OrderChange",
    "RuleBaseDiff",
    "RuleEntry",
    "RuleMove",
    "diff_rule_bases",
]

#: How an absent side is written in a rendered change.
ABSENT_TEXT: Final = "—"


@dataclass(frozen=True)
class Change:
    """At ``path``, ``old`` became ``new`` (JSON values; ``None``: absent on that side)."""

    path: str
    old: Any
    new: Any

    def to_data(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}

    def render(self) -> str:
        """``when.all[1].value: 3 → 4``."""
        return f"{self.path}: {show_value(self.old)} → {show_value(self.new)}"


@dataclass(frozen=True)
class RuleEntry:
    """A rule added or removed, with the file it is (or was) in and the rule as written."""

    id: str
    file: str
    rule: dict[str, Any]


@dataclass(frozen=True)
class RuleMove:
    """A rule that moved from one rule file to another (its content may also have changed)."""

    id: str
    old_file: str
    new_file: str


@dataclass(frozen=True)
class OrderChange:
    """The rules of one file (or the catalogue's services) that are in both versions, in
    their old and their new order."""

    where: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class CatalogueEntry:
    """A service added to or removed from the catalogue, as written."""

    code: str
    service: dict[str, Any]


@dataclass(frozen=True)
class RuleBaseDiff:
    """Every difference between two rule bases (``old_hash`` → ``new_hash``).

    Rules changed and services changed map an id or code to its changes, in the new version's
    order; ``groups`` maps a rule file to the changes of its group title (a file added or
    removed shows as ``group: — → {…}`` or the reverse).
    """

    old_hash: str
    new_hash: str
    rules_added: tuple[RuleEntry, ...] = ()
    rules_removed: tuple[RuleEntry, ...] = ()
    rules_changed: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    rules_moved: tuple[RuleMove, ...] = ()
    rules_reordered: tuple[OrderChange, ...] = ()
    services_added: tuple[CatalogueEntry, ...] = ()
    services_removed: tuple[CatalogueEntry, ...] = ()
    services_changed: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    services_reordered: OrderChange | None = None
    manifest: tuple[Change, ...] = ()
    groups: dict[str, tuple[Change, ...]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether the two rule bases are the same (then their hashes are equal too)."""
        return not (
            self.rules_added
            or self.rules_removed
            or self.rules_changed
            or self.rules_moved
            or self.rules_reordered
            or self.services_added
            or self.services_removed
            or self.services_changed
            or self.services_reordered
            or self.manifest
            or self.groups
        )

    def to_data(self) -> dict[str, Any]:
        """The differences as JSON data (see :meth:`to_json`)."""
        reordered = self.services_reordered
        return {
            "from": self.old_hash,
            "to": self.new_hash,
            "rules": {
                "added": [{"id": r.id, "file": r.file, "rule": r.rule} for r in self.rules_added],
                "removed": [
                    {"id": r.id, "file": r.file, "rule": r.rule} for r in self.rules_removed
                ],
                "changed": [
                    {"id": rule_id, "changes": [c.to_data() for c in changes]}
                    for rule_id, changes in self.rules_changed.items()
                ],
                "moved": [
                    {"id": m.id, "from": m.old_file, "to": m.new_file} for m in self.rules_moved
                ],
                "reordered": [
                    {"file": o.where, "old": list(o.old), "new": list(o.new)}
                    for o in self.rules_reordered
                ],
            },
            "catalogue": {
                "added": [{"code": s.code, "service": s.service} for s in self.services_added],
                "removed": [{"code": s.code, "service": s.service} for s in self.services_removed],
                "changed": [
                    {"code": code, "changes": [c.to_data() for c in changes]}
                    for code, changes in self.services_changed.items()
                ],
                "reordered": (
                    None
                    if reordered is None
                    else {"old": list(reordered.old), "new": list(reordered.new)}
                ),
            },
            "manifest": [c.to_data() for c in self.manifest],
            "files": [
                {"file": name, "changes": [c.to_data() for c in changes]}
                for name, changes in self.groups.items()
            ],
        }

    def to_json(self) -> str:
        """``{"from": hash, "to": hash, "rules": {"added", "removed", "changed", "moved",
        "reordered"}, "catalogue": {"added", "removed", "changed", "reordered"}, "manifest":
        [changes], "files": [{"file", "changes"}]}``; a change is ``{"path", "old", "new"}``."""
        return json.dumps(self.to_data(), ensure_ascii=False, separators=(",", ":"))

    def render(self, lang: str = "es") -> str:
        """One line per difference, in Spanish (``es``) or English (``en``)."""
        lang = "en" if lang == "en" else "es"

        def words(kind: str, **values: object) -> str:
            return text(_WORDS[kind], lang, **values)

        lines = [
            f"{rule_id} {change.render()}"
            for rule_id, changes in self.rules_changed.items()
            for change in changes
        ]
        for entry in self.rules_added:
            title = _text_in(entry.rule.get("title"), lang)
            lines.append(words("rule_added", id=entry.id, file=entry.file, title=title))
        for entry in self.rules_removed:
            title = _text_in(entry.rule.get("title"), lang)
            lines.append(words("rule_removed", id=entry.id, file=entry.file, title=title))
        for move in self.rules_moved:
            lines.append(words("rule_moved", id=move.id, old=move.old_file, new=move.new_file))
        for order in self.rules_reordered:
            lines.append(
                words(
                    "rule_order",
                    file=order.where,
                    old=", ".join(order.old),
                    new=", ".join(order.new),
                )
            )
        lines.extend(
            f"{CATALOGUE_FILE} {code} {change.render()}"
            for code, changes in self.services_changed.items()
            for change in changes
        )
        for key, entries in (
            ("service_added", self.services_added),
            ("service_removed", self.services_removed),
        ):
            for service in entries:
                lines.append(
                    words(
                        key,
                        catalogue=CATALOGUE_FILE,
                        code=service.code,
                        area=_area_in(service.service.get("area"), lang),
                        label=_text_in(service.service.get("label"), lang),
                    )
                )
        if self.services_reordered is not None:
            lines.append(
                words(
                    "service_order",
                    catalogue=CATALOGUE_FILE,
                    old=", ".join(self.services_reordered.old),
                    new=", ".join(self.services_reordered.new),
                )
            )
        lines.extend(f"{MANIFEST_FILE} {change.render()}" for change in self.manifest)
        lines.extend(
            f"{name} {change.render()}"
            for name, changes in self.groups.items()
            for change in changes
        )
        return "\n".join(lines) if lines else words("none")


#: The catalogue text of each kind of line of :meth:`RuleBaseDiff.render`.
_WORDS: Final[dict[str, str]] = {
    "none": N_("diff.none"),
    "rule_added": N_("diff.rule_added"),
    "rule_removed": N_("diff.rule_removed"),
    "rule_moved": N_("diff.rule_moved"),
    "rule_order": N_("diff.rule_order"),
    "service_added": N_("diff.service_added"),
    "service_removed": N_("diff.service_removed"),
    "service_order": N_("diff.service_order"),
}


def _text_in(text: Any, lang: str) -> str:
    if isinstance(text, Mapping):
        return str(text.get(lang) or text.get("es") or "")
    return ""


def _area_in(area: Any, lang: str) -> str:
    try:
        return AREA_LABELS[Area(area)]["en" if lang == "en" else "es"]
    except ValueError:
        return str(area)


# --- comparing ----------------------------------------------------------------------------


def diff_rule_bases(
    old: RuleBase | RuleBaseDocuments, new: RuleBase | RuleBaseDocuments
) -> RuleBaseDiff:
    """Every difference from ``old`` to ``new``.

    Documents are checked first (:meth:`RuleBaseDocuments.to_rule_base`; a refused one raises
    :class:`~engine.RuleBaseError`), and both sides are compared as written back by
    :meth:`RuleBaseDocuments.from_rule_base`, so only content counts, never layout.
    """
    old_base, old_docs = _checked(old)
    new_base, new_docs = _checked(new)
    old_rules, new_rules = _rules_of(old_docs), _rules_of(new_docs)
    changed = {
        rule_id: tuple(changes)
        for rule_id, (_, rule) in new_rules.items()
        if rule_id in old_rules and (changes := _changes(old_rules[rule_id][1], rule, ""))
    }
    old_services = _services_of(old_docs)
    new_services = _services_of(new_docs)
    services_changed = {
        code: tuple(changes)
        for code, service in new_services.items()
        if code in old_services and (changes := _changes(old_services[code], service, ""))
    }
    groups = {
        name: tuple(changes)
        for name in sorted(set(old_docs.files) | set(new_docs.files))
        if (changes := _changes(_group_of(old_docs, name), _group_of(new_docs, name), ""))
    }
    return RuleBaseDiff(
        old_hash=old_base.hash,
        new_hash=new_base.hash,
        rules_added=tuple(
            RuleEntry(i, file, rule) for i, (file, rule) in new_rules.items() if i not in old_rules
        ),
        rules_removed=tuple(
            RuleEntry(i, file, rule) for i, (file, rule) in old_rules.items() if i not in new_rules
        ),
        rules_changed=changed,
        rules_moved=tuple(
            RuleMove(i, old_rules[i][0], file)
            for i, (file, _) in new_rules.items()
            if i in old_rules and old_rules[i][0] != file
        ),
        rules_reordered=_rule_orders(old_docs, new_docs, old_rules, new_rules),
        services_added=tuple(
            CatalogueEntry(c, s) for c, s in new_services.items() if c not in old_services
        ),
        services_removed=tuple(
            CatalogueEntry(c, s) for c, s in old_services.items() if c not in new_services
        ),
        services_changed=services_changed,
        services_reordered=_order(CATALOGUE_FILE, list(old_services), list(new_services)),
        manifest=tuple(_changes(old_docs.manifest, new_docs.manifest, "")),
        groups=groups,
    )


def _checked(base: RuleBase | RuleBaseDocuments) -> tuple[RuleBase, RuleBaseDocuments]:
    rule_base = base if isinstance(base, RuleBase) else base.to_rule_base()
    return rule_base, RuleBaseDocuments.from_rule_base(rule_base)


def _rules_of(documents: RuleBaseDocuments) -> dict[str, tuple[str, dict[str, Any]]]:
    """Rule id → (file, rule), in file then written order."""
    return {
        rule["id"]: (name, rule)
        for name in sorted(documents.files)
        for rule in documents.files[name]["rules"]
    }


def _services_of(documents: RuleBaseDocuments) -> dict[str, dict[str, Any]]:
    return {service["code"]: service for service in documents.catalogue["services"]}


def _group_of(documents: RuleBaseDocuments, name: str) -> dict[str, Any]:
    document = documents.files.get(name)
    return {"group": document["group"]} if document is not None else {}


def _rule_orders(
    old_docs: RuleBaseDocuments,
    new_docs: RuleBaseDocuments,
    old_rules: Mapping[str, tuple[str, Any]],
    new_rules: Mapping[str, tuple[str, Any]],
) -> tuple[OrderChange, ...]:
    """Files whose rules kept in the file stand in another order."""
    found = []
    for name in sorted(set(old_docs.files) & set(new_docs.files)):
        old_ids = [r["id"] for r in old_docs.files[name]["rules"]]
        new_ids = [r["id"] for r in new_docs.files[name]["rules"]]
        kept_old = [i for i in old_ids if i in new_rules and new_rules[i][0] == name]
        kept_new = [i for i in new_ids if i in old_rules and old_rules[i][0] == name]
        order = _order(name, kept_old, kept_new)
        if order is not None:
            found.append(order)
    return tuple(found)


def _order(where: str, old_ids: list[str], new_ids: list[str]) -> OrderChange | None:
    """The order change among the ids present on both sides, if their order differs."""
    in_old, in_new = set(old_ids), set(new_ids)
    old_kept = [i for i in old_ids if i in in_new]
    new_kept = [i for i in new_ids if i in in_old]
    if old_kept == new_kept:
        return None
    return OrderChange(where, tuple(old_kept), tuple(new_kept))


def _changes(old: Any, new: Any, path: str) -> list[Change]:
    """The changes that turn ``old`` into ``new`` (see the module docstring)."""
    if isinstance(old, dict) and isinstance(new, dict):
        if old and new and not set(old) & set(new):
            return [Change(path, old, new)]  # another kind of thing: a test became an all-list
        found: list[Change] = []
        for key in sorted_keys(set(old) | set(new)):
            where = f"{path}.{key}" if path else key
            if key not in new:
                found.append(Change(where, old[key], None))
            elif key not in old:
                found.append(Change(where, None, new[key]))
            else:
                found.extend(_changes(old[key], new[key], where))
        return found
    if isinstance(old, list) and isinstance(new, list):
        return _list_changes(old, new, path)
    return [] if _same(old, new) else [Change(path, old, new)]


def _list_changes(old: list[Any], new: list[Any], path: str) -> list[Change]:
    """Changes between two lists: equal items are matched first; between them, items that are
    the same thing (a test of the same field, an entry for the same service) are paired; what
    is left is paired in place, and the rest is removed or inserted."""
    removed: list[int] = []
    inserted: list[int] = []
    paired: list[tuple[int, int]] = []
    equal = _matching([_canonical(x) for x in old], [_canonical(x) for x in new])
    for gap_old, gap_new in _gaps(equal, len(old), len(new)):
        alike = _matching(
            [_identity(old[i]) for i in gap_old], [_identity(new[j]) for j in gap_new]
        )
        paired.extend((gap_old[k], gap_new[k2]) for k, k2 in alike)
        for rest_old, rest_new in _gaps(alike, len(gap_old), len(gap_new)):
            shared = min(len(rest_old), len(rest_new))
            in_place = zip(rest_old[:shared], rest_new[:shared], strict=True)
            paired.extend((gap_old[k], gap_new[k2]) for k, k2 in in_place)
            removed.extend(gap_old[k] for k in rest_old[shared:])
            inserted.extend(gap_new[k] for k in rest_new[shared:])
    found = [Change(f"{path}[{i}]", old[i], None) for i in sorted(removed, reverse=True)]
    found.extend(Change(f"{path}[{j}]", None, new[j]) for j in sorted(inserted))
    for i, j in sorted(paired, key=lambda pair: pair[1]):
        found.extend(_changes(old[i], new[j], f"{path}[{j}]"))
    return found


def _gaps(pairs: list[tuple[int, int]], n: int, m: int) -> list[tuple[list[int], list[int]]]:
    """The stretches of unmatched indexes between matched pairs (and after the last one)."""
    gaps = []
    previous_old = previous_new = 0
    for i, j in [*pairs, (n, m)]:
        if i > previous_old or j > previous_new:
            gaps.append((list(range(previous_old, i)), list(range(previous_new, j))))
        previous_old, previous_new = i + 1, j + 1
    return gaps


#: Keys that say which thing a list item is about: its id, code, field, service, law or text.
_IDENTITY_KEYS: Final = ("id", "code", "field", "service", "instrument", "text")


def _identity(item: Any) -> str:
    """What ``item`` is about, to pair items changed in place: its identifying key and value.
    An item with no such key stands for its own content, which pairs with nothing (two items
    between the same equal neighbours are never equal)."""
    if isinstance(item, dict):
        for key in _IDENTITY_KEYS:
            if key in item:
                return f"\x00{key}={_canonical(item[key])}"
        if len(item) == 1:
            return f"\x00{next(iter(item))}"  # a group: all, any or not
    return f"\x01{_canonical(item)}"


def _matching(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``a[i] == b[j]``: a longest such matching, in order.

    Where two matchings are equally long, the choice depends only on the items, never on which
    list is the old one, so comparing the other way round gives the mirror image.
    """
    n, m = len(a), len(b)
    longest = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = longest[i], longest[i + 1]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if a[i] == b[j] else max(below[j], row[j + 1])
    pairs = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif longest[i + 1][j] > longest[i][j + 1]:
            i += 1
        elif longest[i + 1][j] < longest[i][j + 1] or a[i] > b[j]:
            j += 1
        else:
            i += 1
    return pairs


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _same(old: Any, new: Any) -> bool:
    """Equal as JSON values: ``1``, ``1.0`` and ``true`` differ, as they do in the hash."""
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return _canonical(old) == _canonical(new)
    return type(old) is type(new) and old == new


# --- writing values on one line -------------------------------------------------------------

_PLAIN: Final = re.compile(r"[^\s\"',\[\]{}#→—]([^\"\n\t,\[\]{}→]*[^\s\"',\[\]{}→])?")
_LOOKS_TYPED: Final = re.compile(r"true|false|null|[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?")


def show_value(value: Any) -> str:
    """A JSON value on one line as a rule file writes it: ``3``, ``high``, ``"54"``,
    ``[deported, expelled]``, ``{field: age, op: ">=", value: 18}``; absent: ``—``."""
    if value is None:
        return ABSENT_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value) and not _LOOKS_TYPED.fullmatch(value)
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(show_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False, default=str)
