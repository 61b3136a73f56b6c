"""The command line's usage errors (a missing option, an unknown command or option, a refused
value) come out in Spanish by default and in English with ``--lang en``, from the catalogues,
with exit status 2 as any usage error."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def test_a_missing_option_is_said_in_spanish_by_default() -> None:
    result = runner.invoke(app, ["rules", "simulate"])
    assert result.exit_code == 2
    assert "Falta la opción '--to'." in result.output
    assert "Pruebe 'root rules simulate --help' para ver la ayuda." in result.output
    assert "Missing option" not in result.output


def test_a_missing_option_is_said_in_english_when_asked() -> None:
    result = runner.invoke(app, ["rules", "simulate", "--lang", "en"])
    assert result.exit_code == 2
    # Typer's own wording, as it was before the catalogue said it.
    assert "Missing option '--to'." in result.output
    assert "Try 'root rules simulate --help' for help." in result.output
    assert "Falta" not in result.output


def test_an_unknown_command_is_named_with_a_suggestion_in_spanish() -> None:
    result = runner.invoke(app, ["recomend"])
    assert result.exit_code == 2
    assert "No existe la orden 'recomend'. ¿Quiso decir 'recommend'?" in result.output


def test_an_unknown_option_follows_the_language_asked_for_anywhere_on_the_line() -> None:
    spanish = runner.invoke(app, ["recommend", "--nope"])
    english = runner.invoke(app, ["recommend", "--lang=en", "--nope"])
    assert spanish.exit_code == english.exit_code == 2
    assert "No existe la opción --nope" in spanish.output
    assert "No such option: --nope" in english.output


def test_a_refused_value_is_said_whole_in_the_readers_language() -> None:
    result = runner.invoke(app, ["network", "gaps", "--lang", "fr"])
    assert result.exit_code == 2
    # --lang fr is not a language Ruta speaks, so the error is in Spanish.
    assert "Valor no válido para '--lang': 'fr' no es uno de 'es', 'en'." in result.output
