"""What a caseworker reads about a referral: why an institution was chosen, why another was
passed over, and why nobody could be offered — every text in Spanish and English."""

from __future__ import annotations

from engine import PreferredTag
from engine.rule_model import Text
from texts import both, text

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


def _said(english_spanish: tuple[str, str]) -> Text:
    """A catalogue text in both languages, as a reason carries it."""
    english, spanish = english_spanish
    return Text(es=spanish, en=english)


#: Why an institution that has used its weekly capacity this ISO week is passed over.
NO_CAPACITY = _said(both("network.no_capacity"))
#: Why an institution marked inactive is passed over.
INACTIVE = _said(both("network.inactive"))


def out_of_area(place_es: str, place_en: str) -> Text:
    """Why an institution of the person's department that does not serve their place is not
    proposed."""
    return Text(
        es=text("network.out_of_area", "es", place=place_es),
        en=text("network.out_of_area", "en", place=place_en),
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
    km = format(distance, ".0f")
    en, es = {
        Level.MUNICIPALITY: both("network.chosen.municipality", place=place),
        Level.DEPARTMENT: both("network.chosen.department", department=department_name),
        Level.NATIONAL: both("network.chosen.national"),
        Level.NEIGHBOUR: both("network.chosen.neighbour", km=km, department=served_in),
        Level.NEAREST: both("network.chosen.nearest", km=km, department=served_in),
    }[level]
    # The parts of a reason are joined with "; ", the rule base's first choice first.
    if first_choice is not None:
        es, en = f"{first_choice.reason.es}; {es}", f"{first_choice.reason.en}; {en}"
    if partner_of is not None:
        partner_en, partner_es = both("network.chosen.partner", office=partner_of)
        es, en = f"{es}; {partner_es}", f"{en}; {partner_en}"
    if not known:
        unknown_en, unknown_es = both("network.chosen.by_department")
        es, en = f"{es} {unknown_es}", f"{en} {unknown_en}"
    return Text(es=es, en=en)


def everyone_full() -> Text:
    """No target: every institution within reach has used its capacity this week."""
    return _said(both("network.everyone_full"))


def full_or_inactive() -> Text:
    """No target: every institution within reach is full this week or inactive, some inactive."""
    return _said(both("network.full_or_inactive"))


def nobody_within_reach(department_name: str, max_km: float) -> Text:
    """No target: the service is offered, but not in the department, the departments joined
    to it by land, nor within ``max_km`` as the crow flies (the network's policy)."""
    km_en = f"{max_km:,.0f}"
    km_es = km_en.replace(",", ".")
    return Text(
        es=text("network.nobody_within_reach", "es", department=department_name, km=km_es),
        en=text("network.nobody_within_reach", "en", department=department_name, km=km_en),
    )


def nobody_offers() -> Text:
    """No target: no institution of the network offers the service anywhere."""
    return _said(both("network.nobody_offers"))
