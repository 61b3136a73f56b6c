"""The loader refuses bad network data whole, naming file, line, record and fault.

Each test copies the default data (``network/data/``) to a temporary folder and breaks it in one
way: either by an edit made here (faults in the default files: offices, departments,
municipalities) or by laying a case of ``tests/broken_network/`` over it (faults in an added
institution file; each case describes its expected problem in its header, see the README
there). A refused network raises :class:`NetworkDataError` and returns nothing; the network
already in service is untouched.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine import load_rule_base
from network import (
    POLICY_FILE,
    DataProblem,
    Network,
    NetworkDataError,
    default_data_dir,
    load_network,
)

PREFERENCE = load_rule_base().referral_preference

BROKEN_DIR = Path(__file__).parent / "broken_network"


@pytest.fixture(scope="module")
def in_service() -> Network:
    return load_network()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the default network data."""
    folder = tmp_path / "data"
    shutil.copytree(default_data_dir(), folder)
    return folder


def refused(folder: Path) -> list[DataProblem]:
    with pytest.raises(NetworkDataError) as caught:
        load_network(folder)
    problems = caught.value.problems
    assert problems
    text = str(caught.value)
    assert text.startswith("the partner network was refused:")
    for problem in problems:
        assert str(problem) in text
    return problems


def the_problem(problems: list[DataProblem], words: str) -> DataProblem:
    """The one problem whose message contains ``words``."""
    found = [p for p in problems if words in p.message]
    assert len(found) == 1, "\n".join(str(p) for p in problems)
    return found[0]


def first_line(path: Path, pattern: str) -> int:
    """1-based line of the first line of ``path`` matching the regular expression."""
    return next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if re.search(pattern, text)
    )


def append(path: Path, text: str) -> int:
    """Append ``text`` (records of the file's top-level list); return its first line."""
    current = path.read_text()
    if not current.endswith("\n"):
        current += "\n"
    path.write_text(current + text)
    return current.count("\n") + 1


def record_lines(path: Path, marker: str) -> tuple[int, int]:
    """First and last line (1-based) of the list item opening with ``marker``."""
    lines = path.read_text().splitlines()
    start = next(n for n, text in enumerate(lines) if text.startswith(marker))
    end = start + 1
    while end < len(lines) and not lines[end].startswith("  - "):
        end += 1
    return start + 1, end


def region_of(network: Network, department: str) -> str:
    return next(r.id for r in network.data.regions if department in r.departments)


# --- faults in the default files, made here --------------------------------------------------


def test_an_undefined_partner_is_refused_with_a_suggestion(data: Path, in_service: Network) -> None:
    offices = data / "offices.yaml"
    first = append(
        offices,
        "  - id: oam-test\n"
        "    name: Oficina de prueba\n"
        '    municipality: "54001"\n'
        f"    region: {region_of(in_service, '54')}\n"
        "    partners:\n"
        "      - centro-migraciones-cucuta\n"
        "      - centro-migraciones-cucta\n"
        "    status: illustrative\n",
    )
    problem = the_problem(refused(data), "partner 'centro-migraciones-cucta'")
    assert problem.file == "offices.yaml"
    assert problem.item == "oam-test"
    assert problem.line == first + 4  # the 'partners:' key
    assert "is not a defined institution" in problem.message
    assert "did you mean 'centro-migraciones-cucuta'" in problem.message


def test_an_office_outside_its_region_is_refused(data: Path, in_service: Network) -> None:
    other = region_of(in_service, "76")
    assert other != region_of(in_service, "54")
    first = append(
        data / "offices.yaml",
        "  - id: oam-test\n"
        "    name: Oficina de prueba\n"
        '    municipality: "54001"\n'
        f"    region: {other}\n"
        "    status: illustrative\n",
    )
    problem = the_problem(refused(data), "lies outside the departments of region")
    assert problem.file == "offices.yaml"
    assert problem.item == "oam-test"
    assert problem.line == first + 2
    assert problem.message == f"54001 lies outside the departments of region {other}"


def test_an_office_in_an_undefined_region_is_refused(data: Path, in_service: Network) -> None:
    region = region_of(in_service, "54")
    first = append(
        data / "offices.yaml",
        "  - id: oam-test\n"
        "    name: Oficina de prueba\n"
        '    municipality: "54001"\n'
        f"    region: {region}x\n"
        "    status: illustrative\n",
    )
    problem = the_problem(refused(data), "is not defined in regions.yaml")
    assert (problem.file, problem.line, problem.item) == ("offices.yaml", first + 3, "oam-test")
    assert f"did you mean '{region}'" in problem.message


def test_coordinates_outside_colombia_are_refused(data: Path) -> None:
    line = append(
        data / "municipalities.yaml",
        '  - {code: "54003", name: Ábrego, lat: 8.0803, lon: 73.2217}\n',
    )
    problem = the_problem(refused(data), "outside Colombia")
    assert (problem.file, problem.line, problem.item) == ("municipalities.yaml", line, "54003")
    assert "(8.0803, 73.2217)" in problem.message
    assert "longitudes are negative" in problem.message


def test_an_asymmetric_neighbour_is_refused(data: Path) -> None:
    departments = data / "departments.yaml"
    start, end = record_lines(departments, '  - code: "97"')
    lines = departments.read_text().splitlines(keepends=True)
    where = next(n for n in range(start - 1, end) if "neighbours: [" in lines[n])
    lines[where] = lines[where].replace("neighbours: [", 'neighbours: ["88", ', 1)
    departments.write_text("".join(lines))
    problem = the_problem(refused(data), "does not list 97 back")
    assert (problem.file, problem.line, problem.item) == ("departments.yaml", where + 1, "97")
    assert problem.message == "borders 88, but 88 does not list 97 back"


def test_a_missing_department_is_refused(data: Path) -> None:
    departments = data / "departments.yaml"
    start, end = record_lines(departments, '  - code: "99"')
    lines = departments.read_text().splitlines(keepends=True)
    departments.write_text("".join(lines[: start - 1] + lines[end:]))
    problems = refused(data)
    problem = the_problem(problems, "departments missing")
    assert problem.file == "departments.yaml"
    assert problem.message == "departments missing: 99"
    # The neighbours still naming 99 are not reported as a second fault.
    assert len(problems) == 1, "\n".join(str(p) for p in problems)


def test_an_unknown_key_in_a_default_file_is_refused(data: Path) -> None:
    regions = data / "regions.yaml"
    line = first_line(regions, r"^  - id: ")  # the first region
    text = regions.read_text().splitlines(keepends=True)
    text.insert(line, "    colour: blue\n")
    regions.write_text("".join(text))
    problem = the_problem(refused(data), "unknown key 'colour'")
    assert (problem.file, problem.line) == ("regions.yaml", line + 1)
    assert problem.item is not None


def test_a_yaml_syntax_error_in_a_default_file_is_refused(data: Path) -> None:
    municipalities = data / "municipalities.yaml"
    line = append(municipalities, '  - {code: "54003", name: Ábrego, lat: 8.08\n')
    problem = the_problem(refused(data), "YAML")
    assert problem.file == "municipalities.yaml"
    assert problem.line is not None and problem.line >= line


def test_a_missing_file_is_refused(data: Path) -> None:
    (data / "regions.yaml").unlink()
    problem = the_problem(refused(data), "is missing")
    assert (problem.file, problem.line) == ("regions.yaml", None)


def test_a_missing_policy_file_is_refused(data: Path) -> None:
    (data / POLICY_FILE).unlink()
    problem = the_problem(refused(data), "is missing")
    assert (problem.file, problem.line) == (POLICY_FILE, None)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("departments: -1", "greater than or equal to 0"),
        ("departments: many", "valid integer"),
        ("max_km: 0", "greater than 0"),
        ("farthest: 3", "unknown key 'farthest'"),
    ],
)
def test_a_bad_nearest_policy_is_refused_with_its_line(data: Path, value: str, words: str) -> None:
    policy = data / POLICY_FILE
    key = value.partition(":")[0]
    lines = policy.read_text().splitlines(keepends=True)
    at = next((n for n, text in enumerate(lines) if text.strip().startswith(f"{key}:")), None)
    if at is None:  # a key the file does not have: added first under nearest
        at = first_line(policy, r"^nearest:")
        lines.insert(at, "")
    lines[at] = f"  {value}\n"
    line = at + 1
    policy.write_text("".join(lines))
    problem = the_problem(refused(data), words)
    assert (problem.file, problem.line) == (POLICY_FILE, line)
    assert problem.path == f"nearest.{key}"


def test_the_policy_is_part_of_the_version(data: Path, in_service: Network) -> None:
    policy = data / POLICY_FILE
    policy.write_text(policy.read_text().replace("max_km: 1000", "max_km: 900"))
    changed = load_network(data)
    assert changed.policy.nearest.max_km == 900
    assert changed.version != in_service.version


def test_every_fault_is_reported_at_once(data: Path, in_service: Network) -> None:
    append(
        data / "offices.yaml",
        "  - id: oam-test\n"
        "    name: Oficina de prueba\n"
        '    municipality: "54001"\n'
        f"    region: {region_of(in_service, '54')}\n"
        "    partners: [nobody-at-all]\n"
        "    status: illustrative\n",
    )
    for case in ("unknown_service", "duplicate_institution_id"):
        shutil.copy(
            BROKEN_DIR / case / "institutions" / "zz-broken.yaml",
            data / "institutions" / f"zz-{case}.yaml",
        )
    messages = [p.message for p in refused(data)]
    assert any("partner 'nobody-at-all'" in m for m in messages)
    assert any("unknown service code" in m for m in messages)
    assert any("duplicate id" in m for m in messages)


# --- the network in service ------------------------------------------------------------------


def test_a_refused_network_leaves_the_one_in_service_untouched(
    data: Path, in_service: Network
) -> None:
    version = in_service.version
    before = in_service.select_targets("HUM_TEMPORARY_SHELTER", "54001", k=3, preference=PREFERENCE)
    shutil.copytree(BROKEN_DIR / "unknown_service", data, dirs_exist_ok=True)
    loaded = None
    with pytest.raises(NetworkDataError):
        loaded = load_network(data)
    assert loaded is None
    assert in_service.version == version
    assert (
        in_service.select_targets("HUM_TEMPORARY_SHELTER", "54001", k=3, preference=PREFERENCE)
        == before
    )
    assert "test-shelter" not in in_service.institutions


def test_a_copy_of_the_default_data_loads_with_the_same_version(
    data: Path, in_service: Network
) -> None:
    copy = load_network(data)
    assert copy.version == in_service.version
    append(
        data / "municipalities.yaml",
        '  - {code: "54003", name: Ábrego, lat: 8.0803, lon: -73.2217}\n',
    )
    changed = load_network(data)
    assert changed.version != in_service.version
    assert "54003" in changed.municipalities


# --- cases of tests/broken_network/ ----------------------------------------------------------

_HEADER = re.compile(r"^#\s*(?P<key>fault|expect-[a-z]+)\s*:\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class Expected:
    file: str
    line: int | None
    item: str | None
    messages: tuple[str, ...]
    xfail: str | None


def read_expectations(case: Path) -> list[Expected]:
    found = []
    for path in sorted(case.rglob("*.yaml")):
        header: dict[str, list[str]] = {}
        for text in path.read_text().splitlines():
            matched = _HEADER.match(text)
            if not matched:
                break
            header.setdefault(matched["key"], []).append(matched["value"])
        if "expect-line" not in header:
            continue
        line = header["expect-line"][0]
        item = header.get("expect-item", ["none"])[0]
        found.append(
            Expected(
                file=path.relative_to(case).as_posix(),
                line=None if line == "none" else int(line),
                item=None if item == "none" else item,
                messages=tuple(header.get("expect-message", [])),
                xfail=header.get("expect-xfail", [None])[0],
            )
        )
    return found


def _cases() -> list[Any]:
    params = []
    for case in sorted(p for p in BROKEN_DIR.iterdir() if p.is_dir()):
        expected = read_expectations(case)
        marks = [
            pytest.mark.xfail(strict=True, reason=f"bug in network/: {e.xfail}")
            for e in expected
            if e.xfail
        ]
        params.append(pytest.param(case, expected, id=case.name, marks=marks))
    return params


@pytest.mark.parametrize(("case", "expected"), _cases())
def test_a_broken_data_set_is_refused_with_file_line_and_item(
    data: Path, case: Path, expected: list[Expected]
) -> None:
    assert expected, f"{case.name} has no file with an expect-line header"
    shutil.copytree(case, data, dirs_exist_ok=True)
    problems = refused(data)
    for wanted in expected:
        matching = [
            p
            for p in problems
            if p.file == wanted.file
            and p.line == wanted.line
            and p.item == wanted.item
            and all(words in p.message for words in wanted.messages)
        ]
        assert matching, f"expected {wanted}\ngot:\n" + "\n".join(str(p) for p in problems)
