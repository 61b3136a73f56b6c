"""``ruta``: the command line for staff — serve, recommend, check rules, show network gaps."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from audit import (
    REQUIREMENTS_FILE,
    AuditError,
    RequirementsError,
    SuiteCase,
    Verification,
    audit_report,
    junit_xml,
    load_suite,
    measure_coverage,
    mutation_score,
    read_requirements,
    read_suite,
    run_suite,
    verify_rule_base,
)
from engine import (
    PRIORITY_LABELS,
    EngineUnavailableError,
    ProfileError,
    RuleBase,
    RuleBaseDocuments,
    RuleBaseError,
    RuleEngine,
    default_cases_dir,
    default_rules_dir,
    diff_rule_bases,
    load_rule_base,
)
from network import Gap, Level, Network, NetworkDataError, load_network
from simulation import (
    Population,
    SimulationError,
    SimulationResult,
    cases_population,
    profiles_population,
    simulate,
    synthetic_population,
)
from store import Store, StoreError, access
from texts import N_, both, text

from .batch import HeaderStyle, PersonAnswer, answer_cells, answer_header, answer_person
from .cli_reports import keys_app, report_app
from .cli_usage import RutaGroup
from .errors import InvalidCsvError
from .recommend import recommend as build_recommendation
from .schemas import RecommendationResponse
from .settings import Settings
from .sheets import profile_from_row, read_sheet
from .startup import StartupError, announce, open_store, prepare

app = typer.Typer(
    cls=RutaGroup,
    help="Ruta: referral recommendations for returning migrants.",
    no_args_is_help=True,
)
rules_app = typer.Typer(
    help="Check, compare and simulate rule bases; push a folder as a draft.", no_args_is_help=True
)
network_app = typer.Typer(help="Inspect the partner network.", no_args_is_help=True)
users_app = typer.Typer(help="People, roles and API tokens.", no_args_is_help=True)
audit_app = typer.Typer(
    help="Run protocol case suites, measure their coverage and mutation score, check the"
    " audit trail.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
app.add_typer(network_app, name="network")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")
app.add_typer(keys_app, name="keys")
console = Console()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="server processes")] = 1,
) -> None:
    """Start the HTTP service: brings the store's schema up to date, seeds an empty store with
    the rule files, and on the first start creates an administrator and shows its token."""
    settings = Settings()
    try:
        store = open_store(settings)
        announce(prepare(settings, store), settings)
        store.close()
    except StartupError as error:
        english = text("cli.cannot_start", "en", reason=error.message)
        spanish = text("cli.cannot_start", "es", reason=error.message_es)
        typer.echo(f"{english}\n{spanish}", err=True)
        raise typer.Exit(1) from None
    os.environ["RUTA_PREPARED"] = "true"  # the workers need not prepare the store again
    uvicorn.run("api.main:app", host=host, port=port, workers=workers)


def _refused(error: StoreError | StartupError | AuditError) -> NoReturn:
    """Print a refusal in English and Spanish (the store's and start-up's errors carry both)
    and exit with status 1."""
    typer.echo(f"{error.message}\n{error.message_es}", err=True)
    raise typer.Exit(1) from None


def _store(settings: Settings) -> Store:
    try:
        return open_store(settings)
    except StartupError as error:
        _refused(error)


def _published_engine(settings: Settings) -> RuleEngine:
    """The version in service, as the server would answer with it (same settings)."""
    store = _store(settings)
    try:
        prepare(settings, store, bootstrap=False)
        _, _, documents = store.rule_bases.published()
        return RuleEngine(documents.to_rule_base())
    except (StartupError, StoreError) as error:
        _refused(error)
    finally:
        store.close()


def _network(settings: Settings) -> Network:
    try:
        return load_network(settings.network_dir, settings.rules_dir)
    except NetworkDataError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None


class Language(StrEnum):
    """The language of what the caseworker reads."""

    ES = "es"
    EN = "en"


LanguageOption = Annotated[Language, typer.Option(help="es (default) or en")]

_ROADMAP_COLUMNS = (
    N_("cli.roadmap.priority"),
    N_("cli.roadmap.service"),
    N_("cli.roadmap.rules"),
    N_("cli.roadmap.first_referral"),
)


def _fail(message: str) -> NoReturn:
    """Print what is wrong (a text of the catalogue in the reader's language, or an error's
    own text in it) and exit with status 1."""
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _in(lang: str, english: str, spanish: str) -> str:
    """The text of a bilingual error (``message``, ``message_es``) in the reader's language."""
    return spanish if lang == "es" else english


_T = TypeVar("_T")


def _answer(call: Callable[[], _T], lang: str) -> _T:
    """``call()``, asked once more if the rule engine failed part-way and rebuilt itself (it
    then gave no answer, never a wrong one); if it fails again, say so and exit with 1."""
    try:
        return call()
    except EngineUnavailableError as error:
        if error.rebuilt:
            try:
                return call()
            except EngineUnavailableError:
                pass
    _fail(text("cli.engine_failed", lang))


def _read_profile(path: Path, lang: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        _fail(text("cli.file_not_utf8_text", lang, file=path.name))
    except json.JSONDecodeError as error:
        _fail(
            text("cli.file_not_json", lang, file=path.name, line=error.lineno, column=error.colno)
        )


def _day(written: str | None, lang: str) -> date | None:
    try:
        return date.fromisoformat(written) if written else None
    except ValueError:
        _fail(text("cli.as_of_format", lang))


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
    settings = Settings()
    with _published_engine(settings) as engine:
        try:
            network = _network(settings)
            response = _answer(
                partial(build_recommendation, engine, network, data, day, lang, 3), lang
            )
        except ProfileError as error:
            for problem in error.problems:
                said = _in(lang, problem.message, problem.message_es)
                console.print(f"[red]{problem.field}[/red]: {said}")
            raise typer.Exit(1) from None
    if as_json:
        print(response.model_dump_json(indent=2))
        return
    table = Table(title=text("cli.roadmap.title", lang, day=response.as_of))
    for column in _ROADMAP_COLUMNS:
        table.add_column(text(column, lang))
    for service in response.services:
        first = service.targets[0].name if service.targets else service.no_target_reason or "—"
        priority = PRIORITY_LABELS[service.priority][lang]
        table.add_row(priority, service.label, ", ".join(service.rules), first)
    console.print(table)
    for line in _still_to_ask(response, lang):
        console.print(line, soft_wrap=True, markup=False, highlight=False)


def _still_to_ask(response: RecommendationResponse, lang: str) -> list[str]:
    """The questions still to ask, as lines: each field with the answer assumed, then each
    answer that would add or raise services, with the services and their priority."""
    if not response.open_fields:
        return ["", text("cli.still_to_ask.none", lang)]
    lines = ["", text("cli.still_to_ask.title", lang)]
    for item in response.open_fields:
        assumed = _shown(item.default, lang)
        lines.append(
            text("cli.still_to_ask.field", lang, label=item.label, field=item.field, answer=assumed)
        )
        by_answer: dict[str, list[str]] = {}
        for service in item.services:
            priority = PRIORITY_LABELS[service.priority][lang]
            if service.current_priority is None:
                said = text(
                    "cli.still_to_ask.service", lang, service=service.label, priority=priority
                )
            else:
                said = text(
                    "cli.still_to_ask.service_raised",
                    lang,
                    service=service.label,
                    priority=priority,
                    now=PRIORITY_LABELS[service.current_priority][lang],
                )
            by_answer.setdefault(_shown(service.example, lang), []).append(said)
        for answer, services in by_answer.items():
            listed = "; ".join(services)
            said = text("cli.still_to_ask.if_answer", lang, answer=answer, services=listed)
            lines.append(f"    {said}")
    return lines


def _shown(value: Any, lang: str) -> str:
    """A profile answer as the caseworker reads it: yes/no, a number, a word or a code."""
    if value is None:
        return text("cli.answer.empty", lang)
    if isinstance(value, bool):
        return text("cli.answer.yes", lang) if value else text("cli.answer.no", lang)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


HeadersOption = Annotated[
    HeaderStyle,
    typer.Option(
        help="codes (default): columns headed by service codes, for programs; labels: by the"
        " services' labels in --lang, for people"
    ),
]

#: Rows with errors listed on the terminal; the rest are counted (all are in the answer).
_BAD_ROWS_SHOWN = 20


@app.command()
def batch(
    source: Annotated[Path, typer.Argument(help="CSV, one profile per row", exists=True)],
    target: Annotated[Path, typer.Argument(help="CSV to write: a row per person")],
    lang: LanguageOption = Language.ES,
    headers: HeadersOption = HeaderStyle.CODES,
) -> None:
    """Recommendations for a spreadsheet of profiles, with a progress bar. The sheet may be
    separated by commas, semicolons or tabs, with decimal commas, and headed by field names or
    their Spanish or English labels; identifier columns (id, caso…) are copied to the answer.
    Rows with errors are listed on the terminal (row and fields, never values) and make the
    command exit with 1; every other row is still answered."""
    if _same_file(source, target):
        _fail(text("cli.batch.would_overwrite", lang, file=target.name))
    try:
        sheet = read_sheet(source.read_bytes())
    except InvalidCsvError as error:
        _fail(f"{source.name}: {_in(lang, error.message, error.message_es)}")
    except OSError as error:
        _fail(text("cli.file_unreadable", lang, file=source.name, reason=error.strerror))
    try:
        # The answer is written the way the sheet came: its separator, and Excel's UTF-8 mark.
        outbox = target.open(
            "w", encoding="utf-8-sig" if sheet.byte_order_mark else "utf-8", newline=""
        )
    except OSError as error:
        _fail(text("cli.file_unwritable", lang, file=target.name, reason=error.strerror))
    bad: list[PersonAnswer] = []
    with outbox, _published_engine(Settings()) as engine:
        writer = csv.writer(outbox, delimiter=sheet.separator)
        writer.writerow(answer_header(engine, sheet.identifier_columns, lang, headers))
        with typer.progressbar(sheet.rows, label=text("cli.batch.progress", lang)) as progress:
            for row in progress:
                answer = _answer(partial(answer_person, engine, row), lang)
                writer.writerow(answer_cells(engine, answer, lang))
                if answer.problems:
                    bad.append(answer)
    if len(sheet.rows) == 1:
        typer.echo(text("cli.batch.row_written", lang, count=1, file=target.name))
    else:
        typer.echo(text("cli.batch.rows_written", lang, count=len(sheet.rows), file=target.name))
    if bad:
        _show_bad_rows(bad, target.name, lang)
        raise typer.Exit(1)


def _same_file(source: Path, target: Path) -> bool:
    """Whether ``target`` is ``source`` under another name (relative path, link, symlink)."""
    try:
        return source.resolve() == target.resolve() or (
            target.exists() and os.path.samefile(source, target)
        )
    except OSError:
        return False


def _show_bad_rows(bad: list[PersonAnswer], target: str, lang: str) -> None:
    """The rows nothing was recommended for, on the terminal's error stream: row number and
    each invalid field with what was expected, never a cell's content."""
    if len(bad) == 1:
        head = text("cli.batch.bad_row", lang, count=1)
    else:
        head = text("cli.batch.bad_rows", lang, count=len(bad))
    lines = [head]
    for answer in bad[:_BAD_ROWS_SHOWN]:
        problems = "; ".join(
            f"{p.field}: {_in(lang, p.message, p.message_es)}" for p in answer.problems
        )
        lines.append("  " + text("cli.batch.row", lang, row=answer.row.number, problems=problems))
    hidden = len(bad) - _BAD_ROWS_SHOWN
    if hidden > 0:
        lines.append("  " + text("cli.batch.more_rows", lang, count=hidden, file=target))
    typer.echo("\n".join(lines), err=True)


@rules_app.command("check")
def rules_check(
    directory: Annotated[Path | None, typer.Argument()] = None,
    lang: Annotated[
        Language, typer.Option(help="language of the report: en (default) or es")
    ] = Language.EN,
) -> None:
    """Check a rule base folder; list every problem with file and line (exit 1 on errors).

    The report stays in English by default, as it always was; --lang es gives it in Spanish.
    """
    try:
        base = load_rule_base(directory or Settings().rules_dir)
    except RuleBaseError as error:
        typer.echo(error.render(lang))  # one problem a line, unwrapped: file:line: rule: path: …
        raise typer.Exit(1) from None
    typer.echo(
        text(
            "cli.rules_check.passed",
            lang,
            version=base.version,
            hash=base.hash[:12],
            rules=len(base.rules),
        )
    )


#: Synthetic people a simulation runs on when no population is chosen.
SIMULATION_DEFAULT_PEOPLE = 10_000

_SIMULATION_COLUMNS = (
    N_("cli.simulation.service"),
    N_("cli.simulation.gained"),
    N_("cli.simulation.lost"),
    N_("cli.simulation.priority_up"),
    N_("cli.simulation.priority_down"),
)


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
        _fail(text("cli.simulation.one_population", lang))
    day = _day(as_of, lang)
    before, after = _rule_base(source or Settings().rules_dir), _rule_base(to)
    cases_dir = to / "cases" if (to / "cases").is_dir() else default_cases_dir()
    try:
        if cases:
            population = cases_population(cases_dir)
        elif profiles is not None:
            population = _profiles_file(profiles, lang)
        else:
            people = SIMULATION_DEFAULT_PEOPLE if synthetic is None else synthetic
            population = synthetic_population(people, seed)
        label = text("cli.simulation.progress", lang)
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
        _fail(_in(lang, error.message, error.message_es))
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
        _fail(text("cli.file_unreadable", lang, file=path.name, reason=error.strerror))
    if path.suffix.lower() == ".csv":
        try:
            rows = read_sheet(data).rows
        except InvalidCsvError as error:
            _fail(f"{path.name}: {_in(lang, error.message, error.message_es)}")
        people: list[Any] = []
        for row in rows:
            try:
                people.append(profile_from_row(row))
            except ProfileError as error:
                people.append(error)
        return profiles_population(people)
    if path.suffix.lower() != ".json":
        _fail(text("cli.simulation.profiles_kind", lang, file=path.name))
    try:
        listed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        _fail(text("cli.file_not_utf8", lang, file=path.name))
    except json.JSONDecodeError as error:
        _fail(
            text("cli.file_not_json", lang, file=path.name, line=error.lineno, column=error.colno)
        )
    if not isinstance(listed, list):
        _fail(text("cli.simulation.profiles_not_a_list", lang, file=path.name))
    return profiles_population(listed)


def _print_simulation(
    result: SimulationResult, before: RuleBase, after: RuleBase, lang: str
) -> None:
    """The result as a table per service, then invalid profiles and broken protocol cases."""
    labels = {**before.services, **after.services}
    console.print(
        f"{before.version} ({before.hash[:12]}) → {after.version} ({after.hash[:12]})",
        soft_wrap=True,
    )
    console.print(
        text(
            "cli.simulation.counts",
            lang,
            profiles=result.profiles,
            changed=result.changed,
            invalid=len(result.invalid),
        ),
        soft_wrap=True,
    )
    if result.services:
        table = Table(title=text("cli.simulation.title", lang))
        first, *counted = _SIMULATION_COLUMNS
        table.add_column(text(first, lang))
        for column in counted:
            table.add_column(text(column, lang), justify="right")
        for service in result.services:
            entry = labels.get(service.code)
            name = f"{service.code}\n{getattr(entry.label, lang)}" if entry else service.code
            counts = service.counts
            numbers = (counts.gained, counts.lost, counts.priority_up, counts.priority_down)
            table.add_row(name, *(f"{n:,}" for n in numbers))
        console.print(table)
    else:
        console.print(text("cli.simulation.no_change", lang))
    for invalid in result.invalid[:20]:
        what = text("cli.simulation.profile_number", lang, number=invalid.position + 1)
        console.print(f"[red]{what}[/red]: {', '.join(invalid.fields)}")
    if len(result.invalid) > 20:
        console.print(text("cli.simulation.more", lang, count=len(result.invalid) - 20))
    if result.broken_cases:
        count = len(result.broken_cases)
        failing = text("cli.simulation.cases_fail", lang, count=count)
        console.print(f"[red]{failing}[/red]")
        for case in result.broken_cases:
            where = f"{case.file}:{case.line}" if case.line else case.file
            console.print(f"  {where} «{case.name}»", markup=False, soft_wrap=True)
            for difference in case.differences_es if lang == "es" else case.differences:
                console.print(f"    {difference}", markup=False, soft_wrap=True)
    else:
        console.print(text("cli.simulation.cases_pass", lang))


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


#: The columns of ``ruta network gaps --json`` and ``--csv`` (stable names, for programs).
GAP_COLUMNS = (
    "department",
    "department_name",
    "service",
    "service_label",
    "level",
    "level_label",
    "distance_km",
    "institution_id",
    "institution_name",
    "no_target_reason",
)
_GAP_TABLE_COLUMNS = (
    N_("cli.gaps.department"),
    N_("cli.gaps.service"),
    N_("cli.gaps.best_level"),
    N_("cli.gaps.km"),
    N_("cli.gaps.institution"),
)


@network_app.command("gaps")
def network_gaps(
    lang: LanguageOption = Language.ES,
    as_json: Annotated[
        bool, typer.Option("--json", help="a JSON list, one object per row")
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row")] = False,
    every: Annotated[
        bool, typer.Option("--all", help="every department and service, not only the gaps")
    ] = False,
) -> None:
    """Where the network has no provider, or only a distant one, per department and service:
    the best level a person living in the department's capital can be referred at (national
    entity, neighbouring department, nearest department as the crow flies, or none, with why),
    with department names and service labels in Spanish or English."""
    if as_json and as_csv:
        _fail(text("cli.gaps.json_or_csv", lang))
    settings = Settings()
    network = _network(settings)
    catalogue = _checked_rule_base(settings.rules_dir or default_rules_dir()).services
    rows = [
        _gap_row(gap, network, catalogue[gap.service].label.get(lang), lang)
        for gap in network.gaps()
        if every or gap.level > Level.DEPARTMENT
    ]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=GAP_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=text("cli.gaps.title", lang, version=network.version))
    for column in _GAP_TABLE_COLUMNS:
        table.add_column(text(column, lang))
    for row in rows:
        km = f"{row['distance_km']:.0f}" if row["distance_km"] is not None else "—"
        table.add_row(
            f"{row['department']} {row['department_name']}",
            f"{row['service_label']} ({row['service']})",
            row["level_label"],
            km,
            row["institution_name"] or row["no_target_reason"] or "—",
        )
    console.print(table)


def _gap_row(gap: Gap, network: Network, label: str, lang: str) -> dict[str, Any]:
    """One row of the gaps table, names and labels in ``lang``."""
    institution = network.institutions.get(gap.institution_id or "")
    reason = gap.no_target_reason
    return {
        "department": gap.department,
        "department_name": network.departments[gap.department].name,
        "service": gap.service,
        "service_label": label,
        "level": gap.level.name.lower(),
        "level_label": gap.level.label.get(lang),
        "distance_km": gap.distance_km,
        "institution_id": gap.institution_id,
        "institution_name": institution.name if institution is not None else None,
        "no_target_reason": reason.get(lang) if reason is not None else None,
    }


@rules_app.command("push")
def rules_push(
    directory: Annotated[Path, typer.Argument(help="a folder of rule files")],
    message: Annotated[str, typer.Option("--message", "-m", help="what the change is for")],
    author: Annotated[str, typer.Option(help="the policy author the draft is made for")],
    source: Annotated[
        str, typer.Option("--from", help="'published' or a version's hash")
    ] = "published",
) -> None:
    """Make a draft from a folder of rule files (for policy staff who keep rules in Git): the
    draft then goes through review, simulation, approval and publication like any other."""
    try:
        documents = RuleBaseDocuments.from_directory(directory)
        documents.to_rule_base()
    except RuleBaseError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    settings = Settings()
    store = _store(settings)
    try:
        prepare(settings, store, bootstrap=False)  # an empty store is seeded, as by the server
        draft = store.rule_bases.create_draft(actor=author, source=source, message=message)
        label = draft.documents.manifest.get("version")
        if documents.manifest.get("version") == store.rule_bases.version(draft.base_hash)[0].label:
            documents = documents.with_manifest({**documents.manifest, "version": label})
        info = store.rule_bases.edit(
            draft.id,
            actor=author,
            revision=draft.revision,
            change=lambda _: documents,
            action="draft_pushed",
            subject=directory.name,
        )
    except (StoreError, StartupError) as error:
        _refused(error)
    finally:
        store.close()
    typer.echo(f"draft {info.id} (revision {info.revision}, {info.etag})")


def _expiry(days: int | None) -> datetime | None:
    return datetime.now(UTC) + timedelta(days=days) if days else None


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help=", ".join(access().roles))],
    expires_in_days: Annotated[int | None, typer.Option(min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print name, role and token")] = False,
    office: Annotated[
        str | None, typer.Option(help="the office whose cases a caseworker works on")
    ] = None,
) -> None:
    """Create a person with a role, and print their API token (shown this once only)."""
    settings = Settings()
    if office is not None:
        known = {o.id for o in _network(settings).data.offices}
        if office not in known:
            typer.echo(
                "\n".join(both("cli.unknown_office", offices=", ".join(sorted(known)))), err=True
            )
            raise typer.Exit(1)
    store = _store(settings)
    try:
        token = store.add_user(
            name, role, by="cli", expires_at=_expiry(expires_in_days), office=office
        )
    except StoreError as error:
        _refused(error)
    finally:
        store.close()
    if as_json:
        print(json.dumps({"name": name, "role": role, "office": office, "token": token}))
    else:
        typer.echo(f"{name} ({role}): {token}")
        typer.echo("the token is shown this once; Ruta keeps only its hash", err=True)


@users_app.command("token")
def users_token(
    name: str,
    expires_in_days: Annotated[int | None, typer.Option(min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Issue another token for a person (their other tokens stay valid until revoked)."""
    store = _store(Settings())
    try:
        token = store.issue_token(name, by="cli", expires_at=_expiry(expires_in_days))
    except StoreError as error:
        _refused(error)
    finally:
        store.close()
    print(json.dumps({"name": name, "token": token}) if as_json else token)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """People, roles and their tokens (by their first characters; never whole)."""
    store = _store(Settings())
    try:
        people = store.users()
    finally:
        store.close()
    now = datetime.now(UTC)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": p.name,
                        "role": p.role,
                        "created_at": p.created_at.isoformat(),
                        "tokens": [
                            {
                                "prefix": t.prefix,
                                "created_at": t.created_at.isoformat(),
                                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                                "active": t.active(now),
                            }
                            for t in p.tokens
                        ],
                    }
                    for p in people
                ],
                indent=2,
            )
        )
        return
    table = Table(title="users")
    for column in ("name", "role", "active tokens", "created"):
        table.add_column(column)
    for p in people:
        active = [t.prefix + "…" for t in p.tokens if t.active(now)]
        table.add_row(p.name, p.role, ", ".join(active) or "—", p.created_at.date().isoformat())
    console.print(table)


@users_app.command("revoke")
def users_revoke(
    name: str,
    token: Annotated[
        str | None, typer.Option(help="only the token starting with these characters")
    ] = None,
) -> None:
    """Revoke a person's tokens (all, or one); effective in every server within seconds."""
    store = _store(Settings())
    try:
        count = store.revoke(name, by="cli", prefix=token)
    except StoreError as error:
        _refused(error)
    finally:
        store.close()
    typer.echo(f"{count} token(s) revoked for {name}")


@audit_app.command("verify-trail")
def audit_verify_trail(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute the audit trail's hash chain: exit 1 naming the first altered, removed or
    inserted event. Record the head hash it prints elsewhere to detect a rewritten chain."""
    store = _store(Settings())
    try:
        verdict = store.verify_trail()
        events = store.trail(after=max(verdict.events - 1, 0), limit=1)
    finally:
        store.close()
    head = events[-1].hash if events else None
    if as_json:
        print(
            json.dumps(
                {
                    "ok": verdict.ok,
                    "events": verdict.events,
                    "broken_at": verdict.broken_at,
                    "message": verdict.message,
                    "message_es": verdict.message_es,
                    "head": head,
                }
            )
        )
    elif verdict.ok:
        typer.echo(f"the audit trail is whole: {verdict.events} events; head {head}")
    else:
        english = text("cli.trail.broken", "en", event=verdict.broken_at, reason=verdict.message)
        spanish = text("cli.trail.broken", "es", event=verdict.broken_at, reason=verdict.message_es)
        typer.echo(f"{english}\n{spanish}")
    if not verdict.ok:
        raise typer.Exit(1)


_SUITE_DIRS = typer.Argument(help="folders (or files) of YAML protocol cases")
_RULES_DIR = typer.Option("--rules", help="the rule base folder (default: the settings' one)")


def _suite(folders: list[Path], rules: Path | None, lang: str) -> tuple[list[SuiteCase], RuleBase]:
    try:
        cases = load_suite(folders)
    except AuditError as error:
        _fail(_in(lang, error.message, error.message_es))
    return cases, _checked_rule_base(rules or Settings().rules_dir or default_rules_dir())


@audit_app.command("run")
def audit_run(
    suite: Annotated[list[Path], _SUITE_DIRS],
    rules: Annotated[Path | None, _RULES_DIR] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="write JUnit XML here")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: LanguageOption = Language.ES,
) -> None:
    """Run protocol cases against a rule base: every failure as expected vs got per service;
    exit 1 when a case fails. ``--junit`` writes the result for other CI systems."""
    cases, base = _suite(suite, rules, lang)
    result = _answer(lambda: run_suite(cases, base), lang)
    if junit is not None:
        junit.write_text(junit_xml(result), encoding="utf-8")
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        for outcome in result.failures:
            typer.echo(f"✗ {outcome.case.case.name} ({outcome.case.where})")
            for line in outcome.lines(lang):
                typer.echo(f"    {line}")
        passed = len(result.outcomes) - len(result.failures)
        typer.echo(text("cli.audit.passed", lang, passed=passed, cases=len(result.outcomes)))
    if not result.passed:
        raise typer.Exit(1)


@audit_app.command("coverage")
def audit_coverage(
    suite: Annotated[list[Path], _SUITE_DIRS],
    rules: Annotated[Path | None, _RULES_DIR] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="write an HTML page here")] = None,
    lang: LanguageOption = Language.ES,
) -> None:
    """How much of the rule base the cases exercise (rules, tests, MC/DC, thresholds, lists,
    suppressions, regions, dates), with a checked suggested case for every gap."""
    cases, base = _suite(suite, rules, lang)
    report = measure_coverage(cases, base)
    if html is not None:
        html.write_text(report.html(), encoding="utf-8")
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        typer.echo(report.text(lang))


@audit_app.command("mutate")
def audit_mutate(
    suites: Annotated[list[Path], typer.Argument(help="folders (or files) of YAML cases")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="the rule base folder (default: the service's)")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="mutate only this rule (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes (default: one per core)")
    ] = None,
    lang: LanguageOption = Language.ES,
) -> None:
    """Mutation score: make small slips in the rules (a threshold one step off, a comparison
    swapped, a yes/no test turned round, a list value taken out or put in, a condition or a
    `not` dropped, a region narrowed, a date moved a day, a priority changed, a suppression
    removed) and count how many the cases catch. Lists every slip no case catches with a YAML
    case that would catch it, and the slips the solver proves change no answer."""
    try:
        documents = RuleBaseDocuments.from_directory(rules or Settings().rules_dir)
        report = mutation_score(documents, read_suite(suites), workers=workers, rules=rule)
    except RuleBaseError as error:
        typer.echo(error.render(lang), err=True)
        raise typer.Exit(1) from None
    except AuditError as error:
        _refused(error)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return
    typer.echo(report.text(lang))


@audit_app.command("verify")
def audit_verify(
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule base folder (default: the configured one)")
    ] = None,
    requirements: Annotated[
        Path | None,
        typer.Option(help="requirements file (default: audit/requirements.yaml of the rules)"),
    ] = None,
    witnesses: Annotated[
        bool, typer.Option("--witnesses", help="also give a profile firing each live rule")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Verify a rule base over every possible profile and day: dead and subsumed rules,
    services never recommended, conflicting priorities, and the auditors' requirements, each
    with a witness profile to replay with `ruta recommend`. Exit 1 on a dead rule or a
    refuted requirement."""
    folder = rules or Settings().rules_dir or default_rules_dir()
    base = _rule_base(folder)
    path = requirements or folder / REQUIREMENTS_FILE
    try:
        wanted = read_requirements(path, set(base.services)) if path.is_file() else []
    except RequirementsError as error:
        _refused(error)
    if requirements is not None and not path.is_file():
        typer.echo("\n".join(both("cli.no_such_file", file=path.name)), err=True)
        raise typer.Exit(1)
    found = verify_rule_base(base, wanted)
    if as_json:
        print(json.dumps(found.as_json(witnesses), ensure_ascii=False))
    else:
        _show_verification(found, witnesses)
    if found.dead or found.failed_requirements:
        raise typer.Exit(1)


def _show_verification(found: Verification, witnesses: bool) -> None:
    def line(text: str, witness: Any) -> None:
        typer.echo(text)
        if witness is not None:
            typer.echo(f"    witness: {json.dumps(witness, ensure_ascii=False)}")

    for item in found.dead:
        line(f"dead rule {item['rule']}: no profile fires it on any day", None)
    for item in found.subsumed:
        line(f"rule {item['rule']} is subsumed by {item['by']}", item["witness"])
    for item in found.never_recommended:
        line(f"service {item['service']} is never recommended ({item['reason']})", item["witness"])
    for item in found.conflicts:
        first, second = item["rules"]
        low, high = item["priorities"]
        line(
            f"conflict on {item['service']}: {first} gives {low}, {second} gives {high}",
            item["witness"],
        )
    for item in found.requirements:
        verdict = "holds" if item["holds"] else "REFUTED"
        line(f"requirement {item['requirement']}: {verdict}", item["witness"])
    if witnesses:
        for item in found.live:
            line(f"rule {item['rule']} fires", item["witness"])
    total = len(found.dead) + len(found.subsumed) + len(found.failed_requirements)
    typer.echo(f"{total} finding(s) to act on; {len(found.conflicts)} conflict(s) (informational)")


@audit_app.command("report")
def audit_report_command(
    suite: Annotated[list[Path], _SUITE_DIRS],
    rules: Annotated[Path | None, _RULES_DIR] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="write the self-contained HTML report here")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: LanguageOption = Language.ES,
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes for mutation (default: one per core)")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="mutate only this rule (repeatable)")
    ] = None,
) -> None:
    """Everything at once: run the cases, measure coverage, score them by mutation, verify the
    rule base (with its audit/requirements.yaml) and join the partner network's reach for every
    service the protocols recommend. ``--html`` writes one page that opens offline, in Spanish
    and English; ``--json`` prints the same content (suite, coverage, mutation, verification,
    network)."""
    settings = Settings()
    folder = rules or settings.rules_dir or default_rules_dir()
    cases, base = _suite(suite, folder, lang)
    path = folder / REQUIREMENTS_FILE
    try:
        wanted = read_requirements(path, set(base.services)) if path.is_file() else []
    except RequirementsError as error:
        _fail(_in(lang, error.message, error.message_es))
    try:
        network = load_network(settings.network_dir, folder)
    except NetworkDataError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    try:
        report = _answer(
            lambda: audit_report(cases, base, network, wanted, workers=workers, rules=rule), lang
        )
    except AuditError as error:
        _fail(_in(lang, error.message, error.message_es))
    if html is not None:
        html.write_text(report.html(lang), encoding="utf-8")
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    elif html is None:
        typer.echo(text("cli.audit.report_where", lang))
    else:
        typer.echo(text("cli.audit.report_written", lang, file=html.name))


def main() -> None:
    app()
