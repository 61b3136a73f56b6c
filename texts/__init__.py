"""Every text a person reads, in Spanish (default) and English, from one gettext catalogue
per language.

Code names a text by a stable key (``error.not_found``, ``page.login.title``); the wording
lives in ``texts/locale/<lang>/LC_MESSAGES/ruta.po``, which translators edit with any gettext
tool. The API's bilingual error bodies, the CLI and the web pages all read from here.
"""

from .catalogue import (
    DEFAULT_LANGUAGE,
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    both,
    catalogue,
    catalogue_path,
    has_text,
    placeholders,
    text,
    translations,
)
from .errors import TextsError, UnknownLanguageError, UnknownTextError

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "TextsError",
    "UnknownLanguageError",
    "UnknownTextError",
    "both",
    "catalogue",
    "catalogue_path",
    "has_text",
    "placeholders",
    "text",
    "translations",
]
