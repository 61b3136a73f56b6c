"""The api package has one exception tree: whatever the service raises for a person to read,
over HTTP or when it cannot start, descends from one root carrying both languages."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import api.errors
import api.startup
from api.errors import RutaApiError, RutaServiceError, StartupError
from api.settings import Settings
from api.startup import open_store, prepare


def test_the_http_errors_and_the_start_up_error_share_one_root() -> None:
    assert issubclass(StartupError, RutaServiceError)
    assert issubclass(RutaApiError, RutaServiceError)
    assert api.startup.StartupError is StartupError


def test_every_error_class_of_the_package_descends_from_the_root() -> None:
    classes = [
        kind
        for module in (api.errors, api.startup)
        for _, kind in inspect.getmembers(module, inspect.isclass)
        if issubclass(kind, BaseException) and kind.__module__.startswith("api.")
    ]
    assert classes, "the package defines error classes"
    assert [k.__name__ for k in classes if not issubclass(k, RutaServiceError)] == []


def test_a_service_that_cannot_start_is_caught_at_the_root(tmp_path: Path) -> None:
    empty = tmp_path / "rules"
    empty.mkdir()
    settings = Settings(data_dir=tmp_path / "data", rules_dir=empty)
    store = open_store(settings)
    try:
        with pytest.raises(RutaServiceError) as refused:
            prepare(settings, store)
    finally:
        store.close()
    assert isinstance(refused.value, StartupError)
    assert refused.value.message and refused.value.message_es
    assert refused.value.message != refused.value.message_es
