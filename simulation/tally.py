"""Comparing two roadmaps of one person, and adding up what a part of the population shows.

A tally is what one part of the population showed: per service and department, how many
people gained, lost, or saw the priority of the service move; the first few people of each
kind as examples; and the profiles that could not be evaluated. Tallies of consecutive parts
merge in population order, so the total, its examples included, is the same however the
population was cut and wherever the parts ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine import PRIORITY_ORDER, Priority, Profile

from .result import (
    CHANGES,
    Change,
    ChangeCounts,
    ChangeExample,
    InvalidProfile,
    ServiceChange,
)

__all__ = ["EXAMPLES_PER_CHANGE", "Roadmap", "Tally", "changes"]

#: At most this many people are given as examples of each kind of change of each service.
EXAMPLES_PER_CHANGE = 5

#: A roadmap as compared here: ``(service code, priority)`` in roadmap order.
Roadmap = tuple[tuple[str, Priority], ...]

_INDEX: dict[Change, int] = {change: index for index, change in enumerate(CHANGES)}


def changes(before: Roadmap, after: Roadmap) -> list[tuple[str, Change]]:
    """How each service changed for one person, by service code: gained (offered only after),
    lost (offered only before), ``priority_up`` (more urgent after) or ``priority_down``."""
    old = dict(before)
    new = dict(after)
    found: list[tuple[str, Change]] = []
    for code in sorted(old.keys() | new.keys()):
        if code not in old:
            found.append((code, "gained"))
        elif code not in new:
            found.append((code, "lost"))
        elif old[code] != new[code]:
            up = PRIORITY_ORDER[new[code]] < PRIORITY_ORDER[old[code]]
            found.append((code, "priority_up" if up else "priority_down"))
    return found


@dataclass
class Tally:
    """What a part of the population showed (see the module's description)."""

    profiles: int = 0
    changed: int = 0
    invalid: list[InvalidProfile] = field(default_factory=list)
    #: service code → department → counts in the order of ``CHANGES``.
    counts: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    #: service code → change → the first examples, in population order.
    examples: dict[str, dict[Change, list[ChangeExample]]] = field(default_factory=dict)

    def add_invalid(self, position: int, fields: tuple[str, ...]) -> None:
        """A profile that could not be evaluated: counted, listed by position and field."""
        self.profiles += 1
        self.invalid.append(InvalidProfile(position, fields))

    def add(self, profile: Profile, day: date, before: Roadmap, after: Roadmap) -> None:
        """One person's two roadmaps."""
        self.profiles += 1
        if before == after:
            return
        found = changes(before, after)
        if not found:  # the same services and priorities, only listed in another order
            return
        self.changed += 1
        department = profile.department
        for code, change in found:
            per_department = self.counts.setdefault(code, {})
            per_department.setdefault(department, [0, 0, 0, 0])[_INDEX[change]] += 1
            kept = self.examples.setdefault(code, {}).setdefault(change, [])
            if len(kept) < EXAMPLES_PER_CHANGE:
                kept.append(_example(change, profile, day, before, after))

    def merge(self, later: Tally) -> None:
        """Add the tally of the part that comes right after this one in the population."""
        self.profiles += later.profiles
        self.changed += later.changed
        self.invalid.extend(later.invalid)
        for code, per_department in later.counts.items():
            mine = self.counts.setdefault(code, {})
            for department, counts in per_department.items():
                total = mine.setdefault(department, [0, 0, 0, 0])
                for index, count in enumerate(counts):
                    total[index] += count
        for code, by_change in later.examples.items():
            for change, examples in by_change.items():
                kept = self.examples.setdefault(code, {}).setdefault(change, [])
                kept.extend(examples[: EXAMPLES_PER_CHANGE - len(kept)])

    def services(self) -> tuple[ServiceChange, ...]:
        """The services something changed for, by code, with totals, departments, examples."""
        result = []
        for code in sorted(self.counts):
            per_department = {d: ChangeCounts(*c) for d, c in sorted(self.counts[code].items())}
            totals = [sum(c[i] for c in self.counts[code].values()) for i in range(len(CHANGES))]
            by_change = self.examples.get(code, {})
            examples = tuple(e for change in CHANGES for e in by_change.get(change, ()))
            result.append(ServiceChange(code, ChangeCounts(*totals), per_department, examples))
        return tuple(result)


def _example(
    change: Change, profile: Profile, day: date, before: Roadmap, after: Roadmap
) -> ChangeExample:
    shown: dict[str, Any] = profile.model_dump(mode="json", exclude_defaults=True)
    return ChangeExample(
        change,
        shown,
        day.isoformat(),
        tuple((c, p.value) for c, p in before),
        tuple((c, p.value) for c, p in after),
    )
