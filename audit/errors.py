"""The audit package's one exception: a suite that cannot be read, said in English and Spanish."""

from __future__ import annotations

__all__ = ["AuditError"]


class AuditError(Exception):
    """A suite folder or case file the audit cannot use; ``message_es`` says it in Spanish."""

    def __init__(self, message: str, message_es: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_es = message_es

    def text(self, lang: str) -> str:
        return self.message_es if lang == "es" else self.message
