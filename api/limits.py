"""The request body limit: a body over ``RUTA_MAX_BODY_BYTES`` is refused with 413.

Starlette's own body-limit middleware answers an over-long declared body in plain text, which
would break the API's one error shape; this one answers in that shape. It refuses a declared
``Content-Length`` over the limit before reading anything, and stops reading a body sent
without one (chunked) as soon as it passes the limit, so no request can make the service hold
more than the limit in memory.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import BodyTooLargeError


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_body_bytes`` (pure ASGI, so streaming is not buffered)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await BodyTooLargeError(self.max_body_bytes).response()(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # Raised where the route reads its body; the error handlers answer it.
                    raise BodyTooLargeError(self.max_body_bytes)
            return message

        await self.app(scope, receive_within_limit, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
