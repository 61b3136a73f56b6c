"""A synthetic population: valid, realistic-looking returnee profiles, the same for the same seed.

How often each situation occurs is data, in ``simulation/synthetic.yaml`` (places, and a way of
drawing each profile field), so policy staff can try a rule change on another mix of people
without touching Python. Person ``i`` of seed ``s`` is drawn from a random generator seeded
with ``(s, i)`` alone: the same person whatever the population's size, and whichever process
draws them.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from engine import DEPARTMENTS, FieldKind, FieldSpec, Profile, profile_fields
from texts import N_, both, text

from .errors import PopulationError
from .population import Member, Population

__all__ = ["SYNTHETIC_FILE", "SyntheticSpec", "read_synthetic_spec", "synthetic_population"]

#: The description of the synthetic population shipped with Ruta.
SYNTHETIC_FILE = Path(__file__).resolve().parent / "synthetic.yaml"

#: Fields every profile must have (protocols §1); the file must draw them for everyone.
_REQUIRED = ("age", "years_abroad", "months_since_return", "return_kind")
#: Fields drawn from ``places`` and ``origin_municipality``, not from ``fields``.
_PLACES = ("department", "municipality", "origin_municipality")


class _Span(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    low: float = Field(alias="from")
    high: float = Field(alias="to")


class _Range(_Span):
    weight: float = Field(gt=0)


class _Draw(BaseModel):
    """How one field is drawn: ``chance`` (yes/no), ``weights`` (words) or ``ranges`` (numbers)."""

    model_config = ConfigDict(extra="forbid")

    chance: float | None = Field(None, ge=0, le=1)
    weights: dict[str, float] | None = None
    ranges: list[_Range] | None = Field(None, min_length=1)
    decimals: int = Field(1, ge=0, le=4)
    only_if: dict[str, list[str | bool] | _Span] = Field(default_factory=dict)


class _SpecFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    places: dict[str, float] = Field(min_length=1)
    origin_municipality: dict[str, float]
    fields: dict[str, _Draw]


#: A condition on earlier fields: field → allowed words, or an inclusive numeric range.
_Condition = tuple[tuple[str, frozenset[Any] | tuple[float, float]], ...]


@dataclass(frozen=True)
class _Weighted:
    """Values with cumulative weights, drawn with one call to ``random()``."""

    values: tuple[Any, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weighted: Iterable[tuple[Any, float]]) -> _Weighted:
        values, weights = zip(*weighted, strict=True)
        return cls(tuple(values), tuple(accumulate(weights)))

    def draw(self, rng: random.Random) -> Any:
        point = rng.random() * self.cumulative[-1]
        return self.values[min(bisect_right(self.cumulative, point), len(self.values) - 1)]


@dataclass(frozen=True)
class _FieldRule:
    """One field's drawing, checked against the profile's vocabulary."""

    name: str
    condition: _Condition
    chance: float | None = None
    words: _Weighted | None = None
    ranges: _Weighted | None = None  # of (low, high) pairs
    whole: bool = False
    decimals: int = 1

    def draw(self, rng: random.Random) -> Any:
        if self.chance is not None:
            return rng.random() < self.chance
        if self.words is not None:
            return self.words.draw(rng)
        assert self.ranges is not None
        low, high = self.ranges.draw(rng)
        if self.whole:
            return min(int(low + rng.random() * (high - low + 1)), int(high))
        return min(round(low + rng.random() * (high - low), self.decimals), high)


@dataclass(frozen=True)
class SyntheticSpec:
    """A checked description of a synthetic population (see ``synthetic.yaml``)."""

    places: _Weighted
    origin: _Weighted
    fields: tuple[_FieldRule, ...]

    def person(self, seed: int, index: int) -> dict[str, Any]:
        """Person ``index`` of the population of ``seed``, as profile data."""
        rng = random.Random(f"ruta-synthetic/{seed}/{index}")
        municipality = self.places.draw(rng)
        profile: dict[str, Any] = {"department": municipality[:2], "municipality": municipality}
        origin = self.origin.draw(rng)
        if origin == "same":
            profile["origin_municipality"] = municipality
        elif origin == "other":
            profile["origin_municipality"] = self.places.draw(rng)
        known = {**_DEFAULTS, **profile}
        # Written out rather than with all() and a helper: this loop runs for every field of
        # every synthetic person, and drawing people is a third of a simulation's time.
        for rule in self.fields:
            for name, test in rule.condition:
                value = known[name]
                if isinstance(test, frozenset):
                    if value not in test:
                        break
                elif value is None or not test[0] <= value <= test[1]:
                    break
            else:
                known[rule.name] = profile[rule.name] = rule.draw(rng)
        return profile


_DEFAULTS: dict[str, Any] = {
    name: info.default for name, info in Profile.model_fields.items() if not info.is_required()
}


@dataclass(frozen=True)
class _Synthetic(Population):
    """People ``start`` to ``stop - 1`` of the synthetic population of ``seed``."""

    spec: SyntheticSpec
    seed: int
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    def part(self, start: int, stop: int) -> Population:
        first = self.start + max(0, min(start, len(self)))
        return _Synthetic(
            self.spec, self.seed, first, max(first, self.start + min(stop, len(self)))
        )

    def members(self) -> Iterator[Member]:
        for index in range(self.start, self.stop):
            yield self.spec.person(self.seed, index), None


def synthetic_population(n: int, seed: int = 0, spec: SyntheticSpec | None = None) -> Population:
    """``n`` valid, realistic-looking profiles, the same for the same ``seed``, evaluated on the
    simulation's day. ``spec`` defaults to the description shipped in ``synthetic.yaml``; with
    it, every rule of the default rule base applies to some people of a few thousand.
    """
    if n < 0:
        raise PopulationError(*both("simulation.negative_population"))
    return _Synthetic(spec or default_synthetic_spec(), seed, 0, n)


@cache
def default_synthetic_spec() -> SyntheticSpec:
    """The synthetic population described by ``synthetic.yaml``, read once."""
    return read_synthetic_spec(SYNTHETIC_FILE)


def read_synthetic_spec(path: Path) -> SyntheticSpec:
    """Read and check a description of a synthetic population; every fault raises
    :class:`PopulationError` naming the file and the entry."""
    name = path.name
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        raise PopulationError(*both("simulation.spec_unreadable", file=name)) from None
    try:
        checked = _SpecFile.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        # English names the fault as the validator words it; the catalogue's text is general.
        raise PopulationError(
            f"{name}: {where}: {first['msg']}",
            text("simulation.spec_shape", "es", file=name, where=where),
        ) from None
    return SyntheticSpec(
        _Weighted.of(_places(name, checked.places).items()),
        _Weighted.of(_origins(name, checked.origin_municipality).items()),
        _field_rules(name, checked.fields),
    )


def _places(name: str, places: dict[str, float]) -> dict[str, float]:
    for code, weight in places.items():
        if len(code) != 5 or not code.isdigit() or code[:2] not in DEPARTMENTS:
            raise PopulationError(*both("simulation.spec_bad_place", file=name, code=code))
        _positive(name, f"places.{code}", weight)
    return places


def _origins(name: str, weights: dict[str, float]) -> dict[str, float]:
    unknown = set(weights) - {"absent", "same", "other"}
    if unknown or not weights:
        raise PopulationError(*both("simulation.spec_bad_origins", file=name))
    for key, weight in weights.items():
        _positive(name, f"origin_municipality.{key}", weight)
    return weights


def _positive(name: str, where: str, weight: float) -> None:
    if weight <= 0:
        raise PopulationError(*both("simulation.spec_weight", file=name, where=where))


def _field_rules(name: str, draws: dict[str, _Draw]) -> tuple[_FieldRule, ...]:
    fields = profile_fields()
    rules: list[_FieldRule] = []
    drawn: list[str] = ["department", "municipality"]
    for field_name, draw in draws.items():
        spec = fields.get(field_name)
        if spec is None or field_name in _PLACES:
            raise PopulationError(*both("simulation.spec_not_drawn", file=name, field=field_name))
        condition = _condition(name, field_name, draw, drawn)
        rules.append(_field_rule(name, spec, draw, condition))
        drawn.append(field_name)
    for required in _REQUIRED:
        if required not in draws or draws[required].only_if:
            raise PopulationError(*both("simulation.spec_required", file=name, field=required))
    return tuple(rules)


def _condition(name: str, field_name: str, draw: _Draw, drawn: list[str]) -> _Condition:
    tests: list[tuple[str, frozenset[Any] | tuple[float, float]]] = []
    for other, test in draw.only_if.items():
        if other not in drawn:
            raise PopulationError(
                *both("simulation.spec_only_if", file=name, field=field_name, other=other)
            )
        tests.append((other, (test.low, test.high) if isinstance(test, _Span) else frozenset(test)))
    return tuple(tests)


def _field_rule(name: str, spec: FieldSpec, draw: _Draw, condition: _Condition) -> _FieldRule:
    where = f"{name}: fields.{spec.name}"
    if spec.kind is FieldKind.BOOLEAN and draw.chance is not None and not _others(draw, "chance"):
        return _FieldRule(spec.name, condition, chance=draw.chance)
    if spec.kind is FieldKind.CHOICE and draw.weights and not _others(draw, "weights"):
        for word, weight in draw.weights.items():
            if word not in spec.choices:
                raise PopulationError(
                    *both(
                        "simulation.spec_word",
                        where=where,
                        word=word,
                        words=", ".join(spec.choices),
                    )
                )
            _positive(name, f"fields.{spec.name}.weights.{word}", weight)
        return _FieldRule(spec.name, condition, words=_Weighted.of(draw.weights.items()))
    if spec.kind.numeric and draw.ranges and not _others(draw, "ranges"):
        whole = spec.kind is FieldKind.INTEGER
        low_limit = spec.minimum if spec.minimum is not None else float("-inf")
        high_limit = spec.maximum if spec.maximum is not None else float("inf")
        for item in draw.ranges:
            fits = low_limit <= item.low <= item.high <= high_limit
            if not fits or (whole and not (item.low.is_integer() and item.high.is_integer())):
                refusal = (
                    N_("simulation.spec_whole_ranges") if whole else N_("simulation.spec_ranges")
                )
                raise PopulationError(*both(refusal, where=where))
        spans = _Weighted.of(((item.low, item.high), item.weight) for item in draw.ranges)
        return _FieldRule(spec.name, condition, ranges=spans, whole=whole, decimals=draw.decimals)
    wanted = {FieldKind.BOOLEAN: "chance", FieldKind.CHOICE: "weights"}.get(spec.kind, "ranges")
    raise PopulationError(*both("simulation.spec_draw_alone", where=where, way=wanted))


def _others(draw: _Draw, kept: str) -> bool:
    """Whether ``draw`` gives a way of drawing other than ``kept``."""
    given = {"chance": draw.chance is not None, "weights": bool(draw.weights)}
    given["ranges"] = bool(draw.ranges)
    return any(present for key, present in given.items() if key != kept)
