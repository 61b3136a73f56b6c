"""Time of a rule-change simulation over 100,000 synthetic people, and where the time goes.

Run it from the repository root::

    .venv/bin/python bench/simulation.py [--people N] [--seed S] [--modes serial,pool,dask]

What is measured
    ``simulation.simulate(before, after, synthetic_population(N, seed), as_of)``, wall time from
    the call to the result, once per mode:

    - **serial**: ``workers=1``, everything in this process;
    - **pool**: the default, a local pool of one process per core (``os.cpu_count()``);
    - **dask**: a ``distributed.LocalCluster`` of one single-threaded worker process per core,
      started before the clock starts, passed as ``scheduler``.

    ``before`` is the shipped rule base; ``after`` the same with P01's threshold
    ``years_abroad >= 3`` raised to 4, the example of issue #8, so some roadmaps change and
    examples are built. Every run includes drawing the synthetic people (in the processes that
    evaluate them), checking each profile, both roadmaps per person, adding up the changes,
    and checking the protocol cases (``rules/cases``) against ``after``. The modes must give the
    same result; otherwise the script says so and exits with status 1.

    The breakdown times each step alone, in this process, over the first 5,000 people, in
    processor time (less disturbed by other work on the machine than wall time): drawing
    a synthetic person, checking the profile (``engine.parse_profile``), one roadmap
    (``RuleEngine.roadmap``, durable-rules matching plus the services and priorities), the
    same roadmap through the full ``RuleEngine.evaluate`` (with the explanation, which the
    simulation does not build), and comparing and adding up two roadmaps. ``first part``: from
    the call until the first part of 1,000 people is done (a pool's or cluster's start-up).

``cores free``: a fixed processor loop run alone, then in one process per core at once; the
ratio of throughputs is the number of cores the run could use (other work on a shared machine
takes the rest). The pool and Dask modes can only be as much faster than ``serial`` as that.

Target (issue #8): 100,000 synthetic people, both rule bases, in under 60 s on the project's
2-core development machine. The machine's load average is printed first: other work running
at the same time slows every mode, the parallel ones most.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and this file, named
# simulation.py, would shadow the ``simulation`` package it measures: take the folder off first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from engine import (  # noqa: E402
    RuleBase,
    RuleEngine,
    default_rules_dir,
    load_rule_base,
    parse_profile,
)
from simulation import SimulationResult, simulate, synthetic_population  # noqa: E402
from simulation.tally import Tally  # noqa: E402

# The packages measured are imported; now this folder's helpers can come from the end of the path.
sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

AS_OF = date(2026, 11, 27)
TARGET_S = 60.0
BREAKDOWN_PEOPLE = 5000
MODES = ("serial", "pool", "dask")


def p01_raised(folder: Path) -> RuleBase:
    """The shipped rule base with P01's ``years_abroad >= 3`` raised to 4 (a copy in ``folder``)."""
    copy = folder / "rules"
    shutil.copytree(default_rules_dir(), copy)
    path = copy / "ley-retorno.yaml"
    text = path.read_text(encoding="utf-8")
    old = '{field: years_abroad, op: ">=", value: 3}'
    if old not in text:
        raise SystemExit("bench: P01's threshold is no longer written as expected")
    path.write_text(text.replace(old, old.replace("3}", "4}"), 1), encoding="utf-8")
    return load_rule_base(copy)


def timed_run(
    before: RuleBase, after: RuleBase, people: int, seed: int, **options: Any
) -> tuple[SimulationResult, float, float]:
    """One simulation: its result, its wall time and the time until the first part was done."""
    first: list[float] = []
    start = time.perf_counter()

    def tell(done: int, total: int) -> None:
        if done and not first:
            first.append(time.perf_counter() - start)

    result = simulate(
        before, after, synthetic_population(people, seed), AS_OF, progress=tell, **options
    )
    return result, time.perf_counter() - start, first[0] if first else 0.0


def run_mode(mode: str, before: RuleBase, after: RuleBase, people: int, seed: int) -> Any:
    if mode == "serial":
        return timed_run(before, after, people, seed, workers=1)
    if mode == "pool":
        return timed_run(before, after, people, seed)
    from distributed import LocalCluster

    cores = os.cpu_count() or 1
    with LocalCluster(
        n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        return timed_run(before, after, people, seed, scheduler=cluster.scheduler_address)


def spin(rounds: int) -> float:
    """A fixed amount of pure processor work; its wall time."""
    start = time.perf_counter()
    total = 0
    for number in range(rounds):
        total += number * number
    return time.perf_counter() - start


def free_cores(rounds: int = 5_000_000) -> float:
    """How many cores this run gets: the same loop run alone, then in one process per core at
    once; the throughput ratio (the core count on an idle machine, less when other work runs)."""
    import multiprocessing

    alone = spin(rounds)
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        pool.map(spin, [1000] * cores)  # started before the clock
        start = time.perf_counter()
        pool.map(spin, [rounds] * cores)
        together = time.perf_counter() - start
    return cores * alone / together


def per_person(step: Callable[[Any], Any], items: list[Any]) -> float:
    """Mean processor microseconds of ``step`` over ``items`` (this process's CPU time, which
    other work on the machine disturbs less than the wall clock)."""
    start = time.process_time()
    for item in items:
        step(item)
    return (time.process_time() - start) / len(items) * 1e6


def breakdown(before: RuleBase, after: RuleBase, seed: int) -> list[tuple[str, float]]:
    """Microseconds per person of each step of the simulation, measured alone."""
    population = synthetic_population(BREAKDOWN_PEOPLE, seed)
    start = time.process_time()
    drawn = [p for p, _ in population.members()]
    draw_us = (time.process_time() - start) / len(drawn) * 1e6
    profiles = [parse_profile(p) for p in drawn]
    check_us = per_person(parse_profile, drawn)
    with RuleEngine(before) as old, RuleEngine(after) as new:
        roadmap_us = per_person(lambda p: old.roadmap(p, AS_OF), profiles)
        evaluate_us = per_person(lambda p: old.evaluate(p, AS_OF), profiles)
        pairs = [(p, old.roadmap(p, AS_OF), new.roadmap(p, AS_OF)) for p in profiles]
    tally = Tally()
    tally_us = per_person(lambda item: tally.add(item[0], AS_OF, item[1], item[2]), pairs)
    return [
        ("draw a synthetic person", draw_us),
        ("check the profile", check_us),
        ("one roadmap (RuleEngine.roadmap)", roadmap_us),
        ("one full evaluation (RuleEngine.evaluate), not used", evaluate_us),
        ("compare and add up two roadmaps", tally_us),
        ("total per person: draw + check + 2 roadmaps + add up", 0.0),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if unknown := set(modes) - set(MODES):
        raise SystemExit(f"bench: unknown modes {sorted(unknown)}; use {', '.join(MODES)}")
    packages = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("durable-rules", "dask", "distributed")
    )
    print("# Simulation of a rule change (bench/simulation.py)\n")
    print("\n".join(machine_lines(packages)))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"- load average before the run (1, 5, 15 min): {load}")
    cores = free_cores()
    print(
        f"- cores free for this run: {cores:.1f} of {os.cpu_count()}"
        " (a fixed loop, one process per core at once, against one alone)"
    )
    print(f"- {args.people:,} synthetic people (seed {args.seed}), as of {AS_OF}\n")

    before = load_rule_base()
    with tempfile.TemporaryDirectory() as folder:
        after = p01_raised(Path(folder))
    results: dict[str, SimulationResult] = {}
    print("| mode | processes | wall s | first part s | people/s | target |")
    print("|---|--:|--:|--:|--:|---|")
    for mode in modes:
        progress(f"bench: {mode} …")
        result, wall, first = run_mode(mode, before, after, args.people, args.seed)
        results[mode] = result
        processes = 1 if mode == "serial" else os.cpu_count() or 1
        verdict = "met" if wall < TARGET_S else "NOT met"
        print(
            f"| {mode} | {processes} | {wall:.1f} | {first:.2f} | {args.people / wall:,.0f} |"
            f" under {TARGET_S:.0f} s: {verdict} |"
        )
    first_result = next(iter(results.values()))
    print(
        f"\n{first_result.profiles:,} people, {first_result.changed:,} with another roadmap,"
        f" {len(first_result.invalid)} invalid, {len(first_result.broken_cases)} protocol"
        " cases broken by the change."
    )
    mismatched = [m for m, r in results.items() if r.to_json() != first_result.to_json()]
    if mismatched:
        print(f"\nbench: the modes {mismatched} gave another result than {modes[0]}")
        return 1

    progress("bench: breakdown …")
    steps = breakdown(before, after, args.seed)
    draw, check, roadmap, _, add = (us for _, us in steps[:5])
    steps[-1] = (steps[-1][0], draw + check + 2 * roadmap + add)
    print(
        f"\nWhere the time goes: processor µs per person, each step alone in this process"
        f" ({BREAKDOWN_PEOPLE:,} people):\n"
    )
    print("| step | µs |")
    print("|---|--:|")
    for name, us in steps:
        print(f"| {name} | {us:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
