"""Audits run by the service for auditors: one at a time, in the background.

The request is answered at once (202) with the audit's id, once the suite and requirements
have been read (a fault in either is answered at once, naming its file and line). The audit
then runs in the same background thread as simulations, stage by stage (suite, coverage,
mutation over every core, verification, network), recording each stage in the store so any
process of the service can report it. The report is stored as JSON and as its HTML page.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from audit import (
    REQUIREMENTS_FILE,
    STAGES,
    AuditError,
    Requirement,
    RequirementsError,
    SuiteCase,
    audit_report,
    load_suite,
    parse_requirements,
    read_requirements,
    suite_from_files,
)
from engine import RuleBase, default_rules_dir
from store import AuditInfo
from texts import both

from .audit_schemas import AuditRequest
from .errors import AuditInputError
from .state import ServiceState

__all__ = ["start_audit"]

_log = logging.getLogger("ruta.audits")


def _suite(state: ServiceState, asked: AuditRequest) -> tuple[str, list[str], list[SuiteCase]]:
    if bool(asked.cases) == bool(asked.files):
        raise AuditInputError("body", *both("error.invalid_audit_input.one_suite", files="files"))
    limit = state.settings.max_audit_cases
    try:
        if asked.files:
            cases = suite_from_files(asked.files)
            source, names = "files", sorted(asked.files)
        else:
            cases = load_suite([state.cases_dir])
            source, names = "cases", sorted(p.name for p in state.cases_dir.glob("*.yaml"))
    except AuditError as error:
        raise AuditInputError("files", error.message, error.message_es) from None
    if len(cases) > limit:
        raise AuditInputError(
            "files", *both("error.invalid_audit_input.too_many_cases", limit=limit)
        )
    return source, names, cases


def _requirements(
    state: ServiceState, asked: AuditRequest, rule_base: RuleBase
) -> list[Requirement]:
    services = set(rule_base.services)
    try:
        if asked.requirements is not None:
            return parse_requirements(asked.requirements, "requirements", services)
        path = (state.settings.rules_dir or default_rules_dir()) / REQUIREMENTS_FILE
        return read_requirements(path, services) if path.is_file() else []
    except RequirementsError as error:
        raise AuditInputError("requirements", error.message, error.message_es) from None


async def start_audit(state: ServiceState, asked: AuditRequest, actor: str) -> AuditInfo:
    """Read the suite and requirements, record the audit and start it in the background."""

    def prepare() -> tuple[AuditInfo, RuleBase, list[SuiteCase], list[Requirement]]:
        if asked.rule_base == "published":
            _, version, documents = state.store.rule_bases.published()
        else:
            found, documents = state.store.rule_bases.version(asked.rule_base)
            version = found.hash
        rule_base = documents.to_rule_base()
        source, names, cases = _suite(state, asked)
        requirements = _requirements(state, asked, rule_base)
        unknown = sorted(set(asked.rules or ()) - {rule.id for rule in rule_base.rules})
        if unknown:
            raise AuditInputError(
                "rules", *both("error.invalid_audit_input.unknown_rules", rules=", ".join(unknown))
            )
        info = state.store.audits.create(
            rule_base_hash=version,
            suite=source,
            suite_files=names,
            cases=len(cases),
            stages=len(STAGES),
            actor=actor,
        )
        return info, rule_base, cases, requirements

    info, rule_base, cases, requirements = await run_in_threadpool(prepare)
    state.held.hold("audit", info.id)
    state.simulator.submit(_run, state, info.id, rule_base, cases, requirements, asked.rules)
    return info


def _run(
    state: ServiceState,
    audit_id: str,
    rule_base: RuleBase,
    cases: list[SuiteCase],
    requirements: list[Requirement],
    rules: list[str] | None,
) -> None:
    def progress(stage: str, done: int) -> None:
        state.store.audits.stage(audit_id, stage, done)

    try:
        report = audit_report(
            cases,
            rule_base,
            state.network,
            requirements,
            workers=state.settings.simulation_workers,
            rules=rules,
            progress=progress,
        )
        state.store.audits.finish(audit_id, report.as_json(), report.html("es"))
    except AuditError as error:
        state.store.audits.fail(audit_id, error.message, error.message_es)
    except Exception as error:  # recorded for the auditor who asked
        _log.error("audit %s failed: %s", audit_id, type(error).__name__)
        state.store.audits.fail(audit_id, *both("api.audit_failed", failure=type(error).__name__))
    finally:
        state.held.release("audit", audit_id)
