"""Time of the mutation score of the shipped cases against the default rule base.

Run it from the repository root::

    .venv/bin/python bench/mutation.py [--sample N]

What is measured
    ``audit.mutation_score(default base, every case of rules/cases)``, wall time from the call
    to the report, with ``workers=1`` (this process) and with one process per core (the
    default of ``ruta audit mutate``). Both include making the mutants (every kind: thresholds,
    operators, yes/no tests, list values, dropped conditions and ``not``, regions, dates,
    priorities, suppressions), checking each mutant rule base, running the suite on each until
    a case fails, and for each mutant no case kills the solver's decision over every profile
    and day: a killing case (checked by evaluating it) or a proof of equivalence. The two
    reports must be equal; otherwise the script says so and exits with status 1.

    The solver's share: the same with no case at all (one process per core), so that every
    mutant is decided by the solver, as for a rule base with no suite yet.

    The solver alone, per mutant: for ``--sample`` mutants, the time to decide whether the
    mutant's answer can differ from the rule base's (:func:`audit.compare_rule_bases`, witness
    included), which is what a mutant no case kills costs on top of running the suite.

    Why the reference evaluator: for ``--sample`` mutants (default 20), the time to judge one
    mutant by running the whole suite through :class:`engine.ReferenceEvaluator` (plain
    Python, what the score uses) is set beside the time to build a durable-rules
    :class:`engine.RuleEngine` for the mutant and run the same suite through it.

Target (issue #9): the shipped suite against the default base in under 60 s. Last measured
on 2026-12-02 on the project's shared two-core machine (figures in the README): 290 mutants,
289 killed, 1 proved equivalent; 3.4–5.4 s in one process, 2.2–3.5 s in two, and 8.3–15.7 s
with no case at all.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from importlib.metadata import version
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/engine.py would hide
# the engine package: take the folder out, import the packages measured, then add it last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from audit import compare_rule_bases, mutants_of, mutation_score, read_suite  # noqa: E402
from engine import (  # noqa: E402
    CASE_DAY,
    ReferenceEvaluator,
    RuleBaseDocuments,
    RuleEngine,
    check_case,
    default_cases_dir,
)

sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20, help="mutants for the engine compare")
    args = parser.parse_args()
    documents = RuleBaseDocuments.from_directory()
    cases = read_suite([default_cases_dir()])
    cores = os.cpu_count() or 1
    packages = ", ".join(f"{p} {version(p)}" for p in ("durable_rules", "pydantic"))
    lines = ["## Mutation score (bench/mutation.py)", "", *machine_lines(packages)]
    lines.append(f"- load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    timings = {}
    reports = {}
    for label, workers in (("one process", 1), (f"{cores} processes", cores)):
        progress(f"mutation score, {label}…")
        start = time.perf_counter()
        reports[label] = mutation_score(documents, cases, workers=workers)
        timings[label] = time.perf_counter() - start
    first, *others = reports.values()
    report = first
    lines += [
        "",
        f"- rule base: {len(documents.to_rule_base().rules)} rules; suite: {len(cases)} cases",
        f"- mutants: {report.mutants}; killed: {report.killed}; survivors:"
        f" {len(report.survivors)}; equivalent (proved): {len(report.equivalent)}; undecided:"
        f" {len(report.equivalent_candidates)}; score: {report.score:.3f}",
        "- by kind (killed/mutants): "
        + ", ".join(f"{k} {c['killed']}/{c['mutants']}" for k, c in report.by_kind().items()),
    ]
    for label, seconds in timings.items():
        verdict = "meets" if seconds < TARGET_SECONDS else "MISSES"
        lines.append(f"- {label}: {seconds:.1f} s ({verdict} the {TARGET_SECONDS:.0f} s target)")

    progress(f"no case at all, {cores} processes: every mutant left to the solver…")
    start = time.perf_counter()
    bare = mutation_score(documents, [], workers=cores)
    seconds = time.perf_counter() - start
    lines.append(
        f"- no case at all, {cores} processes (every mutant decided by the solver):"
        f" {seconds:.1f} s; {len(bare.survivors)} survivors, each with a checked killing case,"
        f" {len(bare.equivalent)} equivalent, {len(bare.equivalent_candidates)} undecided"
    )

    progress("reference evaluator vs durable-rules vs the solver, per mutant…")
    sample = mutants_of(documents)[: args.sample]
    original = documents.to_rule_base()
    reference = engine = solver = 0.0
    for mutant in sample:
        base = documents.with_rule(mutant.rule, mutant.edited).to_rule_base()
        start = time.perf_counter()
        compare_rule_bases(original, base)
        solver += time.perf_counter() - start
        start = time.perf_counter()
        evaluator = ReferenceEvaluator(base)
        for case in cases:
            check_case(case, evaluator.evaluate(case.profile, case.as_of or CASE_DAY))
        reference += time.perf_counter() - start
        start = time.perf_counter()
        with RuleEngine(base) as durable:
            for case in cases:
                check_case(case, durable.evaluate(case.profile, case.as_of or CASE_DAY))
        engine += time.perf_counter() - start
    count = max(len(sample), 1)
    lines.append(
        f"- whole suite on one mutant ({len(sample)} mutants): reference evaluator"
        f" {reference / count * 1000:.0f} ms, durable-rules engine (build + run)"
        f" {engine / count * 1000:.0f} ms; the solver's decision alone"
        f" {solver / count * 1000:.0f} ms"
    )
    print("\n".join(lines))
    if any(other.to_json() != first.to_json() for other in others):
        print("the reports of one and several processes differ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
