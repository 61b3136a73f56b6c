"""Running a simulation's parts on a Dask cluster (the ``RUTA_DASK_SCHEDULER`` setting).

For populations that outgrow one machine: the parts go to the cluster's workers, which must
have Ruta installed (they import :mod:`simulation.workers`). Each worker keeps one engine per
rule base for every part it runs, as a local pool's processes do.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from distributed import Client
from distributed import as_completed as cluster_completed

from engine import RuleBase
from texts import both

from .errors import SchedulerError
from .simulate import Parts, Progress, collect
from .tally import Tally
from .workers import cluster_part

__all__ = ["on_cluster"]

#: Seconds to wait for a Dask scheduler to answer before giving up.
CONNECT_TIMEOUT: Final = 10


def on_cluster(
    address: str,
    before: RuleBase,
    after: RuleBase,
    parts: Parts,
    day: date,
    total: int,
    progress: Progress | None,
) -> list[Tally]:
    """The parts on the Dask cluster whose scheduler is at ``address``.

    The rule bases are sent once to every worker; each worker keeps an engine per rule base for
    all the parts it runs (and for later simulations of the same rule bases).
    """
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError):
        raise SchedulerError(*both("simulation.scheduler_unreachable", address=address)) from None
    try:
        old, new = client.scatter([before, after], broadcast=True, hash=False)
        futures = {
            client.submit(cluster_part, old, new, part, offset, day, pure=False): index
            for index, (part, offset) in enumerate(parts)
        }
        finished = cluster_completed(futures, loop=client.loop)
        return collect(futures, finished, parts, total, progress)
    finally:
        client.close()
