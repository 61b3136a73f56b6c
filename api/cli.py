"""``ruta``: the command line for staff — serve, recommend, check rules, show network gaps."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from engine import (
    PRIORITY_LABELS,
    ProfileError,
    RuleBase,
    RuleBaseError,
    RuleEngine,
    default_cases_dir,
    load_rule_base,
)
from network import NetworkDataError, load_network
from simulation import (
    Population,
    SimulationError,
    SimulationResult,
    cases_population,
    profiles_population,
    simulate,
    synthetic_population,
)

from .batch import batch_header, batch_row, profile_from_row, read_rows
from .errors import InvalidCsvError
from .recommend import recommend as build_recommendation

app = typer.Typer(
    help="Ruta: referral recommendations for returning migrants.", no_args_is_help=True
)
rules_app = typer.Typer(help="Check the rule base; simulate a change of it.", no_args_is_help=True)
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


#: Synthetic people a simulation runs on when no population is chosen.
SIMULATION_DEFAULT_PEOPLE = 10_000

_SIMULATION_COLUMNS = {
    "es": ("servicio", "ganan", "pierden", "sube prioridad", "baja prioridad"),
    "en": ("service", "gained", "lost", "priority up", "priority down"),
}


@rules_app.command("simulate")
def rules_simulate(
    to: Annotated[Path, typer.Option("--to", help="the proposed rule base folder")],
    source: Annotated[
        Path | None,
        typer.Option("--from", help="the rule base in service (default: the shipped rules/)"),
    ] = None,
    cases: Annotated[
        bool, typer.Option("--cases", help="run on the profiles of the protocol cases")
    ] = False,
    synthetic: Annotated[
        int | None,
        typer.Option(
            help=f"run on N synthetic people (default: {SIMULATION_DEFAULT_PEOPLE:,})", min=1
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the synthetic people")] = 0,
    profiles: Annotated[
        Path | None,
        typer.Option(help="run on a JSON list of profiles, or a CSV as for `ruta batch`"),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    workers: Annotated[
        int | None, typer.Option(help="processes to use (default: one per core)", min=1)
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(envvar="RUTA_DASK_SCHEDULER", help="a Dask scheduler address to run on"),
    ] = None,
    lang: LanguageOption = Language.ES,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Who gains or loses each service if the rule base in --to replaces the one in --from.

    Exits with status 1 when a protocol case fails on the proposed rules (--to/cases).
    """
    if sum((cases, synthetic is not None, profiles is not None)) > 1:
        _fail(
            lang,
            "choose one population: --cases, --synthetic or --profiles",
            "elija una sola población: --cases, --synthetic o --profiles",
        )
    day = _day(as_of, lang)
    before, after = _rule_base(source), _rule_base(to)
    cases_dir = to / "cases" if (to / "cases").is_dir() else default_cases_dir()
    try:
        if cases:
            population = cases_population(cases_dir)
        elif profiles is not None:
            population = _profiles_file(profiles, lang)
        else:
            people = SIMULATION_DEFAULT_PEOPLE if synthetic is None else synthetic
            population = synthetic_population(people, seed)
        label = "perfiles" if lang == "es" else "profiles"
        with typer.progressbar(length=len(population), label=label, file=sys.stderr) as bar:
            result = simulate(
                before,
                after,
                population,
                day,
                workers=workers,
                scheduler=scheduler,
                progress=lambda done, _total: bar.update(done - bar.pos),
                cases_dir=cases_dir,
            )
    except SimulationError as error:
        _fail(lang, error.message, error.message_es)
    except RuleBaseError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_simulation(result, before, after, lang)
    if result.broken_cases:
        raise typer.Exit(1)


def _rule_base(folder: Path | None) -> RuleBase:
    try:
        return load_rule_base(folder)
    except RuleBaseError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


def _profiles_file(path: Path, lang: str) -> Population:
    """The people of a JSON list of profiles or of a CSV with a column per profile field."""
    try:
        data = path.read_bytes()
    except OSError as error:
        _fail(
            lang,
            f"{path.name}: cannot be read ({error.strerror})",
            f"{path.name}: no puede leerse ({error.strerror})",
        )
    if path.suffix.lower() == ".csv":
        try:
            rows = read_rows(data)
        except InvalidCsvError as error:
            _fail(lang, f"{path.name}: {error.message}", f"{path.name}: {error.message_es}")
        people: list[Any] = []
        for row in rows:
            try:
                people.append(profile_from_row(row))
            except ProfileError as error:
                people.append(error)
        return profiles_population(people)
    if path.suffix.lower() != ".json":
        _fail(
            lang,
            f"{path.name}: give the profiles as a .json or .csv file",
            f"{path.name}: dé los perfiles en un archivo .json o .csv",
        )
    try:
        listed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        _fail(lang, f"{path.name}: not UTF-8 text", f"{path.name}: no es texto UTF-8")
    except json.JSONDecodeError as error:
        _fail(
            lang,
            f"{path.name}: not JSON (line {error.lineno}, column {error.colno})",
            f"{path.name}: no es JSON (línea {error.lineno}, columna {error.colno})",
        )
    if not isinstance(listed, list):
        _fail(
            lang,
            f"{path.name}: must hold a JSON list of profiles",
            f"{path.name}: debe contener una lista JSON de perfiles",
        )
    return profiles_population(listed)


def _print_simulation(
    result: SimulationResult, before: RuleBase, after: RuleBase, lang: str
) -> None:
    """The result as a table per service, then invalid profiles and broken protocol cases."""
    es = lang == "es"
    labels = {**before.services, **after.services}
    console.print(
        f"{before.version} ({before.hash[:12]}) → {after.version} ({after.hash[:12]})",
        soft_wrap=True,
    )
    console.print(
        f"{result.profiles} perfiles, {result.changed} con otra hoja de ruta,"
        f" {len(result.invalid)} no válidos"
        if es
        else f"{result.profiles} profiles, {result.changed} with another roadmap,"
        f" {len(result.invalid)} invalid",
        soft_wrap=True,
    )
    if result.services:
        table = Table(title="Cambios por servicio" if es else "Changes per service")
        first, *counted = _SIMULATION_COLUMNS[lang]
        table.add_column(first)
        for column in counted:
            table.add_column(column, justify="right")
        for service in result.services:
            entry = labels.get(service.code)
            name = f"{service.code}\n{getattr(entry.label, lang)}" if entry else service.code
            counts = service.counts
            numbers = (counts.gained, counts.lost, counts.priority_up, counts.priority_down)
            table.add_row(name, *(f"{n:,}" for n in numbers))
        console.print(table)
    else:
        console.print("Ningún servicio cambia." if es else "No service changes.")
    for invalid in result.invalid[:20]:
        what = "perfil n.º" if es else "profile no."
        console.print(f"[red]{what} {invalid.position + 1}[/red]: {', '.join(invalid.fields)}")
    if len(result.invalid) > 20:
        more = len(result.invalid) - 20
        console.print(f"… {more} más" if es else f"… {more} more")
    if result.broken_cases:
        count = len(result.broken_cases)
        console.print(
            f"[red]{count} casos de protocolo fallan con la base propuesta:[/red]"
            if es
            else f"[red]{count} protocol cases fail on the proposed base:[/red]"
        )
        for case in result.broken_cases:
            where = f"{case.file}:{case.line}" if case.line else case.file
            console.print(f"  {where} «{case.name}»", markup=False, soft_wrap=True)
            for difference in case.differences_es if es else case.differences:
                console.print(f"    {difference}", markup=False, soft_wrap=True)
    else:
        console.print(
            "Todos los casos de protocolo pasan." if es else "Every protocol case passes."
        )


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
