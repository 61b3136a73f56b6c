"""Load and check a rule base folder; refuse it whole if anything is wrong.

A rule base is accepted only when every file parses, every rule fits the profile vocabulary and
the catalogue, ids are unique, and every rule can run within durable-rules' limits. Otherwise
:class:`~engine.errors.RuleBaseError` lists every problem with file, line and rule id, and
nothing is put in service: the rules already running stay as they are.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

import rules

from .compiler import rule_capacity_problem
from .errors import RuleBaseError, RuleProblem
from .rule_base import RuleBase, RuleSource
from .rule_messages import ENGLISH, RuleMessage, did_you_mean
from .rule_model import (
    AT_ITEM,
    AllOf,
    AnyOf,
    Catalogue,
    Manifest,
    Not,
    Rule,
    RuleFile,
    Test,
    Text,
)
from .yaml_source import Positions, line_of, read_yaml

__all__ = [
    "CATALOGUE_FILE",
    "MANIFEST_FILE",
    "default_rules_dir",
    "explain",
    "load_rule_base",
    "read_rule_folder",
    "rule_base_from_data",
]

MANIFEST_FILE = "base.yaml"
CATALOGUE_FILE = "catalogue.yaml"

_Model = TypeVar("_Model", bound=BaseModel)


def default_rules_dir() -> Path:
    """The folder of the default rule base shipped with Ruta (protocols reference edition)."""
    return Path(rules.__file__).resolve().parent


def load_rule_base(directory: Path | str | None = None) -> RuleBase:
    """Read ``base.yaml``, ``catalogue.yaml`` and every other ``*.yaml`` of ``directory``.

    Rule files are read in name order. Raises :class:`RuleBaseError` with every problem found.
    """
    documents = read_rule_folder(directory)
    manifest = documents.pop(MANIFEST_FILE)
    catalogue = documents.pop(CATALOGUE_FILE)
    return rule_base_from_data(manifest, catalogue, documents)


def read_rule_folder(directory: Path | str | None = None) -> dict[str, Any]:
    """Every ``*.yaml`` document of a rule base folder as parsed, by file name in name order.

    The documents keep their YAML positions (for line numbers). Raises :class:`RuleBaseError`
    for a missing folder, a missing ``base.yaml`` or ``catalogue.yaml``, a ``.yml`` file or a
    file that is not valid YAML, with every such problem at once; the contents are checked by
    :func:`rule_base_from_data`.
    """
    folder = Path(directory) if directory is not None else default_rules_dir()
    if not folder.is_dir():
        raise RuleBaseError([_whole_file(folder.name, "not_a_folder")])
    problems: list[RuleProblem] = []
    documents: dict[str, Any] = {}
    for required in (MANIFEST_FILE, CATALOGUE_FILE):
        if not (folder / required).is_file():
            problems.append(_whole_file(required, "file_missing"))
    for path in sorted(folder.glob("*.yml")):
        problems.append(_whole_file(path.name, "yml_file"))
    for path in sorted(folder.glob("*.yaml")):
        data, problem = read_yaml(path, path.name)
        if problem is not None:
            problems.append(problem)
        else:
            documents[path.name] = data
    if problems:
        raise RuleBaseError(problems)
    return documents


def _whole_file(name: str, kind: str) -> RuleProblem:
    """A problem of a file (or folder) as a whole: no line, rule or path."""
    return RuleProblem.of(name, None, None, "", RuleMessage(kind))


def rule_base_from_data(
    manifest: Any,
    catalogue: Any,
    rule_files: Mapping[str, Any],
    positions: Mapping[str, Positions] | None = None,
) -> RuleBase:
    """Check a rule base given as parsed documents (file name → content), as the loader does.

    Used by the loader, and by tools that build rule bases in memory (generators, editors).
    Problems are located at the lines the documents' YAML positions give; ``positions`` (by file
    name, see :func:`~engine.yaml_source.line_of`) replaces them for documents that carry none,
    such as edited copies. Rules are taken file by file in the order ``rule_files`` gives.
    """
    problems: list[RuleProblem] = []
    tables: Mapping[str, Positions] = positions or {}
    checked_manifest = _validate(
        Manifest, manifest, MANIFEST_FILE, problems, positions=tables.get(MANIFEST_FILE)
    )
    checked_catalogue = _validate(
        Catalogue, catalogue, CATALOGUE_FILE, problems, positions=tables.get(CATALOGUE_FILE)
    )
    context: dict[str, Any] = {}
    if checked_catalogue is not None:
        context["services"] = {s.code: s.area for s in checked_catalogue.services}
    rules: list[Rule] = []
    sources: list[RuleSource] = []
    groups: dict[str, Text] = {}
    first_seen: dict[str, RuleSource] = {}
    if not rule_files:
        problems.append(_whole_file("rules", "no_rule_files"))
    for name, data in rule_files.items():
        table = tables.get(name)
        checked = _validate(RuleFile, data, name, problems, context, table)
        if checked is None:
            continue
        groups[name] = checked.group
        for index, rule in enumerate(checked.rules):
            line, _ = line_of(data, ("rules", index), table)
            source = RuleSource(name, line)
            if rule.id in first_seen:
                earlier = first_seen[rule.id]
                duplicate = RuleMessage("duplicate_rule_id", {"where": _where(earlier)})
                problems.append(RuleProblem.of(name, line, rule.id, "id", duplicate))
                continue
            first_seen[rule.id] = source
            capacity = rule_capacity_problem(rule)
            if capacity is not None:
                problems.append(RuleProblem.of(name, line, rule.id, "when", capacity))
                continue
            rules.append(rule)
            sources.append(source)
    if problems or checked_manifest is None or checked_catalogue is None:
        raise RuleBaseError(problems)
    return RuleBase(
        checked_manifest,
        checked_catalogue,
        tuple(rules),
        tuple(sources),
        MappingProxyType(groups),
    )


def _where(source: RuleSource) -> str:
    return source.file if source.line is None else f"{source.file}:{source.line}"


def _validate(
    model: type[_Model],
    data: Any,
    name: str,
    problems: list[RuleProblem],
    context: dict[str, Any] | None = None,
    positions: Positions | None = None,
) -> _Model | None:
    if not isinstance(data, dict):
        problems.append(RuleProblem.of(name, 1, None, "", RuleMessage("not_a_mapping")))
        return None
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        # Rule files hold policy, not personal data: quoting their values is safe and helpful.
        for item in error.errors(include_url=False):
            if item["type"] == "duplicate_service_codes":
                # One problem per repeated code, each at the line of its second entry.
                for index, code in item["ctx"]["repeated"]:
                    twice = RuleMessage("duplicate_service_code", {"code": code})
                    loc = (*item["loc"], index, "code")
                    problems.append(_problem(name, data, positions, loc, "", twice))
                continue
            loc = tuple(item["loc"])
            if AT_ITEM in item.get("ctx", {}):
                # A fault of one item of a list: reported at that item's line.
                loc = (*loc, item["ctx"][AT_ITEM])
            message = explain(model, loc, item)
            problems.append(_problem(name, data, positions, loc, item["type"], message))
        return None


def _problem(
    name: str,
    data: Any,
    positions: Positions | None,
    loc: tuple[int | str, ...],
    kind: str,
    message: RuleMessage,
) -> RuleProblem:
    line, path = line_of(data, loc, positions)
    if kind == "missing":
        missing = str(loc[-1]).removesuffix("_")
        path = f"{path}.{missing}" if path else missing
    rule_id = None
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            found = rules[loc[1]].get("id")
            rule_id = str(found) if found is not None else None
        path = path.removeprefix(f"rules[{loc[1]}]").lstrip(".")
    return RuleProblem.of(name, line, rule_id, path, message)


#: pydantic's error types said in the rule format's words, with at most pydantic's context.
_PLAIN: dict[str, str] = {
    "model_type": "mapping_expected",
    "model_attributes_type": "mapping_expected",
    "dict_type": "mapping_expected",
    "list_type": "list_expected",
    "string_type": "text_expected",
    "too_short": "empty_list",
    "string_too_short": "empty_text",
    "string_too_long": "text_too_long",
}

#: The fields written to a pattern, and how the pattern is said in words.
_PATTERNS: dict[str, str] = {"url": "url_form", "code": "service_code_form"}


def explain(model: type[BaseModel], loc: tuple[int | str, ...], item: Any) -> RuleMessage:
    """One of pydantic's error records for ``model`` in the words of the rule format, with a
    suggestion where one helps. The rule checks' own faults keep their type and values."""
    kind = str(item["type"])
    ctx: dict[str, Any] = dict(item.get("ctx") or {})
    given = item.get("input")
    if kind in ENGLISH:
        return RuleMessage(kind, ctx)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _keys_at(model, loc[:-1])
        matches = get_close_matches(key, allowed, n=1, cutoff=0.5)
        hint = did_you_mean(matches[0] if matches else None)
        return RuleMessage("unknown_key", {"key": key, "hint": hint, "allowed": ", ".join(allowed)})
    if kind == "missing":
        return RuleMessage("missing_key", {"key": str(loc[-1]).removesuffix("_")})
    if kind.startswith("date"):
        return RuleMessage("not_a_real_date", {"value": given})
    if kind in ("enum", "literal_error"):
        expected = [w.strip(" '") for w in str(ctx["expected"]).replace(" or ", ", ").split(",")]
        hint = _closest(str(given), expected)
        return RuleMessage(
            "value_not_allowed", {"value": given, "hint": hint, "allowed": ", ".join(expected)}
        )
    if kind == "string_pattern_mismatch":
        return RuleMessage(_PATTERNS.get(str(loc[-1]) if loc else "", "pattern_mismatch"), ctx)
    if kind in _PLAIN:
        return RuleMessage(_PLAIN[kind], ctx)
    return RuleMessage("invalid_value", {"detail": str(item["msg"]).removeprefix("Value error, ")})


_SPELLINGS = {"=": "==", "<>": "!=", "not in": "not_in", "null": "is_null"}


def _closest(given: str, allowed: list[str]) -> RuleMessage | str:
    """A "did you mean" for a word, knowing the usual slips with operators (``=>`` for ``>=``)."""
    if given in _SPELLINGS and _SPELLINGS[given] in allowed:
        return did_you_mean(_SPELLINGS[given])
    same_letters = [a for a in allowed if sorted(a) == sorted(given)]
    matches = same_letters or get_close_matches(given, allowed, n=1, cutoff=0.5)
    return did_you_mean(matches[0] if matches else None)


def _keys_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the format allows in the mapping at ``loc`` (for "did you mean")."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is _CONDITION:
            current = _CONDITION_MODELS.get(str(part))
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return []
        current = _unwrap(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


_CONDITION = object()
_CONDITION_MODELS: dict[str, type[BaseModel]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": Not,
    "test": Test,
}


def _unwrap(annotation: Any) -> Any:
    """The model a field holds, through lists, optionals and the condition union."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated or origin in (list, tuple):
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) > 1:
                return _CONDITION
            annotation = members[0]
        else:
            return annotation
