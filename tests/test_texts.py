"""One catalogue per language holds every text a person reads, keyed by stable keys.

The keys the code and the pages use are found the way a translator's tools find them (Babel's
extraction: ``text()``, ``both()`` and ``N_()`` in Python, ``_()`` in the templates), and
compared with the ``.po`` files: none missing, none left over, the same placeholders in
Spanish and English, no entry untranslated.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from texts import LANGUAGES, UnknownTextError, catalogue, catalogue_path, placeholders, text
from web.navigation import menu

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
KEYWORDS = {"text": None, "both": None, "N_": None, "_": None}


@cache
def used_keys() -> dict[str, str]:
    """Each key found in the code or the templates → where it was first found."""
    found: dict[str, str] = {}
    for folder in ("api", "audit", "engine", "network", "simulation", "store", "texts", "web"):
        for name, line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            keywords=KEYWORDS,
        ):
            # A key is dotted words (``error.not_found``); other strings given to a function
            # called ``text`` are not ours (SQLAlchemy's ``text("SELECT …")``).
            if isinstance(message, str) and KEY.fullmatch(message):
                found.setdefault(message, f"{folder}/{name}:{line}")
    # Keys named in data rather than code: the menu's labels and their help lines.
    for entry in menu():
        found.setdefault(entry.label, "web/navigation.yaml")
        found.setdefault(f"{entry.label}_help", "web/navigation.yaml")
    for language in LANGUAGES:
        found.setdefault(f"language.{language}", "web/templates/base.html")
    return found


def entries(language: str) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalogue(language) if m.id}


def test_every_language_has_the_same_keys() -> None:
    spanish, english = entries("es"), entries("en")
    assert sorted(set(spanish) - set(english)) == []
    assert sorted(set(english) - set(spanish)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_written_twice(language: str) -> None:
    found = catalogue(language)
    assert [m.id for m in found if m.id and not m.string] == []
    assert [m.id for m in found if m.fuzzy and m.id] == []
    written = re.findall(r"^msgid (\".*\")$", catalogue_path(language).read_text("utf-8"), re.M)
    assert sorted(k for k in set(written) if written.count(k) > 1) == []


def test_spanish_and_english_texts_take_the_same_placeholders() -> None:
    spanish, english = entries("es"), entries("en")
    differing = [
        key
        for key in spanish
        if key in english and placeholders(spanish[key]) != placeholders(english[key])
    ]
    assert differing == []


def test_every_key_the_code_uses_is_in_the_catalogues() -> None:
    known = entries("es")
    missing = {key: where for key, where in used_keys().items() if key not in known}
    assert missing == {}


def test_no_catalogue_entry_is_left_unused() -> None:
    unused = sorted(set(entries("es")) - set(used_keys()))
    assert unused == []


def test_every_key_is_dotted_words() -> None:
    assert [key for key in entries("es") if not KEY.fullmatch(key)] == []


def test_an_unknown_key_is_a_programming_error_not_a_blank() -> None:
    with pytest.raises(UnknownTextError):
        text("no.such.key", "es")
    assert text("page.home.intro", "en", name="Ana", role="Auditor").startswith("Hello, Ana")
