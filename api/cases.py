"""Roadmaps on cases: each one kept as a receipt, replayable with the rule-base version it
was given with; and the checks a referral must pass before it is proposed.

A replay evaluates the receipt's profile on the receipt's day with the receipt's rule-base
version — the one in service if it still is, else that version built again from the store for
this one evaluation — and compares the decision (services, priorities, rules, notes, legal
basis, explanation, suppressions). Referral targets are not compared: they reflect the network
and its capacity today.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import to_json

from engine import RuleEngine
from store import CaseInfo, InvalidFieldError, Principal, ReceiptInfo
from texts import N_, both

from .errors import ConflictApiError
from .recommend import recommendation
from .serving import safe_close
from .state import ServiceState

__all__ = ["check_referral", "decision_differences", "recommend_on_case", "replay"]


async def recommend_on_case(
    state: ServiceState,
    engine: RuleEngine,
    case: CaseInfo,
    reader: Principal,
    as_of: Any,
    lang: str,
    targets: int,
) -> tuple[dict[str, Any], ReceiptInfo]:
    """The roadmap for the case's profile, and the receipt that keeps it."""
    answer = await state.evaluation.run(
        recommendation,
        engine,
        state.network,
        case.profile,
        as_of,
        lang,
        targets,
        occupancy=state.occupancy,
    )
    plain: dict[str, Any] = json.loads(to_json(answer))
    receipt = state.store.cases.add_receipt(
        case.id,
        reader=reader,
        profile=case.profile,
        as_of=answer["as_of"],
        rule_base_hash=engine.hash,
        network_version=state.network.version,
        answer=plain,
    )
    return plain, receipt


async def replay(
    state: ServiceState, current: RuleEngine, receipt: ReceiptInfo, lang: str
) -> dict[str, Any]:
    """The receipt evaluated again with its own rule-base version."""
    targets = max(
        (len(s.get("targets", [])) for s in receipt.answer.get("services", [])), default=3
    )

    def evaluate() -> dict[str, Any]:
        if current.hash == receipt.rule_base_hash:
            return recommendation(
                current, state.network, receipt.profile, receipt.as_of, lang, targets
            )
        _, documents = state.store.rule_bases.version(receipt.rule_base_hash)
        engine = RuleEngine(documents.to_rule_base())
        try:
            return recommendation(
                engine, state.network, receipt.profile, receipt.as_of, lang, targets
            )
        finally:
            safe_close(engine)

    answer: dict[str, Any] = json.loads(to_json(await state.evaluation.run(evaluate)))
    differences = decision_differences(receipt.answer, answer)
    return {
        "receipt": receipt.number,
        "rule_base": receipt.rule_base_hash,
        "same": not differences,
        "differences": differences,
        "answer": answer,
    }


def _decision(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule_base": answer.get("rule_base", {}).get("hash"),
        "as_of": answer.get("as_of"),
        "services": {
            s["code"]: {k: v for k, v in s.items() if k not in ("targets", "label")}
            for s in answer.get("services", [])
        },
        "suppressed": answer.get("suppressed", []),
    }


def decision_differences(given: dict[str, Any], again: dict[str, Any]) -> list[str]:
    """How a decision given differs from the same decision made again, one line each (empty
    when they agree); labels and referral targets are left out."""
    before, after = _decision(given), _decision(again)
    lines = []
    for key in ("rule_base", "as_of", "suppressed"):
        if before[key] != after[key]:
            lines.append(f"{key}: {before[key]} → {after[key]}")
    old, new = before["services"], after["services"]
    for code in sorted(old.keys() - new.keys()):
        lines.append(f"{code}: given, now missing")
    for code in sorted(new.keys() - old.keys()):
        lines.append(f"{code}: not given, now recommended")
    for code in sorted(old.keys() & new.keys()):
        for field in sorted(old[code].keys() | new[code].keys()):
            if old[code].get(field) != new[code].get(field):
                lines.append(f"{code}.{field}: differs")
    return lines


def check_referral(
    state: ServiceState, receipt: ReceiptInfo | None, service: str, institution_id: str
) -> str:
    """The service's area, once the referral is known to
    refer to a service the case's latest roadmap recommends and an institution of the network
    that offers it; otherwise the error naming what is wrong."""
    if receipt is None:
        raise ConflictApiError(
            N_("error.conflict.no_roadmap"), path="POST /v1/cases/{id}/recommendations"
        )
    given = {s["code"]: s for s in receipt.answer.get("services", [])}
    if service not in given:
        if given:
            message = both(
                "error.invalid_request.not_recommended",
                receipt=receipt.number,
                service=service,
                services=", ".join(given),
            )
        else:
            message = both(
                "error.invalid_request.nothing_recommended",
                receipt=receipt.number,
                service=service,
            )
        raise InvalidFieldError("service", *message)
    institution = state.network.institutions.get(institution_id)
    if institution is None or service not in institution.services:
        raise InvalidFieldError(
            "institution_id",
            *both(
                "error.invalid_request.institution_without_service",
                institution=institution_id,
                service=service,
            ),
        )
    return str(given[service]["area"])
