"""What a simulation answers: who gains or loses each service under a proposed rule base.

For each service something changed for: how many people gain it (offered after the change, not
before), lose it (the reverse), see its priority go up (more urgent: normal → high → urgent) or
down; the same counts per department; and a few people as examples, with both roadmaps. Then
the profiles that could not be evaluated (by position and field, never by value) and the
protocol cases the proposed rule base no longer passes.

Examples carry the people's profiles. A result computed over real people's profiles is personal
data as they are (Ley 1581 de 2012): keep and show it only where the profiles themselves may be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CHANGES",
    "BrokenCase",
    "Change",
    "ChangeCounts",
    "ChangeExample",
    "InvalidProfile",
    "ServiceChange",
    "SimulationResult",
]

#: The four ways a service can change for one person, in the order results list them.
Change = Literal["gained", "lost", "priority_up", "priority_down"]
CHANGES: tuple[Change, ...] = ("gained", "lost", "priority_up", "priority_down")


@dataclass(frozen=True)
class ChangeCounts:
    """How many people gain, lose, or see the priority of one service go up or down."""

    gained: int = 0
    lost: int = 0
    priority_up: int = 0
    priority_down: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "gained": self.gained,
            "lost": self.lost,
            "priority_up": self.priority_up,
            "priority_down": self.priority_down,
        }


@dataclass(frozen=True)
class ChangeExample:
    """One person for whom a service changed: their profile (fields left at their default are
    omitted), their day, and their roadmap before and after, as ``(code, priority)`` steps.

    The profile is left out of ``repr``, so logging a result never writes a person's data.
    """

    change: Change
    profile: Mapping[str, Any] = field(repr=False)
    as_of: str
    before: tuple[tuple[str, str], ...]
    after: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "profile": dict(self.profile),
            "as_of": self.as_of,
            "before": [{"code": c, "priority": p} for c, p in self.before],
            "after": [{"code": c, "priority": p} for c, p in self.after],
        }


@dataclass(frozen=True)
class ServiceChange:
    """Everything that changed for one service: totals, per department (DIVIPOLA code, only
    departments where something changed), and up to five examples of each kind of change."""

    code: str
    counts: ChangeCounts
    by_department: Mapping[str, ChangeCounts]
    examples: tuple[ChangeExample, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            **self.counts.to_json(),
            "by_department": {d: c.to_json() for d, c in self.by_department.items()},
            "examples": [e.to_json() for e in self.examples],
        }


@dataclass(frozen=True)
class InvalidProfile:
    """A profile the simulation could not evaluate: its position in the population (from 0, as
    in a JSON array) and the fields at fault."""

    position: int
    fields: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "fields": list(self.fields)}


@dataclass(frozen=True)
class BrokenCase:
    """A protocol case the rule base does not pass: its name, file and line, and every
    difference in words, in English ("LEGAL_RUR_REGISTRATION: expected normal, not
    recommended") and in Spanish ("… se esperaba normal, no se recomienda")."""

    name: str
    file: str
    line: int | None
    differences: tuple[str, ...]
    differences_es: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "line": self.line,
            "differences": list(self.differences),
            "differences_es": list(self.differences_es),
        }


@dataclass(frozen=True)
class SimulationResult:
    """The answer of :func:`simulation.simulate`.

    ``profiles``: how many people the population holds (invalid ones included). ``changed``:
    how many of them have a different roadmap after the change (a service gained, lost or at
    another priority). ``services``: a :class:`ServiceChange` for every service something
    changed for, by code. ``invalid``: the profiles not evaluated. ``broken_cases``: the
    protocol cases the proposed rule base fails.
    """

    profiles: int
    changed: int
    invalid: tuple[InvalidProfile, ...]
    services: tuple[ServiceChange, ...]
    broken_cases: tuple[BrokenCase, ...]

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data (the shape the HTTP API answers with)."""
        return {
            "profiles": self.profiles,
            "changed": self.changed,
            "invalid": [i.to_json() for i in self.invalid],
            "services": [s.to_json() for s in self.services],
            "broken_cases": [c.to_json() for c in self.broken_cases],
        }
