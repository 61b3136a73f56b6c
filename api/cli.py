"""``ruta``: the command line for staff — serve, recommend, check rules, show network gaps."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from engine import ProfileError, RuleBaseError, RuleEngine, load_rule_base
from network import NetworkDataError, load_network

from .batch import batch_header, batch_row
from .recommend import recommend as build_recommendation

app = typer.Typer(
    help="Ruta: referral recommendations for returning migrants.", no_args_is_help=True
)
rules_app = typer.Typer(help="Check the rule base.", no_args_is_help=True)
network_app = typer.Typer(help="Inspect the partner network.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(network_app, name="network")
console = Console()


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Start the HTTP service on the embedded defaults."""
    uvicorn.run("api.main:app", host=host, port=port)


@app.command()
def recommend(
    profile: Annotated[Path, typer.Argument(help="a JSON file with the profile")],
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    lang: Annotated[str, typer.Option(help="es or en")] = "es",
    as_json: Annotated[bool, typer.Option("--json", help="print the API's response")] = False,
) -> None:
    """The roadmap for one profile, as a table (or the API's JSON)."""
    data = json.loads(profile.read_text(encoding="utf-8"))
    day = date.fromisoformat(as_of) if as_of else None
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
    table = Table(title=f"Hoja de ruta / roadmap — {response.as_of}")
    for column in ("priority", "service", "rules", "first referral"):
        table.add_column(column)
    for service in response.services:
        first = service.targets[0].name if service.targets else "—"
        table.add_row(service.priority, service.label, ", ".join(service.rules), first)
    console.print(table)


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="CSV, one profile per row")],
    target: Annotated[Path, typer.Argument(help="CSV to write: a row per person")],
    lang: Annotated[str, typer.Option(help="es or en")] = "es",
) -> None:
    """Recommendations for a spreadsheet of profiles, with a progress bar."""
    with source.open(encoding="utf-8-sig", newline="") as inbox:
        rows = list(csv.DictReader(inbox))
    with (
        RuleEngine(load_rule_base()) as engine,
        target.open("w", encoding="utf-8", newline="") as outbox,
    ):
        writer = csv.writer(outbox)
        writer.writerow(batch_header(engine))
        with typer.progressbar(rows, label="recomendaciones") as progress:
            for number, row in enumerate(progress, start=1):
                writer.writerow(batch_row(engine, number, row, lang))
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
