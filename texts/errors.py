"""What can go wrong with the texts themselves: a text asked for that no catalogue holds."""

from __future__ import annotations


class TextsError(Exception):
    """The root of this package's errors."""


class UnknownTextError(TextsError):
    """Code asked for a text key that the catalogue of a language does not hold: a
    programming error, caught by the tests that compare the code with the catalogues."""

    def __init__(self, key: str, language: str) -> None:
        super().__init__(f"no text {key!r} in the {language} catalogue")
        self.key = key
        self.language = language


class UnknownLanguageError(TextsError):
    """A language Ruta has no catalogue for."""

    def __init__(self, language: str) -> None:
        super().__init__(f"no catalogue for language {language!r}")
        self.language = language
