"""Rule base documents written out as policy staff write them: key order, YAML layout.

Keys come in the order the shipped files use (a rule's ``id``, ``title``, ``description``,
``status``, … ``when``, ``recommend``, ``suppress``), whatever order a program built them in;
keys the format does not know (in a draft with a typo) follow, in their own order. The YAML is
block style, as in ``rules/``: a condition test on one line (``{field: age, op: ">=", value:
18}``, operators in quotes), short lists of values on one line, long texts folded over several
lines, days unquoted (``2012-07-31``), a blank line between rules and between services.
Reading the text back gives the same documents.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

__all__ = ["FORMAT_KEY_ORDER", "in_format_order", "sorted_keys", "yaml_text"]

#: Every key of the rule format (rules, rule files, manifest, catalogue), in the order the shipped
#: files write them; a mapping's keys are sorted by their place here.
FORMAT_KEY_ORDER: Final[tuple[str, ...]] = (
    "$schema",
    "group",
    "name",
    "version",
    "edition",
    "code",
    "area",
    "label",
    "id",
    "title",
    "description",
    "status",
    "legal_basis",
    "instrument",
    "article",
    "url",
    "effective_from",
    "effective_to",
    "regions",
    "departments",
    "municipalities",
    "text",
    "when",
    "all",
    "any",
    "not",
    "field",
    "op",
    "value",
    "other_field",
    "recommend",
    "service",
    "priority",
    "notes",
    "suppress",
    "services",
    "areas",
    "except",
    "rules",
    "es",
    "en",
)
_RANK: Final = {key: rank for rank, key in enumerate(FORMAT_KEY_ORDER)}

#: Texts longer than this are folded over several lines (``>-``), at most this wide.
FOLD_AT: Final = 88
#: Folded lines end by this column, however deep the text stands.
LINE_WIDTH: Final = 100
#: A list of values, or a condition test, stays on one line up to this many characters.
ONE_LINE: Final = 96
_ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def sorted_keys(keys: Iterable[str]) -> list[str]:
    """``keys`` in the format's order; keys it does not know last, in the order given."""
    return sorted(keys, key=lambda k: _RANK.get(k, len(_RANK)))


def in_format_order(value: Any) -> Any:
    """``value`` with the keys of every mapping in the format's order (a new copy)."""
    if isinstance(value, dict):
        return {key: in_format_order(value[key]) for key in sorted_keys(value)}
    if isinstance(value, list):
        return [in_format_order(item) for item in value]
    return value


def yaml_text(document: Any) -> str:
    """One document (a rule file, the manifest or the catalogue) as readable YAML text."""
    yaml = YAML(typ="rt")
    yaml.Emitter = _DoubleQuotingEmitter
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # lines are broken here, not by the emitter
    buffer = io.StringIO()
    yaml.dump(_styled(in_format_order(document)), buffer)
    return _space_items(buffer.getvalue())


def _styled(value: Any, column: int = 0) -> Any:
    """Plain data → ruamel.yaml nodes carrying the layout described in the module docstring.

    ``column`` is where the value's own lines start (its keys, or its list items' content).
    """
    if isinstance(value, dict):
        mapping = CommentedMap(
            (key, _styled(item, column + (4 if isinstance(item, list) else 2)))
            for key, item in value.items()
        )
        if "field" in value and _fits_one_line(value):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_styled(item, column) for item in value)
        if all(_is_scalar(item) for item in value) and _fits_one_line(value):
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str):
        return _styled_text(value, max(LINE_WIDTH - column, FOLD_AT // 2))
    return value


def _styled_text(text: str, width: int) -> Any:
    if _ISO_DAY.fullmatch(text) and _is_day(text):
        return date.fromisoformat(text)  # written unquoted, read back as the same text
    if text and not any(c.isalnum() for c in text):
        return DoubleQuotedScalarString(text)  # operators: op: "<", as in rules/
    if len(text) > FOLD_AT and _foldable(text):
        folded = FoldedScalarString(text)
        folded.fold_pos = _fold_positions(text, min(width, FOLD_AT))
        return folded
    return text


def _is_day(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _foldable(text: str) -> bool:
    """Whether folding keeps the text exactly: one line, single spaces, nothing unprintable."""
    return (
        text == text.strip()
        and "  " not in text
        and text.isprintable()
        and " " in text
        and not text.startswith(("#", "-", ">", "|"))
    )


def _fold_positions(text: str, width: int) -> list[int]:
    """Where to break ``text`` so that no line is wider than ``width`` (unless a word is)."""
    positions: list[int] = []
    start = 0
    while len(text) - start > width:
        space = text.rfind(" ", start, start + width + 1)
        if space <= start:
            space = text.find(" ", start + width)
            if space == -1:
                break
        positions.append(space)
        start = space + 1
    return positions


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _fits_one_line(value: Any) -> bool:
    return _width(value) <= ONE_LINE


def _width(value: Any) -> int:
    """About how wide ``value`` is written on one line (flow style)."""
    if isinstance(value, dict):
        return 2 + sum(len(str(k)) + 4 + _width(v) for k, v in value.items())
    if isinstance(value, list):
        return 2 + sum(_width(item) + 2 for item in value)
    return len(str(value)) + 2


def _space_items(text: str) -> str:
    """A blank line between the items of a top-level list (rules, services), as in rules/."""
    spaced: list[str] = []
    in_list = seen_item = False
    for line in text.splitlines(keepends=True):
        if not line.startswith(" "):  # a top-level key: is a block list or mapping under it?
            in_list = line.rstrip().endswith(":")
            seen_item = False
        elif in_list and line.startswith("  - "):
            if seen_item:
                spaced.append("\n")
            seen_item = True
        spaced.append(line)
    return "".join(spaced)


class _DoubleQuotingEmitter(Emitter):
    """Quotes with ``"…"`` where quotes are needed (``value: "54"``, ``op: ">="``), as the
    shipped files do; ruamel.yaml's default is ``'…'``."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style
