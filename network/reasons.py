"""What a caseworker reads about a referral: why an institution was chosen, why another was
passed over, and why nobody could be offered — every text in Spanish and English."""

from __future__ import annotations

from engine import PreferredTag
from engine.rule_model import Text

from .levels import Level

__all__ = [
    "INACTIVE",
    "NO_CAPACITY",
    "chosen_because",
    "everyone_full",
    "full_or_inactive",
    "nobody_offers",
    "nobody_within_reach",
    "out_of_area",
]

#: Why an institution that has used its weekly capacity this ISO week is passed over.
NO_CAPACITY = Text(es="sin cupo esta semana", en="no capacity this week")
#: Why an institution marked inactive is passed over.
INACTIVE = Text(es="inactiva", en="inactive")


def out_of_area(place_es: str, place_en: str) -> Text:
    """Why an institution of the person's department that does not serve their place is not
    proposed."""
    return Text(
        es=f"fuera de su área: no atiende en {place_es}",
        en=f"out of area: does not serve {place_en}",
    )


def chosen_because(
    level: Level,
    *,
    place: str | None,
    department_name: str,
    distance: float,
    served_in: str,
    first_choice: PreferredTag | None,
    partner_of: str | None,
    known: bool,
) -> Text:
    """Why an institution is proposed: the level it was found at (``served_in``: the name of
    the department it was found in, for the other departments' levels, with the distance), the
    rule base's first choice it answers to, the office it is a partner of, and whether the
    person's municipality had to be matched by its department."""
    es, en = {
        Level.MUNICIPALITY: (f"atiende en {place}", f"serves {place}"),
        Level.DEPARTMENT: (
            f"atiende en el departamento de {department_name}",
            f"serves the department of {department_name}",
        ),
        Level.NATIONAL: (
            "entidad nacional: atiende en todo el país",
            "national entity: serves everywhere",
        ),
        Level.NEIGHBOUR: (
            f"proveedor más cercano: {distance:.0f} km, en {served_in}",
            f"nearest provider: {distance:.0f} km, in {served_in}",
        ),
        Level.NEAREST: (
            f"sin proveedor por tierra; el más cercano en línea recta: {distance:.0f} km,"
            f" en {served_in}",
            f"no provider over land; nearest as the crow flies: {distance:.0f} km, in {served_in}",
        ),
    }[level]
    if first_choice is not None:
        es, en = f"{first_choice.reason.es}; {es}", f"{first_choice.reason.en}; {en}"
    if partner_of is not None:
        es += f"; aliada de {partner_of}"
        en += f"; partner of {partner_of}"
    if not known:
        es += " (municipio sin datos propios: se usa su departamento)"
        en += " (municipality not in the data: matched by its department)"
    return Text(es=es, en=en)


def everyone_full() -> Text:
    """No target: every institution within reach has used its capacity this week."""
    return Text(
        es="sin cupo esta semana en ninguna de las instituciones a su alcance que ofrecen este"
        " servicio",
        en="no capacity this week at any of the institutions within reach that offer this service",
    )


def full_or_inactive() -> Text:
    """No target: every institution within reach is full this week or inactive, some inactive."""
    return Text(
        es="ninguna de las instituciones a su alcance que ofrecen este servicio puede recibir"
        " remisiones ahora (sin cupo esta semana o inactiva)",
        en="none of the institutions within reach that offer this service can take referrals"
        " now (no capacity this week, or inactive)",
    )


def nobody_within_reach(department_name: str, max_km: float) -> Text:
    """No target: the service is offered, but not in the department, the departments joined
    to it by land, nor within ``max_km`` as the crow flies (the network's policy)."""
    km_en = f"{max_km:,.0f}"
    km_es = km_en.replace(",", ".")
    return Text(
        es=f"ninguna institución que ofrezca este servicio atiende en {department_name}, en los"
        f" departamentos unidos a él por tierra ni a menos de {km_es} km en línea recta",
        en=f"no institution offering this service serves {department_name}, the departments"
        f" joined to it by land, or anywhere within {km_en} km as the crow flies",
    )


def nobody_offers() -> Text:
    """No target: no institution of the network offers the service anywhere."""
    return Text(
        es="ninguna institución de la red de aliados ofrece este servicio en el país",
        en="no institution of the partner network offers this service anywhere in the country",
    )
