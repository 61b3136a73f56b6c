"""Validation messages in English and Spanish, for the caseworker's screen.

Pydantic reports what is wrong with a value (a profile field, or a request to the API) in
English only, by a stable error type. :func:`bilingual` gives each type a short message in both
languages, from the catalogues of :mod:`texts` (keys ``problem.<type>``). The messages say what
was expected, never the value sent: nothing a returnee told the office is echoed back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from texts import N_, both, text

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def looks_like_a_field_name(key: str) -> bool:
    """Whether a key sent to Ruta may be repeated in a message: only when it is shaped like a
    field name, never free text (a caseworker may type a person's name where a key belongs)."""
    return _FIELD_NAME.fullmatch(key) is not None


#: The message saying what a value should have been, by the kind in pydantic's error type
#: (``int_parsing`` and ``int_type`` are both ``int``).
_EXPECTED: dict[str, str] = {
    "int": N_("problem.expected.int"),
    "float": N_("problem.expected.float"),
    "bool": N_("problem.expected.bool"),
    "string": N_("problem.expected.string"),
    "dict": N_("problem.expected.object"),
    "model": N_("problem.expected.object"),
    "model_attributes": N_("problem.expected.object"),
    "list": N_("problem.expected.list"),
    "date": N_("problem.expected.date"),
    "date_from_datetime": N_("problem.expected.date"),
    "datetime": N_("problem.expected.datetime"),
    "datetime_from_date": N_("problem.expected.datetime"),
}

#: Messages that need no context, by pydantic's error type.
_FIXED: dict[str, str] = {
    "missing": N_("problem.missing"),
    "extra_forbidden": N_("problem.extra_forbidden"),
    "json_invalid": N_("problem.json_invalid"),
    "finite_number": N_("problem.finite_number"),
    "int_from_float": N_("problem.int_from_float"),
    "date_from_datetime_inexact": N_("problem.date_from_datetime_inexact"),
    "string_pattern_mismatch": N_("problem.string_pattern_mismatch"),
}

#: Messages naming a limit: the message, and the context entry that holds the limit.
_BOUNDS: dict[str, tuple[str, str]] = {
    "greater_than_equal": (N_("problem.greater_than_equal"), "ge"),
    "greater_than": (N_("problem.greater_than"), "gt"),
    "less_than_equal": (N_("problem.less_than_equal"), "le"),
    "less_than": (N_("problem.less_than"), "lt"),
    "string_too_long": (N_("problem.string_too_long"), "max_length"),
    "too_long": (N_("problem.too_long"), "max_length"),
}


def bilingual(error_type: str, context: Mapping[str, Any] | None, fallback: str) -> tuple[str, str]:
    """The (English, Spanish) message for one of pydantic's error types; a type Ruta has no
    message for keeps pydantic's English (``fallback``) and says "invalid value" in Spanish."""
    if error_type in _FIXED:
        return both(_FIXED[error_type])
    context = context or {}
    if error_type in {"literal_error", "enum"}:
        # Pydantic lists the choices joined by " or ": each language joins them its own way.
        expected = str(context.get("expected", ""))
        spanish = expected.replace(" or ", text("problem.or", "es"))
        return (
            text("problem.one_of", "en", expected=expected),
            text("problem.one_of", "es", expected=spanish),
        )
    if error_type in _BOUNDS:
        key, name = _BOUNDS[error_type]
        bound = context.get(name)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return both(key, limit=bound)
    kind = error_type.removesuffix("_type").removesuffix("_parsing")
    if kind in _EXPECTED:
        return both(_EXPECTED[kind])
    return fallback, text("problem.invalid", "es", type=error_type)
