"""`ruta report …` (referral statistics) and `ruta keys new` (a key for identities)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from typing import Annotated, Any

import typer

from store import StoreError, new_key
from texts import both

from .moments import read_moment
from .settings import Settings
from .startup import StartupError, open_store

__all__ = ["keys_app", "report_app"]

report_app = typer.Typer(
    help="Referral statistics: counts, outcomes, referrals stuck open.", no_args_is_help=True
)
keys_app = typer.Typer(help="Keys that encrypt returnees' identities.", no_args_is_help=True)

_BY = typer.Option(
    help="dimensions, comma-separated: office, department, area, service,"
    " institution, status, month"
)
_SINCE = typer.Option(help="referrals made on or after this day (YYYY-MM-DD)")
_UNTIL = typer.Option(help="referrals made before this day (YYYY-MM-DD)")
_CSV = typer.Option("--csv", help="print CSV instead of a table")
_JSON = typer.Option("--json", help="print JSON")


def _day(written: str | None) -> datetime | None:
    if written is None:
        return None
    try:
        return read_moment(written)
    except ValueError:
        english, spanish = both("cli.report.not_a_day", day=repr(written))
        typer.echo(f"{english}\n{spanish}", err=True)
        raise typer.Exit(2) from None


def _run(make: Any, as_csv: bool, as_json: bool) -> None:
    try:
        store = open_store(Settings())
    except StartupError as error:
        typer.echo(f"{error.message}\n{error.message_es}", err=True)
        raise typer.Exit(1) from None
    try:
        rows: list[dict[str, Any]] = make(store)
    except StoreError as error:
        typer.echo(f"{error.message}\n{error.message_es}", err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    if as_json:
        print(json.dumps({"rows": rows}, ensure_ascii=False))
        return
    if not rows:
        english, spanish = both("cli.report.no_referrals")
        typer.echo(f"{english} / {spanish}")
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        typer.echo("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))


@report_app.command("referrals")
def report_referrals(
    by: Annotated[str, _BY] = "office,status",
    since: Annotated[str | None, _SINCE] = None,
    until: Annotated[str | None, _UNTIL] = None,
    as_csv: Annotated[bool, _CSV] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """How many referrals in each group."""
    start, end = _day(since), _day(until)
    _run(lambda s: s.reports.counts(by.split(","), since=start, until=end), as_csv, as_json)


@report_app.command("outcomes")
def report_outcomes(
    by: Annotated[str, _BY] = "office",
    since: Annotated[str | None, _SINCE] = None,
    until: Annotated[str | None, _UNTIL] = None,
    as_csv: Annotated[bool, _CSV] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Acceptance rate and days to attendance in each group."""
    start, end = _day(since), _day(until)
    _run(lambda s: s.reports.outcomes(by.split(","), since=start, until=end), as_csv, as_json)


@report_app.command("open")
def report_open(
    days: Annotated[int, typer.Option(min=0, help="last step older than this many days")] = 14,
    as_csv: Annotated[bool, _CSV] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Open referrals stuck for more than N days, oldest first."""
    _run(lambda s: s.reports.stale(days), as_csv, as_json)


@keys_app.command("new")
def keys_new() -> None:
    """Print a new key for RUTA_DATA_KEY. To rotate, put the new key first and keep the old
    one after a comma until every identity has been read again."""
    print(new_key())
