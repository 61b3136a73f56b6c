"""The store's schema: Alembic's migrations build exactly the tables the code uses, an empty
database comes up to date, and a database Ruta cannot use is refused with a clear message."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import store as store_package
from store import Store, StoreUnavailableError
from store.models import Base


def test_the_migrations_build_exactly_the_models_tables(store: Store) -> None:
    with store.db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_heads() == ("0003",)


def test_a_store_made_by_the_first_schema_is_upgraded_keeping_its_records(
    store_url: str,
) -> None:
    older = Store(store_url)
    config = Config()
    migrations = Path(store_package.__file__).parent / "migrations"
    config.set_main_option("script_location", str(migrations))
    with older.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    assert "audits" not in inspect(older.db.engine).get_table_names()
    with older.db.engine.begin() as connection:  # as the first schema's Ruta wrote it
        connection.execute(
            text(
                "INSERT INTO users (name, role, created_at, created_by)"
                " VALUES ('ana', 'policy_author', CURRENT_TIMESTAMP, 'tests')"
            )
        )
    older.upgrade()
    assert "audits" in inspect(older.db.engine).get_table_names()
    assert [u.name for u in older.users()] == ["ana"]
    older.close()


def test_bringing_an_up_to_date_schema_up_to_date_changes_nothing(store: Store) -> None:
    tables = set(inspect(store.db.engine).get_table_names())
    store.upgrade()
    assert set(inspect(store.db.engine).get_table_names()) == tables


def test_processes_starting_together_migrate_once(store_url: str) -> None:
    stores = [Store(store_url) for _ in range(3)]
    failures: list[BaseException] = []

    def upgrade(store: Store) -> None:
        try:
            store.upgrade()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=upgrade, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert not failures


def test_a_database_from_a_newer_ruta_is_refused(store: Store) -> None:
    with store.db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreUnavailableError, match="newer Ruta") as refused:
        store.upgrade()
    assert "9999" in refused.value.message and refused.value.message_es


def test_an_unreachable_database_is_refused_without_its_password() -> None:
    store = Store("postgresql://ruta:s3cret@127.0.0.1:1/ruta")
    with pytest.raises(StoreUnavailableError, match="cannot be reached") as refused:
        store.upgrade()
    assert "s3cret" not in refused.value.message and "***" in refused.value.message


def test_the_embedded_store_is_a_file_in_the_data_folder(tmp_path: Path) -> None:
    store = Store(data_dir=tmp_path / "data")
    store.upgrade()
    store.close()
    assert (tmp_path / "data" / "ruta.db").is_file()
