"""Simulating a rule change: every person's roadmap under the rule base in service and under the
proposed one, compared service by service.

The population is cut into parts of :data:`PART_SIZE` people. Parts run in this process (one
worker, or a population too small to be worth starting processes), in a local pool of processes
(one per core by default), or on a Dask cluster (``scheduler``: the address of a Dask
distributed scheduler, the ``RUTA_DASK_SCHEDULER`` setting). Each process builds one engine per
rule base once and keeps it for every part it runs. Parts are added up in population order, so
the result is the same whichever way it ran.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Final

from engine import RuleBase, RuleEngine, evaluation_day
from texts import both

from . import workers as workers_module
from .cases import broken_cases
from .errors import SchedulerError
from .population import Population
from .result import SimulationResult
from .tally import Tally
from .workers import evaluate_part, pool_part, prepare_pool_process

__all__ = ["PART_SIZE", "POOL_FROM_PARTS", "Parts", "Progress", "collect", "simulate"]

#: People per part: large enough that sending a part costs little beside evaluating it, small
#: enough that progress moves often and both cores stay busy to the end.
PART_SIZE: Final = 1000

#: With ``workers`` left to choose, a pool of processes is used from this many parts on: a pool
#: takes about a second to start, the time of some five parts in this process.
POOL_FROM_PARTS: Final = 8

#: Told ``(people evaluated, people in the population)`` each time a part is done.
Progress = Callable[[int, int], None]


def simulate(
    before: RuleBase,
    after: RuleBase,
    population: Population,
    as_of: date | datetime | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    cases_dir: Path | str | None = None,
) -> SimulationResult:
    """Who gains or loses each service if ``after`` replaces ``before``, over ``population``.

    ``as_of`` is the day for people without a day of their own (default: today in Colombia).
    ``workers``: processes of the local pool (default: one per core, or this process alone for
    a population of fewer than :data:`POOL_FROM_PARTS` parts; 1 runs in this process).
    ``scheduler``: a Dask distributed scheduler address; the parts then run on that cluster
    instead, whose workers must have Ruta installed. ``progress`` is told
    ``(done, total)`` as parts finish; an exception it raises stops the simulation (parts not
    yet started are cancelled) and reaches the caller. ``cases_dir``: the protocol cases
    checked against ``after`` (default: ``rules/cases``).

    Raises :class:`SchedulerError` when the Dask scheduler cannot be reached or a pool process
    dies, and the engine's errors (:class:`engine.EvaluationError`, a case file's
    :class:`engine.RuleBaseError`) as they are.
    """
    day = evaluation_day(as_of)
    total = len(population)
    parts = [
        (population.part(start, start + PART_SIZE), start) for start in range(0, total, PART_SIZE)
    ]
    if progress is not None:
        progress(0, total)
    if scheduler:
        # Imported here: Dask takes half a second to import, and most runs never use it.
        from .cluster import on_cluster  # noqa: PLC0415

        tallies = on_cluster(scheduler, before, after, parts, day, total, progress)
    else:
        if workers is None:
            workers = (os.cpu_count() or 1) if len(parts) >= POOL_FROM_PARTS else 1
        count = max(1, min(workers, len(parts)))
        if count == 1:
            tallies = _here(before, after, parts, day, total, progress)
        else:
            tallies = _in_pool(count, before, after, parts, day, total, progress)
    tally = Tally()
    for part_tally in tallies:
        tally.merge(part_tally)
    return SimulationResult(
        tally.profiles,
        tally.changed,
        tuple(tally.invalid),
        tally.services(),
        tuple(broken_cases(after, cases_dir)),
    )


#: The population's parts, each with the position of its first person.
Parts = list[tuple[Population, int]]


def _here(
    before: RuleBase,
    after: RuleBase,
    parts: Parts,
    day: date,
    total: int,
    progress: Progress | None,
) -> list[Tally]:
    """Every part in this process, with engines built for this run and closed after it."""
    tallies = []
    with RuleEngine(before) as old, RuleEngine(after) as new:
        for part, offset in parts:
            tallies.append(evaluate_part(old, new, part, offset, day))
            _tell(progress, offset + len(part), total)
    return tallies


def _in_pool(
    count: int,
    before: RuleBase,
    after: RuleBase,
    parts: Parts,
    day: date,
    total: int,
    progress: Progress | None,
) -> list[Tally]:
    """The parts in ``count`` new processes, each building both engines once.

    The processes are started fresh ("forkserver", or "spawn" where there is none), never
    forked from this one: a copy of a process that holds durable-rules state is not safe.
    """
    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        # The server process imports the engine once and every pool process is a copy of it,
        # ready at once (it holds no durable-rules state: that is built in each pool process).
        # Without effect if this program already started its fork server.
        server.set_forkserver_preload([workers_module.__name__])
        context = server
    else:
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        count, context, initializer=prepare_pool_process, initargs=(before, after)
    )
    try:
        futures = {
            pool.submit(pool_part, part, offset, day): index
            for index, (part, offset) in enumerate(parts)
        }
        return collect(futures, as_completed(futures), parts, total, progress)
    except BrokenProcessPool:
        raise SchedulerError(*both("simulation.worker_stopped")) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def collect(
    futures: Mapping[Any, int],
    finished: Iterable[Any],
    parts: Parts,
    total: int,
    progress: Progress | None,
) -> list[Tally]:
    """The parts' tallies in population order, telling progress as each part finishes.

    ``futures`` maps each part's future to the part's index; ``finished`` yields the futures
    as they finish (``concurrent.futures`` or Dask's ``as_completed``).
    """
    tallies: dict[int, Tally] = {}
    done = 0
    for future in finished:
        index = futures[future]
        tallies[index] = future.result()
        done += len(parts[index][0])
        _tell(progress, done, total)
    return [tallies[index] for index in range(len(parts))]


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
