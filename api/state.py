"""Everything the service builds at start-up and hands to its endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from engine import RuleBaseError, RutaEngineError, default_rules_dir
from network import Network, Occupancy
from store import Store, StoreError, iso_week_start

from .auth import TokenCache
from .jobs import KEEP_ALIVE_SECONDS, HeldJobs
from .serving import RuleBaseInService, build, safe_close
from .settings import Settings
from .worker import EvaluationThread

__all__ = ["ServiceState"]

_log = logging.getLogger("ruta.serving")


@dataclass(eq=False)
class ServiceState:
    """The store, the rule base in service, the network and the evaluation thread."""

    settings: Settings
    store: Store
    rule_bases: RuleBaseInService
    network: Network
    evaluation: EvaluationThread
    tokens: TokenCache
    #: Simulations and audits run one at a time, each over every core, off the event loop.
    simulator: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="ruta-simulation")
    )
    #: The simulations and audits this process has queued or is running.
    held: HeldJobs = field(default_factory=HeldJobs)
    #: Referrals sent or accepted this ISO week per institution, as last counted in the store,
    #: and what they were counted at (the last referral step and the week): target selection
    #: passes over institutions whose weekly capacity they use up.
    occupancy: Occupancy = field(default_factory=Occupancy)
    occupancy_counted: tuple[int, datetime] | None = None

    @classmethod
    def open(cls, settings: Settings, store: Store, network: Network) -> ServiceState:
        publication, _, documents = store.rule_bases.published()
        served = build(publication, documents.to_rule_base())
        evaluation = EvaluationThread()
        return cls(
            settings,
            store,
            RuleBaseInService(served, lambda engine: evaluation.submit(safe_close, engine)),
            network,
            evaluation,
            TokenCache(store, settings.token_cache_seconds),
        )

    @property
    def cases_dir(self) -> Path:
        return self.settings.cases_dir or default_rules_dir() / "cases"

    def refresh(self) -> bool:
        """Serve the published version if it is newer than the one in service (blocking)."""
        head = self.store.rule_bases.published_head()
        if head is None or head[0] <= self.rule_bases.current.publication:
            return False
        publication, version, documents = self.store.rule_bases.published()
        try:
            served = build(publication, documents.to_rule_base())
        except (RuleBaseError, RutaEngineError) as error:
            _log.error(
                "published version %s cannot be served (%s); still serving %s",
                version[:12],
                type(error).__name__,
                self.rule_bases.current.engine.hash[:12],
            )
            return False
        self.rule_bases.swap(served)
        return True

    async def watch(self) -> None:
        """Look for a newly published version every ``poll_seconds``, and keep this process's
        simulations and audits alive in the store every ``KEEP_ALIVE_SECONDS``, until
        cancelled."""
        kept = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.poll_seconds)
            try:
                await asyncio.to_thread(self.refresh)
                await asyncio.to_thread(self.count_occupancy)
                if time.monotonic() - kept >= KEEP_ALIVE_SECONDS:
                    kept = time.monotonic()
                    await asyncio.to_thread(self.keep_alive)
            except StoreError as error:
                _log.warning("cannot look for a new publication: %s", type(error).__name__)
            except Exception as error:  # the watcher must outlive any one failure
                _log.error("watching publications failed: %s", type(error).__name__)

    def count_occupancy(self) -> bool:
        """Count the week's referrals again if any referral moved (or a new ISO week began)
        since they were last counted; whether the occupancy changed (blocking)."""
        counted = (self.store.referrals.stamp(), iso_week_start(datetime.now(UTC)))
        if counted == self.occupancy_counted:
            return False
        occupancy = Occupancy(self.store.referrals.occupancy())
        self.occupancy_counted = counted
        if occupancy == self.occupancy:
            return False
        self.occupancy = occupancy
        return True

    def _finish_jobs(self) -> None:
        """Stopping: queued simulations and audits will not start; a running one gets
        ``shutdown_grace_seconds`` to finish and record its result. What this process still
        holds after that is recorded as interrupted now, not after a minute of silence."""
        self.simulator.shutdown(wait=False, cancel_futures=True)
        waiting = threading.Thread(
            target=self.simulator.shutdown, kwargs={"wait": True}, daemon=True
        )
        waiting.start()
        waiting.join(self.settings.shutdown_grace_seconds)
        with contextlib.suppress(StoreError):
            for simulation_id in self.held.snapshot("simulation"):
                self.store.simulations.interrupt(simulation_id)
            for audit_id in self.held.snapshot("audit"):
                self.store.audits.interrupt(audit_id)

    def keep_alive(self) -> None:
        """Mark this process's queued and running simulations and audits as alive."""
        self.store.simulations.touch(self.held.snapshot("simulation"))
        self.store.audits.touch(self.held.snapshot("audit"))

    def close(self) -> None:
        self.rule_bases.close()
        self._finish_jobs()
        with contextlib.suppress(Exception):
            self.evaluation.close()
        self.store.close()
