"""How a level of the network's reach is drawn on the heatmap and in an audit's report.

The levels and their names are the network's (``network.Level``, ``network.level.*``); the
pages add only a symbol (so the table reads without colour) and a CSS class that colours the
cell. A level the pages do not know yet is still shown, by its name, with a neutral mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from network import Level

#: The symbol of each level the pages know, best first.
SYMBOLS = {
    "municipality": "●",
    "department": "◐",
    "national": "◆",
    "neighbour": "▲",
    "nearest": "△",
    "none": "✕",
}

#: The mark of a level the pages do not know.
UNKNOWN_SYMBOL = "?"


@dataclass(frozen=True)
class ReachLevel:
    """One level as a page shows it: its code in the API's answers, its name in the page's
    language, its symbol and the CSS class that colours its cells."""

    code: str
    name: str
    symbol: str
    css: str


def reach_levels(language: str) -> dict[str, ReachLevel]:
    """Every level of the network, best first, by its code in the API's answers."""
    found: dict[str, ReachLevel] = {}
    for level in Level:
        code = level.name.lower()
        name = level.label.get(language)
        known = code in SYMBOLS
        found[code] = ReachLevel(
            code=code,
            name=name[:1].upper() + name[1:],
            symbol=SYMBOLS[code] if known else UNKNOWN_SYMBOL,
            css=f"reach-{code}" if known else "reach-other",
        )
    return found


def levels_counted(
    rows: Iterable[Mapping[str, Any]], language: str
) -> tuple[dict[str, ReachLevel], dict[str, int]]:
    """The legend of a reach table: every level of the network and any other the ``rows``
    name (one the network added since these pages were written), and how many rows stand at
    each."""
    listed = list(rows)
    levels = reach_levels(language)
    for row in listed:
        code = str(row["level"])
        levels.setdefault(code, reach_level(code, language))
    counts = {code: sum(1 for row in listed if row["level"] == code) for code in levels}
    return levels, counts


def reach_level(code: str, language: str) -> ReachLevel:
    """The level ``code`` as a page shows it (by its code if the network does not know it)."""
    found = reach_levels(language).get(code)
    return found or ReachLevel(code=code, name=code, symbol=UNKNOWN_SYMBOL, css="reach-other")
