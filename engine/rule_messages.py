"""What a problem of a rule base says, in English and in Spanish: one catalogue per language.

For policy staff: every fault Ruta can find in a rule base — a misspelt field, an unknown
service code, a rule id used twice, a date that does not exist, a rule too large for the engine,
a ``.yml`` file, YAML that does not parse, a case file that is not a list — has a stable *type*
(``unknown_field``, ``unknown_service``, ``duplicate_rule_id``, ``not_a_real_date`` …) and one
sentence per language, in the catalogues of :mod:`texts`. The checks name the type and the
values they found (:class:`RuleMessage`), and each reader gets the sentence in their language.

A sentence is a template with named placeholders (``'{field}' is yes/no``) filled with what the
check found: field names, codes and values written in the rule files. Those are policy data,
never a returnee's, so quoting them is safe. A placeholder may hold another message (a "did you
mean" hint, the kind of a field), which is put in the same language.

For translators: the sentences live in Ruta's gettext catalogues (``texts/locale/<lang>/
LC_MESSAGES/ruta.po``), keyed ``rule.<type>``; English is the reference (tests and tools quote
its sentences), Spanish is written for the offices' staff, in the *usted* form. Every type is in
both, with the same placeholders (a test checks it). Names of keys, operators and values of the
rule format (``value``, ``is_null``, ``true``) are the format's and stay as they are in every
language; ``{field, op, value}`` is such a name, not a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from pydantic_core import PydanticCustomError

from texts import N_, text

__all__ = [
    "CATALOGUES",
    "ENGLISH",
    "LANGUAGES",
    "SPANISH",
    "RuleMessage",
    "did_you_mean",
    "placeholders",
    "rule_fault",
]

#: The languages every rule-base message is written in; English is the reference.
LANGUAGES: Final = ("en", "es")

#: Every type of rule-base problem, as its key in the catalogues of :mod:`texts`
#: (``rule.<type>``); the sentences are in ``texts/locale/<lang>/LC_MESSAGES/ruta.po``.
_KEYS: Final = (
    N_("rule.not_a_folder"),
    N_("rule.file_missing"),
    N_("rule.yml_file"),
    N_("rule.no_rule_files"),
    N_("rule.unreadable_file"),
    N_("rule.not_a_mapping"),
    N_("rule.yaml_duplicate_key"),
    N_("rule.yaml_duplicate_key_unnamed"),
    N_("rule.yaml_invalid"),
    N_("rule.yaml_not_valid"),
    N_("rule.yaml_unprintable"),
    N_("rule.yaml_alias"),
    N_("rule.yaml_context"),
    N_("rule.unknown_key"),
    N_("rule.missing_key"),
    N_("rule.did_you_mean"),
    N_("rule.not_a_real_date"),
    N_("rule.value_not_allowed"),
    N_("rule.mapping_expected"),
    N_("rule.list_expected"),
    N_("rule.text_expected"),
    N_("rule.empty_list"),
    N_("rule.empty_text"),
    N_("rule.text_too_long"),
    N_("rule.url_form"),
    N_("rule.service_code_form"),
    N_("rule.pattern_mismatch"),
    N_("rule.invalid_value"),
    N_("rule.condition_form"),
    N_("rule.unknown_field"),
    N_("rule.yes_no_value"),
    N_("rule.number_value"),
    N_("rule.finite_number_value"),
    N_("rule.whole_number_value"),
    N_("rule.value_out_of_range"),
    N_("rule.bounds_between"),
    N_("rule.bounds_at_least"),
    N_("rule.bounds_at_most"),
    N_("rule.text_value"),
    N_("rule.choice_value_not_allowed"),
    N_("rule.divipola_code_form"),
    N_("rule.unknown_department_prefix"),
    N_("rule.ordering_needs_numbers"),
    N_("rule.kind_number"),
    N_("rule.kind_yes_no"),
    N_("rule.kind_choice"),
    N_("rule.kind_code"),
    N_("rule.membership_on_yes_no"),
    N_("rule.value_and_other_field"),
    N_("rule.emptiness_test_operand"),
    N_("rule.emptiness_test_on_required_field"),
    N_("rule.membership_with_other_field"),
    N_("rule.incomparable_fields"),
    N_("rule.value_missing"),
    N_("rule.membership_needs_list"),
    N_("rule.list_for_single_value"),
    N_("rule.unknown_service"),
    N_("rule.empty_suppression"),
    N_("rule.not_a_department_code"),
    N_("rule.empty_regions"),
    N_("rule.rule_id_form"),
    N_("rule.dates_inverted"),
    N_("rule.rule_without_effect"),
    N_("rule.service_recommended_twice"),
    N_("rule.duplicate_rule_id"),
    N_("rule.no_rules_in_file"),
    N_("rule.too_many_match_paths"),
    N_("rule.too_many_groups"),
    N_("rule.too_many_successors"),
    N_("rule.too_many_empty_tests"),
    N_("rule.too_many_pending_tests"),
    N_("rule.duplicate_service_codes"),
    N_("rule.duplicate_service_code"),
    N_("rule.area_listed_twice"),
    N_("rule.department_listed_twice"),
    N_("rule.area_order_incomplete"),
    N_("rule.tag_form"),
    N_("rule.first_choice_not_a_department_code"),
    N_("rule.rule_file_name"),
    N_("rule.not_json"),
    N_("rule.json_constant"),
    N_("rule.json_parts"),
    N_("rule.json_files_not_mapping"),
    N_("rule.rule_id_mismatch"),
    N_("rule.rules_not_a_list"),
    N_("rule.key_not_text"),
    N_("rule.finite_number_expected"),
    N_("rule.value_kind_not_allowed"),
    N_("rule.case_file_not_a_list"),
    N_("rule.case_invalid"),
    N_("rule.case_name_twice"),
    N_("rule.rule_base_refused_one"),
    N_("rule.rule_base_refused"),
    N_("rule.rule_label"),
)


def _catalogue(lang: str) -> Mapping[str, str]:
    """``lang``'s sentence of each type, as written in its catalogue (placeholders unfilled)."""
    return MappingProxyType({key.removeprefix("rule."): text(key, lang) for key in _KEYS})


#: The English sentences by type: the reference that tests and tools quote.
ENGLISH: Final[Mapping[str, str]] = _catalogue("en")
#: The Spanish sentences by type, written for the offices' staff in the *usted* form.
SPANISH: Final[Mapping[str, str]] = _catalogue("es")

#: Each language's catalogue: message type → template.
CATALOGUES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {"en": ENGLISH, "es": SPANISH}
)

_PLACEHOLDER: Final = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def placeholders(template: str) -> set[str]:
    """The names a template fills in (``{field}``); ``{field, op, value}`` is plain text."""
    return set(_PLACEHOLDER.findall(template))


@dataclass(frozen=True)
class RuleMessage:
    """A problem's words before they are put in a language: its type and the values it quotes.

    ``ctx`` holds the placeholders' values — text, numbers, or other messages (a hint), which
    are put in the same language — and may hold more (a check's own data, not shown).
    """

    type: str
    ctx: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in ENGLISH:
            raise KeyError(f"no rule-base message of type {self.type!r}")

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"en"`` or ``"es"``; anything else gives English).

        A guess for an unknown name (``ctx["hint"]``, from :func:`did_you_mean`) picks the
        type's whole sentence with the guess, so a translator sees each sentence entire."""
        lang = lang if lang in CATALOGUES else "en"
        template = CATALOGUES[lang][self.type]
        values = dict(self.ctx)
        hint = values.get("hint")
        if self.type in _GUESSES and isinstance(hint, RuleMessage):
            template = text(_GUESSES[self.type], lang)
            values["suggestion"] = hint.ctx["suggestion"]
        return _PLACEHOLDER.sub(lambda found: _text(values[found[1]], lang), template)

    def __str__(self) -> str:
        return self.render("en")


#: The types that name an unknown thing, and their sentence with a guess ``{suggestion}``.
_GUESSES: Final[Mapping[str, str]] = {
    "unknown_key": N_("rule.unknown_key_did_you_mean"),
    "value_not_allowed": N_("rule.value_not_allowed_did_you_mean"),
    "unknown_field": N_("rule.unknown_field_did_you_mean"),
    "choice_value_not_allowed": N_("rule.choice_value_not_allowed_did_you_mean"),
    "unknown_service": N_("rule.unknown_service_did_you_mean"),
}


def _text(value: Any, lang: str) -> str:
    return value.render(lang) if isinstance(value, RuleMessage) else str(value)


def rule_fault(type_: str, **ctx: Any) -> PydanticCustomError:
    """The error a rule-format check raises: pydantic reports it under ``type_`` with ``ctx``,
    its English sentence as the text, and the loader renders it in every language."""
    # A type not in the catalogues is a programming error: RuleMessage fails here.
    return PydanticCustomError(type_, RuleMessage(type_, ctx).render("en"), ctx)


def did_you_mean(suggestion: str | None) -> RuleMessage | str:
    """The guess for an unknown name (``age`` for ``agee``), given as ``hint`` to a message
    that names an unknown thing, or nothing without a guess. Rendered alone it is the
    "(did you mean 'age'?)" that follows the name."""
    return RuleMessage("did_you_mean", {"suggestion": suggestion}) if suggestion else ""
