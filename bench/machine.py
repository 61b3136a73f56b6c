"""What the benchmark scripts print about the machine, and their progress lines."""

from __future__ import annotations

import platform
import sys


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
