"""How long verification over the whole profile space takes, and how it grows with the rules.

Run it from the repository root::

    .venv/bin/python bench/verify.py [--sizes default,100,200,400,1000,2000,5000]
                                     [--seed S] [--limit SECONDS] [--solver]

What is measured
    ``audit.verify_rule_base`` on the shipped rule base (``default``, with its requirements in
    ``rules/audit/requirements.yaml``) and on rule bases of N rules from
    ``engine.generate.generate_rule_base`` (no requirements): every question — the closest
    witness for each rule (or a proof that it is dead), subsumption between rules that could
    subsume each other, conflicting priorities with the closest witness for each, services
    never recommended — with every witness replayed through the reference evaluator. Wall time
    of one run, after loading the rule base, each size in a fresh process that is stopped at
    ``--limit`` seconds (default 600). ``simple`` counts the rules made of simple tests, which
    are decided directly (audit.boxes); generated rules all are. ``--solver`` asks the solver
    every question instead (``direct=False``), as it does for rules with ``any``, ``not`` or a
    test between two fields. ``growth`` is the time against the previous size, ``k`` the
    exponent it implies (time ∝ rules^k).

Targets (issue 9)
    The default base in under 10 s; generated bases of 1,000 and 5,000 rules measured, with
    the largest size that finishes within 10 minutes.

Measured on 2026-12-02 (01:11–01:33 UTC) on the development machine (AMD EPYC, 2 cores,
shared VM; another session's test suite ran alongside, load average 2–3), CPython 3.11.7,
z3-solver 5.4.1.0::

       rules  simple   seconds  growth     k  dead  subsumed  conflicts
          32      25      0.05                   0         0          2
         100     100      0.04                   3         0        110
         200     200      0.06    1.7x   0.8     5         0        398
         400     400      0.25    4.0x   2.0    13         0      1,522
       1,000   1,000      1.44    5.7x   1.9    31        10      9,765
       2,000   2,000      4.85    3.4x   1.8    48        40     39,531
       5,000   5,000     31.24    6.4x   2.0   138       298    246,788
    largest size verified within 600 s: 5000

    --solver (every question to the solver):

          32      25      0.20                   0         0          2
         100     100      1.09                   3         0        110
         200     200      3.17    2.9x   1.5     5         0        398
         400     400     12.40    3.9x   2.0    13         0      1,522
       1,000   1,000     87.66    7.1x   2.1    31        10      9,765
       2,000   2,000    500.08    5.7x   2.5    48        40     39,531
        5000                 —  > 600 s: stopped
    largest size verified within 600 s: 2000

Both targets are met: the shipped base in 0.05 s, 5,000 rules in 31 s. Time grows about as the
square of the rules, as the conflicts do (every pair of rules giving one service different
priorities that someone can fire together is one finding with its own witness): a quarter of a
million at 5,000 rules. Before this script's figures above, the verifier asked the solver
everything and took 12.2 s for 400 rules (0.9 s for 100, 3.2 s for 200).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and bench/engine.py would shadow
# the ``engine`` package: take the folder off before importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from audit import Boxes, ProfileSpace, read_requirements, verify_rule_base  # noqa: E402
from engine import RuleBase, default_rules_dir, load_rule_base  # noqa: E402
from engine.generate import generate_rule_base  # noqa: E402

sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402


def _base(size: str, seed: int) -> tuple[RuleBase, list[Any]]:
    if size == "default":
        base = load_rule_base()
        path = Path(default_rules_dir()) / "audit" / "requirements.yaml"
        return base, read_requirements(path, set(base.services))
    return generate_rule_base(int(size), seed=seed), []


def _measure(size: str, seed: int, direct: bool, answer: Any) -> None:
    """One size, in its own process: the seconds and the findings' counts."""
    base, requirements = _base(size, seed)
    boxes = Boxes(ProfileSpace(base))
    simple = sum(boxes.of(rule) is not None for rule in base.rules)
    started = time.perf_counter()
    found = verify_rule_base(base, requirements, direct=direct)
    seconds = time.perf_counter() - started
    answer.put(
        (
            len(base.rules),
            simple,
            seconds,
            len(found.dead),
            len(found.subsumed),
            len(found.conflicts),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="default,100,200,400,1000,2000,5000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=600.0)
    parser.add_argument("--solver", action="store_true", help="every question to the solver")
    args = parser.parse_args()
    packages = ", ".join(f"{p} {version(p)}" for p in ("z3-solver", "pydantic"))
    print("## Verification (bench/verify.py)", "", *machine_lines(packages), sep="\n")
    print(f"- load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"- {'every question to the solver' if args.solver else 'simple rules decided directly'}")
    print()
    print(
        f"{'rules':>8} {'simple':>7} {'seconds':>9} {'growth':>7} {'k':>5} {'dead':>5} "
        f"{'subsumed':>9} {'conflicts':>10}",
        flush=True,
    )
    context = multiprocessing.get_context("spawn")
    previous: tuple[int, float] | None = None
    largest = "none"
    for size in args.sizes.split(","):
        progress(f"verifying {size} rules…")
        answer = context.Queue()
        worker = context.Process(target=_measure, args=(size, args.seed, not args.solver, answer))
        worker.start()
        worker.join(args.limit)
        if worker.is_alive():
            worker.terminate()
            worker.join()
            print(f"{size:>8} {'':>7} {'—':>9}  > {args.limit:.0f} s: stopped", flush=True)
            break
        rules, simple, seconds, dead, subsumed, conflicts = answer.get()
        growth = k = ""
        if previous is not None and size != "default":
            count, before = previous
            growth = f"{seconds / before:.1f}x"
            k = f"{math.log(seconds / before) / math.log(rules / count):.1f}"
        print(
            f"{rules:>8,} {simple:>7,} {seconds:>9.2f} {growth:>7} {k:>5} {dead:>5} "
            f"{subsumed:>9} {conflicts:>10,}",
            flush=True,
        )
        largest = size
        if size != "default":
            previous = (rules, seconds)
    print(f"largest size verified within {args.limit:.0f} s: {largest}")


if __name__ == "__main__":
    main()
