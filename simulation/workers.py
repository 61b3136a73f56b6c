"""Evaluating one part of a population under both rule bases, in whichever process runs it.

durable-rules' C core is process-wide and serialised by one lock, so threads do not add speed:
parts run in separate processes (a local pool, or Dask workers), each holding one engine per
rule base. Engines are built once per process and kept, keyed by the rule base's content hash,
for the parts that follow; a process keeps at most :data:`KEPT_ENGINES` of them and closes the
oldest beyond that.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Final

from engine import ProfileError, RuleBase, RuleEngine, parse_profile

from .population import Population, Refused
from .tally import Tally

__all__ = [
    "KEPT_ENGINES",
    "cluster_part",
    "evaluate_part",
    "kept_engine",
    "pool_part",
    "prepare_pool_process",
]

#: Engines a worker process keeps for later parts (two per simulation running at a time).
KEPT_ENGINES: Final = 8

_ENGINES: OrderedDict[str, RuleEngine] = OrderedDict()
_ENGINES_LOCK: Final = threading.Lock()


def kept_engine(rule_base: RuleBase) -> RuleEngine:
    """This process's engine for ``rule_base``, built on first use and kept."""
    key = rule_base.hash
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = RuleEngine(rule_base)
            while len(_ENGINES) > KEPT_ENGINES:
                _, oldest = _ENGINES.popitem(last=False)
                oldest.close()
        else:
            _ENGINES.move_to_end(key)
        return engine


def evaluate_part(
    before: RuleEngine, after: RuleEngine, part: Population, offset: int, day: date
) -> Tally:
    """The tally of ``part``, whose first person is at position ``offset`` of the population;
    people without a day of their own are evaluated on ``day``."""
    tally = Tally()
    for position, (data, own_day) in enumerate(part.members(), offset):
        if isinstance(data, Refused):
            tally.add_invalid(position, data.fields)
            continue
        try:
            profile = parse_profile(data)
        except ProfileError as error:
            tally.add_invalid(position, tuple(dict.fromkeys(p.field for p in error.problems)))
            continue
        when = own_day or day
        tally.add(profile, when, before.roadmap(profile, when), after.roadmap(profile, when))
    return tally


_POOL_ENGINES: list[RuleEngine] = []


def prepare_pool_process(before: RuleBase, after: RuleBase) -> None:
    """Initializer of a local pool's process: build both engines before the first part."""
    _POOL_ENGINES[:] = [kept_engine(before), kept_engine(after)]


def pool_part(part: Population, offset: int, day: date) -> Tally:
    """One part, in a local pool's process, with the engines its initializer built (the rule
    bases are not sent again with every part)."""
    before, after = _POOL_ENGINES
    return evaluate_part(before, after, part, offset, day)


def cluster_part(
    before: RuleBase, after: RuleBase, part: Population, offset: int, day: date
) -> Tally:
    """One part, in a Dask worker, with the engines the worker keeps for these rule bases."""
    return evaluate_part(kept_engine(before), kept_engine(after), part, offset, day)
