"""Job records: work the service runs in the background for a person (an audit, a simulation),
kept so that they can follow it and fetch its result long after it ran.

A job is queued, then running (with how far it got), then done (with its result) or failed
(with why, in English and Spanish). The process running a job keeps it alive while it holds
it; a job not heard from for :data:`STALE_AFTER` was cut short (the service stopped) and is
reported as failed, with a message saying so, though its record is left as it was.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update

from texts import both

from .database import Database
from .errors import NotFoundError
from .models import AuditRow, SimulationRow, utc_now

__all__ = ["DONE", "FAILED", "QUEUED", "RUNNING", "STALE_AFTER", "JobRecords"]

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: A job not heard from for this long was cut short (the process running it stopped). The
#: process keeps its jobs alive while it holds them (see :meth:`JobRecords.touch`).
STALE_AFTER = timedelta(seconds=60)
#: The longest id a job can have; a longer one names no job (and is not looked up).
_ID_LENGTH = 32

#: The kinds of job the store keeps, each in its own table.
Row = TypeVar("Row", AuditRow, SimulationRow)
Info = TypeVar("Info")


class JobRecords(Generic[Row]):
    """The records of one kind of job (one table), and what a person reads of each: its
    status (a stale job read as failed, interrupted) and the error, if it failed.

    ``interrupted`` is the catalogue key of the message for a job cut short, ``missing`` the
    one for an id that names no job (given the id as ``{id}``)."""

    def __init__(
        self, database: Database, model: type[Row], *, interrupted: str, missing: str
    ) -> None:
        self.db = database
        self.model: type[Row] = model
        self.interrupted = interrupted
        self.missing = missing

    def create(self, info: Callable[[Row], Info], **columns: Any) -> Info:
        """A new queued job with ``columns`` (those of its kind), as ``info`` reads it."""
        with self.db.write() as session:
            now = utc_now()
            row = self.model(
                id=secrets.token_hex(8),
                status=QUEUED,
                done=0,
                created_at=now,
                updated_at=now,
                **columns,
            )
            session.add(row)
            session.flush()
            return info(row)

    def advance(self, job_id: str, **columns: Any) -> None:
        """The job is running and got as far as ``columns`` say (``done``, …)."""
        with self.db.write() as session:
            session.execute(
                update(self.model)
                .where(self.model.id == job_id)
                .values(status=RUNNING, updated_at=utc_now(), **columns)
            )

    def touch(self, job_ids: Collection[str]) -> None:
        """The process running (or queueing) these jobs is alive: they are not stale."""
        if not job_ids:
            return
        with self.db.write() as session:
            session.execute(
                update(self.model)
                .where(self.model.id.in_(list(job_ids)), self.model.status.in_((QUEUED, RUNNING)))
                .values(updated_at=utc_now())
            )

    def finish(self, job_id: str, result: dict[str, Any], **columns: Any) -> None:
        """The job is done, all its steps, with ``result`` (and ``columns`` of its kind)."""
        with self.db.write() as session:
            session.execute(
                update(self.model)
                .where(self.model.id == job_id)
                .values(
                    status=DONE,
                    done=self.model.total,
                    finished_at=utc_now(),
                    result=json.dumps(result, ensure_ascii=False),
                    **columns,
                )
            )

    def fail(self, job_id: str, message: str, message_es: str) -> None:
        """The job failed; ``message`` / ``message_es`` say why (never a person's data)."""
        error = json.dumps({"message": message, "message_es": message_es})
        with self.db.write() as session:
            session.execute(
                update(self.model)
                .where(self.model.id == job_id)
                .values(status=FAILED, finished_at=utc_now(), error=error)
            )

    def interrupt(self, job_id: str) -> None:
        """The job will not finish here: its process is stopping (a queued job that will not
        start, or a running one past the time it was given to finish)."""
        self.fail(job_id, *both(self.interrupted))

    def get(self, job_id: str, info: Callable[[Row], Info]) -> Info:
        """The job ``job_id`` as ``info`` reads it; :class:`NotFoundError` if there is none."""
        with self.db.read() as session:
            row = session.get(self.model, job_id) if len(job_id) <= _ID_LENGTH else None
            if row is None:
                raise NotFoundError(*both(self.missing, id=job_id[:_ID_LENGTH]))
            return info(row)

    def latest(self, limit: int, info: Callable[[Row], Info]) -> list[Info]:
        """The ``limit`` latest jobs, newest first, as ``info`` reads them."""
        with self.db.read() as session:
            rows = session.scalars(
                select(self.model)
                .order_by(self.model.created_at.desc(), self.model.id)
                .limit(limit)
            )
            return [info(row) for row in rows]

    def status(self, row: Row) -> tuple[str, dict[str, str] | None]:
        """The job's status and error as a person reads them: a queued or running job not
        heard from for :data:`STALE_AFTER` has failed, interrupted."""
        status, error = row.status, json.loads(row.error) if row.error else None
        if status in (QUEUED, RUNNING) and utc_now() - row.updated_at > STALE_AFTER:
            message, message_es = both(self.interrupted)
            status, error = FAILED, {"message": message, "message_es": message_es}
        return status, error
