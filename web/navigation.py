"""The menu a person sees: the pages their role may use, as ``navigation.yaml`` lists them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

from store import access

_FILE = Path(__file__).resolve().parent / "navigation.yaml"


@dataclass(frozen=True)
class MenuEntry:
    """One page in the menu: where it is, the text key of its label, what it needs."""

    path: str
    label: str
    permission: str
    group: str


@cache
def menu() -> tuple[MenuEntry, ...]:
    """Every page of the menu, in order."""
    with _FILE.open(encoding="utf-8") as source:
        entries = YAML(typ="safe").load(source)
    return tuple(MenuEntry(**entry) for entry in entries)


def menu_for(role: str) -> list[MenuEntry]:
    """The pages ``role`` may use."""
    table = access()
    return [entry for entry in menu() if table.may(role, entry.permission)]
