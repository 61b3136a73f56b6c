"""Simulation records: what was asked, how far it got, and its result.

The profiles a simulation runs over are never stored (they may be people's data sent in the
request); only counts and the few example profiles the result shows are kept.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from texts import both

from .database import Database
from .errors import NotFoundError
from .models import SimulationRow, utc_now

__all__ = ["SimulationInfo", "Simulations"]

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: A simulation not heard from for this long was cut short (its process stopped). The process
#: keeps its simulations alive while it holds them (see :meth:`Simulations.touch`).
STALE_AFTER = timedelta(seconds=60)


def _interrupted() -> dict[str, str]:
    """What a person reads of a simulation cut short by the service stopping."""
    message, message_es = both("store.simulation_interrupted")
    return {"message": message, "message_es": message_es}


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
    def __init__(self, database: Database) -> None:
        self.db = database

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
        with self.db.write() as session:
            row = SimulationRow(
                id=secrets.token_hex(8),
                draft_id=draft_id,
                draft_revision=draft_revision,
                before_hash=before_hash,
                after_hash=after_hash,
                source=source,
                status=QUEUED,
                done=0,
                total=total,
                created_by=actor,
                created_at=utc_now(),
                updated_at=utc_now(),
            )
            session.add(row)
            session.flush()
            return _info(row)

    def progress(self, simulation_id: str, done: int, total: int) -> None:
        with self.db.write() as session:
            session.execute(
                update(SimulationRow)
                .where(SimulationRow.id == simulation_id)
                .values(status=RUNNING, done=done, total=total, updated_at=utc_now())
            )

    def touch(self, simulation_ids: Collection[str]) -> None:
        """The process running (or queueing) these simulations is alive: they are not stale."""
        if not simulation_ids:
            return
        with self.db.write() as session:
            session.execute(
                update(SimulationRow)
                .where(
                    SimulationRow.id.in_(list(simulation_ids)),
                    SimulationRow.status.in_((QUEUED, RUNNING)),
                )
                .values(updated_at=utc_now())
            )

    def finish(self, simulation_id: str, result: dict[str, Any]) -> None:
        with self.db.write() as session:
            row = session.get(SimulationRow, simulation_id)
            if row is None:
                return
            row.status, row.done, row.finished_at = DONE, row.total, utc_now()
            row.result = json.dumps(result, ensure_ascii=False)

    def fail(self, simulation_id: str, message: str, message_es: str) -> None:
        with self.db.write() as session:
            row = session.get(SimulationRow, simulation_id)
            if row is None:
                return
            row.status, row.finished_at = FAILED, utc_now()
            row.error = json.dumps({"message": message, "message_es": message_es})

    def get(self, simulation_id: str) -> SimulationInfo:
        with self.db.read() as session:
            row = session.get(SimulationRow, simulation_id) if len(simulation_id) <= 32 else None
            if row is None:
                raise NotFoundError(*both("store.no_simulation", id=simulation_id[:32]))
            return _info(row)


def _info(row: SimulationRow) -> SimulationInfo:
    status, error = row.status, json.loads(row.error) if row.error else None
    if status in (QUEUED, RUNNING) and utc_now() - row.updated_at > STALE_AFTER:
        status, error = FAILED, _interrupted()
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
