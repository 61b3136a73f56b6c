"""The person every witness starts from, and the one order in which a witness departs from it.

An auditor compares reports between runs, so a witness must not depend on what the solver
happened to find: for one question about one rule base there is one witness. It is defined by
this module alone, whichever way it is computed (by the solver, :mod:`audit.search`, or directly
for rules made of simple tests, :mod:`audit.boxes`):

- the *slots* a witness fills are the day and then every profile field, in the order of the
  profile form (:func:`slots`);
- slot by slot, in that order, the witness takes the most preferred value that still leaves some
  profile and day showing the finding, given the values already taken. The most preferred value
  is the baseline's (the day asked about, an adult voluntary returnee in Bogotá, the form's
  defaults): a witness changes a value only when no person showing the finding has it;
- when the baseline value is impossible: for yes/no fields the other answer; for fields with a
  list of values the first possible one in the list's order (departments and municipalities by
  code, an empty field last unless it is the baseline); for numbers a whole number if any is
  possible (else a half, then a quarter …), the one nearest the baseline, the lower on a tie.

So a witness is *minimal*: none of the values it changes could be put back, even alone, without
losing the finding; and two computations of one witness agree value for value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Final

from engine import DEPARTMENTS, FieldKind, Profile, profile_fields

__all__ = [
    "BASELINE",
    "DAY",
    "MAX_LEVEL",
    "Slot",
    "Witness",
    "as_witness",
    "level",
    "number",
    "slots",
]

#: The profile a witness starts from: a witness changes as few of these values as it can, so
#: what it shows stands out. Fields not named here start at the profile's own defaults.
BASELINE: Final[dict[str, Any]] = {
    "age": 30,
    "department": "11",
    "municipality": "11001",
    "years_abroad": 1,
    "months_since_return": 6,
    "return_kind": "voluntary",
}

#: The slot holding the day of evaluation (as a day number, :meth:`datetime.date.toordinal`).
DAY: Final = "as_of"

#: The finest step a number in a witness may take: half to the power of this. Thresholds in
#: rule files are decimal numbers read as binary fractions, which never need more steps.
MAX_LEVEL: Final = 2048

#: A witness: the profile (only required fields and those differing from the defaults) and the
#: day it is evaluated on.
Witness = dict[str, Any]


@dataclass(frozen=True)
class Slot:
    """One value a witness fixes: the day or a profile field, with its values in order of
    preference. ``choices`` lists every value of a field with a fixed list (yes/no, a choice, a
    code, empty included), the baseline's first; numbers (``choices`` empty) prefer ``start``,
    then the nearest whole number, and so on (:func:`level`); ``integer`` numbers are whole."""

    name: str
    start: Any
    choices: tuple[Any, ...] = ()
    integer: bool = False

    @property
    def numeric(self) -> bool:
        return not self.choices


def slots(municipalities: list[str], near: date) -> list[Slot]:
    """The slots in the order a witness fills them, the day first (preferring ``near``);
    ``municipalities`` are the codes a municipality field may take, in code order."""
    found = [Slot(DAY, near.toordinal(), integer=True)]
    defaults = Profile.model_fields
    for name, spec in profile_fields().items():
        info = defaults[name]
        start = BASELINE[name] if info.is_required() else info.default
        if spec.kind.numeric:
            if spec.nullable:
                raise ValueError(f"field {name}: an empty number has no place in a witness order")
            found.append(Slot(name, number(start), integer=spec.kind is FieldKind.INTEGER))
            continue
        values: list[Any]
        if spec.kind is FieldKind.BOOLEAN:
            values = [False, True]
        elif spec.kind is FieldKind.CHOICE:
            values = list(spec.choices)
        elif name == "department":
            values = sorted(DEPARTMENTS)
        else:
            values = list(municipalities)
        if spec.nullable:
            values.append(None)
        found.append(Slot(name, start, (start, *(v for v in values if v != start))))
    return found


def number(value: Any) -> Fraction:
    """A number as an exact fraction (a decimal such as 0.1 as the binary fraction it is read
    as, the same value the rule engine compares)."""
    return Fraction(value)


def level(value: Fraction) -> int | None:
    """How fine a number is: 0 for a whole number, k when its denominator is 2 to the k (a
    half: 1), ``None`` for any other fraction."""
    denominator = value.denominator
    if denominator & (denominator - 1):
        return None
    return denominator.bit_length() - 1


def as_witness(values: dict[str, Any]) -> Witness:
    """The witness for one value per slot: the profile's required fields and those differing
    from the form's defaults (numbers whole where they are), and the day."""
    profile: dict[str, Any] = {}
    defaults = Profile.model_fields
    for name, spec in profile_fields().items():
        value = values[name]
        if isinstance(value, Fraction):
            value = int(value) if value.denominator == 1 else float(value)
        if spec.kind is FieldKind.INTEGER and value is not None:
            value = int(value)
        info = defaults[name]
        if info.is_required() or value != info.default:
            profile[name] = value
    return {"profile": profile, "as_of": date.fromordinal(int(values[DAY])).isoformat()}
