"""Examples of every request and response body, shown in the OpenAPI (``/docs``).

They are real answers of the default rule base and network, cut short where a list is long;
``tests/test_api_contract.py`` checks that each still fits its schema and that the example
request still gets the services shown, so the documentation cannot drift from the service.
"""

from __future__ import annotations

from typing import Any, Final

from texts import both, text

#: A man deported to Cúcuta two weeks ago, with no shelter and no money.
RECOMMENDATION_REQUEST: Final[dict[str, Any]] = {
    "profile": {
        "age": 34,
        "department": "54",
        "municipality": "54001",
        "years_abroad": 4,
        "months_since_return": 0.5,
        "return_kind": "deported",
        "has_shelter": False,
        "has_funds": False,
    },
    "as_of": "2026-11-27",
    "lang": "es",
    "targets_per_service": 1,
}


#: Its answer, cut to two of the seven services of the roadmap and to the first two questions
#: still to ask (of fourteen).
RECOMMENDATION_RESPONSE: Final[dict[str, Any]] = {
    "rule_base": {
        "version": "2026.11",
        "hash": "041795a3f119dde1198598d5955ae0638738194b495f76018b79f527afed8f5d",
    },
    "network": {"version": "6ce0c8a9ad69"},
    "as_of": "2026-11-27",
    "services": [
        {
            "code": "HUM_TEMPORARY_SHELTER",
            "area": "humanitarian",
            "priority": "urgent",
            "label": "Alojamiento temporal (Hogar de Paso)",
            "rules": ["P27"],
            "notes": [],
            "legal_basis": [],
            "explanation": [
                {
                    "rule": "P27",
                    "title": "Alojamiento temporal",
                    "conditions": [
                        {
                            "test": "has_shelter == false",
                            "holds": True,
                            "values": {"has_shelter": False},
                            "shown": "has_shelter == false (valor: false)",
                        },
                        {
                            "test": "months_since_return < 3",
                            "holds": True,
                            "values": {"months_since_return": 0.5},
                            "shown": "months_since_return < 3 (valor: 0.5)",
                        },
                    ],
                }
            ],
            "targets": [
                {
                    "institution_id": "centro-migraciones-cucuta",
                    "name": "Centro de Migraciones (Misión Scalabriniana)",
                    "municipality": "54001",
                    "contact": {
                        "phone": None,
                        "email": "centro-migraciones-cucuta@example.org",
                        "web": None,
                    },
                    "reason": "Hogar de Paso de frontera; atiende en Cúcuta; "
                    "aliada de Oficina de Atención al Migrante — "
                    "Cúcuta",
                }
            ],
            "no_target_reason": None,
        },
        {
            "code": "LEGAL_RUR_REGISTRATION",
            "area": "legal",
            "priority": "normal",
            "label": "Inscripción en el Registro Único de Retorno (RUR)",
            "rules": ["P01"],
            "notes": [],
            "legal_basis": [
                {
                    "rule": "P01",
                    "instrument": "Ley 1565 de 2012",
                    "article": "art. 2",
                    "url": "http://www.secretariasenado.gov.co/senado/basedoc/ley_1565_2012.html",
                },
                {
                    "rule": "P01",
                    "instrument": "Ley 2136 de 2021",
                    "article": "art. 28",
                    "url": "http://www.secretariasenado.gov.co/senado/basedoc/ley_2136_2021.html",
                },
            ],
            "explanation": [
                {
                    "rule": "P01",
                    "title": "Inscripción en el Registro Único de Retorno",
                    "conditions": [
                        {
                            "test": "age >= 18",
                            "holds": True,
                            "values": {"age": 34},
                            "shown": "age >= 18 (valor: 34)",
                        },
                        {
                            "test": "years_abroad >= 3",
                            "holds": True,
                            "values": {"years_abroad": 4.0},
                            "shown": "years_abroad >= 3 (valor: 4)",
                        },
                        {
                            "test": "months_since_return < 12",
                            "holds": True,
                            "values": {"months_since_return": 0.5},
                            "shown": "months_since_return < 12 (valor: 0.5)",
                        },
                        {
                            "test": "rur_status == not_registered",
                            "holds": True,
                            "values": {"rur_status": "not_registered"},
                            "shown": "rur_status == not_registered (valor: not_registered)",
                        },
                    ],
                }
            ],
            "targets": [
                {
                    "institution_id": "cancilleria-oam-norte-santander",
                    "name": "Oficina de Atención al Migrante — Cúcuta (atención "
                    "directa de la Cancillería)",
                    "municipality": "54001",
                    "contact": {
                        "phone": None,
                        "email": "cancilleria-oam-norte-santander@example.org",
                        "web": None,
                    },
                    "reason": "atiende en el departamento de Norte de Santander; "
                    "aliada de Oficina de Atención al Migrante — "
                    "Cúcuta",
                }
            ],
            "no_target_reason": None,
        },
    ],
    "suppressed": [],
    "open_fields": [
        {
            "field": "urgent_medical_need",
            "label": "Necesidad médica urgente",
            "default": False,
            "example": True,
            "services": [
                {
                    "code": "HEALTH_URGENT_CARE",
                    "label": "Atención de urgencias en la red pública hospitalaria",
                    "priority": "urgent",
                    "current_priority": None,
                    "example": True,
                }
            ],
        },
        {
            "field": "protection_risk",
            "label": "Riesgo de protección",
            "default": "none",
            "example": "threats",
            "services": [
                {
                    "code": "LEGAL_PROTECTION",
                    "label": "Ruta de protección por amenazas, trata de personas o violencia"
                    " basada en género",
                    "priority": "urgent",
                    "current_priority": None,
                    "example": "threats",
                },
                {
                    "code": "HEALTH_PSYCHOSOCIAL",
                    "label": "Atención psicosocial",
                    "priority": "normal",
                    "current_priority": None,
                    "example": "threats",
                },
            ],
        },
    ],
}


#: A returnee deported to San Andrés (an island: no land neighbour) who needs urgent care.
ISLAND_REQUEST: Final[dict[str, Any]] = {
    "profile": {
        "age": 34,
        "department": "88",
        "municipality": "88001",
        "years_abroad": 4,
        "months_since_return": 0.5,
        "return_kind": "deported",
        "has_shelter": True,
        "urgent_medical_need": True,
    },
    "as_of": "2026-11-27",
    "lang": "es",
    "targets_per_service": 2,
}


#: Its answer, cut to urgent care: nobody serves the island, so the hospital of the nearest
#: department as the crow flies that has one is proposed, with the distance
#: (network/data/policy.yaml: the five nearest departments, up to 1,000 km).
ISLAND_RESPONSE: Final[dict[str, Any]] = {
    "rule_base": RECOMMENDATION_RESPONSE["rule_base"],
    "network": RECOMMENDATION_RESPONSE["network"],
    "as_of": "2026-11-27",
    "services": [
        {
            "code": "HEALTH_URGENT_CARE",
            "area": "health",
            "priority": "urgent",
            "label": "Atención de urgencias en la red pública hospitalaria",
            "rules": ["P17"],
            "notes": [],
            "legal_basis": [],
            "explanation": [
                {
                    "rule": "P17",
                    "title": "Atención de urgencias",
                    "conditions": [
                        {
                            "test": "urgent_medical_need == true",
                            "holds": True,
                            "values": {"urgent_medical_need": True},
                            "shown": "urgent_medical_need == true (valor: true)",
                        }
                    ],
                }
            ],
            "targets": [
                {
                    "institution_id": "hospital-ese-atlantico",
                    "name": "Red pública hospitalaria (ESE) — Barranquilla",
                    "municipality": "08001",
                    "contact": {
                        "phone": None,
                        "email": "hospital-ese-atlantico@example.org",
                        "web": None,
                    },
                    "reason": "sin proveedor por tierra; el más cercano en línea recta: 773 km,"
                    " en Atlántico; aliada de Oficina de Atención al Migrante — Barranquilla",
                },
            ],
            "no_target_reason": None,
        }
    ],
    "suppressed": [],
    # The first questions still to ask, as the service gives them.
    "open_fields": [
        {
            "field": "protection_risk",
            "label": "Riesgo de protección",
            "default": "none",
            "example": "threats",
            "services": [
                {
                    "code": "LEGAL_PROTECTION",
                    "label": "Ruta de protección por amenazas, trata de personas o violencia"
                    " basada en género",
                    "priority": "urgent",
                    "current_priority": None,
                    "example": "threats",
                },
                {
                    "code": "HEALTH_PSYCHOSOCIAL",
                    "label": "Atención psicosocial",
                    "priority": "normal",
                    "current_priority": None,
                    "example": "threats",
                },
            ],
        },
        {
            "field": "pregnant",
            "label": "Embarazo",
            "default": False,
            "example": True,
            "services": [
                {
                    "code": "HEALTH_MATERNAL_CARE",
                    "label": "Control prenatal y atención materna",
                    "priority": "high",
                    "current_priority": None,
                    "example": True,
                },
                {
                    "code": "HEALTH_SUBSIDIZED_ENROLLMENT",
                    "label": "Afiliación al régimen subsidiado de salud",
                    "priority": "high",
                    "current_priority": "normal",
                    "example": True,
                },
            ],
        },
    ],
}


#: The first two services of the catalogue.
SERVICES: Final[list[dict[str, Any]]] = [
    {
        "code": "HEALTH_SUBSIDIZED_ENROLLMENT",
        "area": "health",
        "label": {
            "es": "Afiliación al régimen subsidiado de salud",
            "en": "Subsidised health enrolment",
        },
    },
    {
        "code": "HEALTH_URGENT_CARE",
        "area": "health",
        "label": {
            "es": "Atención de urgencias en la red pública hospitalaria",
            "en": "Urgent medical care",
        },
    },
]


#: Rule P27 as written in rules/.
RULE: Final[dict[str, Any]] = {
    "id": "P27",
    "title": {"es": "Alojamiento temporal", "en": "Shelter"},
    "status": "in_force",
    "legal_basis": [],
    "effective_from": None,
    "effective_to": None,
    "regions": None,
    "when": {
        "all": [
            {"field": "has_shelter", "op": "==", "value": False, "other_field": None},
            {"field": "months_since_return", "op": "<", "value": 3, "other_field": None},
        ]
    },
    "recommend": [{"service": "HUM_TEMPORARY_SHELTER", "priority": "urgent", "notes": []}],
    "suppress": None,
    "description": {
        "es": "Si la persona no tiene un lugar seguro donde dormir los próximos 7 "
        "días y lleva menos de 3 meses en Colombia, se le remite con "
        "urgencia a un Hogar de Paso.",
        "en": "A person with no safe place to sleep for the next 7 days who came "
        "back less than 3 months ago is referred urgently to a transit "
        "shelter (Hogar de Paso).",
    },
}


#: A partner institution.
INSTITUTION: Final[dict[str, Any]] = {
    "id": "centro-migraciones-cucuta",
    "name": "Centro de Migraciones (Misión Scalabriniana)",
    "kind": "ngo",
    "services": ["HUM_TEMPORARY_SHELTER", "HUM_FOOD_AID", "HUM_EMERGENCY_KIT"],
    "serves": {
        "national": False,
        "departments": ["54"],
        "municipalities": ["54001", "54405", "54874"],
    },
    "municipality": "54001",
    "address": "Cúcuta (dirección por confirmar)",
    "contact": {"phone": None, "email": "centro-migraciones-cucuta@example.org", "web": None},
    "languages": ["es"],
    "hours": {
        "es": "Todos los días, 24 horas (por confirmar)",
        "en": "Every day, 24 hours (to be confirmed)",
    },
    "weekly_capacity": 40,
    "active": True,
    "tags": ["hogar_de_paso"],
    "status": "in_force",
}


#: A service nobody within reach can take this week: no target, and why (in the reader's
#: language). It appears once the store counts each institution's referrals of the week.
NO_TARGET_SERVICE_REASON: Final[str] = (
    "sin cupo esta semana en ninguna de las instituciones a su alcance que ofrecen este servicio"
)


#: Three rows of the coverage table: Vaupés has no local provider; San Andrés, an island, is
#: reached from the nearest department as the crow flies.
GAPS: Final[list[dict[str, Any]]] = [
    {
        "department": "97",
        "service": "EDU_DEGREE_CONVALIDATION",
        "level": "national",
        "distance_km": 574.2,
        "institution_id": "mineducacion",
    },
    {
        "department": "97",
        "service": "EDU_SCHOOL_CONVALIDATION",
        "level": "national",
        "distance_km": 574.2,
        "institution_id": "mineducacion",
    },
    {
        "department": "88",
        "service": "HEALTH_URGENT_CARE",
        "level": "nearest",
        "distance_km": 772.8,
        "institution_id": "hospital-ese-atlantico",
    },
]


def _messages(key: str, /, **values: object) -> dict[str, str]:
    """An error's ``message`` and ``message_es``: the catalogue's text ``key``, as the API
    words it."""
    english, spanish = both(key, **values)
    return {"message": english, "message_es": spanish}


#: A profile with an impossible age and a misspelt field.
INVALID_PROFILE: Final[dict[str, Any]] = {
    "error": {
        "code": "invalid_profile",
        **_messages("error.invalid_profile.fields"),
        "problems": [
            {"field": "age", **_messages("problem.less_than_equal", limit=120)},
            {
                "field": "pregnat",
                **_messages("profile.unknown_field_did_you_mean", suggestion="pregnant"),
            },
        ],
    }
}


#: A request asking for a language Ruta does not speak.
INVALID_REQUEST: Final[dict[str, Any]] = {
    "error": {
        "code": "invalid_request",
        **_messages("error.invalid_request.fields"),
        "problems": [
            {
                "field": "lang",
                "message": text("problem.one_of", "en", expected="'es' or 'en'"),
                "message_es": text("problem.one_of", "es", expected="'es' o 'en'"),
            }
        ],
    }
}


#: A rule id not in service.
NOT_FOUND: Final[dict[str, Any]] = {
    "error": {
        "code": "not_found",
        **_messages("error.not_found.rule", identifier="P99"),
        "problems": [],
    }
}


#: A body over the limit (setting RUTA_MAX_BODY_BYTES).
BODY_TOO_LARGE: Final[dict[str, Any]] = {
    "error": {
        "code": "body_too_large",
        **_messages("error.body_too_large.limit", limit=1000000),
        "problems": [],
    }
}


#: An unexpected failure: the correlation id finds the log line (which holds no profile).
INTERNAL_ERROR: Final[dict[str, Any]] = {
    "error": {
        "code": "internal_error",
        **_messages("error.internal_error.correlation"),
        "problems": [],
        "correlation_id": "3f1c9a0e5b7d4e2a9c8b6d4f2e0a1b3c",
    }
}

ENGINE_UNAVAILABLE: Final[dict[str, Any]] = {
    "error": {
        "code": "engine_unavailable",
        **_messages("error.engine_unavailable.retry"),
        "problems": [],
    }
}


#: A batch of two requests: the second profile is invalid and is answered in its place.
BATCH_REQUEST: Final[list[dict[str, Any]]] = [
    RECOMMENDATION_REQUEST,
    {"profile": {**RECOMMENDATION_REQUEST["profile"], "age": 200}, "lang": "en"},
]

#: The batch's answer, in the same order.
BATCH_RESPONSE: Final[list[dict[str, Any]]] = [
    RECOMMENDATION_RESPONSE,
    {"error": {**INVALID_PROFILE["error"], "problems": INVALID_PROFILE["error"]["problems"][:1]}},
]

#: A spreadsheet of two people, one per row, columns named as the profile's fields (or by their
#: labels), and the office's case number carried through to the answer.
BATCH_CSV_REQUEST: Final[str] = (
    "caso,age,department,municipality,years_abroad,months_since_return,return_kind,has_shelter\n"
    "A-101,34,54,54001,4,0.5,deported,no\n"
    "A-102,200,11,11001,1,1,voluntary,\n"
)

#: Its answer: the case number, a row per person, a column per service of the catalogue (cut
#: to four here).
BATCH_CSV_RESPONSE: Final[str] = (
    "caso,row,rule_base_version,HEALTH_SUBSIDIZED_ENROLLMENT,LEGAL_RUR_REGISTRATION,"
    "HUM_TEMPORARY_SHELTER,HUM_EMERGENCY_KIT,errors\n"
    "A-101,1,2026.11,Normal,Normal,Urgente,Alta,\n"
    "A-102,2,2026.11,,,,,age: debe ser como máximo 120\n"
)


def _error(code: str, message: str, message_es: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "message_es": message_es, "problems": []}}


#: No token, or an unknown, revoked or expired one.
UNAUTHENTICATED: Final[dict[str, Any]] = _error(
    "unauthenticated", *both("error.unauthenticated.token")
)

#: A role that may not use the endpoint.
FORBIDDEN: Final[dict[str, Any]] = _error(
    "forbidden",
    *both("error.forbidden.role", permission="publish", roles="admin, policy_approver"),
)

#: An action that does not fit the record's present state.
CONFLICT: Final[dict[str, Any]] = _error(
    "conflict",
    "draft 5f0c2a9d41b7e3c8 is submitted; only a draft that is open can be edited",
    "el borrador 5f0c2a9d41b7e3c8 está enviado a aprobación; solo un borrador abierto puede"
    " editarse",
)

#: An edit based on an old revision of a draft.
PRECONDITION_FAILED: Final[dict[str, Any]] = _error(
    "precondition_failed",
    "draft 5f0c2a9d41b7e3c8 was changed by someone else (now at revision 3); get it again and"
    " redo your edit on the new revision",
    "otra persona cambió el borrador 5f0c2a9d41b7e3c8 (ahora en la revisión 3); obténgalo de"
    " nuevo y rehaga su edición sobre la revisión nueva",
)

#: An edit without If-Match.
PRECONDITION_REQUIRED: Final[dict[str, Any]] = {
    "error": {
        "code": "precondition_required",
        **_messages("error.precondition_required.draft"),
        "problems": [
            {"field": "header.if-match", **_messages("error.precondition_required.draft")}
        ],
    }
}

#: The store or the engine cannot answer for now.
UNAVAILABLE: Final[dict[str, Any]] = _error(
    "store_unavailable",
    "the store at sqlite:///ruta-data/ruta.db cannot be reached (OperationalError)",
    "no se puede acceder al almacén en sqlite:///ruta-data/ruta.db (OperationalError)",
)
