"""Service settings, read from environment variables prefixed ``RUTA_``."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the rule base and the network come from, and request limits."""

    model_config = SettingsConfigDict(env_prefix="RUTA_")

    rules_dir: Path | None = None
    network_dir: Path | None = None
    max_body_bytes: int = 1_000_000
