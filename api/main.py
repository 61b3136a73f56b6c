"""The Ruta HTTP service: builds the rule engine and the network at start-up and serves them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from network import load_network
from web import install_pages

from .errors import install_error_handlers
from .limits import BodyLimitMiddleware
from .routers import (
    auditors,
    audits,
    cases,
    caseworkers,
    network_reach,
    policy,
    reports,
    rule_bases,
)
from .schemas import Health, error_responses
from .settings import Settings
from .startup import StartupError, announce, open_store, prepare
from .state import ServiceState

_log = logging.getLogger("ruta.startup")

_DESCRIPTION = """
Which services a returning migrant is entitled to, and which partner institution to refer them
to, by the protocols of the Oficinas de Atención al Migrante, the same way every time and with
the reasons.

Every error has one shape, `{"error": {"code", "message", "message_es", "problems"}}`; each
problem names a field in English and Spanish and never repeats the value sent.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; the rule base and the network load in its lifespan, not at import."""
    config = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            store = open_store(config)
            if not config.prepared:  # `ruta serve` prepared the store before the workers
                announce(prepare(config, store), config)
        except StartupError as error:
            _log.error("Ruta cannot start: %s\n%s", error.message, error.message_es)
            raise
        network = load_network(config.network_dir, config.rules_dir)
        state = ServiceState.open(config, store, network)
        app.state.service = state
        watcher = asyncio.create_task(state.watch())
        # What was just built lives as long as the service: set it aside from the garbage
        # collector, whose full passes over it were the slowest 1 % of answers (bench/http.py).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            state.close()

    app = FastAPI(
        title="Ruta",
        version="0.1.0",
        lifespan=lifespan,
        summary="Referral recommendations for returning migrants",
        description=_DESCRIPTION,
        # Swagger UI from the package, not a CDN (web/docs.py); ReDoc needs a CDN: none.
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=config.max_body_bytes)

    @app.get(
        "/healthz",
        tags=["operations"],
        response_model=Health,
        responses={
            200: {"content": {"application/json": {"example": {"status": "ok"}}}},
            **error_responses(secured=False),
        },
    )
    async def healthz() -> Health:
        """The service is up, with its rule base and network loaded."""
        return Health(status="ok")

    for router in (
        caseworkers.router,
        policy.router,
        rule_bases.router,
        auditors.router,
        network_reach.router,
        audits.router,
        cases.router,
        reports.router,
    ):
        app.include_router(router)
    install_pages(app)
    install_error_handlers(app)
    return app


app = create_app()
