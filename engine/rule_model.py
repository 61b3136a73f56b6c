"""The rule file format that policy staff write (see docs/rule-format.md).

These pydantic models are the format's single definition: the loader validates rule files with
them, the JSON Schema that editors use is generated from them, and the engine compiles them.
Checks that need the profile vocabulary (field names, operators, values) run here too, so a rule
that names an unknown field or compares a yes/no field with ``<`` never reaches the engine.
"""

from __future__ import annotations

import math
import re
from datetime import date
from difflib import get_close_matches
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .fields import FieldKind, FieldSpec, profile_fields
from .rule_messages import ENGLISH, RuleMessage, did_you_mean, rule_fault
from .vocabulary import DEPARTMENTS, Area, Priority

__all__ = [
    "AT_ITEM",
    "AllOf",
    "AnyOf",
    "Catalogue",
    "Condition",
    "FirstChoice",
    "LegalBasis",
    "Manifest",
    "Not",
    "Note",
    "Operator",
    "Recommendation",
    "Referrals",
    "Regions",
    "Roadmap",
    "Rule",
    "RuleFile",
    "RuleStatus",
    "ServiceEntry",
    "Suppression",
    "Test",
    "Text",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """A text every reader gets in their language: Spanish (the default) and English."""

    es: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.es


class Operator(StrEnum):
    """How a test compares a profile field (see the rule format docs)."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not_in"
    IS_NULL = "is_null"
    NOT_NULL = "not_null"


ORDERING = frozenset({Operator.LT, Operator.LE, Operator.GT, Operator.GE})
MEMBERSHIP = frozenset({Operator.IN, Operator.NOT_IN})
NULL_TESTS = frozenset({Operator.IS_NULL, Operator.NOT_NULL})


#: The context key of a fault about one item of the list being checked: the item's index. The
#: loader reports such a fault at that item's line.
AT_ITEM = "at_item"


def _suggest(name: str, known: list[str]) -> RuleMessage | str:
    matches = get_close_matches(name, known, n=1, cutoff=0.6)
    return did_you_mean(matches[0] if matches else None)


def _field(name: str, role: str = "field") -> FieldSpec:
    fields = profile_fields()
    if name not in fields:
        raise rule_fault("unknown_field", role=role, name=name, hint=_suggest(name, list(fields)))
    return fields[name]


def _check_value(spec: FieldSpec, value: Any, op: Operator) -> None:
    """Refuse a value that does not fit the field, or can never match it."""
    where = spec.name
    if spec.kind is FieldKind.BOOLEAN:
        if not isinstance(value, bool):
            raise rule_fault("yes_no_value", field=where)
        return
    if spec.kind.numeric:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise rule_fault("number_value", field=where)
        if not math.isfinite(value):
            raise rule_fault("finite_number_value", field=where)
        if spec.kind is FieldKind.INTEGER and op not in ORDERING and value != int(value):
            raise rule_fault("whole_number_value", field=where, value=value)
        low, high = spec.minimum, spec.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise rule_fault(
                "value_out_of_range", field=where, bounds=_bounds(low, high), value=value
            )
        return
    if not isinstance(value, str):
        raise rule_fault("text_value", field=where)
    if spec.kind is FieldKind.CHOICE:
        if value not in spec.choices:
            raise rule_fault(
                "choice_value_not_allowed",
                field=where,
                value=value,
                hint=_suggest(value, list(spec.choices)),
                allowed=", ".join(spec.choices),
            )
        return
    _check_code(spec.name, value)


def _bounds(low: float | None, high: float | None) -> RuleMessage:
    """What a numeric field can hold: "between 0 and 120", "at least 0"."""
    if high is None:
        return RuleMessage("bounds_at_least", {"low": f"{low:g}"})
    if low is None:
        return RuleMessage("bounds_at_most", {"high": f"{high:g}"})
    return RuleMessage("bounds_between", {"low": f"{low:g}", "high": f"{high:g}"})


def _check_code(name: str, value: str) -> None:
    digits = 2 if name == "department" else 5
    if len(value) != digits or not value.isdigit():
        raise rule_fault("divipola_code_form", field=name, digits=digits)
    if value[:2] not in DEPARTMENTS:
        raise rule_fault("unknown_department_prefix", code=value)


class Test(_Strict):
    """A test on one profile field, against a value or against another field."""

    field: str
    op: Operator
    value: Any = None
    other_field: str | None = None

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str) -> str:
        _field(name)
        return name

    @field_validator("other_field")
    @classmethod
    def _known_other_field(cls, name: str | None) -> str | None:
        if name is not None:
            _field(name, "other_field")
        return name

    @model_validator(mode="after")
    def _fits_field(self) -> Test:
        spec = _field(self.field)
        has_value = "value" in self.model_fields_set
        if self.op in NULL_TESTS:
            _check_emptiness_test(spec, self.op, has_value or self.other_field is not None)
            return self
        if self.op in ORDERING and not spec.kind.numeric:
            raise rule_fault(
                "ordering_needs_numbers", op=self.op.value, field=spec.name, kind=_kind(spec)
            )
        if self.op in MEMBERSHIP and spec.kind is FieldKind.BOOLEAN:
            raise rule_fault("membership_on_yes_no", field=spec.name)
        if self.other_field is not None:
            if has_value:
                raise rule_fault("value_and_other_field")
            _check_field_comparison(spec, self.op, _field(self.other_field))
        else:
            _check_values(spec, self.op, self.value if has_value else None)
        return self


def _check_emptiness_test(spec: FieldSpec, op: Operator, has_operand: bool) -> None:
    """``is_null`` / ``not_null``: no operand, and only on a field that can be empty."""
    if has_operand:
        raise rule_fault("emptiness_test_operand", op=op.value)
    if not spec.nullable:
        raise rule_fault("emptiness_test_on_required_field", field=spec.name, op=op.value)


def _check_field_comparison(spec: FieldSpec, op: Operator, other: FieldSpec) -> None:
    """A test of one field against another: both of the same kind, one operand each."""
    if op in MEMBERSHIP:
        raise rule_fault("membership_with_other_field", op=op.value)
    if _family(other) != _family(spec):
        raise rule_fault(
            "incomparable_fields",
            field=spec.name,
            kind=_kind(spec),
            other=other.name,
            other_kind=_kind(other),
        )


def _check_values(spec: FieldSpec, op: Operator, value: Any) -> None:
    """A test against a value (or, for ``in`` / ``not_in``, a list of values) that fits."""
    if value is None:
        raise rule_fault("value_missing", op=op.value)
    if op in MEMBERSHIP:
        if not isinstance(value, list) or not value:
            raise rule_fault("membership_needs_list", op=op.value)
        for item in value:
            _check_value(spec, item, op)
    elif isinstance(value, list):
        raise rule_fault("list_for_single_value", op=op.value)
    else:
        _check_value(spec, value, op)


def _family(spec: FieldSpec) -> str:
    return "number" if spec.kind.numeric else spec.kind.value


def _kind(spec: FieldSpec) -> RuleMessage:
    """What a field holds, in words: "a number", "yes/no", "one of voluntary, deported, …"."""
    if spec.kind is FieldKind.CHOICE:
        return RuleMessage("kind_choice", {"choices": ", ".join(spec.choices)})
    return RuleMessage(
        {
            FieldKind.INTEGER: "kind_number",
            FieldKind.NUMBER: "kind_number",
            FieldKind.BOOLEAN: "kind_yes_no",
            FieldKind.CODE: "kind_code",
        }[spec.kind]
    )


class AllOf(_Strict):
    """Holds when every condition in the list holds."""

    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    """Holds when at least one condition in the list holds."""

    any: list[Condition] = Field(min_length=1)


class Not(_Strict):
    """Holds when the inner condition does not."""

    not_: Condition = Field(alias="not")


def _condition_kind(data: Any) -> str | None:
    if isinstance(data, BaseModel):
        return {AllOf: "all", AnyOf: "any", Not: "not", Test: "test"}.get(type(data))
    if not isinstance(data, dict):
        return None
    present = [key for key in ("all", "any", "not") if key in data]
    if len(present) == 1:
        return present[0]
    if not present and "field" in data:
        return "test"
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Test, Tag("test")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_form",
        custom_error_message=ENGLISH["condition_form"],
    ),
]


class LegalBasis(_Strict):
    """Where the rule comes from: the legal instrument and article, and a public link to it."""

    instrument: str = Field(min_length=1)
    article: str | None = None
    url: str | None = Field(None, pattern=r"^https?://\S+$")


class RuleStatus(StrEnum):
    """``in_force``: confirmed by the sources; ``illustrative``: a plausible protocol choice."""

    IN_FORCE = "in_force"
    ILLUSTRATIVE = "illustrative"


def _known_services(info: ValidationInfo) -> dict[str, Area] | None:
    context = info.context
    if isinstance(context, dict):
        services = context.get("services")
        if isinstance(services, dict):
            return services
    return None


def _check_services(codes: list[str], info: ValidationInfo) -> list[str]:
    services = _known_services(info)
    if services is not None:
        for code in codes:
            if code not in services:
                raise rule_fault("unknown_service", code=code, hint=_suggest(code, list(services)))
    return codes


class Note(_Strict):
    """A note attached to a recommended service; with ``when``, only when that also holds."""

    text: Text
    when: Condition | None = None


class Recommendation(_Strict):
    """Recommend one service of the catalogue at a priority."""

    service: str
    priority: Priority
    notes: list[Note] = Field(default_factory=list)

    @field_validator("service")
    @classmethod
    def _known(cls, code: str, info: ValidationInfo) -> str:
        return _check_services([code], info)[0]


class Suppression(_Strict):
    """Remove services from the result, whatever recommended them."""

    services: list[str] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list)
    except_: list[str] = Field(default_factory=list, alias="except")

    @field_validator("services", "except_")
    @classmethod
    def _known(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        return _check_services(codes, info)

    @model_validator(mode="after")
    def _not_empty(self) -> Suppression:
        if not self.services and not self.areas:
            raise rule_fault("empty_suppression")
        return self

    def removes(self, code: str, area: Area) -> bool:
        """Whether this suppression removes the service ``code`` of ``area``."""
        if code in self.except_:
            return False
        return code in self.services or area in self.areas


class Regions(_Strict):
    """Where a rule applies: people living in these departments or municipalities."""

    departments: list[str] = Field(default_factory=list)
    municipalities: list[str] = Field(default_factory=list)

    @field_validator("departments")
    @classmethod
    def _departments(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if code not in DEPARTMENTS:
                raise rule_fault("not_a_department_code", code=code)
        return codes

    @field_validator("municipalities")
    @classmethod
    def _municipalities(cls, codes: list[str]) -> list[str]:
        for code in codes:
            _check_code("municipality", code)
        return codes

    @model_validator(mode="after")
    def _not_empty(self) -> Regions:
        if not self.departments and not self.municipalities:
            raise rule_fault("empty_regions")
        return self

    def includes(self, department: str, municipality: str) -> bool:
        return department in self.departments or municipality in self.municipalities


_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class Rule(_Strict):
    """One protocol rule: when it applies, and which services it recommends or suppresses."""

    id: str = Field(max_length=64)
    title: Text
    status: RuleStatus
    legal_basis: list[LegalBasis]
    effective_from: date | None = None
    effective_to: date | None = None
    regions: Regions | None = None
    when: Condition
    recommend: list[Recommendation] = Field(default_factory=list)
    suppress: Suppression | None = None
    description: Text | None = None

    @field_validator("id")
    @classmethod
    def _readable_id(cls, value: str) -> str:
        if not _RULE_ID.fullmatch(value):
            raise rule_fault("rule_id_form", rule_id=value)
        return value

    @field_validator("effective_to")
    @classmethod
    def _after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("effective_from")
        if value is not None and isinstance(start, date) and value < start:
            raise rule_fault("dates_inverted", end=value.isoformat(), start=start.isoformat())
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Rule:
        if not self.recommend and self.suppress is None:
            raise rule_fault("rule_without_effect")
        codes = [r.service for r in self.recommend]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise rule_fault("service_recommended_twice", codes=", ".join(repeated))
        return self

    def in_effect(self, on: date) -> bool:
        """Whether the rule applies on the day ``on`` (both ends inclusive)."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        return self.effective_to is None or on <= self.effective_to


class RuleFile(_Strict):
    """One protocol group's file in ``rules/``."""

    schema_: str | None = Field(None, alias="$schema")
    group: Text
    rules: list[Rule]

    @field_validator("rules")
    @classmethod
    def _has_rules(cls, rules: list[Rule]) -> list[Rule]:
        if not rules:
            raise rule_fault("no_rules_in_file")
        return rules


class ServiceEntry(_Strict):
    """A service of the catalogue (protocols §2)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    area: Area
    label: Text
    description: Text | None = None


class Catalogue(_Strict):
    """``rules/catalogue.yaml``: every service a rule may recommend."""

    services: list[ServiceEntry] = Field(min_length=1)

    @field_validator("services")
    @classmethod
    def _unique(cls, services: list[ServiceEntry]) -> list[ServiceEntry]:
        seen: set[str] = set()
        repeated: list[tuple[int, str]] = []
        for index, service in enumerate(services):
            if service.code in seen:
                repeated.append((index, service.code))
            seen.add(service.code)
        if repeated:
            # The loader reports each repeated code at the line of its second entry.
            raise rule_fault(
                "duplicate_service_codes",
                codes=", ".join(code for _, code in repeated),
                repeated=repeated,
            )
        return services


def _at_item(index: int, type_: str, **ctx: Any) -> PydanticCustomError:
    """An error about item ``index`` of the list being checked: the loader reports it at that
    item's line."""
    return rule_fault(type_, **ctx, **{AT_ITEM: index})


def _once_each(values: list[str], fault: str, what: str) -> None:
    """Refuse a list naming something twice, at the second mention: the fault ``fault`` quotes
    the value as ``what``."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise _at_item(index, fault, **{what: value})
        seen.add(value)


class Roadmap(_Strict):
    """How a roadmap lists the services a person is entitled to: by priority (urgent, then
    high, then normal) and, within one priority, by area in ``area_order`` (protocols §4),
    then by service code. Every area is listed, each once."""

    area_order: list[Area]

    @field_validator("area_order")
    @classmethod
    def _every_area_once(cls, areas: list[Area]) -> list[Area]:
        _once_each([a.value for a in areas], "area_listed_twice", "area")
        missing = [a.value for a in Area if a not in areas]
        if missing:
            raise rule_fault(
                "area_order_incomplete",
                missing=", ".join(missing),
                areas=", ".join(a.value for a in Area),
            )
        return areas


_TAG = re.compile(r"[a-z][a-z0-9_]*")


class FirstChoice(_Strict):
    """Partner institutions carrying ``tag`` (the tag of the institution files) are proposed
    first for the services of ``areas``, to people living in ``departments``, whenever they
    serve the person's municipality or department. ``reason`` is said first in the reason
    given for the referral (e.g. "Hogar de Paso de frontera")."""

    tag: str
    areas: list[Area] = Field(min_length=1)
    departments: list[str] = Field(min_length=1)
    reason: Text

    @field_validator("tag")
    @classmethod
    def _tag_as_written_in_the_network(cls, tag: str) -> str:
        if not _TAG.fullmatch(tag):
            raise rule_fault("tag_form", tag=tag)
        return tag

    @field_validator("areas")
    @classmethod
    def _areas_once(cls, areas: list[Area]) -> list[Area]:
        _once_each([a.value for a in areas], "area_listed_twice", "area")
        return areas

    @field_validator("departments")
    @classmethod
    def _known_departments(cls, codes: list[str]) -> list[str]:
        for index, code in enumerate(codes):
            if code not in DEPARTMENTS:
                raise _at_item(index, "first_choice_not_a_department_code", code=code)
        _once_each(codes, "department_listed_twice", "department")
        return codes


class Referrals(_Strict):
    """Referral preferences of the protocols, applied when partner institutions are chosen."""

    first_choice: list[FirstChoice] = Field(default_factory=list)


class Manifest(_Strict):
    """``rules/base.yaml``: the rule base's name, version and edition, and the protocols'
    choices that are not rules: the roadmap's order and the referral preferences."""

    name: Text
    version: str = Field(min_length=1)
    edition: date
    description: Text | None = None
    roadmap: Roadmap
    referrals: Referrals = Field(default_factory=Referrals)


for _model in (AllOf, AnyOf, Not, Note, Rule):
    _model.model_rebuild()
