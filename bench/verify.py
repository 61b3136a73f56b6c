"""How long verification over the whole profile space takes, and how it grows with the rules.

Run it from the repository root::

    .venv/bin/python bench/verify.py [--sizes default,100,200,400] [--seed S] [--limit SECONDS]

What is measured
    ``audit.verify_rule_base`` on the shipped rule base (``default``, with its requirements in
    ``rules/audit/requirements.yaml``) and on rule bases of N rules from
    ``engine.generate.generate_rule_base`` (no requirements): every question — a witness for
    each rule (or a proof that it is dead), subsumption between rules that could subsume each
    other, conflicting priorities, services never recommended — with every witness replayed
    through the reference evaluator. Wall time of one run, after loading the rule base.

Targets (issue 9)
    The default base under 10 s. Sizes are measured in increasing order and the script stops
    at the first size that takes longer than ``--limit`` (default 600 s), printing the largest
    size that finished. The work is one solver call per rule plus one per pair of rules that
    recommend the same services, so time grows at least linearly and, with many overlapping
    rules, towards quadratically in the number of rules; the table states the growth factor
    between consecutive sizes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/engine.py would shadow
# the ``engine`` package: take the folder off before importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from audit import read_requirements, verify_rule_base  # noqa: E402
from engine import default_rules_dir, load_rule_base  # noqa: E402
from engine.generate import generate_rule_base  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="default,100,200,400")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=600.0)
    args = parser.parse_args()
    print(
        f"{'rules':>8} {'seconds':>9} {'growth':>7} {'dead':>5} {'subsumed':>9} {'conflicts':>10}"
    )
    previous: float | None = None
    largest = "none"
    for size in args.sizes.split(","):
        if size == "default":
            base = load_rule_base()
            path = Path(default_rules_dir()) / "audit" / "requirements.yaml"
            requirements = read_requirements(path, set(base.services))
        else:
            base = generate_rule_base(int(size), seed=args.seed)
            requirements = []
        started = time.perf_counter()
        found = verify_rule_base(base, requirements)
        seconds = time.perf_counter() - started
        growth = f"{seconds / previous:6.1f}x" if previous and size != "default" else "      "
        print(
            f"{len(base.rules):>8} {seconds:>9.2f} {growth:>7} {len(found.dead):>5} "
            f"{len(found.subsumed):>9} {len(found.conflicts):>10}",
            flush=True,
        )
        if seconds > args.limit:
            print(f"stopped: {size} rules took more than {args.limit:.0f} s")
            break
        largest = size
        previous = seconds if size != "default" else previous
    print(f"largest size verified within the limit: {largest}")


if __name__ == "__main__":
    main()
