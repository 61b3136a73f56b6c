"""The one thread where recommendations are worked out, off the event loop.

Evaluations take the rule engine's process-wide lock, so they run one at a time whatever the
number of threads; a single dedicated thread does the same work without dozens of threads
contending for the interpreter (measured with bench/http.py: about a quarter more requests
per second than Starlette's shared thread pool). The event loop stays free to accept and
answer other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")


class EvaluationThread:
    """Runs engine work on its own thread and awaits the answer."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ruta-engine")

    async def run(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``function(*args, **kwargs)`` on the evaluation thread."""
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def submit(self, function: Callable[_P, object], *args: _P.args, **kwargs: _P.kwargs) -> None:
        """Queue ``function`` on the evaluation thread without waiting (e.g. freeing a
        replaced rule base after the evaluations queued before it)."""
        self._executor.submit(function, *args, **kwargs)

    def close(self) -> None:
        """Finish the work under way and stop the thread (at shutdown)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
