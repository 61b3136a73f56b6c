"""Simulating a change of the rule base: who gains or loses each service, before it is published.

Typical use::

    from simulation import simulate, synthetic_population

    result = simulate(rule_base_in_service, proposed_rule_base, synthetic_population(100_000, 7))
    for service in result.services:
        print(service.code, service.counts.gained, service.counts.lost)
    result.to_json()        # what the HTTP API answers

Populations: :func:`profiles_population` (profiles given), :func:`synthetic_population`
(realistic-looking people drawn from ``simulation/synthetic.yaml``) and
:func:`cases_population` (the protocol cases). :func:`broken_cases` lists the protocol cases a
rule base fails, the gate before publication.
"""

from .cases import broken_cases
from .errors import PopulationError, SchedulerError, SimulationError
from .population import Population, cases_population, profiles_population
from .result import (
    CHANGES,
    BrokenCase,
    Change,
    ChangeCounts,
    ChangeExample,
    InvalidProfile,
    ServiceChange,
    SimulationResult,
)
from .simulate import PART_SIZE, Progress, simulate
from .synthetic import SyntheticSpec, read_synthetic_spec, synthetic_population
from .tally import EXAMPLES_PER_CHANGE, changes

__all__ = [
    "CHANGES",
    "EXAMPLES_PER_CHANGE",
    "PART_SIZE",
    "BrokenCase",
    "Change",
    "ChangeCounts",
    "ChangeExample",
    "InvalidProfile",
    "Population",
    "PopulationError",
    "Progress",
    "SchedulerError",
    "ServiceChange",
    "SimulationError",
    "SimulationResult",
    "SyntheticSpec",
    "broken_cases",
    "cases_population",
    "changes",
    "profiles_population",
    "read_synthetic_spec",
    "simulate",
    "synthetic_population",
]
