"""The audit package's exception tree: what cannot be audited, said in English and Spanish.

::

    AuditError               a suite folder or case file the audit cannot use
    ├── MutationError        the mutation score cannot be measured (a case the base fails)
    ├── RequirementsError    the auditors' requirements file cannot be read
    └── WitnessError         a solver's witness does not show its finding (a verification
                             finding, or a mutant's difference), or the solver could not decide a
                             question (a fault of Ruta)
"""

from __future__ import annotations

__all__ = ["AuditError", "MutationError", "RequirementsError", "WitnessError"]


class AuditError(Exception):
    """Root of the audit package's errors: ``message`` in English, ``message_es`` in Spanish."""

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_es = message_es

    def text(self, lang: str) -> str:
        return self.message_es if lang == "es" else self.message


class MutationError(AuditError):
    """The mutation score cannot be measured (a missing suite, a case the base fails)."""


class RequirementsError(AuditError):
    """The auditors' requirements file cannot be read or is not valid."""


class WitnessError(AuditError):
    """A witness the solver gave does not show its finding when evaluated (a verification
    finding, or a mutant's difference from the rule base), or the solver could not decide a
    question: a fault of Ruta, never shown as a finding."""
