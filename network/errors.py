"""Errors of the partner network.

Every error the network raises derives from :class:`NetworkError`. Messages name the file, the
line and the record at fault and say how to fix it; they never contain a returnee's data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataProblem",
    "NetworkDataError",
    "NetworkError",
    "OccupancyError",
    "UnknownPlaceError",
]


class NetworkError(Exception):
    """Base of every error raised by :mod:`network`."""


@dataclass(frozen=True)
class DataProblem:
    """One fault in the network data: file (relative to the data folder), line, record id."""

    file: str
    line: int | None
    item: str | None
    path: str
    message: str

    def __str__(self) -> str:
        parts = [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.item:
            parts.append(self.item)
        if self.path:
            parts.append(self.path)
        return ": ".join(parts) + f": {self.message}"


class NetworkDataError(NetworkError):
    """The network data was refused as a whole; the network in service is untouched."""

    def __init__(self, problems: list[DataProblem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = [f"the partner network was refused: {count} problem{'s' if count != 1 else ''}"]
        super().__init__("\n".join(lines + [f"  {p}" for p in problems]))


class UnknownPlaceError(NetworkError):
    """A request the network cannot answer: a municipality code of no known department, a
    service code not in the catalogue, or fewer than one target asked for."""


class OccupancyError(NetworkError):
    """Counts of referrals that cannot be right: an institution id that is not text, or a
    count that is not a whole number of zero or more."""
