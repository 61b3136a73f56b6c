"""What "still to ask" (the open fields of a roadmap) adds to the time of a recommendation.

Run it from the repository root::

    .venv/bin/python bench/open_fields.py [--profiles N] [--sizes default,1000] [--seed S]

What is measured
    For each rule base size — ``default`` (the shipped rules, ``rules/``) and generated bases
    (``engine.generate.generate_rule_base``, e.g. 1,000 rules) — and for three kinds of
    profile, ``--profiles`` random valid profiles (seeded; department and municipality a pair
    listed in the partner network's data, numbers from ``engine.generate.NUMBER_RANGES``):

    - **first interview**: only the six required fields sent, every other one left to its
      default: the most questions open, the slowest case;
    - **as bench/http.py**: each optional field left to its default three times in ten, as the
      HTTP benchmark's bodies;
    - **all answered**: every field sent: nothing can be open, only the look is paid for.

    Per profile, timed after a warm-up of 100 profiles with ``time.perf_counter_ns`` (wall
    time, ``--clock wall``, the default) or ``time.thread_time_ns`` (processor time of this
    thread, ``--clock cpu``: on a busy shared machine, time spent waiting for a core is left
    out, so the p99 shows the work rather than the machine's load):
    ``evaluate``, ``RuleEngine.evaluate(profile)`` (durable-rules, roadmap and explanation);
    ``open fields``, ``RuleEngine.open_fields(result)`` on that evaluation alone; and the
    caseworker endpoint's whole answer, ``api.recommend.recommendation_json`` (evaluation,
    referral targets for the default network, the answer built and encoded as JSON), once as
    served and once with the engine's ``open_fields`` replaced by one answering nothing. The
    two answers are timed one after the other for each profile, in alternating order, so the
    machine's drift falls on both alike.

How to read the table
    ``median`` and ``p99`` in microseconds. ``added``: the answer's median with the open
    fields minus its median without; ``open (mean)``: open fields per profile; ``bytes``: what
    they add to the JSON answer, on average. Compare rows of one run: on a shared machine the
    same row moves by tens of per cent between runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; take it off before importing the
# packages measured (bench/engine.py and bench/network.py would shadow them).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from api.recommend import recommendation_json  # noqa: E402
from engine import (  # noqa: E402
    Evaluation,
    OpenField,
    Profile,
    RuleBase,
    RuleEngine,
    load_rule_base,
    parse_profile,
    profile_fields,
)
from engine.fields import FieldKind, FieldSpec  # noqa: E402
from engine.generate import NUMBER_RANGES, generate_rule_base  # noqa: E402
from network import Network, load_network  # noqa: E402

sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

AS_OF = date(2026, 11, 27)
WARMUP = 100
PACKAGES = ("durable-rules", "pydantic")
KINDS = ("first interview", "as bench/http.py", "all answered")
#: Share of optional fields left to their default, by kind of profile.
OMITTED = {"first interview": 1.0, "as bench/http.py": 0.3, "all answered": 0.0}


def places(network: Network) -> list[tuple[str, str]]:
    """(department, municipality) pairs listed in the partner network's data, capitals too."""
    codes = set(network.municipalities)
    codes |= {department.capital.municipality for department in network.data.departments}
    return sorted((code[:2], code) for code in codes)


def value(rng: random.Random, spec: FieldSpec, where: list[tuple[str, str]]) -> Any:
    if spec.kind is FieldKind.BOOLEAN:
        return rng.random() < 0.5
    if spec.kind is FieldKind.CHOICE:
        return rng.choice(spec.choices)
    if spec.kind.numeric:
        low, high = NUMBER_RANGES[spec.name]
        if spec.kind is FieldKind.INTEGER:
            return rng.randint(low, high)
        return round(rng.uniform(low, high), 2)
    return None if rng.random() < 0.3 else rng.choice(where)[1]


def profile(rng: random.Random, where: list[tuple[str, str]], omitted: float) -> dict[str, Any]:
    department, municipality = rng.choice(where)
    made: dict[str, Any] = {"department": department, "municipality": municipality}
    for spec in profile_fields().values():
        if spec.name in made:
            continue
        optional = not Profile.model_fields[spec.name].is_required()
        if optional and rng.random() < omitted:
            continue
        made[spec.name] = value(rng, spec, where)
    parse_profile(made)  # every profile measured is valid
    return made


@dataclass
class Row:
    size: str
    kind: str
    evaluate: list[int]
    open_fields: list[int]
    served: list[int]
    without: list[int]
    found: list[int]
    extra_bytes: list[int]


def micro(values: list[int]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) / 1000, p99 / 1000


#: The clock timing each call (``--clock``).
CLOCKS: dict[str, Callable[[], int]] = {"wall": time.perf_counter_ns, "cpu": time.thread_time_ns}


def timed(call: Callable[[], Any], clock: Callable[[], int]) -> tuple[int, Any]:
    start = clock()
    out = call()
    return clock() - start, out


def nothing_open(result: Evaluation) -> tuple[OpenField, ...]:
    return ()


def measure(
    size: str,
    base: RuleBase,
    network: Network,
    kind: str,
    count: int,
    seed: int,
    clock: Callable[[], int],
) -> Row:
    rng = random.Random(f"{seed}-{kind}")
    where = places(network)
    profiles = [profile(rng, where, OMITTED[kind]) for _ in range(count + WARMUP)]
    langs = [rng.choice(("es", "en")) for _ in profiles]
    row = Row(size, kind, [], [], [], [], [], [])
    with RuleEngine(base) as engine:
        served_finder = engine.open_fields
        for number, (person, lang) in enumerate(zip(profiles, langs, strict=True)):
            t_eval, result = timed(lambda p=person: engine.evaluate(p, AS_OF), clock)
            t_open, found = timed(lambda r=result: engine.open_fields(r), clock)

            def answer(p: dict[str, Any] = person, lang: str = lang) -> bytes:
                return recommendation_json(engine, network, p, AS_OF, lang, 3)

            order = (True, False) if number % 2 else (False, True)
            times: dict[bool, int] = {}
            sizes: dict[bool, int] = {}
            for with_open in order:
                engine.open_fields = served_finder if with_open else nothing_open  # type: ignore[method-assign]
                times[with_open], body = timed(answer, clock)
                sizes[with_open] = len(body)
            engine.open_fields = served_finder  # type: ignore[method-assign]
            if number < WARMUP:
                continue
            row.evaluate.append(t_eval)
            row.open_fields.append(t_open)
            row.served.append(times[True])
            row.without.append(times[False])
            row.found.append(len(found))
            row.extra_bytes.append(sizes[True] - sizes[False])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=2000)
    parser.add_argument("--sizes", default="default,1000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    network = load_network()
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    print("\n".join(machine_lines(versions)))
    print(
        f"- {args.profiles} profiles per row, as of {AS_OF}, seed {args.seed};"
        f" clock: {args.clock} ({'processor time' if args.clock == 'cpu' else 'wall time'})\n"
    )
    print(
        "| rules | profiles | evaluate µs (median / p99) | open fields µs (median / p99) "
        "| answer µs, as served | answer µs, without | added µs (median) "
        "| open (mean) | bytes |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for size in args.sizes.split(","):
        progress(f"rule base {size}…")
        base = load_rule_base() if size == "default" else generate_rule_base(int(size), 0)
        label = f"default ({len(base.rules)})" if size == "default" else f"{int(size):,}"
        for kind in KINDS:
            progress(f"  {kind}…")
            row = measure(label, base, network, kind, args.profiles, args.seed, CLOCKS[args.clock])
            evaluate, open_fields = micro(row.evaluate), micro(row.open_fields)
            served, without = micro(row.served), micro(row.without)
            print(
                f"| {row.size} | {row.kind} | {evaluate[0]:,.0f} / {evaluate[1]:,.0f} "
                f"| {open_fields[0]:,.0f} / {open_fields[1]:,.0f} "
                f"| {served[0]:,.0f} / {served[1]:,.0f} | {without[0]:,.0f} / {without[1]:,.0f} "
                f"| {served[0] - without[0]:,.0f} | {statistics.mean(row.found):.1f} "
                f"| {statistics.mean(row.extra_bytes):,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
