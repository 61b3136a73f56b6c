"""The from/until filters read moments one way everywhere (reports, access log, audit trail,
``ruta report``): ISO 8601, UTC when no time zone is named, a day alone its midnight, and a
number never a moment (read as seconds since 1970 it would silently mean 1970-01-01)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.main import create_app
from api.moments import day_start, read_moment
from texts import both
from tokens import authorise

runner = CliRunner()


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T10:30", datetime(2026, 12, 1, 10, 30, tzinfo=UTC)),
        ("2026-12-01T10:30:00Z", datetime(2026, 12, 1, 10, 30, tzinfo=UTC)),
        (
            "2026-12-01T10:30:00-05:00",
            datetime(2026, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_a_moment_written_in_iso_8601_is_read_in_utc_unless_it_names_a_zone(
    written: str, meant: datetime
) -> None:
    read = read_moment(written)
    assert read == meant and read.utcoffset() == meant.utcoffset()


@pytest.mark.parametrize("written", ["0", "1.5", "1764547200", "20261201", "2026-13-01", "", "x"])
def test_a_number_or_a_day_out_of_the_calendar_is_no_moment(written: str) -> None:
    with pytest.raises(ValueError):
        read_moment(written)


def test_a_day_starts_at_its_midnight_in_utc() -> None:
    assert day_start(date(2026, 12, 1)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert day_start(None) is None


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        authorise(test_client, "auditor")
        yield test_client


def test_the_access_log_refuses_a_number_and_reads_a_moment_without_zone_as_utc(
    client: TestClient,
) -> None:
    refused = client.get("/v1/access-log", params={"since": "1764547200"})
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["error"]["problems"]] == ["query.since"]
    read = client.get("/v1/access-log", params={"since": "2026-12-01T10:00", "until": "2026-12-02"})
    assert read.status_code == 200, read.text


def test_the_audit_trail_refuses_a_moment_out_of_the_calendar_naming_the_filter(
    client: TestClient,
) -> None:
    refused = client.get("/v1/audit-trail", params={"until": "2026-02-30T10:00Z"})
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["error"]["problems"]
    assert problem["field"] == "query.until"
    assert (problem["message"], problem["message_es"]) == both(
        "error.invalid_request.moment_filter"
    )


def test_the_audit_trail_filters_by_the_moments_given(client: TestClient) -> None:
    everything = client.get("/v1/audit-trail").json()["events"]
    assert everything, "starting the service leaves events (the first version, the first person)"
    later = client.get("/v1/audit-trail", params={"since": "2999-01-01T00:00+00:00"})
    assert later.status_code == 200 and later.json()["events"] == []
    earlier = client.get("/v1/audit-trail", params={"until": "2000-01-01T00:00-05:00"})
    assert earlier.status_code == 200 and earlier.json()["events"] == []
    since_long_ago = client.get("/v1/audit-trail", params={"since": "2000-01-01T00:00Z"})
    assert [e["seq"] for e in since_long_ago.json()["events"]] == [e["seq"] for e in everything]


def test_ruta_report_refuses_a_number_as_a_day_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUTA_DATA_DIR", str(tmp_path / "data"))
    refused = runner.invoke(app, ["report", "referrals", "--until", "0"])
    assert refused.exit_code == 2
    english, spanish = both("cli.report.not_a_day", day="'0'")
    assert english in refused.output and spanish in refused.output
    read = runner.invoke(app, ["report", "referrals", "--since", "2026-12-01", "--json"])
    assert read.exit_code == 0, read.output
