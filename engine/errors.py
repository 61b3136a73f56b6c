"""Errors of the rule engine.

Every error Ruta's engine raises derives from :class:`RutaEngineError`, so a caller can catch the
whole family in one place. Messages say what is wrong and how to fix it, and never quote a
returnee's data: profiles are sensitive personal data (Ley 1581 de 2012).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from .rule_messages import RuleMessage

__all__ = [
    "EngineLimitError",
    "EngineUnavailableError",
    "EvaluationError",
    "FieldProblem",
    "ProfileError",
    "RuleBaseError",
    "RuleProblem",
    "RutaEngineError",
]


class RutaEngineError(Exception):
    """Base of every error raised by :mod:`engine`."""


@dataclass(frozen=True)
class RuleProblem:
    """One fault found in a rule base, located for the person who has to fix it.

    ``file`` is relative to the rule base folder; ``line`` is 1-based (``None`` when the fault is
    not tied to a line, e.g. a missing file); ``rule_id`` is the rule the fault belongs to, if any;
    ``path`` is the key path inside the rule (``when.all[0].field``). ``message`` is in English,
    ``message_es`` in Spanish; ``type`` is the fault's stable name (``unknown_field``, see
    :mod:`engine.rule_messages`), for programs. ``str(problem)`` is the English line;
    :meth:`render` gives it in either language.
    """

    file: str
    line: int | None
    rule_id: str | None
    path: str
    message: str
    message_es: str = dataclass_field(default="", compare=False)
    type: str = dataclass_field(default="", compare=False)

    @classmethod
    def of(
        cls, file: str, line: int | None, rule_id: str | None, path: str, message: RuleMessage
    ) -> RuleProblem:
        """The problem ``message`` describes, with its words in every language."""
        return cls(
            file, line, rule_id, path, message.render("en"), message.render("es"), message.type
        )

    def render(self, lang: str = "en") -> str:
        """``file:line: rule P01: path: message`` in ``lang`` (``"en"`` or ``"es"``)."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.rule_id:
            parts.append(RuleMessage("rule_label", {"rule_id": self.rule_id}).render(lang))
        if self.path:
            parts.append(self.path)
        message = self.message_es if lang == "es" and self.message_es else self.message
        return ": ".join(parts) + f": {message}"

    def __str__(self) -> str:
        return self.render("en")


class RuleBaseError(RutaEngineError):
    """The rule base was refused as a whole; nothing of it was put in service.

    ``problems`` lists every fault found, each with file, line and rule. ``str(error)`` is the
    list in English; :meth:`render` gives it in Spanish too.
    """

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__(self.render("en"))

    def render(self, lang: str = "en") -> str:
        """A heading with the number of problems, then one problem a line, in ``lang``."""
        count = len(self.problems)
        heading = "rule_base_refused_one" if count == 1 else "rule_base_refused"
        header = RuleMessage(heading, {"count": count}).render(lang)
        return "\n".join([header, *(f"  {p.render(lang)}" for p in self.problems)])


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field of a returnee profile: its name and what is allowed (never its value).

    ``message`` is in English, ``message_es`` in Spanish, for the caseworker's screen.
    """

    field: str
    message: str
    message_es: str = dataclass_field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ProfileError(RutaEngineError):
    """A returnee profile does not follow the profile vocabulary (protocols §1).

    ``problems`` has one entry per invalid field. The submitted values are deliberately not
    repeated, so the error can be logged or shown without exposing personal data.
    """

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("the profile is invalid: " + "; ".join(str(p) for p in problems))


class EvaluationError(RutaEngineError):
    """The engine cannot evaluate at all: it was closed (a programming error, e.g. an engine
    used after being replaced). Retrying will not help: build a new engine.
    """


class EngineUnavailableError(RutaEngineError):
    """durable-rules failed in the middle of an evaluation; no answer was given for it.

    The profile is not at fault, and no partial or empty roadmap is ever returned in its place.
    A durable-rules session that failed mid-way cannot be trusted (it may still hold a match
    it had started), so the engine frees it and registers its rules afresh before answering
    again. ``rebuilt`` says whether that is already done, so that asking again is answered, or
    whether rebuilding failed too; then every evaluation raises this error, trying the rebuild
    again each time, until it succeeds. Ask again in a moment; if it persists, report the rule
    base version and hash to the maintainers.
    """

    def __init__(self, message: str, *, rebuilt: bool) -> None:
        super().__init__(message)
        self.rebuilt = rebuilt


class EngineLimitError(RutaEngineError):
    """durable-rules refused to register a rule base that the loader had accepted.

    The loader checks every capacity limit Ruta knows of, so this means an unknown limit or a
    fault in durable-rules: report the rule base version and hash to the maintainers. The rules
    already in service are untouched.
    """
