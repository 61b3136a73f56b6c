"""Turning an evaluation and the network's targets into the API's answer.

The answer is built as plain JSON-ready data and encoded once, in the worker thread, by
pydantic's encoder: the shape is the one :class:`~api.schemas.RecommendationResponse`
documents (tests/test_api_contract.py and the schema-driven fuzzing check every answer against
it), without building and re-checking a model for every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic_core import to_json

from engine import Evaluation, OpenField, ProfileError, ReferralPreference, RuleEngine
from network import Network

from .errors import invalid_profile_body
from .schemas import RecommendationRequest, RecommendationResponse


def recommendation(
    engine: RuleEngine,
    network: Network,
    profile: dict[str, Any],
    as_of: date | None,
    lang: str,
    targets_per_service: int,
) -> dict[str, Any]:
    """The roadmap for one profile, with referral targets, in the reader's language."""
    result = engine.evaluate(profile, as_of)
    answer = _answer(engine, network, result, lang, targets_per_service)
    answer["open_fields"] = _open_fields(engine.open_fields(result), lang)
    return answer


def recommendation_json(
    engine: RuleEngine,
    network: Network,
    profile: dict[str, Any],
    as_of: date | None,
    lang: str,
    targets_per_service: int,
) -> bytes:
    """:func:`recommendation` encoded as JSON, ready to send."""
    return to_json(recommendation(engine, network, profile, as_of, lang, targets_per_service))


def batch_json(
    engine: RuleEngine, network: Network, requests: Iterable[RecommendationRequest]
) -> bytes:
    """The answers to ``requests``, each encoded, joined by commas: a part of a batch's JSON
    array, an invalid profile answered by its error in its place."""
    answers = []
    for item in requests:
        try:
            answer = recommendation(
                engine, network, item.profile, item.as_of, item.lang, item.targets_per_service
            )
        except ProfileError as error:
            answer = invalid_profile_body(error)
        answers.append(to_json(answer))
    return b",".join(answers)


def recommend(
    engine: RuleEngine,
    network: Network,
    profile: dict[str, Any],
    as_of: date | None,
    lang: str,
    targets_per_service: int,
) -> RecommendationResponse:
    """:func:`recommendation` as the typed response, for Python callers (the command line)."""
    return RecommendationResponse.model_validate(
        recommendation(engine, network, profile, as_of, lang, targets_per_service)
    )


@lru_cache(maxsize=4096)
def _targets(
    network: Network,
    preference: ReferralPreference,
    service: str,
    municipality: str,
    k: int,
    lang: str,
) -> tuple[dict[str, Any], ...]:
    """The referral targets as sent, in ``lang``: the same for everyone asking for ``service``
    in ``municipality`` under the rule base's referral ``preference``, so built once (the
    network never changes while it is served). The dicts are shared by every answer that
    holds them: read them, never change them."""
    if k == 0:
        return ()
    return tuple(
        {
            "institution_id": t.institution.id,
            "name": t.institution.name,
            "municipality": t.institution.municipality,
            "contact": {
                "phone": t.institution.contact.phone,
                "email": t.institution.contact.email,
                "web": t.institution.contact.web,
            },
            "reason": t.reason.get(lang),
        }
        for t in network.select_targets(service, municipality, k, preference=preference).targets
    )


def _answer(
    engine: RuleEngine, network: Network, result: Evaluation, lang: str, k: int
) -> dict[str, Any]:
    fired = {f.id: f for f in result.fired}
    values = result.values
    municipality = str(values["municipality"])
    # The referral preference of the rule base that answered: the network follows it.
    preference = engine.rule_base.referral_preference
    services = []
    for service in result.services:
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
                                "values": {n: values.get(n) for n in t.fields},
                                "shown": t.describe(values, lang),
                            }
                            for t in fired[rule_id].conditions.tests()
                        ],
                    }
                    for rule_id in service.rules
                ],
                "targets": _targets(network, preference, service.code, municipality, k, lang),
            }
        )
    return {
        "rule_base": {"version": engine.version, "hash": engine.hash},
        "network": {"version": network.version},
        "as_of": result.as_of,
        "services": services,
        "suppressed": [{"code": s.code, "rules": list(s.rules)} for s in result.suppressed],
    }


def _open_fields(found: tuple[OpenField, ...], lang: str) -> list[dict[str, Any]]:
    """The questions still to ask, in the reader's language."""
    return [
        {
            "field": item.field,
            "label": item.label.get(lang),
            "default": item.default,
            "example": item.example,
            "services": [
                {
                    "code": service.code,
                    "label": service.label.get(lang),
                    "priority": service.priority.value,
                    "current_priority": None if service.current is None else service.current.value,
                    "example": service.example,
                }
                for service in item.services
            ],
        }
        for item in found
    ]
