"""Load and check the partner network data; refuse it whole if anything is wrong.

Faults are reported with file, line and record id: an id referenced but never defined, a
service code not in the catalogue, a municipality outside its department or not listed, a
duplicate id, coordinates outside Colombia, a region or neighbour relation that does not add up.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.vocabulary import DEPARTMENTS
from engine.yaml_source import line_of, read_yaml

from .errors import DataProblem, NetworkDataError
from .models import (
    Department,
    DepartmentsFile,
    Institution,
    InstitutionsFile,
    MunicipalitiesFile,
    Municipality,
    NetworkPolicy,
    Office,
    OfficesFile,
    Region,
    RegionsFile,
)
from .network import Network, NetworkData, catalogue_codes

__all__ = ["POLICY_FILE", "default_data_dir", "load_network"]

#: The network's policy: how far to look once the land borders run out.
POLICY_FILE = "policy.yaml"

_Model = TypeVar("_Model", bound=BaseModel)


def default_data_dir() -> Path:
    """The default network shipped with Ruta."""
    return Path(__file__).resolve().parent / "data"


def load_network(directory: Path | str | None = None, rules_dir: Path | None = None) -> Network:
    """Read and check the network in ``directory``; service codes come from the catalogue of
    ``rules_dir`` (default: the default rule base). Raises :class:`NetworkDataError`."""
    folder = Path(directory) if directory is not None else default_data_dir()
    services = catalogue_codes(rules_dir)
    problems: list[DataProblem] = []
    raw: dict[str, Any] = {}
    names = [
        "departments.yaml",
        "municipalities.yaml",
        "regions.yaml",
        "offices.yaml",
        POLICY_FILE,
    ]
    institution_files = sorted((folder / "institutions").glob("*.yaml"))
    for name in names:
        if not (folder / name).is_file():
            problems.append(DataProblem(name, None, None, "", "is missing from the network data"))
    if not institution_files:
        problems.append(DataProblem("institutions/", None, None, "", "no institution files"))
    for path in [folder / n for n in names if (folder / n).is_file()] + institution_files:
        relative = path.relative_to(folder).as_posix()
        data, problem = read_yaml(path, relative)
        if problem is not None:
            problems.append(DataProblem(relative, problem.line, None, "", problem.message))
        else:
            raw[relative] = data
    if problems:
        raise NetworkDataError(problems)
    departments = _records(DepartmentsFile, raw, "departments.yaml", "departments", problems)
    municipalities = _records(
        MunicipalitiesFile, raw, "municipalities.yaml", "municipalities", problems
    )
    regions = _records(RegionsFile, raw, "regions.yaml", "regions", problems)
    offices = _records(OfficesFile, raw, "offices.yaml", "offices", problems)
    policy = _policy(raw, problems)
    institutions: list[tuple[str, int, Institution]] = []
    for path in institution_files:
        name = path.relative_to(folder).as_posix()
        institutions += _records(InstitutionsFile, raw, name, "institutions", problems)
    if not problems:
        _cross_check(
            departments, municipalities, regions, offices, institutions, services, raw, problems
        )
    if problems or policy is None:
        raise NetworkDataError(problems)
    return Network(
        services=services,
        data=NetworkData(
            departments=tuple(d for _, _, d in departments),
            municipalities=tuple(m for _, _, m in municipalities),
            regions=tuple(r for _, _, r in regions),
            offices=tuple(o for _, _, o in offices),
            institutions=tuple(i for _, _, i in institutions),
            policy=policy,
        ),
    )


def _policy(raw: dict[str, Any], problems: list[DataProblem]) -> NetworkPolicy | None:
    """The network's policy (``policy.yaml``); faults go to ``problems``."""
    data = raw.get(POLICY_FILE)
    if not isinstance(data, dict):
        problems.append(DataProblem(POLICY_FILE, 1, None, "", "must be a mapping with 'nearest:'"))
        return None
    try:
        return NetworkPolicy.model_validate(data)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            line, path = line_of(data, tuple(item["loc"]))
            problems.append(DataProblem(POLICY_FILE, line, None, path, _message(item)))
        return None


def _records(
    model: type[_Model], raw: dict[str, Any], name: str, key: str, problems: list[DataProblem]
) -> list[tuple[str, int, Any]]:
    """The records of one file as (file, index, record); faults go to ``problems``."""
    data = raw.get(name)
    if not isinstance(data, dict):
        problems.append(DataProblem(name, 1, None, "", f"must be a mapping with '{key}:'"))
        return []
    try:
        checked = model.model_validate(data)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            line, path = line_of(data, loc)
            problems.append(DataProblem(name, line, _item_id(data, key, loc), path, _message(item)))
        return []
    return [(name, index, record) for index, record in enumerate(getattr(checked, key))]


def _item_id(data: Any, key: str, loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == key and isinstance(loc[1], int):
        items = data.get(key)
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            found = items[loc[1]].get("id", items[loc[1]].get("code"))
            return str(found) if found is not None else None
    return None


def _message(item: Any) -> str:
    kind, message = item["type"], str(item["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"unknown key '{item['loc'][-1]}'"
    if kind == "missing":
        return f"missing required key '{item['loc'][-1]}'"
    return message


def _cross_check(
    departments: list[tuple[str, int, Department]],
    municipalities: list[tuple[str, int, Municipality]],
    regions: list[tuple[str, int, Region]],
    offices: list[tuple[str, int, Office]],
    institutions: list[tuple[str, int, Institution]],
    services: frozenset[str],
    raw: dict[str, Any],
    problems: list[DataProblem],
) -> None:
    def report(file: str, index: int, key: str, item: str, path: str, message: str) -> None:
        line, _ = line_of(raw[file], (key, index, *path.split(".")) if path else (key, index))
        problems.append(DataProblem(file, line, item, path, message))

    _duplicates(departments, "departments", lambda d: d.code, report)
    _duplicates(municipalities, "municipalities", lambda m: m.code, report)
    _duplicates(regions, "regions", lambda r: r.id, report)
    _duplicates(offices, "offices", lambda o: o.id, report)
    _duplicates(institutions, "institutions", lambda i: i.id, report)
    by_code = {d.code: d for _, _, d in departments}
    missing = sorted(set(DEPARTMENTS) - set(by_code))
    if missing:
        problems.append(
            DataProblem(
                "departments.yaml", None, None, "", f"departments missing: {', '.join(missing)}"
            )
        )
    for file, index, department in departments:
        for code in department.neighbours:
            other = by_code.get(code)
            if other is not None and department.code not in other.neighbours:
                report(
                    file,
                    index,
                    "departments",
                    department.code,
                    "neighbours",
                    f"borders {code}, but {code} does not list {department.code} back",
                )
    places = {m.code for _, _, m in municipalities} | {
        d.capital.municipality for d in by_code.values()
    }
    region_of: dict[str, str] = {}
    for file, index, region in regions:
        for code in region.departments:
            if code in region_of:
                report(
                    file,
                    index,
                    "regions",
                    region.id,
                    "departments",
                    f"department {code} is already in region {region_of[code]}",
                )
            region_of.setdefault(code, region.id)
    region_ids = {r.id for _, _, r in regions}
    institution_ids = {i.id for _, _, i in institutions}
    for file, index, office in offices:
        if office.region not in region_ids:
            report(
                file,
                index,
                "offices",
                office.id,
                "region",
                f"region '{office.region}' is not defined in regions.yaml"
                + _hint(office.region, region_ids),
            )
        elif region_of.get(office.municipality[:2]) != office.region:
            report(
                file,
                index,
                "offices",
                office.id,
                "municipality",
                f"{office.municipality} lies outside the departments of region {office.region}",
            )
        _check_places(
            [office.municipality], places, file, index, "offices", office.id, "municipality", report
        )
        for partner in office.partners:
            if partner not in institution_ids:
                report(
                    file,
                    index,
                    "offices",
                    office.id,
                    "partners",
                    f"partner '{partner}' is not a defined institution"
                    + _hint(partner, institution_ids),
                )
    for file, index, institution in institutions:
        for code in institution.services:
            if code not in services:
                report(
                    file,
                    index,
                    "institutions",
                    institution.id,
                    "services",
                    f"unknown service code '{code}'{_hint(code, services)};"
                    " the codes are in rules/catalogue.yaml",
                )
        _check_places(
            [institution.municipality],
            places,
            file,
            index,
            "institutions",
            institution.id,
            "municipality",
            report,
        )
        _check_places(
            institution.serves.municipalities,
            places,
            file,
            index,
            "institutions",
            institution.id,
            "serves.municipalities",
            report,
        )


def _check_places(
    codes: list[str],
    places: set[str],
    file: str,
    index: int,
    key: str,
    item: str,
    path: str,
    report: Any,
) -> None:
    for code in codes:
        if code not in places:
            report(
                file,
                index,
                key,
                item,
                path,
                f"municipality {code} is not listed in municipalities.yaml",
            )


def _duplicates(records: list[tuple[str, int, Any]], key: str, ident: Any, report: Any) -> None:
    seen: dict[str, str] = {}
    for file, index, record in records:
        name = ident(record)
        if name in seen:
            report(file, index, key, name, "", f"duplicate id; already defined in {seen[name]}")
        seen.setdefault(name, file)


def _hint(name: str, known: set[str] | frozenset[str]) -> str:
    matches = get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
