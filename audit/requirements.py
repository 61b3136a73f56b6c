"""The auditors' requirements: what the protocols must give whom, in their own YAML file.

A requirement says "everyone who … gets …": for example, everyone without shelter in their first
month back gets HUM_TEMPORARY_SHELTER, unless a suppression applies. The verifier proves it for
every profile, or refutes it with a counterexample (format in docs/audit.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from engine import Area, Condition, Priority, Text, alias_line
from texts import both

from .errors import RequirementsError

__all__ = [
    "REQUIREMENTS_FILE",
    "Expectation",
    "Requirement",
    "parse_requirements",
    "read_requirements",
]

#: Where a rule-base folder keeps its auditors' requirements (not part of the rule base).
REQUIREMENTS_FILE = Path("audit") / "requirements.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Expectation(_Strict):
    """What the people concerned must get: one ``service``, or some service of an ``area``;
    at ``priority`` or higher when given; ``unless_suppressed`` excuses a result where a
    fired rule suppresses what was expected."""

    service: str | None = None
    area: Area | None = None
    priority: Priority | None = None
    unless_suppressed: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> Expectation:
        if (self.service is None) == (self.area is None):
            raise ValueError(" / ".join(both("audit.requirement_one_target")))
        return self


class Requirement(_Strict):
    """One requirement: ``when`` (the rule condition language; everyone when left out) the
    result on day ``on`` (default: the rule base's edition date) meets ``expect``."""

    id: str = Field(min_length=1, max_length=64)
    title: Text
    when: Condition | None = None
    on: date | None = None
    expect: Expectation


class _File(_Strict):
    requirements: list[Requirement]


def read_requirements(path: Path, services: set[str] | None = None) -> list[Requirement]:
    """The requirements of ``path``; :class:`RequirementsError` names the file and the fault
    (never a profile value: the file holds none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RequirementsError(
            *both("audit.requirements_unreadable", file=path.name, reason=error)
        ) from None
    return parse_requirements(text, path.name, services)


def parse_requirements(text: str, name: str, services: set[str] | None = None) -> list[Requirement]:
    """The requirements written in ``text`` (a file called ``name``, sent to the service);
    :class:`RequirementsError` names the file and the fault."""
    alias = alias_line(text)  # nested aliases would unfold into gigabytes: refused
    if alias is not None:
        raise RequirementsError(*both("audit.requirements_alias", file=name, line=alias))
    try:
        data = YAML(typ="safe").load(text)
        requirements = _File.model_validate(data).requirements
    except YAMLError as error:
        raise RequirementsError(
            *both("audit.requirements_unreadable", file=name, reason=error)
        ) from None
    except ValidationError as error:
        where = "; ".join(
            ".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in error.errors()
        )
        raise RequirementsError(
            *both("audit.requirements_invalid", file=name, where=where)
        ) from None
    seen: set[str] = set()
    for requirement in requirements:
        if requirement.id in seen:
            raise RequirementsError(
                *both("audit.requirement_twice", file=name, requirement=requirement.id)
            )
        seen.add(requirement.id)
        code = requirement.expect.service
        if services is not None and code is not None and code not in services:
            raise RequirementsError(
                *both(
                    "audit.requirement_unknown_service",
                    file=name,
                    requirement=requirement.id,
                    service=repr(code),
                )
            )
    return requirements
