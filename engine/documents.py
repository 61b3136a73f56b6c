"""The rule base as documents: the files policy staff write, held in memory, edited and stored.

A :class:`RuleBaseDocuments` is the rule base before it is checked: the manifest
(``base.yaml``), the catalogue (``catalogue.yaml``) and each rule file (``health.yaml`` →
``{"group": …, "rules": [...]}``) as plain data — text, numbers, true/false, lists and
mappings, days as ``YYYY-MM-DD`` text. It is what a version of the protocols is made of when
it is stored (as JSON), edited one rule at a time, or written out as YAML files; turning it into
a :class:`~engine.RuleBase` checks it exactly as the loader checks a folder, and every problem
names its file, rule and path — and its line, where the documents were read from YAML files.

A value of this class is never changed: each edit (``with_rule``, ``without_rule``,
``with_catalogue``, ``with_manifest``) returns a new one. Treat its dicts as read-only;
:meth:`RuleBaseDocuments.rule` gives a copy to edit.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from ruamel.yaml.scalarbool import ScalarBoolean

from texts import both

from .errors import RuleBaseError, RuleProblem
from .loader import CATALOGUE_FILE, MANIFEST_FILE, read_rule_folder, rule_base_from_data
from .rule_base import RuleBase
from .rule_messages import RuleMessage
from .yaml_output import in_format_order, yaml_text
from .yaml_source import Positions

__all__ = ["JSON_SOURCE", "NEW_RULES_FILE", "RuleBaseDocuments"]

#: Where a new rule goes when no file is named and no rule of its family exists.
NEW_RULES_FILE: Final = "added.yaml"
#: The group title of a rule file created by an edit, unless the edit gives one.
NEW_FILE_GROUP: Final[Mapping[str, str]] = {
    "es": both("rules.added_group")[1],
    "en": both("rules.added_group")[0],
}
#: The "file" a problem of the JSON text itself (not of one of its documents) is reported in.
JSON_SOURCE: Final = "rule base JSON"

_MAPPING: Final = RuleMessage("not_a_mapping")
_FILE_NAME: Final = re.compile(r"[^/\\\x00-\x1f]+\.yaml")
_FAMILY: Final = re.compile(r"[._-]")

_Path = tuple[int | str, ...]


@dataclass(frozen=True)
class RuleBaseDocuments:
    """Manifest, catalogue and rule files (file name → document) as plain data.

    ``lines`` says where each part stood in the YAML files it was read from (document name →
    :data:`~engine.yaml_source.Positions`), so problems found later name their line; it is empty
    for documents built in memory or read from JSON, and it takes no part in equality.
    """

    manifest: dict[str, Any]
    catalogue: dict[str, Any]
    files: dict[str, dict[str, Any]]
    lines: Mapping[str, Positions] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        problems: list[RuleProblem] = []
        for name, document in (
            (MANIFEST_FILE, self.manifest),
            (CATALOGUE_FILE, self.catalogue),
            *self.files.items(),
        ):
            if not isinstance(document, dict):
                problems.append(RuleProblem.of(name, None, None, "", _MAPPING))
        for name in self.files:
            if not _FILE_NAME.fullmatch(name) or name in (MANIFEST_FILE, CATALOGUE_FILE):
                naming = RuleMessage(
                    "rule_file_name", {"manifest": MANIFEST_FILE, "catalogue": CATALOGUE_FILE}
                )
                problems.append(RuleProblem.of(name, None, None, "", naming))
        if problems:
            raise RuleBaseError(problems)

    # --- reading and writing -----------------------------------------------------------------

    @classmethod
    def from_directory(cls, path: Path | str | None = None) -> RuleBaseDocuments:
        """The documents of a rule base folder (default: Ruta's own ``rules/``), unchecked.

        Faults that leave no documents to hold — a missing folder or file, a ``.yml`` file, YAML
        that does not parse, a file that is not a mapping of keys, a key that is not text, a
        number that is not finite — raise :class:`RuleBaseError`, every one at once, with file
        and line. Everything else is checked by :meth:`to_rule_base`.
        """
        raw = read_rule_folder(path)
        problems: list[RuleProblem] = []
        lines: dict[str, Positions] = {}
        documents: dict[str, dict[str, Any]] = {}
        for name, data in raw.items():
            table: dict[_Path, int | None] = {}
            document = _plain_document(name, data, problems, table)
            if document is not None:
                documents[name] = document
                lines[name] = table
        if problems:
            raise RuleBaseError(problems)
        manifest = documents.pop(MANIFEST_FILE)
        catalogue = documents.pop(CATALOGUE_FILE)
        return cls(manifest, catalogue, documents, lines)

    @classmethod
    def from_rule_base(cls, rule_base: RuleBase) -> RuleBaseDocuments:
        """A checked rule base written back as documents, each rule in the file it came from.

        Keys are the format's (``not``, ``except``), in the order of the shipped files; keys
        left at their default (an empty ``notes`` list, a missing ``effective_to``) are left
        out, as policy staff would. Turning the result back into a rule base gives the same
        hash.
        """

        def dump(model: Any) -> Any:
            return model.model_dump(mode="json", by_alias=True, exclude_defaults=True)

        files = {
            layout.file: {
                "group": dump(layout.group),
                "rules": [dump(rule) for rule in layout.rules],
            }
            for layout in rule_base.layout
        }
        return cls(
            in_format_order(dump(rule_base.manifest)),
            in_format_order(dump(rule_base.catalogue)),
            in_format_order(files),
        )

    def to_rule_base(self) -> RuleBase:
        """Check the documents as the loader checks a folder; rule files are taken in name
        order. Raises :class:`RuleBaseError` with every problem (file, line where known, rule
        id and path)."""
        ordered = {name: self.files[name] for name in sorted(self.files)}
        return rule_base_from_data(self.manifest, self.catalogue, ordered, self.lines)

    def to_yaml_files(self) -> dict[str, str]:
        """File name → YAML text, laid out as in ``rules/``; ``base.yaml`` and
        ``catalogue.yaml`` first, then the rule files in name order. Written to a folder, they
        load as the same rule base (same hash)."""
        texts = {MANIFEST_FILE: yaml_text(self.manifest), CATALOGUE_FILE: yaml_text(self.catalogue)}
        texts.update((name, yaml_text(self.files[name])) for name in sorted(self.files))
        return texts

    def to_json(self) -> str:
        """Canonical JSON: ``{"manifest": …, "catalogue": …, "files": {name: document}}``.

        Files in name order, every mapping's keys in the format's order, no spaces, UTF-8 text
        unescaped: equal documents give the same text.
        """
        content = {
            "manifest": in_format_order(self.manifest),
            "catalogue": in_format_order(self.catalogue),
            "files": {name: in_format_order(self.files[name]) for name in sorted(self.files)},
        }
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> RuleBaseDocuments:
        """The documents :meth:`to_json` wrote. Problems (not JSON, a missing part, a document
        that is not a mapping) raise :class:`RuleBaseError`; the documents are not checked
        further until :meth:`to_rule_base`. Problems found later have no line numbers."""
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except _JsonConstantError as error:
            refused = RuleMessage("json_constant", {"name": error.name})
            raise RuleBaseError([RuleProblem.of(JSON_SOURCE, None, None, "", refused)]) from None
        except (ValueError, RecursionError) as error:
            refused = RuleMessage("not_json", {"detail": error})
            raise RuleBaseError([RuleProblem.of(JSON_SOURCE, None, None, "", refused)]) from None
        if not isinstance(data, dict) or set(data) != {"manifest", "catalogue", "files"}:
            parts = RuleMessage("json_parts")
            raise RuleBaseError([RuleProblem.of(JSON_SOURCE, None, None, "", parts)])
        if not isinstance(data["files"], dict):
            files_kind = RuleMessage("json_files_not_mapping")
            raise RuleBaseError([RuleProblem.of(JSON_SOURCE, None, None, "files", files_kind)])
        problems: list[RuleProblem] = []
        manifest = _plain_document(MANIFEST_FILE, data["manifest"], problems, None)
        catalogue = _plain_document(CATALOGUE_FILE, data["catalogue"], problems, None)
        files = {}
        for name, document in data["files"].items():
            plain = _plain_document(name, document, problems, None)
            if plain is not None:
                files[name] = plain
        if problems or manifest is None or catalogue is None:
            raise RuleBaseError(problems)
        return cls(manifest, catalogue, files)

    # --- reading one rule --------------------------------------------------------------------

    def rule(self, rule_id: str) -> dict[str, Any] | None:
        """A copy of the rule ``rule_id`` as written (to edit and give to :meth:`with_rule`)."""
        found = self._find(rule_id)
        if found is None:
            return None
        name, index = found
        return copy.deepcopy(self.files[name]["rules"][index])  # type: ignore[no-any-return]

    def rule_file(self, rule_id: str) -> str | None:
        """The file the rule ``rule_id`` is written in, or ``None`` if there is no such rule."""
        found = self._find(rule_id)
        return found[0] if found is not None else None

    # --- edits -------------------------------------------------------------------------------

    def with_rule(
        self,
        rule_id: str,
        rule: Mapping[str, Any],
        file: str | None = None,
        *,
        group: Mapping[str, str] | None = None,
    ) -> RuleBaseDocuments:
        """These documents with the rule ``rule_id`` replaced by ``rule``, or added.

        A rule that exists is replaced where it stands, unless ``file`` names another file:
        then it moves to the end of that file. A new rule goes at the end of ``file``; without
        ``file``, into the file of its family — the rules whose id starts alike up to the first
        ``.``, ``_`` or ``-`` (``P08.b`` joins ``P08`` or ``P08.a``; ``P01-2027`` joins
        ``P01``) — else into :data:`NEW_RULES_FILE`. A file that does not exist yet is created
        with ``group`` as its title (default: "Reglas añadidas" / "Added rules").

        ``rule`` may leave out ``id``; an ``id`` other than ``rule_id`` is refused (rename a
        rule by removing it and adding it under the new id). Nothing is checked here but that
        the rule is plain data; :meth:`to_rule_base` checks the rest, locating problems in a
        replaced rule at the rule's line and giving no line for an added one.
        """
        found = self._find(rule_id)
        target = file or (found[0] if found is not None else self._family_file(rule_id))
        given = rule.get("id", rule_id)
        if given != rule_id:
            mismatch = RuleMessage("rule_id_mismatch", {"given": given, "rule_id": rule_id})
            raise RuleBaseError([RuleProblem.of(target, None, rule_id, "id", mismatch)])
        problems: list[RuleProblem] = []
        checked = _plain_document(target, {"rules": [{"id": rule_id, **rule}]}, problems, None)
        if problems or checked is None:
            raise RuleBaseError(problems)
        new_rule = checked["rules"][0]
        files = dict(self.files)
        lines = dict(self.lines)
        if found is not None and found[0] == target:
            name, index = found
            rules = list(files[name]["rules"])
            rules[index] = new_rule
            files[name] = {**files[name], "rules": rules}
            if name in lines:
                lines[name] = _replaced_item(lines[name], index)
            return RuleBaseDocuments(self.manifest, self.catalogue, files, lines)
        if found is not None:
            self._remove(files, lines, *found)
        if target in files:
            present = files[target].get("rules")
            if not isinstance(present, list):
                not_list = RuleMessage("rules_not_a_list")
                raise RuleBaseError([RuleProblem.of(target, None, rule_id, "rules", not_list)])
            files[target] = {**files[target], "rules": [*present, new_rule]}
            if target in lines:
                lines[target] = {**lines[target], ("rules", len(present)): None}
        else:
            title = dict(group if group is not None else NEW_FILE_GROUP)
            files[target] = {"group": title, "rules": [new_rule]}
        return RuleBaseDocuments(self.manifest, self.catalogue, files, lines)

    def without_rule(self, rule_id: str) -> RuleBaseDocuments:
        """These documents without the rule ``rule_id``; a file left with no rule goes too.

        Raises ``KeyError`` if there is no such rule.
        """
        found = self._find(rule_id)
        if found is None:
            raise KeyError(rule_id)
        files = dict(self.files)
        lines = dict(self.lines)
        self._remove(files, lines, *found)
        return RuleBaseDocuments(self.manifest, self.catalogue, files, lines)

    def with_catalogue(self, catalogue: Mapping[str, Any]) -> RuleBaseDocuments:
        """These documents with ``catalogue.yaml`` replaced (``{"services": [...]}``)."""
        document = self._edited_document(CATALOGUE_FILE, catalogue)
        lines = {k: v for k, v in self.lines.items() if k != CATALOGUE_FILE}
        return RuleBaseDocuments(self.manifest, document, self.files, lines)

    def with_manifest(self, manifest: Mapping[str, Any]) -> RuleBaseDocuments:
        """These documents with ``base.yaml`` replaced (name, version, edition, description)."""
        document = self._edited_document(MANIFEST_FILE, manifest)
        lines = {k: v for k, v in self.lines.items() if k != MANIFEST_FILE}
        return RuleBaseDocuments(document, self.catalogue, self.files, lines)

    # --- helpers -----------------------------------------------------------------------------

    def _find(self, rule_id: str) -> tuple[str, int] | None:
        for name in sorted(self.files):
            rules = self.files[name].get("rules")
            if not isinstance(rules, list):
                continue
            for index, rule in enumerate(rules):
                if isinstance(rule, dict) and rule.get("id") == rule_id:
                    return name, index
        return None

    def _family_file(self, rule_id: str) -> str:
        family = _FAMILY.split(rule_id, maxsplit=1)[0]
        for name in sorted(self.files):
            rules = self.files[name].get("rules")
            for rule in rules if isinstance(rules, list) else []:
                other = rule.get("id") if isinstance(rule, dict) else None
                if isinstance(other, str) and _FAMILY.split(other, maxsplit=1)[0] == family:
                    return name
        return NEW_RULES_FILE

    @staticmethod
    def _remove(
        files: dict[str, dict[str, Any]], lines: dict[str, Positions], name: str, index: int
    ) -> None:
        rules = [r for i, r in enumerate(files[name]["rules"]) if i != index]
        if rules:
            files[name] = {**files[name], "rules": rules}
            if name in lines:
                lines[name] = _without_item(lines[name], index)
        else:
            del files[name]
            lines.pop(name, None)

    @staticmethod
    def _edited_document(name: str, document: Mapping[str, Any]) -> dict[str, Any]:
        problems: list[RuleProblem] = []
        plain = _plain_document(name, dict(document), problems, None)
        if problems or plain is None:
            raise RuleBaseError(problems)
        return plain


class _JsonConstantError(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` in JSON text: Python reads them, JSON does not."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not a number JSON allows")
        self.name = name


def _refuse_constant(name: str) -> Any:
    raise _JsonConstantError(name)


def _plain_document(
    name: str, data: Any, problems: list[RuleProblem], table: dict[_Path, int | None] | None
) -> dict[str, Any] | None:
    """``data`` as plain data, recording YAML positions in ``table``; faults go to ``problems``."""
    if not isinstance(data, Mapping):
        problems.append(RuleProblem.of(name, 1, None, "", _MAPPING))
        return None
    faults: list[tuple[_Path, int | None, RuleMessage]] = []
    if table is not None:
        lc = getattr(data, "lc", None)
        if lc is not None:
            table[()] = lc.line + 1
    plain = _plain_data(data, (), table, faults)
    for path, line, message in faults:
        rule_id = None
        inside = path
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
            rule = plain.get("rules", [])[path[1]]
            found = rule.get("id") if isinstance(rule, dict) else None
            rule_id = str(found) if found is not None else None
            inside = path[2:]
        problems.append(RuleProblem.of(name, line, rule_id, _path_text(inside), message))
    return plain  # type: ignore[no-any-return]


def _plain_data(
    value: Any,
    path: _Path,
    table: dict[_Path, int | None] | None,
    faults: list[tuple[_Path, int | None, RuleMessage]],
) -> Any:
    """A copy of ``value`` in plain Python types (what JSON holds), days as ISO text.

    ruamel.yaml's text, number and boolean types become ``str``, ``int``, ``float``, ``bool``.
    A key that is not text, a number that is not finite or a value of another kind is a fault,
    located at the line ``table`` gives it.
    """
    lc = getattr(value, "lc", None)
    if isinstance(value, Mapping):
        mapping: dict[str, Any] = {}
        for key, item in value.items():
            line = lc.data[key][0] + 1 if lc is not None and key in lc.data else None
            if not isinstance(key, str):
                faults.append((path, line, RuleMessage("key_not_text", {"key": repr(key)})))
                continue
            if table is not None and line is not None:
                table[(*path, str(key))] = line
            mapping[str(key)] = _plain_data(item, (*path, str(key)), table, faults)
        return mapping
    if isinstance(value, list | tuple):
        items = []
        for index, item in enumerate(value):
            line = lc.data[index][0] + 1 if lc is not None and index in lc.data else None
            if table is not None and line is not None:
                table[(*path, index)] = line
            items.append(_plain_data(item, (*path, index), table, faults))
        return items
    plain, fault = _plain_scalar(value)
    if fault is not None:
        faults.append((path, table.get(path) if table is not None else None, fault))
    return plain


def _plain_scalar(value: Any) -> tuple[Any, RuleMessage | None]:
    """A single value in a plain Python type, or why it cannot be one."""
    if value is None:
        return None, None
    if isinstance(value, bool | ScalarBoolean):
        return bool(value), None
    if isinstance(value, str):
        return str(value), None
    if isinstance(value, int):
        return int(value), None
    if isinstance(value, float):
        fault = None if math.isfinite(value) else RuleMessage("finite_number_expected")
        return float(value), fault
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat(), None
    return None, RuleMessage("value_kind_not_allowed", {"kind": type(value).__name__})


def _path_text(path: _Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _replaced_item(table: Positions, index: int) -> dict[_Path, int | None]:
    """Positions once rule ``index`` is replaced: the rule keeps its line, its parts lose
    theirs (problems inside it are reported at the rule's line)."""
    return {
        path: line
        for path, line in table.items()
        if not (len(path) > 2 and path[0] == "rules" and path[1] == index)
    }


def _without_item(table: Positions, index: int) -> dict[_Path, int | None]:
    """Positions once rule ``index`` is removed: the rules after it move up one place."""
    moved: dict[_Path, int | None] = {}
    for path, line in table.items():
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
            if path[1] == index:
                continue
            if path[1] > index:
                moved[("rules", path[1] - 1, *path[2:])] = line
                continue
        moved[path] = line
    return moved
