"""The simulations and audits a process of the service holds, kept alive in the store.

A simulation or audit is recorded in the store when asked for and run in the background by the
process that answered. The store counts a record nobody has touched for a minute as
interrupted (its process stopped). Each process therefore keeps the ids it has queued or is
running here, and its watcher touches them every :data:`KEEP_ALIVE_SECONDS`, so a long audit,
or one queued behind a long simulation, is never mistaken for an interrupted one.
"""

from __future__ import annotations

import threading
from typing import Literal

__all__ = ["KEEP_ALIVE_SECONDS", "HeldJobs", "JobKind"]

#: How often a process tells the store its simulations and audits are alive, in seconds (well
#: inside the minute after which a silent one counts as interrupted).
KEEP_ALIVE_SECONDS = 15.0

JobKind = Literal["simulation", "audit"]


class HeldJobs:
    """The ids of the simulations and audits this process has queued or is running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[JobKind, set[str]] = {"simulation": set(), "audit": set()}

    def hold(self, kind: JobKind, job_id: str) -> None:
        with self._lock:
            self._held[kind].add(job_id)

    def release(self, kind: JobKind, job_id: str) -> None:
        with self._lock:
            self._held[kind].discard(job_id)

    def snapshot(self, kind: JobKind) -> list[str]:
        with self._lock:
            return sorted(self._held[kind])
