"""The only place that talks to durable-rules, through its C core ``durable_rules_engine``.

Why not durable-rules' Python ``Host``: it starts timer threads that cannot be stopped, resolves
rulesets lazily with a race between threads, deletes keys of the definitions it is given, treats
two-parameter actions as asynchronous, swallows exceptions raised in actions, and parses every
match's JSON into Python objects. Ruta needs none of that: it only needs to know which rules
matched. This driver asserts the profile fact, drains the matches (the name of each matched
rule is all it reads), and retracts the fact, so each evaluation leaves the session as clean as
it found it.

When durable-rules fails part-way instead, the session is not as clean as it was: it may still
hold a match it had started, and would then answer nothing for about a minute (its lease on the
match) and later crash the process reading the retracted fact. A failed session is therefore
never used again: the driver frees it and registers that ruleset afresh, and until that is done
every evaluation raises :class:`~engine.errors.EngineUnavailableError`. durable-rules' C core
keeps no registry of ruleset names (only the Python ``Host`` does), so the new ruleset takes the
same name.

durable-rules' C core is not thread-safe and never releases the GIL (docs/durable-rules.md), so
every call goes through one process-wide lock; the lock costs no throughput.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Final

import durable_rules_engine as _core

from .compiler import KIND_ATTRIBUTE, PROBE_KIND, PROBE_RULE, CompiledRuleBase, CompiledRuleset
from .errors import EngineLimitError, EngineUnavailableError, EvaluationError

__all__ = ["FACT_ID", "DurableRulesets"]

_LOCK: Final = threading.Lock()

_HANDLED: Final = 0
_NOT_HANDLED: Final = 1
_OBSERVED: Final = 2


class _SessionError(Exception):
    """durable-rules failed part-way through an evaluation: its session is not to be trusted."""


class DurableRulesets:
    """A compiled rule base registered in durable-rules, ready to test profile facts.

    Each ruleset has one handle (and one session) in durable-rules; a slot whose session failed
    holds ``None`` until it is registered again, and evaluations use ``_ready``, every handle,
    only while no slot is missing.
    """

    def __init__(self, compiled: CompiledRuleBase) -> None:
        self.compiled = compiled
        self._handles: list[int | None] = []
        self._ready: tuple[int, ...] = ()
        self._missing = False
        self._closed = False
        with _LOCK:
            try:
                for ruleset in compiled.rulesets:
                    self._handles.append(_register(ruleset))
                self._ready = tuple(h for h in self._handles if h is not None)
            except Exception as error:
                self._delete_handles()
                raise EngineLimitError(
                    f"durable-rules refused the compiled rule base {compiled.hash[:16]}"
                    f" ({error}); report this rule base to the maintainers"
                ) from None

    def matched_units(self, fact_json: str) -> list[int]:
        """Indexes of the units whose condition the fact matches, in firing order.

        A unit whose condition has several ``any`` alternatives that hold can appear more than
        once (durable-rules fires once per matching path). Raises
        :class:`~engine.errors.EngineUnavailableError` when durable-rules fails part-way, or
        while a ruleset that failed could not yet be registered again.
        """
        fired: list[int] = []
        with _LOCK:
            if self._closed:
                raise EvaluationError("these rulesets were closed; build a new RuleEngine")
            if self._missing and not self._register_missing():
                raise EngineUnavailableError(
                    "the rule engine could not be rebuilt after a durable-rules failure;"
                    " it is tried again at each evaluation",
                    rebuilt=False,
                )
            for slot, handle in enumerate(self._ready):
                try:
                    _run(handle, fact_json, fired)
                except _SessionError as failure:
                    self._discard(slot)
                    rebuilt = self._register_missing()
                    raise EngineUnavailableError(
                        f"durable-rules failed during the evaluation ({failure}); no answer"
                        " was given for it; the engine "
                        + ("was rebuilt: ask again" if rebuilt else "could not be rebuilt yet"),
                        rebuilt=rebuilt,
                    ) from None
                except BaseException:
                    # Interrupted part-way (e.g. KeyboardInterrupt): the session is not to be
                    # trusted either; it is registered again at the next evaluation.
                    self._discard(slot)
                    raise
        return fired

    def close(self) -> None:
        """Free the rulesets' memory in durable-rules; the object cannot evaluate afterwards."""
        with _LOCK:
            self._closed = True
            self._delete_handles()

    def _discard(self, slot: int) -> None:
        """Free the ruleset in ``slot`` (its session failed) and mark it for registration."""
        handle = self._handles[slot]
        if handle is not None:
            _delete(handle)
        self._handles[slot] = None
        self._ready = ()
        self._missing = True

    def _register_missing(self) -> bool:
        """Register again every ruleset whose session failed; whether all now are."""
        for slot, handle in enumerate(self._handles):
            if handle is None:
                try:
                    self._handles[slot] = _register(self.compiled.rulesets[slot])
                except Exception:
                    return False
        self._ready = tuple(h for h in self._handles if h is not None)
        self._missing = False
        return True

    def _delete_handles(self) -> None:
        for handle in self._handles:
            if handle is not None:
                _delete(handle)
        self._handles.clear()
        self._ready = ()
        self._missing = False


def _run(handle: int, fact_json: str, fired: list[int]) -> None:
    """Assert the fact in one ruleset, record the units it matched, and retract it.

    Raises :class:`_SessionError` if durable-rules fails at any step: the session may then
    hold part of the fact or a started match, and must not be used again.
    """
    try:
        code, state = _core.assert_fact(handle, fact_json)
        if code == _NOT_HANDLED:
            return  # no rule of this ruleset matched: nothing was stored
        if code == _OBSERVED:
            raise _SessionError("the session held a fact of an interrupted evaluation")
        complete = _core.complete_and_start_action
        record = fired.append
        started = _core.start_action_for_state(handle, state)
        message: str | None = started[1] if started else None
        while message:
            # The unit's index, read from the rule name "u<index>" (as in _rule_name), inline:
            # this line runs once per match.
            record(int(message[3 : message.find('"', 3)]))
            message = complete(handle, state)
        _core.retract_fact(handle, _FACT_KEY)
    except _SessionError:
        raise
    except Exception as error:
        raise _SessionError(str(error)) from None


def _register(ruleset: CompiledRuleset) -> int:
    """Create ``ruleset`` in durable-rules and probe it; its handle."""
    handle: int = _core.create_ruleset(ruleset.name, ruleset.definition)
    try:
        _probe(handle)
    except Exception:
        # No action completed in this session: freeing its state could crash, so only the
        # ruleset is deleted.
        with contextlib.suppress(Exception):
            _core.delete_ruleset(handle)
        raise
    return handle


def _delete(handle: int) -> None:
    """Free a ruleset and its session (once probed, whatever state the session is in).

    Freeing memory must never mask the caller's own error. The session is freed first, as
    durable-rules' delete_ruleset leaves sessions behind; the probe run at registration made
    that safe, also for a session that failed holding a started match.
    """
    with contextlib.suppress(Exception):
        _core.delete_state(handle, None)
    with contextlib.suppress(Exception):
        _core.delete_ruleset(handle)


def _rule_name(message: str) -> str:
    """The name of the rule a match belongs to: matches come as ``{"<name>": {...}}``."""
    return message[2 : message.find('"', 2)]


_PROBE_FACT: Final = f'{{"id":"ruta-probe","{KIND_ATTRIBUTE}":"{PROBE_KIND}"}}'


def _probe(handle: int) -> None:
    """Fire the ruleset's probe rule once, and check it answers as expected.

    Freeing a durable-rules session in which no action ever completed reads uninitialised
    memory and can crash the process (docs/durable-rules.md); after this, it is safe. It also
    proves the new ruleset evaluates before it is put in service.
    """
    code, state = _core.assert_fact(handle, _PROBE_FACT)
    started = _core.start_action_for_state(handle, state) if code == _HANDLED else None
    names = []
    message: str | None = started[1] if started else None
    while message:
        names.append(_rule_name(message))
        message = _core.complete_and_start_action(handle, state)
    _core.retract_fact(handle, '{"id":"ruta-probe"}')
    if names != [PROBE_RULE]:
        raise RuntimeError(f"the probe rule answered {names}")


#: Every profile fact carries this id, so it is retracted by id without re-sending it whole.
FACT_ID: Final = "ruta-profile"
_FACT_KEY: Final = '{"id":"ruta-profile"}'
