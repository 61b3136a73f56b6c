"""Validation messages in English and Spanish, for the caseworker's screen.

Pydantic reports what is wrong with a value (a profile field, or a request to the API) in
English only, by a stable error type. :func:`bilingual` gives each type a short message in both
languages. The messages say what was expected, never the value sent: nothing a returnee told
the office is echoed back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def looks_like_a_field_name(key: str) -> bool:
    """Whether a key sent to Ruta may be repeated in a message: only when it is shaped like a
    field name, never free text (a caseworker may type a person's name where a key belongs)."""
    return _FIELD_NAME.fullmatch(key) is not None


#: What a value should have been, by pydantic's error type: (English, Spanish).
_EXPECTED: dict[str, tuple[str, str]] = {
    "int": ("a whole number", "un número entero"),
    "float": ("a number", "un número"),
    "bool": ("true or false", "verdadero (true) o falso (false)"),
    "string": ("text", "un texto"),
    "dict": ("a JSON object", "un objeto JSON"),
    "model": ("a JSON object", "un objeto JSON"),
    "model_attributes": ("a JSON object", "un objeto JSON"),
    "list": ("a JSON array", "una lista JSON"),
    "date": ("a date written YYYY-MM-DD", "una fecha escrita AAAA-MM-DD"),
    "date_from_datetime": ("a date written YYYY-MM-DD", "una fecha escrita AAAA-MM-DD"),
    "datetime": (
        "a moment written in ISO 8601, YYYY-MM-DD[THH:MM[:SS][±HH:MM]]",
        "un momento escrito en ISO 8601, AAAA-MM-DD[THH:MM[:SS][±HH:MM]]",
    ),
    "datetime_from_date": (
        "a moment written in ISO 8601, YYYY-MM-DD[THH:MM[:SS][±HH:MM]]",
        "un momento escrito en ISO 8601, AAAA-MM-DD[THH:MM[:SS][±HH:MM]]",
    ),
}

#: Messages that need no context: (English, Spanish).
_FIXED: dict[str, tuple[str, str]] = {
    "missing": ("this field is required", "este campo es obligatorio"),
    "extra_forbidden": (
        "unknown field: check its spelling against the API documentation (/docs)",
        "campo desconocido: revise su ortografía en la documentación de la API (/docs)",
    ),
    "json_invalid": (
        "the body is not valid JSON",
        "el cuerpo de la solicitud no es JSON válido",
    ),
    "finite_number": ("must be a finite number", "debe ser un número finito"),
    "int_from_float": ("must be a whole number", "debe ser un número entero"),
    "date_from_datetime_inexact": (
        "must be a date written YYYY-MM-DD, without a time",
        "debe ser una fecha escrita AAAA-MM-DD, sin hora",
    ),
    "string_pattern_mismatch": (
        "is not written as expected: see the API documentation (/docs)",
        "no está escrito como se espera: vea la documentación de la API (/docs)",
    ),
}

_BOUNDS: dict[str, tuple[str, str, str]] = {
    "greater_than_equal": ("ge", "must be at least {}", "debe ser como mínimo {}"),
    "greater_than": ("gt", "must be greater than {}", "debe ser mayor que {}"),
    "less_than_equal": ("le", "must be at most {}", "debe ser como máximo {}"),
    "less_than": ("lt", "must be less than {}", "debe ser menor que {}"),
    "string_too_long": (
        "max_length",
        "must be at most {} characters",
        "admite como máximo {} caracteres",
    ),
    "too_long": ("max_length", "must have at most {} items", "admite como máximo {} elementos"),
}


def bilingual(error_type: str, context: Mapping[str, Any] | None, fallback: str) -> tuple[str, str]:
    """The (English, Spanish) message for one of pydantic's error types."""
    if error_type in _FIXED:
        return _FIXED[error_type]
    context = context or {}
    if error_type in {"literal_error", "enum"}:
        expected = str(context.get("expected", ""))
        return (
            f"must be one of {expected}",
            f"debe ser uno de {expected.replace(' or ', ' o ')}",
        )
    if error_type in _BOUNDS:
        key, english, spanish = _BOUNDS[error_type]
        bound = context.get(key)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return english.format(bound), spanish.format(bound)
    kind = error_type.removesuffix("_type").removesuffix("_parsing")
    if kind in _EXPECTED:
        english, spanish = _EXPECTED[kind]
        return f"must be {english}", f"debe ser {spanish}"
    return fallback, f"valor no válido ({error_type})"
