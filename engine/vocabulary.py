"""The fixed vocabulary of the protocols: service areas, priorities and Colombia's departments.

These are not policy choices that change with a rule edit: the five areas are the OAM's mandate,
the three priorities order the roadmap (protocols §4), and departments are DANE's DIVIPOLA codes.
The order of the areas within a priority is a policy choice: it is the rule base's
(``roadmap.area_order`` in ``rules/base.yaml``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Final

from texts import LANGUAGES, N_, text

__all__ = [
    "AREA_KEYS",
    "AREA_LABELS",
    "COLOMBIA_TIME",
    "DEPARTMENTS",
    "PRIORITY_KEYS",
    "PRIORITY_LABELS",
    "PRIORITY_ORDER",
    "Area",
    "Priority",
    "evaluation_day",
]


class Area(StrEnum):
    """The five service areas of the OAM's mandate."""

    HEALTH = "health"
    EDUCATION = "education"
    LEGAL = "legal"
    INCOME = "income"
    HUMANITARIAN = "humanitarian"


class Priority(StrEnum):
    """How soon a service is needed: ``urgent`` before ``high`` before ``normal``."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


#: Rank of each priority in the roadmap (lower comes first).
PRIORITY_ORDER: Final[dict[Priority, int]] = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
}

#: The catalogue key of each area's and each priority's name (``label.area.health``).
AREA_KEYS: Final[dict[Area, str]] = {
    Area.HEALTH: N_("label.area.health"),
    Area.EDUCATION: N_("label.area.education"),
    Area.LEGAL: N_("label.area.legal"),
    Area.INCOME: N_("label.area.income"),
    Area.HUMANITARIAN: N_("label.area.humanitarian"),
}
PRIORITY_KEYS: Final[dict[Priority, str]] = {
    Priority.URGENT: N_("label.priority.urgent"),
    Priority.HIGH: N_("label.priority.high"),
    Priority.NORMAL: N_("label.priority.normal"),
}

#: Each area's name in every language, from the catalogues: {area: {"es": …, "en": …}}.
AREA_LABELS: Final[dict[Area, dict[str, str]]] = {
    area: {lang: text(key, lang) for lang in LANGUAGES} for area, key in AREA_KEYS.items()
}
#: Each priority's name in every language, from the catalogues.
PRIORITY_LABELS: Final[dict[Priority, dict[str, str]]] = {
    priority: {lang: text(key, lang) for lang in LANGUAGES}
    for priority, key in PRIORITY_KEYS.items()
}

#: DIVIPOLA department codes (DANE): 32 departments and Bogotá D.C.
DEPARTMENTS: Final[dict[str, str]] = {
    "05": "Antioquia",
    "08": "Atlántico",
    "11": "Bogotá, D.C.",
    "13": "Bolívar",
    "15": "Boyacá",
    "17": "Caldas",
    "18": "Caquetá",
    "19": "Cauca",
    "20": "Cesar",
    "23": "Córdoba",
    "25": "Cundinamarca",
    "27": "Chocó",
    "41": "Huila",
    "44": "La Guajira",
    "47": "Magdalena",
    "50": "Meta",
    "52": "Nariño",
    "54": "Norte de Santander",
    "63": "Quindío",
    "66": "Risaralda",
    "68": "Santander",
    "70": "Sucre",
    "73": "Tolima",
    "76": "Valle del Cauca",
    "81": "Arauca",
    "85": "Casanare",
    "86": "Putumayo",
    "88": "Archipiélago de San Andrés, Providencia y Santa Catalina",
    "91": "Amazonas",
    "94": "Guainía",
    "95": "Guaviare",
    "97": "Vaupés",
    "99": "Vichada",
}


#: Colombia's time (UTC−5, no daylight saving): "today" for the protocols is Bogotá's today.
COLOMBIA_TIME: Final = timezone(timedelta(hours=-5), "America/Bogota")


def evaluation_day(as_of: date | datetime | None) -> date:
    """The day rules are in effect for: ``as_of`` (a datetime counts by its Colombian date), or
    today in Colombia when not given."""
    if as_of is None:
        return datetime.now(COLOMBIA_TIME).date()
    if isinstance(as_of, datetime):
        return as_of.astimezone(COLOMBIA_TIME).date() if as_of.tzinfo else as_of.date()
    return as_of
