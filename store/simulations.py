"""Simulation records: what was asked, how far it got, and its result.

The profiles a simulation runs over are never stored (they may be people's data sent in the
request); only counts and the few example profiles the result shows are kept.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from texts import N_

from .database import Database
from .jobs import JobRecords
from .models import SimulationRow

__all__ = ["SimulationInfo", "Simulations"]


@dataclass(frozen=True)
class SimulationInfo:
    id: str
    draft_id: str
    draft_revision: int
    before_hash: str
    after_hash: str
    source: str
    status: str
    done: int
    total: int
    result: dict[str, Any] | None
    error: dict[str, str] | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "draft_id": self.draft_id,
            "draft_revision": self.draft_revision,
            "before": self.before_hash,
            "after": self.after_hash,
            "source": self.source,
            "status": self.status,
            "progress": {"done": self.done, "total": self.total},
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "result": self.result,
            "error": self.error,
        }


class Simulations:
    """The simulations policy staff asked for: job records (see :mod:`store.jobs`) of a draft
    run against the published version."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self.jobs = JobRecords(
            database,
            SimulationRow,
            interrupted=N_("store.simulation_interrupted"),
            missing=N_("store.no_simulation"),
        )

    def create(
        self,
        *,
        draft_id: str,
        draft_revision: int,
        before_hash: str,
        after_hash: str,
        source: str,
        total: int,
        actor: str,
    ) -> SimulationInfo:
        return self.jobs.create(
            self._info,
            draft_id=draft_id,
            draft_revision=draft_revision,
            before_hash=before_hash,
            after_hash=after_hash,
            source=source,
            total=total,
            created_by=actor,
        )

    def progress(self, simulation_id: str, done: int, total: int) -> None:
        self.jobs.advance(simulation_id, done=done, total=total)

    def touch(self, simulation_ids: Collection[str]) -> None:
        """The process running (or queueing) these simulations is alive: they are not stale."""
        self.jobs.touch(simulation_ids)

    def finish(self, simulation_id: str, result: dict[str, Any]) -> None:
        self.jobs.finish(simulation_id, result)

    def fail(self, simulation_id: str, message: str, message_es: str) -> None:
        self.jobs.fail(simulation_id, message, message_es)

    def interrupt(self, simulation_id: str) -> None:
        """The process holding it is stopping before it could finish: failed, interrupted."""
        self.jobs.interrupt(simulation_id)

    def get(self, simulation_id: str) -> SimulationInfo:
        return self.jobs.get(simulation_id, self._info)

    def _info(self, row: SimulationRow) -> SimulationInfo:
        status, error = self.jobs.status(row)
        return SimulationInfo(
            id=row.id,
            draft_id=row.draft_id,
            draft_revision=row.draft_revision,
            before_hash=row.before_hash,
            after_hash=row.after_hash,
            source=row.source,
            status=status,
            done=row.done,
            total=row.total,
            result=json.loads(row.result) if row.result else None,
            error=error,
            created_by=row.created_by,
            created_at=row.created_at,
            finished_at=row.finished_at,
        )
