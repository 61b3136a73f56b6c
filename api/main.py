"""The Ruta HTTP service: builds the rule engine and the network at start-up and serves them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from engine import RuleEngine, load_rule_base
from network import load_network

from .errors import error_body, install_error_handlers
from .routers import auditors, caseworkers, policy
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; the rule base and the network load in its lifespan, not at import."""
    config = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = RuleEngine(load_rule_base(config.rules_dir))
        app.state.engine = engine
        app.state.network = load_network(config.network_dir, config.rules_dir)
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="Ruta",
        version="0.1.0",
        lifespan=lifespan,
        summary="Referral recommendations for returning migrants",
    )

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > config.max_body_bytes:
            return JSONResponse(
                error_body("body_too_large", f"the body is over {config.max_body_bytes} bytes"),
                413,
            )
        return await call_next(request)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for router in (caseworkers.router, policy.router, auditors.router):
        app.include_router(router)
    install_error_handlers(app)
    return app


app = create_app()
