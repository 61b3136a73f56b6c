"""A rule as YAML text in the editor, and where in that text a problem of the loader lies.

Policy staff edit a rule as it is written in the rule files (YAML); the API takes it as JSON
and names each problem by a path inside the rule (``when.all[0].value``). This module turns a
rule into the YAML a person reads, reads their YAML back, and finds the line of the text a
path points to, so a problem is shown next to the line it is about.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from engine import alias_line

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class YamlFault:
    """The YAML cannot be read: the line and column (from 1) where the reading stopped."""

    line: int
    column: int


def _writer() -> YAML:
    writer = YAML(typ="rt")
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.width = 96
    writer.allow_unicode = True
    return writer


def rule_to_yaml(rule: dict[str, Any]) -> str:
    """``rule`` (the API's JSON of a rule) as the YAML of a rule file."""
    out = io.StringIO()
    _writer().dump(rule, out)
    return out.getvalue()


def yaml_to_rule(source: str) -> dict[str, Any] | YamlFault:
    """The rule a person wrote, or where its YAML cannot be read (a text that is not a
    mapping counts as unreadable at its first line)."""
    alias = alias_line(source)  # nested aliases would unfold into gigabytes: refused
    if alias is not None:
        return YamlFault(alias, 1)
    try:
        loaded = YAML(typ="safe").load(source)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is None:
            return YamlFault(1, 1)
        return YamlFault(mark.line + 1, mark.column + 1)
    except YAMLError:
        return YamlFault(1, 1)
    if not isinstance(loaded, dict):
        return YamlFault(1, 1)
    rule: dict[str, Any] = _plain(loaded)
    return rule


def _plain(value: Any) -> Any:
    """YAML's dates and other scalars as the JSON the API takes."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def line_of(source: str, path: str) -> int | None:
    """The line (from 1) of ``source`` that ``path`` (``when.all[0].value``) points to: the
    deepest part of the path found in the text, or None if the text cannot be read."""
    try:
        node = YAML(typ="rt").load(source)
    except YAMLError:
        return None
    line: int | None = None
    for name, index in _STEP.findall(path):
        if isinstance(node, CommentedMap) and name and name in node:
            line = node.lc.key(name)[0] + 1
            node = node[name]
        elif isinstance(node, CommentedSeq) and index and int(index) < len(node):
            line = node.lc.item(int(index))[0] + 1
            node = node[int(index)]
        else:
            break
    return line
