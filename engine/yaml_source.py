"""Reading YAML files while keeping line numbers, so every fault can point at its line.

ruamel.yaml's round-trip loader records where each key and item stands and refuses duplicate
keys (a common slip when a rule is copied and edited).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from .errors import RuleProblem
from .rule_messages import RuleMessage

__all__ = ["Positions", "alias_line", "line_of", "parse_yaml", "read_yaml"]


class _DatesAsText(RoundTripConstructor):
    """Keeps ``2021-02-30`` as text, so the rule checker reports an impossible date at its line
    (ruamel.yaml would raise a bare ``ValueError`` with no line while parsing it)."""

    def construct_yaml_timestamp(self, node: ScalarNode, values: Any = None) -> Any:
        return self.construct_scalar(node)


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _DatesAsText.construct_yaml_timestamp)


class _AliasError(YAMLError):
    """An alias met while composing: where it stands (0-based line)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _NoAliases(Composer):
    """Stops at the first alias (``*name``) as the document is composed, in the same pass:
    rule files, cases and requirements never need one, and nested aliases unfold into
    gigabytes once read ("billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.parser.check_event(AliasEvent):
            raise _AliasError(int(self.parser.peek_event().start_mark.line))
        return super().compose_node(parent, index)


def read_yaml(path: Path, name: str) -> tuple[Any, RuleProblem | None]:
    """Parse ``path``; on a syntax fault or duplicate key, return the problem instead.

    Dates stay text (``"2012-07-31"``); the models turn them into dates and refuse impossible ones.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        unreadable = RuleMessage("unreadable_file", {"detail": error})
        return None, RuleProblem.of(name, None, None, "", unreadable)
    return parse_yaml(text, name)


def alias_line(text: str) -> int | None:
    """The line of the first YAML alias (``*name``) in ``text``, or None: for readers other
    than :func:`parse_yaml` (which refuses aliases as it reads) to refuse text with an alias
    before reading it. A syntax fault is left to the reader, which says where it is.
    """
    try:
        for event in YAML(typ="safe").parse(text):
            if isinstance(event, AliasEvent):
                return int(event.start_mark.line) + 1
    except YAMLError:
        return None
    return None


def parse_yaml(text: str, name: str) -> tuple[Any, RuleProblem | None]:
    """Parse ``text`` (a file called ``name``, sent rather than read: a suite uploaded to the
    service); on a syntax fault or duplicate key, return the problem instead."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesAsText
    yaml.allow_duplicate_keys = False
    yaml.Composer = _NoAliases
    try:
        return yaml.load(text), None
    except _AliasError as alias:
        return None, RuleProblem.of(name, alias.line + 1, None, "", RuleMessage("yaml_alias"))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        return None, RuleProblem.of(name, line, None, "", _yaml_fault(error))
    except ReaderError as error:  # a control character YAML does not allow, before parsing
        line = text.count("\n", 0, max(error.position, 0)) + 1
        return None, RuleProblem.of(name, line, None, "", RuleMessage("yaml_unprintable"))


def _yaml_fault(error: MarkedYAMLError) -> RuleMessage:
    """What is wrong with a file's YAML. Beyond a key written twice, the words are the YAML
    reader's own, in English, with where it was reading (the line) said in each language."""
    problem = str(error.problem or "").strip()
    if "duplicate key" in problem:
        found = re.search(r'duplicate key "([^"]*)"', problem)
        if found is None:
            return RuleMessage("yaml_duplicate_key_unnamed")
        return RuleMessage("yaml_duplicate_key", {"key": found.group(1)})
    context: RuleMessage | str = ""
    if error.context and error.context_mark is not None:
        context = RuleMessage(
            "yaml_context",
            {"context": error.context.strip(), "line": error.context_mark.line + 1},
        )
    return RuleMessage(
        "yaml_invalid", {"problem": problem or RuleMessage("yaml_not_valid"), "context": context}
    )


#: Where each key and list item of a document stood in its YAML file: the path to it (keys and
#: indexes, ``()`` for the document itself) → its 1-based line. ``None`` marks a part added after
#: the file was read, which has no line; a part not listed takes the line of its parent.
Positions = Mapping[tuple[int | str, ...], int | None]


def line_of(
    data: Any, loc: tuple[int | str, ...], positions: Positions | None = None
) -> tuple[int | None, str]:
    """The 1-based line of the deepest part of ``loc`` found in ``data``, and its readable path.

    Lines come from ``positions`` when given, else from the positions ruamel.yaml recorded in
    ``data``. Parts of ``loc`` that are not keys or indexes of ``data`` (pydantic's union tags)
    are skipped.
    """
    line: int | None = _start_line(data) if positions is None else positions.get(())
    path = ""
    walked: tuple[int | str, ...] = ()
    current = data
    for part in loc:
        if isinstance(current, dict) and isinstance(part, str):
            key = "not" if part == "not_" else "except" if part == "except_" else part
            if key not in current:
                continue
            walked = (*walked, key)
            if positions is not None:
                line = positions.get(walked, line)
            else:
                position = getattr(getattr(current, "lc", None), "key", None)
                if position is not None:
                    line = position(key)[0] + 1
            path = f"{path}.{key}" if path else key
            current = current[key]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            walked = (*walked, part)
            if positions is not None:
                line = positions.get(walked, line)
            else:
                position = getattr(getattr(current, "lc", None), "item", None)
                if position is not None:
                    line = position(part)[0] + 1
            path = f"{path}[{part}]"
            current = current[part]
    return line, path


def _start_line(data: Any) -> int | None:
    lc = getattr(data, "lc", None)
    return lc.line + 1 if lc is not None else None
