"""Audit records: which rule-base version an auditor audited with which suite, how far the
audit got, and its report.

The report is kept twice, as the JSON of ``ruta audit report --json`` and as its one-page HTML,
so an auditor can fetch either long after the run. The suite's cases are not kept (only how
many there were and the names of the files they came from); an auditor who wants to replay an
audit sends the suite again.
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
from .models import AuditRow

__all__ = ["AuditInfo", "Audits"]


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
    """The audits auditors asked for: job records (see :mod:`store.jobs`) that also keep the
    stage an audit reached and its report's HTML page."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self.jobs = JobRecords(
            database,
            AuditRow,
            interrupted=N_("store.audit_interrupted"),
            missing=N_("store.no_audit"),
        )

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
        return self.jobs.create(
            self._info,
            rule_base_hash=rule_base_hash,
            suite=suite,
            suite_files=json.dumps(sorted(suite_files), ensure_ascii=False),
            cases=cases,
            stage=None,
            total=stages,
            created_by=actor,
        )

    def stage(self, audit_id: str, stage: str, done: int) -> None:
        """The audit has reached ``stage``, the ``done``-th of its stages."""
        self.jobs.advance(audit_id, stage=stage, done=done)

    def touch(self, audit_ids: Collection[str]) -> None:
        """The process running (or queueing) these audits is alive: they are not stale."""
        self.jobs.touch(audit_ids)

    def finish(self, audit_id: str, result: dict[str, Any], report_html: str) -> None:
        self.jobs.finish(audit_id, result, stage=None, report_html=report_html)

    def fail(self, audit_id: str, message: str, message_es: str) -> None:
        self.jobs.fail(audit_id, message, message_es)

    def interrupt(self, audit_id: str) -> None:
        """The process holding it is stopping before it could finish: failed, interrupted."""
        self.jobs.interrupt(audit_id)

    def get(self, audit_id: str) -> AuditInfo:
        return self.jobs.get(audit_id, self._info)

    def report_html(self, audit_id: str) -> tuple[AuditInfo, str | None]:
        """The audit and its HTML page (``None`` until it is done)."""
        return self.jobs.get(audit_id, lambda row: (self._info(row), row.report_html))

    def list(self, limit: int = 100) -> list[AuditInfo]:
        """The latest audits, newest first, without their results."""
        return self.jobs.latest(limit, lambda row: self._info(row, with_result=False))

    def _info(self, row: AuditRow, *, with_result: bool = True) -> AuditInfo:
        status, error = self.jobs.status(row)
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
