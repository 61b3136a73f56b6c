"""Large answers sent as they are worked out, so the service's memory stays bounded.

A batch answer is made of parts (a slice of people each), worked out one at a time on the
evaluation thread and sent as soon as each is ready: the service holds one part at a time,
however many people the batch has, and single recommendations are answered between parts.

The first part is worked out before the answer starts, so a failure there is still answered
as an error (503, send the batch again). Once the answer has started its status is sent: a
part whose evaluation failed while the engine rebuilt itself is worked out once more (the
engine gave no answer, never a wrong one); if it fails again the transfer is cut short,
without its last chunk, so that no client can take a partial answer for a whole one.

The rule base version a request leased answers every part: FastAPI ends a request's
dependencies (the lease among them) only after its answer has been sent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable

from fastapi.responses import StreamingResponse

from engine import EngineUnavailableError

from .worker import EvaluationThread

__all__ = ["Part", "answer_stream", "streamed_answer"]

_log = logging.getLogger("ruta.api")

#: Work that gives one part of the answer, encoded; run on the evaluation thread.
Part = Callable[[], bytes]


async def streamed_answer(
    evaluation: EvaluationThread,
    parts: Iterable[Part],
    media_type: str,
    *,
    opening: bytes = b"",
    separator: bytes = b"",
    closing: bytes = b"",
) -> StreamingResponse:
    """The answer ``opening``, the parts joined by ``separator``, ``closing``; the first part
    worked out before the answer starts."""
    stream = await answer_stream(
        evaluation, parts, opening=opening, separator=separator, closing=closing
    )
    return StreamingResponse(stream, media_type=media_type)


async def answer_stream(
    evaluation: EvaluationThread,
    parts: Iterable[Part],
    *,
    opening: bytes = b"",
    separator: bytes = b"",
    closing: bytes = b"",
) -> AsyncIterator[bytes]:
    """The chunks of the answer, once its first part is worked out (which may raise)."""
    pending = iter(parts)
    first = next(pending, None)

    async def chunks(head: bytes) -> AsyncIterator[bytes]:
        yield head
        del head  # held no longer than it is being sent
        for part in pending:
            try:
                worked_out = await _once_more_if_rebuilt(evaluation, part)
            except EngineUnavailableError:
                _log.warning("rule engine unavailable: a streamed batch answer is cut short")
                raise
            if separator:
                yield separator
            yield worked_out
            del worked_out  # nor this part, while the next is worked out
        yield closing

    return chunks(opening + (await evaluation.run(first) if first is not None else b""))


async def _once_more_if_rebuilt(evaluation: EvaluationThread, part: Part) -> bytes:
    try:
        return await evaluation.run(part)
    except EngineUnavailableError as error:
        if not error.rebuilt:
            raise
    return await evaluation.run(part)
