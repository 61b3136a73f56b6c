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
from network import Network, Occupancy

from .errors import invalid_profile_body
from .schemas import RecommendationRequest, RecommendationResponse


def recommendation(
    engine: RuleEngine,
    network: Network,
    profile: dict[str, Any],
    as_of: date | None,
    lang: str,
    targets_per_service: int,
    *,
    occupancy: Occupancy | None = None,
) -> dict[str, Any]:
    """The roadmap for one profile, with referral targets, in the reader's language.

    ``occupancy``: the referrals each institution has sent or accepted this ISO week (from the
    store); an institution whose weekly capacity is used up is not proposed. ``None``: none
    counted."""
    result = engine.evaluate(profile, as_of)
    answer = _answer(engine, network, result, lang, targets_per_service, occupancy)
    answer["open_fields"] = _open_fields(engine.open_fields(result), lang)
    return answer


def recommendation_json(
    engine: RuleEngine,
    network: Network,
    profile: dict[str, Any],
    as_of: date | None,
    lang: str,
    targets_per_service: int,
    *,
    occupancy: Occupancy | None = None,
) -> bytes:
    """:func:`recommendation` encoded as JSON, ready to send."""
    return to_json(
        recommendation(
            engine, network, profile, as_of, lang, targets_per_service, occupancy=occupancy
        )
    )


def batch_json(
    engine: RuleEngine,
    network: Network,
    requests: Iterable[RecommendationRequest],
    occupancy: Occupancy | None = None,
) -> bytes:
    """The answers to ``requests``, each encoded, joined by commas: a part of a batch's JSON
    array, an invalid profile answered by its error in its place."""
    answers = []
    for item in requests:
        try:
            answer = recommendation(
                engine,
                network,
                item.profile,
                item.as_of,
                item.lang,
                item.targets_per_service,
                occupancy=occupancy,
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
    *,
    occupancy: Occupancy | None = None,
) -> RecommendationResponse:
    """:func:`recommendation` as the typed response, for Python callers (the command line)."""
    return RecommendationResponse.model_validate(
        recommendation(
            engine, network, profile, as_of, lang, targets_per_service, occupancy=occupancy
        )
    )


@lru_cache(maxsize=4096)
def _targets(
    network: Network,
    preference: ReferralPreference,
    service: str,
    municipality: str,
    k: int,
    lang: str,
    occupancy: Occupancy | None,
) -> tuple[tuple[dict[str, Any], ...], str | None]:
    """The referral targets as sent, in ``lang``, and why there are none if so: the same for
    everyone asking for ``service`` in ``municipality`` under the rule base's referral
    ``preference`` and the same ``occupancy``, so built once (the network never changes while
    it is served; an occupancy hashes in constant time). The dicts are shared by every answer
    that holds them: read them, never change them."""
    if k == 0:
        return (), None
    selection = network.select_targets(
        service, municipality, k, preference=preference, occupancy=occupancy
    )
    reason = selection.no_target_reason
    targets = tuple(
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
        for t in selection.targets
    )
    return targets, None if reason is None else reason.get(lang)


def _answer(
    engine: RuleEngine,
    network: Network,
    result: Evaluation,
    lang: str,
    k: int,
    occupancy: Occupancy | None,
) -> dict[str, Any]:
    fired = {f.id: f for f in result.fired}
    values = result.values
    municipality = str(values["municipality"])
    # The referral preference of the rule base that answered: the network follows it.
    preference = engine.rule_base.referral_preference
    services = []
    for service in result.services:
        targets, no_target_reason = _targets(
            network, preference, service.code, municipality, k, lang, occupancy
        )
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
                "targets": targets,
                "no_target_reason": no_target_reason,
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
