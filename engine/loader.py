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
from .rule_model import AllOf, AnyOf, Catalogue, Manifest, Not, Rule, RuleFile, Test, Text
from .yaml_source import Positions, line_of, read_yaml

__all__ = [
    "CATALOGUE_FILE",
    "MANIFEST_FILE",
    "default_rules_dir",
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
        raise RuleBaseError([RuleProblem(str(folder.name), None, None, "", "is not a folder")])
    problems: list[RuleProblem] = []
    documents: dict[str, Any] = {}
    for required in (MANIFEST_FILE, CATALOGUE_FILE):
        if not (folder / required).is_file():
            problems.append(RuleProblem(required, None, None, "", "is missing from the rule base"))
    for path in sorted(folder.glob("*.yml")):
        problems.append(
            RuleProblem(path.name, None, None, "", "Ruta reads only '.yaml' files: rename it")
        )
    for path in sorted(folder.glob("*.yaml")):
        data, problem = read_yaml(path, path.name)
        if problem is not None:
            problems.append(problem)
        else:
            documents[path.name] = data
    if problems:
        raise RuleBaseError(problems)
    return documents


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
        problems.append(RuleProblem("rules", None, None, "", "no rule files (*.yaml) found"))
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
                problems.append(
                    RuleProblem(
                        name,
                        line,
                        rule.id,
                        "id",
                        f"duplicate rule id; already used at {_where(earlier)}",
                    )
                )
                continue
            first_seen[rule.id] = source
            capacity = rule_capacity_problem(rule)
            if capacity is not None:
                problems.append(RuleProblem(name, line, rule.id, "when", capacity))
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
        problems.append(
            RuleProblem(name, 1, None, "", "must be a mapping of keys (see docs/rule-format.md)")
        )
        return None
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        # Rule files hold policy, not personal data: quoting their values is safe and helpful.
        for item in error.errors(include_url=False):
            if item["type"] == "duplicate_code":
                # One problem per repeated code, each at the line of its second entry.
                for index, code in item["ctx"]["repeated"]:
                    problems.append(
                        _problem(
                            model,
                            name,
                            data,
                            positions,
                            {
                                **item,
                                "loc": (*item["loc"], index, "code"),
                                "msg": f"service code {code} is listed twice; keep one entry",
                            },
                        )
                    )
                continue
            found = dict(item)
            if item["type"] == "at_item":
                # A fault of one item of a list: reported at that item's line.
                found["loc"] = (*item["loc"], item["ctx"]["index"])
            problems.append(_problem(model, name, data, positions, found))
        return None


def _problem(
    model: type[BaseModel],
    name: str,
    data: Any,
    positions: Positions | None,
    item: dict[str, Any],
) -> RuleProblem:
    loc: tuple[int | str, ...] = tuple(item["loc"])
    kind = item["type"]
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
    return RuleProblem(name, line, rule_id, path, _explain(model, loc, kind, item["msg"], item))


def _explain(
    model: type[BaseModel],
    loc: tuple[int | str, ...],
    kind: str,
    message: str,
    item: dict[str, Any],
) -> str:
    """pydantic's message in the words of the rule format, with a suggestion where one helps."""
    given = item.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _keys_at(model, loc[:-1])
        matches = get_close_matches(key, allowed, n=1, cutoff=0.5)
        hint = f" (did you mean '{matches[0]}'?)" if matches else ""
        return f"unknown key '{key}'{hint}; allowed here: {', '.join(allowed)}"
    if kind == "missing":
        return f"missing required key '{str(loc[-1]).removesuffix('_')}'"
    if kind.startswith("date"):
        return f"'{given}' is not a real date; write it as YYYY-MM-DD, e.g. 2021-08-04"
    if kind in ("enum", "literal_error"):
        expected = [
            w.strip(" '") for w in str(item["ctx"]["expected"]).replace(" or ", ", ").split(",")
        ]
        hint = _closest(str(given), expected)
        return f"'{given}' is not allowed here{hint}; use one of: {', '.join(expected)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a set of keys (key: value lines), not a single value or a list"
    if kind == "list_type":
        return "must be a list: start each item on its own line with '- '"
    if kind == "string_type":
        return 'must be text: write it in quotes (codes such as "54" keep their leading zero)'
    return message.removeprefix("Value error, ")


_SPELLINGS = {"=": "==", "<>": "!=", "not in": "not_in", "null": "is_null"}


def _closest(given: str, allowed: list[str]) -> str:
    """A "did you mean" for a word, knowing the usual slips with operators (``=>`` for ``>=``)."""
    if given in _SPELLINGS and _SPELLINGS[given] in allowed:
        return f" (did you mean '{_SPELLINGS[given]}'?)"
    same_letters = [a for a in allowed if sorted(a) == sorted(given)]
    matches = same_letters or get_close_matches(given, allowed, n=1, cutoff=0.5)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


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
