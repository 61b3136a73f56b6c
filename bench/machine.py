"""What the benchmark scripts print about the machine, and their progress lines."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays a clean report."""
    print(message, file=sys.stderr, flush=True)


def cpu_model() -> str:
    """The processor's model name, as the README's figures record it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_lines(packages: str) -> list[str]:
    """The report lines every benchmark starts with: processor, Python, date, packages."""
    return [
        f"- CPU: {cpu_model()}; cores: {os.cpu_count()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}),"
        f" {platform.system()} {platform.release()}",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- packages: {packages}",
    ]
