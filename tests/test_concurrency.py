"""Determinism and thread safety of RuleEngine.

durable-rules' C core is not thread-safe (docs/durable-rules.md: unlocked threads crashed the
process); the driver serialises every call behind one lock and leaves each session clean after
each evaluation. These tests check that results never depend on evaluation order, on repetition
or on other threads, and that a failing call leaves the engine usable.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest

from engine import (
    Evaluation,
    EvaluationError,
    ProfileError,
    ReferenceEvaluator,
    RuleBase,
    RuleEngine,
)
from engine.generate import generate_rule_base
from strategies import random_profiles

DAY = date(2026, 11, 27)
THREADS = 16
PER_THREAD = 300


def _days(count: int, seed: int) -> list[date]:
    rng = random.Random(seed)
    return [date(2010, 1, 1) + timedelta(days=rng.randrange(7670)) for _ in range(count)]


@pytest.fixture(scope="module")
def generated_engine() -> Iterator[RuleEngine]:
    engine = RuleEngine(generate_rule_base(1000, seed=7))
    yield engine
    engine.close()


@pytest.fixture(params=["default", "generated-1000"])
def any_engine(
    request: pytest.FixtureRequest, engine: RuleEngine, generated_engine: RuleEngine
) -> RuleEngine:
    return engine if request.param == "default" else generated_engine


# --- (a) determinism ----------------------------------------------------------------------------


def test_same_profile_200_times(any_engine: RuleEngine) -> None:
    profile = random_profiles(random.Random(1), 1)[0]
    first = any_engine.evaluate(profile, DAY)
    for _ in range(199):
        assert any_engine.evaluate(profile, DAY) == first


def test_results_independent_of_order(any_engine: RuleEngine) -> None:
    profiles = random_profiles(random.Random(2), 300)
    days = _days(300, 2)
    forwards = [any_engine.evaluate(p, d) for p, d in zip(profiles, days, strict=True)]
    backwards = [
        any_engine.evaluate(p, d) for p, d in zip(reversed(profiles), reversed(days), strict=True)
    ]
    assert forwards == backwards[::-1]
    reference = ReferenceEvaluator(any_engine.rule_base)
    assert forwards == [reference.evaluate(p, d) for p, d in zip(profiles, days, strict=True)]


def test_interleaved_rule_bases_do_not_disturb_each_other(
    engine: RuleEngine, generated_engine: RuleEngine
) -> None:
    profiles = random_profiles(random.Random(3), 100)
    alone = [engine.evaluate(p, DAY) for p in profiles]
    mixed: list[Evaluation] = []
    for profile in profiles:
        generated_engine.evaluate(profile, DAY)
        mixed.append(engine.evaluate(profile, DAY))
    assert mixed == alone


# --- (b) threads ----------------------------------------------------------------------------------


def _run_in_threads(engine: RuleEngine, profiles: list[dict[str, Any]], days: list[date]) -> None:
    serial = [engine.evaluate(p, d) for p, d in zip(profiles, days, strict=True)]

    def worker(number: int) -> list[tuple[int, Evaluation]]:
        order = list(range(len(profiles)))
        random.Random(number).shuffle(order)
        return [(i, engine.evaluate(profiles[i], days[i])) for i in order]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(worker, range(THREADS)))
    assert len(outcomes) == THREADS
    for outcome in outcomes:
        assert len(outcome) == PER_THREAD
        for index, result in outcome:
            assert result == serial[index], f"profile {index} differs from serial evaluation"


def test_threads_match_serial_default_base(engine: RuleEngine) -> None:
    _run_in_threads(engine, random_profiles(random.Random(4), PER_THREAD), _days(PER_THREAD, 4))


def test_threads_match_serial_generated_base(generated_engine: RuleEngine) -> None:
    _run_in_threads(
        generated_engine, random_profiles(random.Random(5), PER_THREAD), _days(PER_THREAD, 5)
    )


def test_threads_on_two_rule_bases_at_once(
    engine: RuleEngine, generated_engine: RuleEngine
) -> None:
    profiles = random_profiles(random.Random(6), 60)
    expected = {id(e): [e.evaluate(p, DAY) for p in profiles] for e in (engine, generated_engine)}

    def worker(number: int) -> bool:
        chosen = engine if number % 2 else generated_engine
        return [chosen.evaluate(p, DAY) for p in profiles] == expected[id(chosen)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(worker, range(16)))


# --- (c) errors in the middle leave the engine usable ------------------------------------------


def test_invalid_profiles_in_the_middle(any_engine: RuleEngine) -> None:
    profiles = random_profiles(random.Random(8), 50)
    expected = [any_engine.evaluate(p, DAY) for p in profiles]
    broken = [
        {},
        {"age": -1},
        dict(profiles[0], age="thirty"),
        dict(profiles[0], municipality="99999"),
        dict(profiles[0], unknown_field=True),
        "not a profile",
    ]
    results = []
    for number, profile in enumerate(profiles):
        with pytest.raises(ProfileError):
            any_engine.evaluate(broken[number % len(broken)], DAY)  # type: ignore[arg-type]
        results.append(any_engine.evaluate(profile, DAY))
    assert results == expected


def test_closed_engine_errors_do_not_disturb_others(
    rule_base: RuleBase, engine: RuleEngine
) -> None:
    """EvaluationError is reachable through the public API only via a closed engine: raised
    under the driver's process-wide lock, it must release the lock and leave others intact."""
    closed = RuleEngine(rule_base)
    closed.close()
    profiles = random_profiles(random.Random(9), 40)
    expected = [engine.evaluate(p, DAY) for p in profiles]

    def worker(number: int) -> bool:
        results = []
        for profile in profiles:
            with pytest.raises(EvaluationError):
                closed.evaluate(profile, DAY)
            results.append(engine.evaluate(profile, DAY))
        return results == expected

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(worker, range(8)))


def test_close_while_other_threads_evaluate(rule_base: RuleBase) -> None:
    """Closing an engine in use: each call either gives the right answer or EvaluationError."""
    doomed = RuleEngine(rule_base)
    profiles = random_profiles(random.Random(10), 200)
    expected = [doomed.evaluate(p, DAY) for p in profiles]

    def worker(number: int) -> tuple[int, int]:
        answered = refused = 0
        for index in range(number, len(profiles)):
            try:
                result = doomed.evaluate(profiles[index], DAY)
            except EvaluationError:
                refused += 1
                continue
            assert result == expected[index]
            answered += 1
        return answered, refused

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(worker, n) for n in range(6)]
        doomed.close()
        outcomes = [f.result() for f in futures]
    assert sum(a + r for a, r in outcomes) == sum(len(profiles) - n for n in range(6))
    with pytest.raises(EvaluationError):
        doomed.evaluate(profiles[0], DAY)
