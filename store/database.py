"""The connection to the store: an embedded SQLite file by default, PostgreSQL by URL.

SQLite runs in WAL mode, so readers never wait for the writer; every write transaction starts
with ``BEGIN IMMEDIATE``, so two writers queue instead of failing half-way. On PostgreSQL the
rows that serialise writers (the published head, the trail head) are locked ``FOR UPDATE``.
The schema is brought up to date by Alembic's migrations, under a lock, so several processes
starting at once migrate it once.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from texts import both

from .errors import StoreUnavailableError

__all__ = ["Database", "database_url", "redacted"]

_MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")
_WRITE = "ruta_write"
#: PostgreSQL advisory lock key for migrations ("ruta" in ASCII).
_MIGRATION_LOCK = 0x72757461


def database_url(url: str | None, data_dir: Path) -> str:
    """The URL to use: ``url`` when given (``postgresql://…`` is read with psycopg 3), else a
    SQLite file ``ruta.db`` in ``data_dir`` (created if needed)."""
    if url:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'ruta.db'}"


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An engine and its sessions; ``write()`` for units of work that change the store."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        parsed: URL = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        connect_args: dict[str, Any] = {}
        if self.is_sqlite:
            connect_args = {"check_same_thread": False, "timeout": 30}
        elif schema is not None:
            connect_args = {"options": f"-csearch_path={schema}"}
        self.engine: Engine = create_engine(
            url, connect_args=connect_args, pool_pre_ping=not self.is_sqlite
        )
        if self.is_sqlite:
            _tune_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with self._guard(), self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work: committed whole when the block ends, rolled back whole on error."""
        with self._guard(), self._write_sessions() as session, session.begin():
            yield session

    def lock(self, session: Session, statement: Any) -> Any:
        """``statement`` (a select) locking the rows it reads until the unit of work ends."""
        return statement if self.is_sqlite else statement.with_for_update()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration, or refuse with a clear message."""
        config = Config()
        config.set_main_option("script_location", _MIGRATIONS)
        script = ScriptDirectory.from_config(config)
        known = {revision.revision for revision in script.walk_revisions()}
        with self._guard(), self._migration_lock(), self.engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
            unknown = [revision for revision in current if revision not in known]
            if unknown:
                raise StoreUnavailableError(
                    *both("store.newer_schema", url=redacted(self.url), schema=", ".join(unknown))
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as error:
            if error.connection_invalidated or _is_connection_error(error):
                kind = type(error.orig or error).__name__
                raise StoreUnavailableError(
                    *both("store.unreachable", url=redacted(self.url), kind=kind)
                ) from None
            raise

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        if self.is_sqlite:
            database = make_url(self.url).database
            if not database or database == ":memory:":
                yield
                return
            with open(f"{database}.migration-lock", "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            return
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK}
                )
                connection.commit()


def _is_connection_error(error: DBAPIError) -> bool:
    if isinstance(error, InterfaceError):
        return True
    if isinstance(error, OperationalError):
        text_ = str(error.orig).lower()
        return any(
            hint in text_
            for hint in ("connection", "could not connect", "unable to open", "server closed")
        )
    return False


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(connection: Any, _: Any) -> None:
        # The driver's own transaction handling is switched off: transactions begin below.
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
