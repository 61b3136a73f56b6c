"""The catalogues: one gettext ``.po`` file per language, keyed by stable text keys.

Every text a returnee, caseworker, policy officer or auditor reads (errors, labels, page
texts) is looked up here by a key such as ``error.precondition_failed`` or
``page.intake.title``, never by its English wording, so a translator changes one file per
language (``texts/locale/<lang>/LC_MESSAGES/ruta.po``) and no code. Placeholders are named,
``{field}``, and filled by :func:`text`.

The ``.po`` files are read with Babel when first needed and kept for the life of the process.
"""

from __future__ import annotations

import string
import threading
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from .errors import UnknownLanguageError, UnknownTextError

#: The languages Ruta speaks; the first is the default (Colombia's offices work in Spanish).
LANGUAGES: Final = ("es", "en")
DEFAULT_LANGUAGE: Final = "es"
#: The gettext domain of Ruta's catalogues.
DOMAIN: Final = "ruta"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"

_lock = threading.Lock()


def catalogue_path(language: str) -> Path:
    """The ``.po`` file a translator edits for ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(language: str) -> Catalog:
    """The catalogue of ``language`` as Babel reads it (keys, texts, places in the code)."""
    if language not in LANGUAGES:
        raise UnknownLanguageError(language)
    with _lock, catalogue_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


@cache
def _texts(language: str) -> dict[str, str]:
    return {
        str(message.id): str(message.string)
        for message in catalogue(language)
        if message.id and message.string and not message.fuzzy
    }


@cache
def translations(language: str) -> Translations:
    """``language``'s catalogue as gettext translations (for Jinja2's i18n extension)."""
    compiled = BytesIO()
    write_mo(compiled, catalogue(language))
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def has_text(key: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether ``language``'s catalogue holds ``key``."""
    return key in _texts(language)


def text(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The text ``key`` in ``language``, its ``{placeholders}`` filled from ``values``."""
    found = _texts(language).get(key)
    if found is None:
        raise UnknownTextError(key, language)
    return found.format(**values) if values else found


def both(key: str, /, **values: object) -> tuple[str, str]:
    """The text ``key`` in English and in Spanish, as the API's error bodies carry them
    (``message``, ``message_es``)."""
    return text(key, "en", **values), text(key, "es", **values)


def N_(key: str) -> str:  # noqa: N802 - gettext's name for a marker, known to Babel
    """Mark ``key`` as a text key for extraction where it is looked up later (a table of keys)."""
    return key


def placeholders(template: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` a catalogue text expects."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    )
