"""How much of each institution's weekly capacity is already used: the live side of capacity.

For caseworkers: an institution that states a weekly capacity (``weekly_capacity`` in its
record) takes that many referrals per ISO week (Monday to Sunday). The referrals it has already
sent or accepted this week are counted by the store of cases and referrals and handed to the
network as an :class:`Occupancy`; an institution whose count has reached its capacity is passed
over with the reason "sin cupo esta semana" / "no capacity this week" until the week ends or a
referral is withdrawn, and among the others the one with most room left goes first.

An :class:`Occupancy` never changes once made: a new referral makes a new one
(:meth:`Occupancy.with_referrals`). Two occupancies with the same counts are equal and hash
alike, so the network keeps one answer for both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType

from .errors import OccupancyError
from .models import Institution

__all__ = ["Occupancy", "room_left"]


def room_left(institution: Institution, used: Mapping[str, int]) -> int | None:
    """How many more referrals ``institution`` can take this week, given the referrals
    ``used`` per institution id: its weekly capacity minus those used, never below 0; ``None``
    when its capacity is not stated (it is then never full)."""
    capacity = institution.weekly_capacity
    if capacity is None:
        return None
    return max(0, capacity - used.get(institution.id, 0))


class Occupancy(Mapping[str, int]):
    """Referrals sent or accepted this ISO week, per institution id (absent: none).

    It reads as a mapping from institution id to count; counts of zero are dropped, so
    ``Occupancy({"a": 0}) == Occupancy()``. Ids the network does not know are kept and ignored
    (a referral to an institution since removed from the data changes nothing).
    """

    __slots__ = ("_counts", "_hash", "_used")

    def __init__(self, used: Mapping[str, int] | None = None) -> None:
        counts: dict[str, int] = {}
        for institution_id, count in (used or {}).items():
            if not isinstance(institution_id, str):
                raise OccupancyError(
                    f"an institution id must be text, not {type(institution_id).__name__}"
                )
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise OccupancyError(
                    f"the referrals counted for '{institution_id}' must be a whole number of"
                    f" zero or more, not {count!r}"
                )
            if count:
                counts[institution_id] = count
        self._counts = dict(sorted(counts.items()))
        self._used: Mapping[str, int] = MappingProxyType(self._counts)
        self._hash = hash(frozenset(counts.items()))

    def __getitem__(self, institution_id: str) -> int:
        return self._used[institution_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._used)

    def __len__(self) -> int:
        return len(self._used)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, Occupancy):
            return self._hash == other._hash and self._used == other._used
        return NotImplemented

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Occupancy({dict(self._used)!r})"

    def used_by(self, institution_id: str) -> int:
        """The referrals ``institution_id`` has sent or accepted this week (0 if none)."""
        return self._used.get(institution_id, 0)

    def remaining(self, institution: Institution) -> int | None:
        """How many more referrals ``institution`` can take this week: its weekly capacity
        minus those used, never below 0; ``None`` when its capacity is not known (it is then
        never full)."""
        return room_left(institution, self._counts)

    def used_among(self, institution_ids: AbstractSet[str]) -> frozenset[tuple[str, int]]:
        """The (id, referrals used) of each of ``institution_ids`` that has used some: all a
        choice among those institutions depends on, so what the network keeps its answers
        by (a set, so that it is made without sorting: this runs on every selection)."""
        counts = self._counts
        common = institution_ids & counts.keys()
        return frozenset(zip(common, map(counts.__getitem__, common), strict=True))

    def is_full(self, institution: Institution) -> bool:
        """Whether ``institution`` has no room left this week (a capacity of 0 is always full)."""
        return self.remaining(institution) == 0

    def with_referrals(self, institution_id: str, count: int = 1) -> Occupancy:
        """A new occupancy with ``count`` more referrals for ``institution_id`` (a negative
        ``count`` withdraws referrals, never below zero)."""
        if isinstance(count, bool) or not isinstance(count, int):
            raise OccupancyError(f"a number of referrals must be a whole number, not {count!r}")
        changed = dict(self._used)
        changed[institution_id] = max(0, changed.get(institution_id, 0) + count)
        return Occupancy(changed)
