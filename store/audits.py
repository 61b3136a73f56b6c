"""Audit records: which rule-base version an auditor audited with which suite, how far the
audit got, and its report.

The report is kept twice, as the JSON of ``ruta audit report --json`` and as its one-page HTML,
so an auditor can fetch either long after the run. The suite's cases are not kept (only how
many there were and the names of the files they came from); an auditor who wants to replay an
audit sends the suite again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from texts import both

from .database import Database
from .errors import NotFoundError
from .models import AuditRow, utc_now

__all__ = ["AuditInfo", "Audits"]

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: An audit not heard from for this long was cut short (the process running it stopped). The
#: process keeps its audits alive while it holds them (see :meth:`Audits.touch`).
STALE_AFTER = timedelta(seconds=60)


def _interrupted() -> dict[str, str]:
    """What a person reads of an audit cut short by the service stopping."""
    message, message_es = both("store.audit_interrupted")
    return {"message": message, "message_es": message_es}


@dataclass(frozen=True)
class AuditInfo:
    """One audit as the service reports it (without its HTML page)."""

    id: str
    rule_base_hash: str
    suite: str
    suite_files: tuple[str, ...]
    cases: int
    status: str
    stage: str | None
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
            "rule_base": self.rule_base_hash,
            "suite": {"source": self.suite, "files": list(self.suite_files), "cases": self.cases},
            "status": self.status,
            "progress": {"stage": self.stage, "done": self.done, "total": self.total},
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "result": self.result,
            "error": self.error,
        }


class Audits:
    def __init__(self, database: Database) -> None:
        self.db = database

    def create(
        self,
        *,
        rule_base_hash: str,
        suite: str,
        suite_files: Collection[str],
        cases: int,
        stages: int,
        actor: str,
    ) -> AuditInfo:
        with self.db.write() as session:
            now = utc_now()
            row = AuditRow(
                id=secrets.token_hex(8),
                rule_base_hash=rule_base_hash,
                suite=suite,
                suite_files=json.dumps(sorted(suite_files), ensure_ascii=False),
                cases=cases,
                status=QUEUED,
                stage=None,
                done=0,
                total=stages,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _info(row)

    def stage(self, audit_id: str, stage: str, done: int) -> None:
        """The audit has reached ``stage``, the ``done``-th of its stages."""
        with self.db.write() as session:
            session.execute(
                update(AuditRow)
                .where(AuditRow.id == audit_id)
                .values(status=RUNNING, stage=stage, done=done, updated_at=utc_now())
            )

    def touch(self, audit_ids: Collection[str]) -> None:
        """The process running (or queueing) these audits is alive: they are not stale."""
        if not audit_ids:
            return
        with self.db.write() as session:
            session.execute(
                update(AuditRow)
                .where(AuditRow.id.in_(list(audit_ids)), AuditRow.status.in_((QUEUED, RUNNING)))
                .values(updated_at=utc_now())
            )

    def finish(self, audit_id: str, result: dict[str, Any], report_html: str) -> None:
        with self.db.write() as session:
            row = session.get(AuditRow, audit_id)
            if row is None:
                return
            row.status, row.done, row.stage, row.finished_at = DONE, row.total, None, utc_now()
            row.result = json.dumps(result, ensure_ascii=False)
            row.report_html = report_html

    def fail(self, audit_id: str, message: str, message_es: str) -> None:
        with self.db.write() as session:
            row = session.get(AuditRow, audit_id)
            if row is None:
                return
            row.status, row.finished_at = FAILED, utc_now()
            row.error = json.dumps({"message": message, "message_es": message_es})

    def get(self, audit_id: str) -> AuditInfo:
        with self.db.read() as session:
            return _info(self._row(session, audit_id))

    def report_html(self, audit_id: str) -> tuple[AuditInfo, str | None]:
        """The audit and its HTML page (``None`` until it is done)."""
        with self.db.read() as session:
            row = self._row(session, audit_id)
            return _info(row), row.report_html

    def list(self, limit: int = 100) -> list[AuditInfo]:
        """The latest audits, newest first, without their results."""
        with self.db.read() as session:
            rows = session.scalars(
                select(AuditRow).order_by(AuditRow.created_at.desc(), AuditRow.id).limit(limit)
            )
            return [_info(row, with_result=False) for row in rows]

    @staticmethod
    def _row(session: Session, audit_id: str) -> AuditRow:
        row = session.get(AuditRow, audit_id) if len(audit_id) <= 32 else None
        if row is None:
            raise NotFoundError(*both("store.no_audit", id=audit_id[:32]))
        return row


def _info(row: AuditRow, *, with_result: bool = True) -> AuditInfo:
    status, error = row.status, json.loads(row.error) if row.error else None
    if status in (QUEUED, RUNNING) and utc_now() - row.updated_at > STALE_AFTER:
        status, error = FAILED, _interrupted()
    return AuditInfo(
        id=row.id,
        rule_base_hash=row.rule_base_hash,
        suite=row.suite,
        suite_files=tuple(json.loads(row.suite_files)),
        cases=row.cases,
        status=status,
        stage=row.stage,
        done=row.done,
        total=row.total,
        result=json.loads(row.result) if row.result and with_result else None,
        error=error,
        created_by=row.created_by,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )
