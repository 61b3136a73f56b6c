"""What a problem of a rule base says, in English and in Spanish: one catalogue per language.

For policy staff: every fault Ruta can find in a rule base — a misspelt field, an unknown
service code, a rule id used twice, a date that does not exist, a rule too large for the engine,
a ``.yml`` file, YAML that does not parse, a case file that is not a list — has a stable *type*
(``unknown_field``, ``unknown_service``, ``duplicate_rule_id``, ``not_a_real_date`` …) and one
sentence per language. The sentences live only here: the checks name the type and the values
they found (:class:`RuleMessage`), and each reader gets the sentence in their language.

A sentence is a template with named placeholders (``'{field}' is yes/no``) filled with what the
check found: field names, codes and values written in the rule files. Those are policy data,
never a returnee's, so quoting them is safe. A placeholder may hold another message (a "did you
mean" hint, the kind of a field), which is put in the same language.

For translators: :data:`ENGLISH` is the reference (tests and tools quote its sentences);
:data:`SPANISH` is written for the offices' staff, in the *usted* form. Every type is in both,
with the same placeholders (a test checks it). The catalogues are kept apart, keyed by type, so
that each can become a gettext ``.po`` file (type as ``msgctxt``) without touching the checks.
Names of keys, operators and values of the rule format (``value``, ``is_null``, ``true``) are
the format's and stay as they are in every language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from pydantic_core import PydanticCustomError

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

ENGLISH: Final[Mapping[str, str]] = MappingProxyType(
    {
        # --- the folder and its files -------------------------------------------------------
        "not_a_folder": "is not a folder",
        "file_missing": "is missing from the rule base",
        "yml_file": "Ruta reads only '.yaml' files: rename it",
        "no_rule_files": "no rule files (*.yaml) found",
        "unreadable_file": "cannot be read: {detail}",
        "not_a_mapping": "must be a mapping of keys (see docs/rule-format.md)",
        # --- YAML ---------------------------------------------------------------------------
        "yaml_duplicate_key": "YAML: the key '{key}' appears twice in the same mapping;"
        " keep only one",
        "yaml_duplicate_key_unnamed": "YAML: the key appears twice in the same mapping;"
        " keep only one",
        "yaml_invalid": "YAML: {problem}{context}",
        "yaml_not_valid": "not valid YAML",
        "yaml_unprintable": "YAML: a control character that YAML does not allow; remove it",
        "yaml_context": " ({context} at line {line})",
        # --- keys and values of the format --------------------------------------------------
        "unknown_key": "unknown key '{key}'{hint}; allowed here: {allowed}",
        "missing_key": "missing required key '{key}'",
        "did_you_mean": " (did you mean '{suggestion}'?)",
        "not_a_real_date": "'{value}' is not a real date; write it as YYYY-MM-DD, e.g. 2021-08-04",
        "value_not_allowed": "'{value}' is not allowed here{hint}; use one of: {allowed}",
        "mapping_expected": "must be a set of keys (key: value lines), not a single value or a"
        " list",
        "list_expected": "must be a list: start each item on its own line with '- '",
        "text_expected": 'must be text: write it in quotes (codes such as "54" keep their leading'
        " zero)",
        "empty_list": "must not be empty: give at least one item",
        "empty_text": "must not be empty",
        "text_too_long": "must be at most {max_length} characters long",
        "url_form": "must be a web address starting with http:// or https://, without spaces",
        "service_code_form": "a service code is written in capital letters, digits and '_',"
        " starting with a letter (e.g. HEALTH_URGENT_CARE)",
        "pattern_mismatch": "is not written as the format requires (pattern {pattern});"
        " see docs/rule-format.md",
        "invalid_value": "{detail}",
        # --- conditions ---------------------------------------------------------------------
        "condition_form": "a condition is a test {field, op, value} or exactly one of"
        " all / any / not",
        "unknown_field": "{role} names an unknown profile field '{name}'{hint};"
        " the profile fields are listed in docs/rule-format.md",
        "yes_no_value": "'{field}' is yes/no: the value must be true or false",
        "number_value": "'{field}' is a number: the value must be a number",
        "finite_number_value": "'{field}' is a number: the value must be a finite number",
        "whole_number_value": "'{field}' holds whole numbers: {value} can never match",
        "value_out_of_range": "'{field}' is {bounds}: the value {value} is outside what it can"
        " hold",
        "bounds_between": "between {low} and {high}",
        "bounds_at_least": "at least {low}",
        "bounds_at_most": "at most {high}",
        "text_value": "'{field}' holds text: write the value in quotes",
        "choice_value_not_allowed": "'{field}' has no value '{value}'{hint}; allowed: {allowed}",
        "divipola_code_form": "'{field}' is a {digits}-digit DIVIPOLA code in quotes,"
        ' e.g. "54001"',
        "unknown_department_prefix": "'{code}' does not start with a DIVIPOLA department code",
        "ordering_needs_numbers": "operator '{op}' compares numbers, but '{field}' is {kind};"
        " use '==', '!=', 'in' or 'not_in'",
        "kind_number": "a number",
        "kind_yes_no": "yes/no",
        "kind_choice": "one of {choices}",
        "kind_code": "a DIVIPOLA code",
        "membership_on_yes_no": "'{field}' is yes/no: use '==' with true or false",
        "value_and_other_field": "give either value or other_field, not both",
        "emptiness_test_operand": "'{op}' takes no value and no other_field",
        "emptiness_test_on_required_field": "'{field}' is never empty, so '{op}' does not apply"
        " to it",
        "membership_with_other_field": "'{op}' needs a list of values, not other_field",
        "incomparable_fields": "'{field}' ({kind}) cannot be compared with '{other}'"
        " ({other_kind})",
        "value_missing": "operator '{op}' needs a value (to test for an empty field use is_null)",
        "membership_needs_list": "operator '{op}' needs a non-empty list of values",
        "list_for_single_value": "operator '{op}' takes one value; for a list use 'in'",
        # --- effects, regions, rules and rule files -----------------------------------------
        "unknown_service": "unknown service code '{code}'{hint};"
        " the codes are in rules/catalogue.yaml",
        "empty_suppression": "a suppression names at least one service or area",
        "not_a_department_code": "'{code}' is not a DIVIPOLA department code (2 digits, quoted)",
        "empty_regions": "regions needs departments or municipalities (or remove regions)",
        "rule_id_form": "rule id '{rule_id}' may hold only letters, digits, '.', '_' and '-',"
        " starting with a letter or digit (e.g. P08.a)",
        "dates_inverted": "effective_to ({end}) is before effective_from ({start}):"
        " the rule could never apply",
        "rule_without_effect": "a rule needs an effect: recommend and/or suppress",
        "service_recommended_twice": "recommends {codes} more than once; keep one entry",
        "duplicate_rule_id": "duplicate rule id; already used at {where}",
        "no_rules_in_file": "a rule file needs at least one rule under 'rules:'",
        # --- the engine's capacity ----------------------------------------------------------
        "too_many_match_paths": "its any-lists combine into {paths} ways of matching (the"
        " engine's limit is {limit}); split the rule into several rules with fewer nested any",
        "too_many_groups": "it nests too many lists for the engine ({groups} all/any/in groups,"
        " limit {limit}); split the rule into several rules",
        "too_many_successors": "one test is followed by {count} different tests (the engine's"
        " limit is {limit}); split long any- or in-lists into several rules",
        "too_many_empty_tests": "one test is followed by {count} empty-field tests (the engine's"
        " limit is {limit}); split long any- or in-lists into several rules",
        "too_many_pending_tests": "up to {count} tests could be pending at once for one person"
        " (the engine's limit is {limit}); split long any- or in-lists into several rules",
        # --- the catalogue and base.yaml ----------------------------------------------------
        "duplicate_service_codes": "service codes listed twice: {codes}; keep one entry of each",
        "duplicate_service_code": "service code {code} is listed twice; keep one entry",
        "area_listed_twice": "area '{area}' is listed twice; list each area once",
        "department_listed_twice": "department '{department}' is listed twice;"
        " list each department once",
        "area_order_incomplete": "area_order lacks {missing}; list every area once: {areas}",
        "tag_form": "'{tag}' is not a tag: write it as in the institution files, in lower case"
        " with '_' between words (e.g. hogar_de_paso)",
        "first_choice_not_a_department_code": "'{code}' is not a DIVIPOLA department code"
        ' (2 digits in quotes, e.g. "54" for Norte de Santander)',
        # --- rule bases as documents (edited, stored as JSON) -------------------------------
        "rule_file_name": "a rule file's name ends in '.yaml', holds no '/' or '\\' and is not"
        " {manifest} or {catalogue}",
        "not_json": "not valid JSON: {detail}",
        "json_constant": "not valid JSON: {name} is not a number JSON allows",
        "json_parts": "must be an object with exactly the keys manifest, catalogue and files",
        "json_files_not_mapping": "must map file names to documents",
        "rule_id_mismatch": "the rule's id is '{given}', not '{rule_id}'; to rename a rule,"
        " remove it and add it under its new id",
        "rules_not_a_list": "must be a list of rules",
        "key_not_text": "the key {key} is not text: keys are words",
        "finite_number_expected": "must be a finite number",
        "value_kind_not_allowed": "a value of kind {kind} is not allowed: write text, a number,"
        " true or false, a list or key: value lines",
        # --- protocol test cases ------------------------------------------------------------
        "case_file_not_a_list": "a case file is a list of cases",
        "case_invalid": "{where}: {detail}",
        "case_name_twice": "case name used twice: {name}",
        # --- the refusal as a whole ---------------------------------------------------------
        "rule_base_refused_one": "the rule base was refused: {count} problem",
        "rule_base_refused": "the rule base was refused: {count} problems",
        "rule_label": "rule {rule_id}",
    }
)

SPANISH: Final[Mapping[str, str]] = MappingProxyType(
    {
        # --- la carpeta y sus archivos ------------------------------------------------------
        "not_a_folder": "no es una carpeta",
        "file_missing": "falta en la base de reglas",
        "yml_file": "Ruta solo lee archivos '.yaml': cámbiele la extensión",
        "no_rule_files": "no se encontró ningún archivo de reglas (*.yaml)",
        "unreadable_file": "no se puede leer: {detail}",
        "not_a_mapping": "debe ser un conjunto de claves con sus valores (vea docs/rule-format.md)",
        # --- YAML ---------------------------------------------------------------------------
        "yaml_duplicate_key": "YAML: la clave '{key}' aparece dos veces en el mismo bloque;"
        " deje solo una",
        "yaml_duplicate_key_unnamed": "YAML: una clave aparece dos veces en el mismo bloque;"
        " deje solo una",
        "yaml_invalid": "YAML no válido: {problem}{context}",
        "yaml_not_valid": "el archivo no se puede leer como YAML",
        "yaml_unprintable": "YAML: un carácter de control que YAML no admite; quítelo",
        "yaml_context": " ({context}, en la línea {line})",
        # --- claves y valores del formato ---------------------------------------------------
        "unknown_key": "clave desconocida '{key}'{hint}; aquí se admiten: {allowed}",
        "missing_key": "falta la clave obligatoria '{key}'",
        "did_you_mean": " (¿quiso decir '{suggestion}'?)",
        "not_a_real_date": "'{value}' no es una fecha real; escríbala como AAAA-MM-DD,"
        " p. ej. 2021-08-04",
        "value_not_allowed": "'{value}' no se admite aquí{hint}; use uno de estos: {allowed}",
        "mapping_expected": "debe ser un conjunto de claves (líneas «clave: valor»), no un valor"
        " suelto ni una lista",
        "list_expected": "debe ser una lista: empiece cada elemento en su propia línea con '- '",
        "text_expected": "debe ser texto: escríbalo entre comillas (así un código como"
        ' "05" conserva su cero inicial)',
        "empty_list": "no puede estar vacía: indique al menos un elemento",
        "empty_text": "no puede estar vacío",
        "text_too_long": "admite como máximo {max_length} caracteres",
        "url_form": "debe ser una dirección web que empiece por http:// o https://, sin espacios",
        "service_code_form": "un código de servicio se escribe con mayúsculas, dígitos y '_', y"
        " empieza por una letra (p. ej. HEALTH_URGENT_CARE)",
        "pattern_mismatch": "no está escrito como lo exige el formato (patrón {pattern});"
        " vea docs/rule-format.md",
        "invalid_value": "valor no válido: {detail}",
        # --- condiciones --------------------------------------------------------------------
        "condition_form": "una condición es una prueba {field, op, value} o exactamente una de"
        " all / any / not",
        "unknown_field": "la clave {role} nombra un campo del perfil que no existe: '{name}'{hint};"
        " los campos del perfil están en docs/rule-format.md",
        "yes_no_value": "'{field}' es de sí o no: el valor debe ser true o false",
        "number_value": "'{field}' es numérico: el valor debe ser un número",
        "finite_number_value": "'{field}' es numérico: el valor debe ser un número finito",
        "whole_number_value": "'{field}' solo toma números enteros: {value} nunca puede coincidir",
        "value_out_of_range": "'{field}' toma valores {bounds}: el valor {value} queda fuera de"
        " ese rango",
        "bounds_between": "entre {low} y {high}",
        "bounds_at_least": "de {low} en adelante",
        "bounds_at_most": "hasta {high}",
        "text_value": "'{field}' guarda un texto: escriba el valor entre comillas",
        "choice_value_not_allowed": "'{field}' no tiene el valor '{value}'{hint};"
        " valores permitidos: {allowed}",
        "divipola_code_form": "'{field}' es un código DIVIPOLA de {digits} dígitos entre"
        ' comillas, p. ej. "54001"',
        "unknown_department_prefix": "'{code}' no empieza por un código de departamento DIVIPOLA",
        "ordering_needs_numbers": "el operador '{op}' compara números, pero '{field}' es {kind};"
        " use '==', '!=', 'in' o 'not_in'",
        "kind_number": "un número",
        "kind_yes_no": "de sí o no",
        "kind_choice": "uno de estos valores: {choices}",
        "kind_code": "un código DIVIPOLA",
        "membership_on_yes_no": "'{field}' es de sí o no: use '==' con true o false",
        "value_and_other_field": "indique value u other_field, no los dos",
        "emptiness_test_operand": "'{op}' no lleva value ni other_field",
        "emptiness_test_on_required_field": "'{field}' nunca está vacío, así que '{op}' no se le"
        " aplica",
        "membership_with_other_field": "'{op}' necesita una lista de valores, no other_field",
        "incomparable_fields": "'{field}' ({kind}) no se puede comparar con '{other}'"
        " ({other_kind})",
        "value_missing": "el operador '{op}' necesita un valor (para saber si un campo está"
        " vacío, use is_null)",
        "membership_needs_list": "el operador '{op}' necesita una lista de valores que no esté"
        " vacía",
        "list_for_single_value": "el operador '{op}' lleva un solo valor; para una lista, use 'in'",
        # --- efectos, regiones, reglas y archivos de reglas ---------------------------------
        "unknown_service": "código de servicio desconocido '{code}'{hint};"
        " los códigos están en rules/catalogue.yaml",
        "empty_suppression": "una supresión debe nombrar al menos un servicio o un área",
        "not_a_department_code": "'{code}' no es un código de departamento DIVIPOLA"
        " (2 dígitos, entre comillas)",
        "empty_regions": "regions necesita departments o municipalities (o quite regions)",
        "rule_id_form": "el identificador de regla '{rule_id}' solo puede tener letras, dígitos,"
        " '.', '_' y '-', y debe empezar por una letra o un dígito (p. ej. P08.a)",
        "dates_inverted": "effective_to ({end}) es anterior a effective_from ({start}):"
        " la regla nunca podría aplicarse",
        "rule_without_effect": "una regla necesita un efecto: recommend, suppress o ambos",
        "service_recommended_twice": "recomienda {codes} más de una vez; deje una sola entrada",
        "duplicate_rule_id": "identificador de regla repetido; ya se usa en {where}",
        "no_rules_in_file": "un archivo de reglas necesita al menos una regla bajo 'rules:'",
        # --- la capacidad del motor ---------------------------------------------------------
        "too_many_match_paths": "sus listas any se combinan en {paths} formas de coincidir"
        " (el límite del motor es {limit}); divida la regla en varias reglas con menos any"
        " anidados",
        "too_many_groups": "anida demasiadas listas para el motor ({groups} grupos all/any/in,"
        " límite {limit}); divida la regla en varias reglas",
        "too_many_successors": "una prueba va seguida de {count} pruebas distintas (el límite"
        " del motor es {limit}); reparta las listas any o in largas en varias reglas",
        "too_many_empty_tests": "una prueba va seguida de {count} pruebas de campo vacío"
        " (el límite del motor es {limit}); reparta las listas any o in largas en varias reglas",
        "too_many_pending_tests": "hasta {count} pruebas podrían quedar pendientes a la vez"
        " para una persona (el límite del motor es {limit}); reparta las listas any o in largas"
        " en varias reglas",
        # --- el catálogo y base.yaml --------------------------------------------------------
        "duplicate_service_codes": "códigos de servicio repetidos: {codes}; deje una sola"
        " entrada de cada uno",
        "duplicate_service_code": "el código de servicio {code} aparece dos veces;"
        " deje una sola entrada",
        "area_listed_twice": "el área '{area}' aparece dos veces; escriba cada área una sola vez",
        "department_listed_twice": "el departamento '{department}' aparece dos veces;"
        " escriba cada departamento una sola vez",
        "area_order_incomplete": "en area_order falta {missing}; escriba todas las áreas, sin"
        " repetir ninguna: {areas}",
        "tag_form": "'{tag}' no es una etiqueta: escríbala como en los archivos de"
        " instituciones, en minúsculas y con '_' entre palabras (p. ej. hogar_de_paso)",
        "first_choice_not_a_department_code": "'{code}' no es un código de departamento DIVIPOLA"
        ' (2 dígitos entre comillas, p. ej. "54" para Norte de Santander)',
        # --- bases de reglas como documentos (editadas, guardadas en JSON) ------------------
        "rule_file_name": "el nombre de un archivo de reglas termina en '.yaml', no lleva '/'"
        " ni '\\' y no es {manifest} ni {catalogue}",
        "not_json": "JSON no válido: {detail}",
        "json_constant": "JSON no válido: {name} no es un número que JSON admita",
        "json_parts": "debe ser un objeto con exactamente las claves manifest, catalogue y files",
        "json_files_not_mapping": "debe asociar nombres de archivo con documentos",
        "rule_id_mismatch": "el identificador de la regla es '{given}', no '{rule_id}'; para"
        " cambiarle el identificador a una regla, elimínela y agréguela con el nuevo",
        "rules_not_a_list": "debe ser una lista de reglas",
        "key_not_text": "la clave {key} no es un texto: las claves son palabras",
        "finite_number_expected": "debe ser un número finito",
        "value_kind_not_allowed": "no se admite un valor de tipo {kind}: escriba un texto, un"
        " número, true o false, una lista o líneas «clave: valor»",
        # --- casos de prueba de los protocolos ----------------------------------------------
        "case_file_not_a_list": "un archivo de casos es una lista de casos",
        "case_invalid": "{where}: {detail}",
        "case_name_twice": "nombre de caso repetido: {name}",
        # --- el rechazo en conjunto ---------------------------------------------------------
        "rule_base_refused_one": "la base de reglas fue rechazada: {count} problema",
        "rule_base_refused": "la base de reglas fue rechazada: {count} problemas",
        "rule_label": "regla {rule_id}",
    }
)

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
        """The message in ``lang`` (``"en"`` or ``"es"``; anything else gives English)."""
        template = CATALOGUES.get(lang, ENGLISH)[self.type]
        return _PLACEHOLDER.sub(lambda found: _text(self.ctx[found[1]], lang), template)

    def __str__(self) -> str:
        return self.render("en")


def _text(value: Any, lang: str) -> str:
    return value.render(lang) if isinstance(value, RuleMessage) else str(value)


def rule_fault(type_: str, **ctx: Any) -> PydanticCustomError:
    """The error a rule-format check raises: pydantic reports it under ``type_`` with ``ctx``,
    its English message as the text, and the loader renders it in every language."""
    RuleMessage(type_, ctx)  # a type not in the catalogues is a programming error: fail here
    return PydanticCustomError(type_, ENGLISH[type_], ctx)


def did_you_mean(suggestion: str | None) -> RuleMessage | str:
    """The "(did you mean 'age'?)" that follows an unknown name, or nothing without a guess."""
    return RuleMessage("did_you_mean", {"suggestion": suggestion}) if suggestion else ""
