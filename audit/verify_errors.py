"""What can go wrong in verification, in English and Spanish.

The lead may fold these into the audit package's one exception tree; ``AuditError`` is its root.
"""

from __future__ import annotations

__all__ = ["AuditError", "RequirementsError", "WitnessError"]


class AuditError(Exception):
    """Root of the audit package's errors; ``message_es`` says the same in Spanish."""

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_es = message_es


class RequirementsError(AuditError):
    """The auditors' requirements file cannot be read or is not valid."""


class WitnessError(AuditError):
    """A witness the solver gave does not show its finding when evaluated: a verifier fault,
    never shown as a finding."""
