"""Time of one referral-target selection on the default partner network and a generated one.

Run it from the repository root::

    .venv/bin/python bench/network.py [--calls N] [--institutions N] [--seed S] [--k K]

What is measured
    ``Network.select_targets(service, municipality, k, preference=...)`` under the default
    rule base's referral preference, one call per random (service, municipality) pair, timed
    with ``time.perf_counter_ns`` after a warm-up of 500 calls, on
    (the network keeps the answers it has given; before each timed call they are forgotten, so
    the figure is the work of a selection, not the look-up of a kept answer):

    - **default**: the shipped network, ``network.load_network()`` (``network/data/``);
    - **generated**: a network of 5,000 institutions (``--institutions``) spread over all 33
      departments, made here with a seeded ``random.Random``: the departments' real capitals
      and neighbours are taken from the default data, ten municipalities per department are
      made up around each capital, and each institution gets 1–4 catalogue services, an area
      served (a few municipalities, its department, a few departments, or the whole country),
      a capacity (unknown, zero or 1–100), an active flag, now and then a Hogar de Paso tag;
      the offices and regions of the default data, with partners drawn from the institutions.

    Each network is measured twice: with no referral counted this week, and with an
    ``Occupancy`` (``, occupancy`` rows) counting referrals at half the institutions with a
    stated capacity, anything from none to twice it (about a quarter of those full); working
    out which of the counts a selection depends on is part of the timed call.

    Pairs are drawn uniformly from the catalogue's services and from municipalities: three in
    ten are well-formed codes absent from the data (matched by department), the rest listed
    municipalities or capitals. Both networks get the same number of calls.

How to read the table
    ``build``: for the default network, ``load_network()`` (reading and checking the YAML files,
    then building the graph) and, in brackets, ``Network(data)`` alone; for the generated one,
    ``Network(data)`` (the records are made before the clock starts). ``median`` and ``p99``:
    wall time of one selection, in microseconds; ``calls/s``: calls divided by the sum of their
    times, on one core. ``targets``: mean number of targets returned; ``fallback``: share of
    calls where another department filled in (over land or, once the borders run out, the
    nearest as the crow flies). ``gaps()``: one full coverage table
    (33 departments × services). Target: a median under 200 µs per selection.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file, named network.py,
# would shadow the ``network`` package it measures: take the folder off before importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from engine import load_rule_base  # noqa: E402
from engine.loader import CATALOGUE_FILE, default_rules_dir  # noqa: E402
from engine.rule_model import Catalogue  # noqa: E402
from engine.yaml_source import read_yaml  # noqa: E402
from network import Level, Network, NetworkData, Occupancy, load_network  # noqa: E402
from network.models import Contact, Institution, Municipality, Office, Serves  # noqa: E402

# The packages measured are imported; now this folder's helpers can come from the end of the path.
sys.path.append(str(_HERE))
from machine import machine_lines, progress  # noqa: E402

WARM_UP = 500
TARGET_US = 200.0
ABSENT_SHARE = 0.3
KINDS = ("national_entity", "departmental", "municipal", "ngo", "international")


# --- the generated network ---------------------------------------------------------------------


def catalogue_codes() -> list[str]:
    data, problem = read_yaml(default_rules_dir() / CATALOGUE_FILE, CATALOGUE_FILE)
    if problem is not None:
        raise SystemExit(f"bench: {problem}")
    return sorted(s.code for s in Catalogue.model_validate(data).services)


def generate_network_data(base: NetworkData, count: int, seed: int) -> NetworkData:
    """``count`` institutions over the 33 departments of ``base`` (its capitals, neighbours,
    regions and offices), with ten made-up municipalities per department."""
    rng = random.Random(seed)
    services = catalogue_codes()
    municipalities = []
    for department in base.departments:
        capital = department.capital
        for number in range(2, 12):
            code = f"{department.code}{number * 7:03d}"
            lat = min(max(capital.lat + rng.uniform(-0.8, 0.8), -4.3), 13.5)
            lon = min(max(capital.lon + rng.uniform(-0.8, 0.8), -82.0), -66.8)
            municipalities.append(
                Municipality(code=code, name=f"Municipio {code}", lat=lat, lon=lon)
            )
    by_department: dict[str, list[str]] = {
        d.code: [d.capital.municipality] for d in base.departments
    }
    for municipality in municipalities:
        by_department[municipality.code[:2]].append(municipality.code)
    codes = sorted(by_department)
    institutions = []
    for number in range(count):
        department = codes[number % len(codes)] if number < len(codes) else rng.choice(codes)
        located = rng.choice(by_department[department])
        area = rng.random()
        if area < 0.02:
            serves = Serves(national=True)
        elif area < 0.35:
            serves = Serves(departments=[department])
        elif area < 0.45:
            others = rng.sample(codes, rng.randint(1, 3))
            serves = Serves(departments=sorted({department, *others}))
        else:
            places = rng.sample(by_department[department], rng.randint(1, 3))
            serves = Serves(municipalities=sorted({located, *places}))
        capacity = rng.random()
        institutions.append(
            Institution(
                id=f"gen-{number:05d}",
                name=f"Institución generada {number}",
                kind=rng.choice(KINDS),
                services=rng.sample(services, rng.randint(1, 4)),
                serves=serves,
                municipality=located,
                contact=Contact(email=f"gen{number}@example.org"),
                weekly_capacity=None
                if capacity < 0.3
                else 0
                if capacity < 0.35
                else rng.randint(1, 100),
                active=rng.random() < 0.95,
                tags=["hogar_de_paso"] if rng.random() < 0.01 else [],
                status="illustrative",
            )
        )
    ids = [i.id for i in institutions]
    offices = tuple(
        Office(
            id=office.id,
            name=office.name,
            municipality=office.municipality,
            region=office.region,
            partners=rng.sample(ids, 30),
            status=office.status,
        )
        for office in base.offices
    )
    return replace(
        base,
        municipalities=tuple(municipalities),
        offices=offices,
        institutions=tuple(institutions),
    )


# --- timing ------------------------------------------------------------------------------------


def random_pairs(network: Network, count: int, seed: int) -> list[tuple[str, str]]:
    """(service, municipality) pairs; about three in ten municipalities absent from the data."""
    rng = random.Random(seed)
    services = catalogue_codes()
    known = sorted(
        set(network.municipalities) | {d.capital.municipality for d in network.data.departments}
    )
    departments = sorted(network.departments)
    pairs = []
    for _ in range(count):
        if rng.random() < ABSENT_SHARE:
            while True:
                code = f"{rng.choice(departments)}{rng.randrange(1, 1000):03d}"
                if code not in network.municipalities:
                    break
        else:
            code = rng.choice(known)
        pairs.append((rng.choice(services), code))
    return pairs


@dataclass(frozen=True)
class Row:
    name: str
    institutions: int
    municipalities: int
    build_ms: float
    build_note: str
    median_us: float
    p99_us: float
    calls_per_s: float
    calls: int
    mean_targets: float
    fallback_share: float
    gaps_ms: float


def random_occupancy(network: Network, seed: int) -> Occupancy:
    """Referrals used this week at half the institutions with a stated capacity: anything from
    none to twice the capacity (so about a quarter of those are full)."""
    rng = random.Random(seed)
    return Occupancy(
        {
            i.id: rng.randint(0, 2 * i.weekly_capacity)
            for i in network.data.institutions
            if i.weekly_capacity and rng.random() < 0.5
        }
    )


def measure(
    name: str,
    network: Network,
    build_ms: float,
    note: str,
    calls: int,
    seed: int,
    k: int,
    occupancy: Occupancy | None = None,
) -> Row:
    pairs = random_pairs(network, calls + WARM_UP, seed)
    select = network.select_targets
    preference = load_rule_base().referral_preference
    for service, municipality in pairs[:WARM_UP]:
        select(service, municipality, k, preference=preference, occupancy=occupancy)
    times = []
    targets = 0
    fallbacks = 0
    clock = time.perf_counter_ns
    for service, municipality in pairs[WARM_UP:]:
        network.forget_selections()
        start = clock()
        selection = select(service, municipality, k, preference=preference, occupancy=occupancy)
        times.append(clock() - start)
        targets += len(selection.targets)
        fallbacks += any(t.level >= Level.NEIGHBOUR for t in selection.targets)
    times.sort()
    start = time.perf_counter()
    network.gaps()
    gaps_ms = (time.perf_counter() - start) * 1000
    return Row(
        name=name,
        institutions=len(network.institutions),
        municipalities=len(network.municipalities),
        build_ms=build_ms,
        build_note=note,
        median_us=statistics.median(times) / 1000,
        p99_us=times[min(len(times) - 1, int(len(times) * 0.99))] / 1000,
        calls_per_s=len(times) / (sum(times) / 1e9),
        calls=len(times),
        mean_targets=targets / len(times),
        fallback_share=fallbacks / len(times),
        gaps_ms=gaps_ms,
    )


# --- report ------------------------------------------------------------------------------------


def machine_facts(calls: int, seed: int, k: int) -> list[str]:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("networkx", "pydantic"))
    return [
        "## Network benchmark: select_targets",
        "",
        *machine_lines(versions),
        f"- {calls:,} random (service, municipality) pairs per network, k={k}, seed {seed},"
        f" {ABSENT_SHARE:.0%} of municipalities absent from the data; warm-up {WARM_UP} calls",
    ]


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| network | institutions | municipalities | build | median µs | p99 µs | calls/s"
        " | targets (mean) | fallback | gaps() | median < 200 µs |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for row in rows:
        build = f"{row.build_ms:,.0f} ms" + (f" ({row.build_note})" if row.build_note else "")
        lines.append(
            f"| {row.name} | {row.institutions:,} | {row.municipalities:,} | {build}"
            f" | {row.median_us:.1f} | {row.p99_us:.1f} | {row.calls_per_s:,.0f}"
            f" | {row.mean_targets:.2f} | {row.fallback_share:.0%} | {row.gaps_ms:,.0f} ms"
            f" | {'yes' if row.median_us < TARGET_US else 'NO'} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="timed calls per network")
    parser.add_argument("--institutions", type=int, default=5_000, help="generated network size")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--k", type=int, default=3, help="targets asked per call")
    args = parser.parse_args()

    progress("loading the default network…")
    start = time.perf_counter()
    default = load_network()
    load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    Network(default.data)
    build_ms = (time.perf_counter() - start) * 1000
    rows = [
        measure(
            "default", default, load_ms, f"graph {build_ms:,.0f} ms", args.calls, args.seed, args.k
        ),
        measure(
            "default, occupancy",
            default,
            load_ms,
            f"graph {build_ms:,.0f} ms",
            args.calls,
            args.seed,
            args.k,
            random_occupancy(default, args.seed),
        ),
    ]

    progress(f"generating a network of {args.institutions:,} institutions…")
    data = generate_network_data(default.data, args.institutions, args.seed)
    start = time.perf_counter()
    generated = Network(data)
    build_ms = (time.perf_counter() - start) * 1000
    for occupancy in (None, random_occupancy(generated, args.seed)):
        rows.append(
            measure(
                f"generated ({args.institutions:,})" + (", occupancy" if occupancy else ""),
                generated,
                build_ms,
                "graph",
                args.calls,
                args.seed + 1,
                args.k,
                occupancy,
            )
        )
    print("\n".join([*machine_facts(args.calls, args.seed, args.k), "", *table(rows)]))
    slow = [row.name for row in rows if row.median_us >= TARGET_US]
    if slow:
        print(f"\nTarget not met (median ≥ {TARGET_US:.0f} µs): {', '.join(slow)}")


if __name__ == "__main__":
    main()
