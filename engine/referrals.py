"""The rule base's referral preferences, in the form the partner network applies them.

For policy staff: ``referrals.first_choice`` in ``rules/base.yaml`` says which partner
institutions go first (by a tag of the institution files) for which areas and departments; e.g.
the Hogar de Paso of the border departments for humanitarian services. This module turns it
into a :class:`ReferralPreference`: a small value the network receives with every choice of
targets, so that the network, loaded once, follows the rule base in service, whichever that is,
and a newly published rule base changes the referrals without reloading the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .rule_model import Referrals, Text
from .vocabulary import Area

__all__ = ["PreferredTag", "ReferralPreference"]


@dataclass(frozen=True, slots=True)
class PreferredTag:
    """One first choice: institutions carrying ``tag`` go first for ``services``, for people
    living in ``departments``, when they serve the person's municipality or department;
    ``reason`` opens the reason given for such a referral."""

    tag: str
    services: frozenset[str]
    departments: frozenset[str]
    reason: Text


@dataclass(frozen=True, slots=True)
class ReferralPreference:
    """Every first choice of a rule base, in the order written (an earlier one ranks first).

    Equal preferences are equal values with equal hashes (the hash is computed once), so the
    network keys the selections it keeps on the preference they were made under. The empty
    preference, ``ReferralPreference()``, leaves the network's own ranking untouched.
    """

    first_choices: tuple[PreferredTag, ...] = ()
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.first_choices))

    def __hash__(self) -> int:
        return self._hash

    def applying_to(self, service: str, department: str) -> tuple[PreferredTag, ...]:
        """The first choices for ``service`` and a person living in ``department``."""
        return tuple(
            c for c in self.first_choices if service in c.services and department in c.departments
        )

    @classmethod
    def of(cls, referrals: Referrals, service_areas: Mapping[str, Area]) -> ReferralPreference:
        """The preference written in ``referrals``, its areas read as the catalogue's services
        of those areas (``service_areas``: service code → area)."""
        return cls(
            tuple(
                PreferredTag(
                    choice.tag,
                    frozenset(code for code, area in service_areas.items() if area in choice.areas),
                    frozenset(choice.departments),
                    choice.reason,
                )
                for choice in referrals.first_choice
            )
        )
