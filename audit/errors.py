"""What can go wrong while auditing a rule base, told in English and in Spanish."""

from __future__ import annotations

__all__ = ["AuditError", "MutationError"]


class AuditError(Exception):
    """Root of the audit package's errors: ``str()`` is English, ``es`` is Spanish."""

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.es = message_es


class MutationError(AuditError):
    """The mutation score cannot be measured (a missing suite, a case the base fails)."""
