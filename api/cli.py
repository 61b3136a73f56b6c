"""``ruta``: the command line for staff — serve, recommend, check rules, show network gaps."""

from __future__ import annotations

import csv
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from engine import (
    ProfileError,
    RuleBase,
    RuleBaseError,
    RuleEngine,
    diff_rule_bases,
    load_rule_base,
)
from engine.vocabulary import PRIORITY_LABELS
from network import NetworkDataError, load_network

from .batch import batch_header, batch_row, read_rows
from .errors import InvalidCsvError
from .recommend import recommend as build_recommendation

app = typer.Typer(
    help="Ruta: referral recommendations for returning migrants.", no_args_is_help=True
)
rules_app = typer.Typer(help="Check and compare rule bases.", no_args_is_help=True)
network_app = typer.Typer(help="Inspect the partner network.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(network_app, name="network")
console = Console()


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Start the HTTP service on the embedded defaults."""
    uvicorn.run("api.main:app", host=host, port=port)


class Language(StrEnum):
    """The language of what the caseworker reads."""

    ES = "es"
    EN = "en"


LanguageOption = Annotated[Language, typer.Option(help="es (default) or en")]

_ROADMAP_COLUMNS = {
    "es": ("prioridad", "servicio", "reglas", "primera remisión"),
    "en": ("priority", "service", "rules", "first referral"),
}


def _fail(lang: str, english: str, spanish: str) -> NoReturn:
    """Print what is wrong in the reader's language and exit with status 1."""
    typer.echo(spanish if lang == "es" else english, err=True)
    raise typer.Exit(1)


def _read_profile(path: Path, lang: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        _fail(
            lang,
            f"{path.name}: cannot be read as UTF-8 text",
            f"{path.name}: no puede leerse como texto UTF-8",
        )
    except json.JSONDecodeError as error:
        _fail(
            lang,
            f"{path.name}: not JSON (line {error.lineno}, column {error.colno})",
            f"{path.name}: no es JSON (línea {error.lineno}, columna {error.colno})",
        )


def _day(text: str | None, lang: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        _fail(
            lang, "--as-of: write the day as YYYY-MM-DD", "--as-of: escriba el día como AAAA-MM-DD"
        )


@app.command()
def recommend(
    profile: Annotated[Path, typer.Argument(help="a JSON file with the profile", exists=True)],
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    lang: LanguageOption = Language.ES,
    as_json: Annotated[bool, typer.Option("--json", help="print the API's response")] = False,
) -> None:
    """The roadmap for one profile, as a table (or the API's JSON)."""
    data = _read_profile(profile, lang)
    day = _day(as_of, lang)
    with RuleEngine(load_rule_base()) as engine:
        try:
            response = build_recommendation(engine, load_network(), data, day, lang, 3)
        except ProfileError as error:
            for problem in error.problems:
                text = problem.message_es if lang == "es" else problem.message
                console.print(f"[red]{problem.field}[/red]: {text}")
            raise typer.Exit(1) from None
    if as_json:
        print(response.model_dump_json(indent=2))
        return
    title = "Hoja de ruta" if lang == "es" else "Roadmap"
    table = Table(title=f"{title} — {response.as_of}")
    for column in _ROADMAP_COLUMNS[lang]:
        table.add_column(column)
    for service in response.services:
        first = service.targets[0].name if service.targets else "—"
        priority = PRIORITY_LABELS[service.priority][lang]
        table.add_row(priority, service.label, ", ".join(service.rules), first)
    console.print(table)


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="CSV, one profile per row", exists=True)],
    target: Annotated[Path, typer.Argument(help="CSV to write: a row per person")],
    lang: LanguageOption = Language.ES,
) -> None:
    """Recommendations for a spreadsheet of profiles, with a progress bar."""
    try:
        rows = read_rows(source.read_bytes())
    except InvalidCsvError as error:
        _fail(lang, f"{source.name}: {error.message}", f"{source.name}: {error.message_es}")
    except OSError as error:
        _fail(
            lang,
            f"{source.name}: cannot be read ({error.strerror})",
            f"{source.name}: no puede leerse ({error.strerror})",
        )
    try:
        outbox = target.open("w", encoding="utf-8", newline="")
    except OSError as error:
        _fail(
            lang,
            f"{target.name}: cannot be written ({error.strerror})",
            f"{target.name}: no puede escribirse ({error.strerror})",
        )
    with RuleEngine(load_rule_base()) as engine, outbox:
        writer = csv.writer(outbox)
        writer.writerow(batch_header(engine))
        label = "recomendaciones" if lang == "es" else "recommendations"
        with typer.progressbar(rows, label=label) as progress:
            for number, row in enumerate(progress, start=1):
                writer.writerow(batch_row(engine, number, row, lang))
    if lang == "es":
        typer.echo(f"{len(rows)} filas escritas en {target.name}")
    else:
        typer.echo(f"{len(rows)} rows written to {target.name}")


@rules_app.command("check")
def rules_check(directory: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Check a rule base folder; list every problem with file and line (exit 1 on errors)."""
    try:
        base = load_rule_base(directory)
    except RuleBaseError as error:
        typer.echo(str(error))  # one problem a line, unwrapped: file:line: rule: path: message
        raise typer.Exit(1) from None
    typer.echo(f"rule base {base.version} ({base.hash[:12]}): {len(base.rules)} rules, no problems")


@rules_app.command("diff")
def rules_diff(
    old: Annotated[Path, typer.Argument(help="the rule base folder before")],
    new: Annotated[Path, typer.Argument(help="the rule base folder after")],
    as_json: Annotated[bool, typer.Option("--json", help="print the differences as JSON")] = False,
    lang: LanguageOption = Language.ES,
) -> None:
    """What changed from one rule base folder to another: one line per change, e.g.
    ``P01 when.all[1].value: 3 → 4`` (exit 1 if either folder is refused)."""
    bases = [_checked_rule_base(folder) for folder in (old, new)]
    difference = diff_rule_bases(*bases)
    if as_json:
        print(json.dumps(difference.to_data(), indent=2, ensure_ascii=False))
    else:
        typer.echo(difference.render(lang))


def _checked_rule_base(folder: Path) -> RuleBase:
    """The rule base in ``folder``, or exit 1 listing its problems (as ``rules check`` does)."""
    try:
        return load_rule_base(folder)
    except RuleBaseError as error:
        typer.echo(f"{folder.name}: {error}", err=True)
        raise typer.Exit(1) from None


@network_app.command("gaps")
def network_gaps() -> None:
    """Where the network has no provider, or only a distant one, per department and service."""
    try:
        network = load_network()
    except NetworkDataError as error:
        typer.echo(str(error))
        raise typer.Exit(1) from None
    table = Table(title=f"Network {network.version}: gaps")
    for column in ("department", "service", "best level", "km", "institution"):
        table.add_column(column)
    for gap in network.gaps():
        if gap.level.name in ("MUNICIPALITY", "DEPARTMENT"):
            continue
        km = f"{gap.distance_km:.0f}" if gap.distance_km is not None else "—"
        table.add_row(
            gap.department, gap.service, gap.level.name.lower(), km, gap.institution_id or "—"
        )
    console.print(table)


def main() -> None:
    app()
