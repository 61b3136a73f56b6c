"""Errors of the simulation of a rule change.

Every error the simulation raises derives from :class:`SimulationError` and carries its message
in English and Spanish. Messages name the file, field or place at fault and never quote a
returnee's data. Faults of the rule bases or of the protocol case files are the engine's own
errors (:class:`engine.RuleBaseError`) and pass through unchanged.
"""

from __future__ import annotations

__all__ = ["PopulationError", "SchedulerError", "SimulationError"]


class SimulationError(Exception):
    """Base of every error raised by :mod:`simulation`: a message in English and in Spanish."""

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_es = message_es


class PopulationError(SimulationError):
    """A population cannot be formed: a description of the synthetic population that is not
    valid, a folder of cases that does not exist, or profiles given in a shape that is not a
    list. A single invalid profile is no error: it is counted and reported by position."""


class SchedulerError(SimulationError):
    """The simulation could not run its parts: the Dask scheduler cannot be reached, or a
    worker process stopped before answering."""
