"""The rule base in service, swapped atomically when another version is published.

Every request takes a *lease* on the rule base in service when it starts and gives it back
when its answer is built: a publication puts the new version in place for the next requests,
while those in flight finish on the old one. The old version's durable-rules memory is freed
when its last lease is given back (durable-rules' memory is not garbage-collected).

Each process watches the store for a new publication (every ``RUTA_POLL_SECONDS``), so every
``ruta serve`` process and worker answers with the newly published version within a second or
so; the process that published swaps at once, before it answers the publish request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from engine import RuleBase, RuleEngine, RutaEngineError

__all__ = ["RuleBaseInService", "ServedRuleBase"]

_log = logging.getLogger("ruta.serving")


@dataclass(eq=False)
class ServedRuleBase:
    """One version as served: its engine, its publication number, and who holds it."""

    engine: RuleEngine
    publication: int
    leases: int = 0
    retired: bool = False
    closed: bool = field(default=False)

    @property
    def rule_base(self) -> RuleBase:
        return self.engine.rule_base


class RuleBaseInService:
    """The holder of the version in service; thread-safe."""

    def __init__(self, served: ServedRuleBase, closer: Callable[[RuleEngine], None]) -> None:
        self._current = served
        self._lock = threading.Lock()
        self._closer = closer
        self._swap_lock = asyncio.Lock()

    @property
    def current(self) -> ServedRuleBase:
        return self._current

    def acquire(self) -> ServedRuleBase:
        with self._lock:
            served = self._current
            served.leases += 1
            return served

    def release(self, served: ServedRuleBase) -> None:
        with self._lock:
            served.leases -= 1
            done = served.retired and served.leases == 0 and not served.closed
            if done:
                served.closed = True
        if done:
            self._closer(served.engine)

    @contextlib.contextmanager
    def lease(self) -> Iterator[RuleEngine]:
        served = self.acquire()
        try:
            yield served.engine
        finally:
            self.release(served)

    def swap(self, new: ServedRuleBase) -> None:
        """Put ``new`` in service; the old version is freed once nobody holds it."""
        replaced: ServedRuleBase | None = None
        with self._lock:
            current = self._current
            if new.publication <= current.publication and new is not current:
                # A newer version is already in service (two refreshes raced): keep it.
                new.retired, new.closed = True, True
                stale: ServedRuleBase | None = new
            else:
                self._current, replaced = new, current
                current.retired = True
                stale = current if current.leases == 0 and not current.closed else None
                if stale is not None:
                    stale.closed = True
        if stale is not None:
            self._closer(stale.engine)
        if replaced is not None:
            old = replaced
            _log.info(
                "rule base %s (publication %d) in service, replacing %s",
                new.engine.hash[:12],
                new.publication,
                old.engine.hash[:12],
            )

    def close(self) -> None:
        with self._lock:
            served = self._current
            served.retired, served.closed = True, True
        self._closer(served.engine)


def safe_close(engine: RuleEngine) -> None:
    """Free an engine's durable-rules memory; a failure to free is logged, never raised."""
    try:
        engine.close()
    except RutaEngineError as error:  # pragma: no cover - freeing is best effort
        _log.warning("could not free rule base %s: %s", engine.hash[:12], type(error).__name__)


def build(publication: int, rule_base: RuleBase) -> ServedRuleBase:
    """A version ready to serve: compiled and registered in durable-rules."""
    return ServedRuleBase(RuleEngine(rule_base), publication)
