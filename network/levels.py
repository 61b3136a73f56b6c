"""How close a referral is to the person: the levels a target is found at, in order."""

from __future__ import annotations

from enum import IntEnum

from engine.rule_model import Text
from texts import N_, both

__all__ = ["Level"]


class Level(IntEnum):
    """How close a provider is to the person: lower is better.

    NEIGHBOUR: a department reached over land borders, nearest first along them; NEAREST: once
    the land borders run out, a department whose capital is among the nearest as the crow flies
    (``policy.yaml``); NONE (in :meth:`network.Network.gaps` only): nobody can be offered.
    """

    MUNICIPALITY = 1
    DEPARTMENT = 2
    NATIONAL = 3
    NEIGHBOUR = 4
    NEAREST = 5
    NONE = 6

    @property
    def label(self) -> Text:
        """The level's name for caseworkers, in Spanish and English."""
        english, spanish = both(_LABELS[self])
        return Text(es=spanish, en=english)


_LABELS = {
    Level.MUNICIPALITY: N_("network.level.municipality"),
    Level.DEPARTMENT: N_("network.level.department"),
    Level.NATIONAL: N_("network.level.national"),
    Level.NEIGHBOUR: N_("network.level.neighbour"),
    Level.NEAREST: N_("network.level.nearest"),
    Level.NONE: N_("network.level.none"),
}
