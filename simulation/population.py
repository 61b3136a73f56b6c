"""Populations: the people a rule change is tried on.

A population is a sequence of people, each a profile (as a caseworker would send it, not yet
checked) and, optionally, the day their roadmap is worked out for. It can be cut into parts
small enough to send to another process or machine; the simulation evaluates the parts there and
adds up what they show in population order, so the answer never depends on how it was cut.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from engine import CASE_DAY, ProfileError, default_cases_dir, read_cases
from texts import both

from .errors import PopulationError

__all__ = [
    "Member",
    "Population",
    "Refused",
    "cases_population",
    "profiles_population",
]

#: One person: the profile as given and their own day (``None``: the simulation's day).
Member = tuple[Any, date | None]


@dataclass(frozen=True)
class Refused:
    """A person whose profile could not even be read (e.g. a spreadsheet row with more cells
    than columns): the fields at fault, never the values."""

    fields: tuple[str, ...]


class Population(ABC):
    """The people a rule change is tried on, in a fixed order (positions count from 0)."""

    @abstractmethod
    def __len__(self) -> int:
        """How many people the population holds, invalid profiles included."""

    @abstractmethod
    def part(self, start: int, stop: int) -> Population:
        """The people at positions ``start`` to ``stop - 1``, as a population of their own that
        is cheap to send to another process."""

    @abstractmethod
    def members(self) -> Iterator[Member]:
        """Every person in order: the profile as given and their own day, if any."""


@dataclass(frozen=True)
class _Listed(Population):
    """People given one by one."""

    people: tuple[Member, ...]

    def __len__(self) -> int:
        return len(self.people)

    def part(self, start: int, stop: int) -> Population:
        return _Listed(self.people[start:stop])

    def members(self) -> Iterator[Member]:
        return iter(self.people)


def profiles_population(profiles: Sequence[Any], as_of: date | None = None) -> Population:
    """The given profiles (dicts of profile fields, as sent to ``POST /v1/recommendations``),
    all evaluated on ``as_of`` (default: the simulation's day).

    The profiles are checked when the simulation evaluates them: an invalid one is counted and
    listed by position with the fields at fault, and the rest still run. An item may be an
    :class:`engine.ProfileError` raised while reading that person (a spreadsheet row that could
    not be read): it counts as an invalid profile, naming its fields.
    """
    if isinstance(profiles, str | bytes | dict) or not isinstance(profiles, Sequence):
        raise PopulationError(*both("simulation.profiles_not_a_list"))
    people: list[Member] = []
    for item in profiles:
        if isinstance(item, ProfileError):
            people.append((Refused(tuple(dict.fromkeys(p.field for p in item.problems))), as_of))
        else:
            people.append((item, as_of))
    return _Listed(tuple(people))


def cases_population(cases_dir: Path | str | None = None) -> Population:
    """The profiles of the protocol cases (``rules/cases/*.yaml`` by default), each on its own
    day (the case's ``as_of``, or the day the cases are written for), in file-name order.

    A case file with a fault raises :class:`engine.RuleBaseError` naming file and line.
    """
    folder = Path(cases_dir) if cases_dir is not None else default_cases_dir()
    if not folder.is_dir():
        raise PopulationError(*both("simulation.no_cases_folder", folder=folder.name))
    people: list[Member] = []
    for path in sorted(folder.glob("*.yaml")):
        people.extend((case.profile, case.as_of or CASE_DAY) for case, _ in read_cases(path))
    return _Listed(tuple(people))
