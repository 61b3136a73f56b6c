"""The only place that talks to durable-rules, through its C core ``durable_rules_engine``.

Why not durable-rules' Python ``Host``: it starts timer threads that cannot be stopped, resolves
rulesets lazily with a race between threads, deletes keys of the definitions it is given, treats
two-parameter actions as asynchronous, swallows exceptions raised in actions, and parses every
match's JSON into Python objects. Ruta needs none of that: it only needs to know which rules
matched. This driver asserts the profile fact, drains the matches (the name of each matched
rule is all it reads), and retracts the fact, so each evaluation leaves the session as clean as
it found it.

durable-rules' C core is not thread-safe and never releases the GIL (docs/durable-rules.md), so
every call goes through one process-wide lock; the lock costs no throughput.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Final

import durable_rules_engine as _core

from .compiler import KIND_ATTRIBUTE, PROBE_KIND, PROBE_RULE, CompiledRuleBase
from .errors import EngineLimitError, EvaluationError

__all__ = ["FACT_ID", "DurableRulesets"]

_LOCK: Final = threading.Lock()

_HANDLED: Final = 0
_NOT_HANDLED: Final = 1
_OBSERVED: Final = 2


class DurableRulesets:
    """A compiled rule base registered in durable-rules, ready to test profile facts."""

    def __init__(self, compiled: CompiledRuleBase) -> None:
        self.compiled = compiled
        self._handles: list[int] = []
        with _LOCK:
            try:
                for ruleset in compiled.rulesets:
                    handle = _core.create_ruleset(ruleset.name, ruleset.definition)
                    try:
                        _probe(handle)
                    except Exception:
                        # No action completed in this session: freeing its state could crash,
                        # so only the ruleset is deleted.
                        with contextlib.suppress(Exception):
                            _core.delete_ruleset(handle)
                        raise
                    self._handles.append(handle)
            except Exception as error:
                self._delete_handles()
                raise EngineLimitError(
                    f"durable-rules refused the compiled rule base {compiled.hash[:16]}"
                    f" ({error}); report this rule base to the maintainers"
                ) from None

    def matched_units(self, fact_json: str) -> list[int]:
        """Indexes of the units whose condition the fact matches, in firing order.

        A unit whose condition has several ``any`` alternatives that hold can appear more than
        once (durable-rules fires once per matching path).
        """
        fired: list[int] = []
        with _LOCK:
            if not self._handles and self.compiled.rulesets:
                raise EvaluationError("these rulesets were closed; build a new RuleEngine")
            for handle in self._handles:
                self._run(handle, fact_json, fired)
        return fired

    @staticmethod
    def _run(handle: int, fact_json: str, fired: list[int]) -> None:
        try:
            code, state = _core.assert_fact(handle, fact_json)
        except Exception as error:
            _retract_quietly(handle)
            raise EvaluationError(
                f"durable-rules could not evaluate the profile ({error})"
            ) from None
        if code == _NOT_HANDLED:
            return
        if code == _OBSERVED:
            # A fact left by an interrupted evaluation: clean it and refuse this one.
            _retract_quietly(handle)
            raise EvaluationError("durable-rules held a stale fact; it was cleaned, retry")
        complete = _core.complete_and_start_action
        record = fired.append
        try:
            started = _core.start_action_for_state(handle, state)
            message: str | None = started[1] if started else None
            while message:
                # The unit's index, read from the rule name "u<index>" (as in _rule_name),
                # inline: this line runs once per match.
                record(int(message[3 : message.find('"', 3)]))
                message = complete(handle, state)
        except Exception as error:
            raise EvaluationError(f"durable-rules failed during evaluation ({error})") from None
        finally:
            _retract_quietly(handle)

    def close(self) -> None:
        """Free the rulesets' memory in durable-rules; the object cannot evaluate afterwards."""
        with _LOCK:
            self._delete_handles()

    def _delete_handles(self) -> None:
        for handle in self._handles:
            # Freeing memory must never mask the caller's own error. The session is freed
            # first, as durable-rules' delete_ruleset leaves sessions behind; the probe run at
            # registration made that safe.
            with contextlib.suppress(Exception):
                _core.delete_state(handle, None)
            with contextlib.suppress(Exception):
                _core.delete_ruleset(handle)
        self._handles.clear()


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


def _retract_quietly(handle: int) -> None:
    # The fact may not have been stored (a profile no rule of this ruleset matched).
    with contextlib.suppress(Exception):
        _core.retract_fact(handle, _FACT_KEY)
