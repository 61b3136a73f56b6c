"""The command line's usage errors ("Missing option", "No such command"…) in the reader's
language, from Ruta's catalogues.

Typer words these errors in English as it reads the command line. Ruta's top command reads
the language the command line asks for (``--lang en``; Spanish otherwise, the offices'
language), recognises each usage error by its kind (the catalogue's English text of that kind,
``cli.usage.…``, with the error's own values in it) and says it again from the catalogue in
that language. An error of a kind the catalogue does not know is shown as Typer wrote it.

The usage line (``Usage: ruta recommend [OPTIONS] PROFILE``) stays as it is: it is the
command's syntax, the same as in ``--help``. Typer raises these errors from the Click it carries
(``typer._click``, pinned with Typer in ``pyproject.toml``); if a new Typer words them
otherwise, they show in its words and ``tests/test_cli_usage.py`` fails.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, Final

import typer.core
import typer.rich_utils
from typer import _click

from texts import DEFAULT_LANGUAGE, LANGUAGES, N_, text

__all__ = ["RutaGroup", "usage_language"]

#: The kinds of usage error, most specific first; each key's English text is Typer's wording.
USAGE_ERRORS: Final = (
    N_("cli.usage.no_such_command_suggested"),
    N_("cli.usage.no_such_command"),
    N_("cli.usage.missing_command"),
    N_("cli.usage.no_such_option_suggested"),
    N_("cli.usage.no_such_option"),
    N_("cli.usage.missing_option_choice"),
    N_("cli.usage.missing_argument_choice"),
    N_("cli.usage.missing_option"),
    N_("cli.usage.missing_argument"),
    N_("cli.usage.missing_parameter"),
    N_("cli.usage.option_takes_no_value"),
    N_("cli.usage.option_needs_value"),
    N_("cli.usage.option_needs_values"),
    N_("cli.usage.argument_takes_values"),
    N_("cli.usage.extra_arguments"),
    N_("cli.usage.invalid_value_for"),
    N_("cli.usage.invalid_value"),
)

#: What a value was refused for (the end of an "Invalid value" error), most specific first.
REFUSALS: Final = (
    N_("cli.usage.value_error"),
    N_("cli.usage.not_a_choice"),
    N_("cli.usage.not_an_integer"),
    N_("cli.usage.not_a_number"),
    N_("cli.usage.at_least"),
    N_("cli.usage.path_missing"),
    N_("cli.usage.path_is_file"),
    N_("cli.usage.path_is_directory"),
    N_("cli.usage.path_not_readable"),
    N_("cli.usage.path_not_writable"),
    N_("cli.usage.not_a_valid"),
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

#: The language of the command line being read.
_language: ContextVar[str] = ContextVar("ruta_cli_language", default=DEFAULT_LANGUAGE)


@cache
def _pattern(key: str) -> re.Pattern[str]:
    """A pattern that recognises ``key``'s English text, each placeholder a named group."""
    english = text(key, "en")
    parts, end = [], 0
    for found in _PLACEHOLDER.finditer(english):
        parts.append(re.escape(english[end : found.start()]))
        parts.append(f"(?P<{found.group(1)}>.+?)")
        end = found.end()
    parts.append(re.escape(english[end:]))
    return re.compile("".join(parts), re.DOTALL)


def _say(message: str, keys: Sequence[str], language: str) -> str | None:
    """``message`` again in ``language``, if it is one of the kinds ``keys`` names."""
    for key in keys:
        found = _pattern(key).fullmatch(message)
        if found is None:
            continue
        values = found.groupdict()
        for name in ("detail", "refusal"):
            if name in values:
                values[name] = _say(values[name], REFUSALS, language) or values[name]
        return text(key, language, **values)
    return None


def usage_language(args: Sequence[str]) -> str:
    """The language a command line asks for with ``--lang``; Spanish when it asks for none
    (or for one Ruta does not speak)."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            chosen = args[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.removeprefix("--lang=")
        else:
            continue
        if chosen in LANGUAGES:
            return chosen
    return DEFAULT_LANGUAGE


class _SaidUsageError(_click.exceptions.UsageError):
    """A usage error said again in the reader's language (exit status 2, as any)."""


@contextmanager
def _in_language() -> Iterator[None]:
    """Usage errors raised inside, said again in the command line's language."""
    try:
        yield
    except _click.exceptions.NoArgsIsHelpError:
        raise
    except _click.exceptions.UsageError as error:
        said = _say(error.format_message(), USAGE_ERRORS, _language.get())
        if said is None:
            raise
        raise _SaidUsageError(said, error.ctx) from None


class RutaGroup(typer.core.TyperGroup):
    """``ruta``'s top command: reads its command line in the language it asks for."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        language = usage_language(sys.argv[1:] if args is None else args)
        token = _language.set(language)
        shown_help = typer.rich_utils.RICH_HELP
        typer.rich_utils.RICH_HELP = text(
            "cli.usage.try_help", language, command="{command_path}", option="{help_option}"
        )
        try:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        finally:
            typer.rich_utils.RICH_HELP = shown_help
            _language.reset(token)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: _click.Context | None = None,
        **extra: Any,
    ) -> _click.Context:
        with _in_language():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: _click.Context) -> Any:
        with _in_language():
            return super().invoke(ctx)
