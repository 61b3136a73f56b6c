"""What auditors send to ask for an audit and what they get back."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

__all__ = ["AUDIT", "AUDIT_REQUEST", "AuditListOut", "AuditOut", "AuditRequest"]

#: A suite file's name: letters, digits, ``_.-``, ending in .yaml or .yml (no folders).
SuiteFileName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\.ya?ml$")
]
#: A rule id as the rule files write it.
RuleId = Annotated[str, StringConstraints(min_length=1, max_length=40)]

AUDIT_REQUEST: dict[str, Any] = {
    "rule_base": "published",
    "files": {
        "escuela.yaml": (
            "- name: P20 applies with one school-age child out of school\n"
            "  as_of: 2026-11-27\n"
            "  profile: {age: 35, department: '11', municipality: '11001', years_abroad: 1,\n"
            "            months_since_return: 24, return_kind: voluntary,\n"
            "            school_age_children: 1, employment: employed,\n"
            "            health_coverage: contributory}\n"
            "  services: {EDU_SCHOOL_ENROLLMENT: high}\n"
        )
    },
}

AUDIT: dict[str, Any] = {
    "id": "5f2c9a0e1b7d4c33",
    "rule_base": "3b8f0c1d…",
    "suite": {"source": "files", "files": ["escuela.yaml"], "cases": 1},
    "status": "done",
    "progress": {"stage": None, "done": 5, "total": 5},
    "created_by": "aurelio",
    "created_at": "2026-12-02T10:00:00+00:00",
    "finished_at": "2026-12-02T10:00:12+00:00",
    "result": {
        "suite": {"cases": 1, "passed": 1, "failed": 0, "failures": []},
        "coverage": {"totals": {"items": 427, "covered": 61}, "rules": ["…"]},
        "mutation": {"score": 0.31, "mutants": 245, "killed": 70, "survivors": ["…"]},
        "verification": {"dead": [], "subsumed": [], "conflicts": ["…"], "requirements": ["…"]},
        "network": ["…"],
    },
    "error": None,
    "report_html": "/v1/audits/5f2c9a0e1b7d4c33/report.html",
}


class AuditRequest(BaseModel):
    """An audit of one rule-base version by one suite of protocol cases: exactly one of
    ``cases`` (the protocol cases the service checks publications with) or ``files`` (YAML case
    files in the format of ``rules/cases``, by file name)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [AUDIT_REQUEST]})

    rule_base: str = Field(
        "published",
        min_length=7,
        max_length=64,
        description="A version's hash or a unique prefix of it (7+ characters), or 'published'"
        " (the default): the version in service.",
    )
    cases: StrictBool | None = Field(None, description="true: the service's protocol cases.")
    files: dict[SuiteFileName, str] | None = Field(
        None, description="The suite's YAML files: file name → the file's text."
    )
    requirements: str | None = Field(
        None,
        description="The auditors' requirements as YAML text (the format of"
        " rules/audit/requirements.yaml); default: the requirements the service ships with.",
    )
    rules: list[RuleId] | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="Mutate only these rules (default: every rule).",
    )


class AuditOut(BaseModel):
    """An audit: queued, running (with its stage), done (with its report) or failed."""

    model_config = ConfigDict(json_schema_extra={"examples": [AUDIT]})

    id: str
    rule_base: str = Field(description="The audited version's content hash.")
    suite: dict[str, Any] = Field(description="source (cases or files), files, cases (count).")
    status: Literal["queued", "running", "done", "failed"]
    progress: dict[str, Any] = Field(
        description="stage (suite, coverage, mutation, verification, network), done, total."
    )
    created_by: str
    created_at: str
    finished_at: str | None
    result: dict[str, Any] | None = Field(
        description="The report as JSON: suite, coverage, mutation, verification, network"
        " (the shape of `ruta audit report --json`)."
    )
    error: dict[str, str] | None
    report_html: str | None = Field(description="Where the one-page HTML report is, once done.")


class AuditListOut(BaseModel):
    """The latest audits, newest first, without their results."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"audits": [{**AUDIT, "result": None}]}]}
    )

    audits: list[AuditOut]
