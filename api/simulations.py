"""Simulations run by the service: one at a time, in the background, each over every core.

The request is answered at once (202) with the simulation's id; the work goes on in a
background thread that drives the simulation's worker processes (or a Dask cluster, with
``RUTA_DASK_SCHEDULER``) and records its progress in the store, so any process of the service
can report it. The profiles simulated over are held only while the simulation runs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.concurrency import run_in_threadpool

from engine import ProfileError
from simulation import (
    Population,
    SimulationError,
    cases_population,
    profiles_population,
    simulate,
    synthetic_population,
)
from store import InvalidRequestError, SimulationInfo
from texts import both

from .policy_schemas import SimulationRequest
from .sheets import SheetRow, profile_from_row, read_sheet
from .state import ServiceState

__all__ = ["start_simulation"]

_log = logging.getLogger("ruta.simulations")
#: Progress is written to the store at most this often, in seconds.
_PROGRESS_EVERY = 0.5


def _population(state: ServiceState, asked: SimulationRequest | bytes) -> tuple[str, Population]:
    limit = state.settings.max_simulation_profiles
    if isinstance(asked, bytes):
        rows = read_sheet(asked).rows
        _bounded(len(rows), limit)
        return "csv", profiles_population([_profile(row) for row in rows])
    chosen = [
        name
        for name, value in (
            ("profiles", asked.profiles),
            ("cases", asked.cases),
            ("synthetic", asked.synthetic),
        )
        if value
    ]
    if len(chosen) != 1:
        raise InvalidRequestError(
            *both("error.invalid_request.one_population", synthetic="synthetic")
        )
    if asked.profiles:
        _bounded(len(asked.profiles), limit)
        return "profiles", profiles_population(asked.profiles, as_of=asked.as_of)
    if asked.cases:
        return "cases", cases_population(state.cases_dir)
    assert asked.synthetic is not None
    _bounded(asked.synthetic.size, limit)
    return "synthetic", synthetic_population(asked.synthetic.size, asked.synthetic.seed)


def _profile(row: SheetRow) -> dict[str, Any] | ProfileError:
    """A spreadsheet row as a profile; a row that cannot be read counts as an invalid profile."""
    try:
        return profile_from_row(row)
    except ProfileError as error:
        return error


def _bounded(size: int, limit: int) -> None:
    if size > limit:
        raise InvalidRequestError(*both("error.invalid_request.too_many_profiles", limit=limit))


async def start_simulation(
    state: ServiceState, draft_id: str, asked: SimulationRequest | bytes, actor: str
) -> SimulationInfo:
    """Record a simulation of ``draft_id`` against the published version and start it."""

    def prepare() -> tuple[SimulationInfo, Any, Any, Population, Any]:
        draft = state.store.rule_bases.draft(draft_id)
        after = draft.documents.to_rule_base()
        before = state.rule_bases.current.rule_base
        source, population = _population(state, asked)
        info = state.store.simulations.create(
            draft_id=draft_id,
            draft_revision=draft.revision,
            before_hash=before.hash,
            after_hash=after.hash,
            source=source,
            total=len(population),
            actor=actor,
        )
        as_of = asked.as_of if isinstance(asked, SimulationRequest) else None
        return info, before, after, population, as_of

    info, before, after, population, as_of = await run_in_threadpool(prepare)
    state.held.hold("simulation", info.id)
    state.simulator.submit(_run, state, info.id, before, after, population, as_of)
    return info


def _run(
    state: ServiceState,
    simulation_id: str,
    before: Any,
    after: Any,
    population: Population,
    as_of: Any,
) -> None:
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= _PROGRESS_EVERY or done == total:
            last = now
            state.store.simulations.progress(simulation_id, done, total)

    try:
        result = simulate(
            before,
            after,
            population,
            as_of,
            workers=state.settings.simulation_workers,
            scheduler=state.settings.dask_scheduler,
            progress=progress,
            cases_dir=state.cases_dir,
        )
        state.store.simulations.finish(simulation_id, result.to_json())
    except SimulationError as error:
        state.store.simulations.fail(simulation_id, error.message, error.message_es)
    except Exception as error:  # recorded for the person who asked; never the profiles
        _log.error("simulation %s failed: %s", simulation_id, type(error).__name__)
        state.store.simulations.fail(
            simulation_id, *both("api.simulation_failed", failure=type(error).__name__)
        )
    finally:
        state.held.release("simulation", simulation_id)
