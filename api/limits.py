"""How much one request may ask of the service.

- Its body: over ``RUTA_MAX_BODY_BYTES`` it is refused with 413.
- A batch: at most ``RUTA_MAX_BATCH_ITEMS`` people (JSON items or spreadsheet rows), each with
  at most ``RUTA_MAX_BATCH_TARGETS`` referral institutions per service; beyond, 422 naming the
  body or the item. A batch of 5,000 people with 20 institutions each would answer about
  170 MB of JSON: the caps keep one request's answer, and the time it holds the rule engine, to
  what an office needs in one go (more is sent as further requests).

Starlette's own body-limit middleware answers an over-long declared body in plain text, which
would break the API's one error shape; this one answers in that shape. It refuses a declared
``Content-Length`` over the limit before reading anything, and stops reading a body sent
without one (chunked) as soon as it passes the limit, so no request can make the service hold
more than the limit in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from texts import both

from .errors import BatchLimitError, BodyTooLargeError

__all__ = ["BodyLimitMiddleware", "check_batch"]


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


def check_batch(
    people: int, max_people: int, targets: Sequence[int] = (), max_targets: int | None = None
) -> None:
    """Refuse a batch of more than ``max_people`` people, or whose items (by position) ask for
    more than ``max_targets`` referral institutions per service, naming each such item."""
    problems: list[tuple[str, str, str]] = []
    if people > max_people:
        problems.append(("body", *both("batch.too_many_people", limit=max_people)))
    if max_targets is not None:
        problems.extend(
            (
                f"[{position}].targets_per_service",
                *both("batch.too_many_targets", limit=max_targets),
            )
            for position, asked in enumerate(targets)
            if asked > max_targets
        )
    if problems:
        raise BatchLimitError(problems)
