"""Turning an evaluation and the network's targets into the API's response."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine import Evaluation, RuleEngine
from network import Network

from .schemas import RecommendationResponse, Target


def recommend(
    engine: RuleEngine,
    network: Network,
    profile: dict[str, Any],
    as_of: date | None,
    lang: str,
    targets_per_service: int,
) -> RecommendationResponse:
    """The roadmap for one profile, with referral targets, in the reader's language."""
    result = engine.evaluate(profile, as_of)
    return _response(engine, network, result, lang, targets_per_service)


def _response(
    engine: RuleEngine, network: Network, result: Evaluation, lang: str, k: int
) -> RecommendationResponse:
    fired = {f.id: f for f in result.fired}
    municipality = str(result.values["municipality"])
    services = []
    for service in result.services:
        targets = network.select_targets(service.code, municipality, k).targets if k > 0 else ()
        services.append(
            {
                "code": service.code,
                "area": service.area.value,
                "priority": service.priority.value,
                "label": service.label.get(lang),
                "rules": list(service.rules),
                "notes": [note.text.get(lang) for note in service.notes],
                "legal_basis": [
                    {
                        "rule": rule_id,
                        "instrument": basis.instrument,
                        "article": basis.article,
                        "url": basis.url,
                    }
                    for rule_id in service.rules
                    for basis in fired[rule_id].legal_basis
                ],
                "explanation": [
                    {
                        "rule": rule_id,
                        "title": fired[rule_id].title.get(lang),
                        "conditions": [
                            {
                                "test": t.text,
                                "holds": t.holds,
                                "values": {n: result.values.get(n) for n in t.fields},
                                "shown": t.describe(result.values, lang),
                            }
                            for t in fired[rule_id].conditions.tests()
                        ],
                    }
                    for rule_id in service.rules
                ],
                "targets": [
                    Target(
                        institution_id=t.institution.id,
                        name=t.institution.name,
                        municipality=t.institution.municipality,
                        contact=t.institution.contact.model_dump(),
                        reason=t.reason.get(lang),
                    )
                    for t in targets
                ],
            }
        )
    return RecommendationResponse.model_validate(
        {
            "rule_base": {"version": engine.version, "hash": engine.hash},
            "network": {"version": network.version},
            "as_of": result.as_of,
            "services": services,
            "suppressed": [{"code": s.code, "rules": list(s.rules)} for s in result.suppressed],
        }
    )
