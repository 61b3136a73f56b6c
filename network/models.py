"""The partner network's records as office staff write them (see docs/network-format.md)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.rule_model import Text
from engine.vocabulary import DEPARTMENTS

__all__ = [
    "Capital",
    "Contact",
    "Department",
    "DepartmentsFile",
    "Institution",
    "InstitutionKind",
    "InstitutionsFile",
    "MunicipalitiesFile",
    "Municipality",
    "NearestPolicy",
    "NetworkPolicy",
    "Office",
    "OfficesFile",
    "Region",
    "RegionsFile",
    "Serves",
]

# Colombia's bounding box, San Andrés and Providencia included.
_LATITUDE = (-4.3, 13.5)
_LONGITUDE = (-82.0, -66.8)
_ID = r"^[a-z0-9][a-z0-9_-]*$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_municipality(code: str) -> str:
    if len(code) != 5 or not code.isdigit() or code[:2] not in DEPARTMENTS:
        raise ValueError(
            f"'{code}' is not a municipality code: 5 digits, in quotes, starting with a"
            " department code"
        )
    return code


def _check_department(code: str) -> str:
    if code not in DEPARTMENTS:
        raise ValueError(f"'{code}' is not a DIVIPOLA department code (2 digits, in quotes)")
    return code


class _Located(_Record):
    lat: float
    lon: float

    @model_validator(mode="after")
    def _in_colombia(self) -> _Located:
        if not (_LATITUDE[0] <= self.lat <= _LATITUDE[1]) or not (
            _LONGITUDE[0] <= self.lon <= _LONGITUDE[1]
        ):
            raise ValueError(
                f"coordinates ({self.lat}, {self.lon}) are outside Colombia: check the order"
                " (lat, lon) and the signs (longitudes are negative)"
            )
        return self


class Capital(_Located):
    """A department's capital: the point distances between departments are measured from."""

    name: str
    municipality: str

    @field_validator("municipality")
    @classmethod
    def _municipality_code(cls, code: str) -> str:
        return _check_municipality(code)


class Department(_Record):
    """A department and the departments it borders."""

    code: str
    name: str
    capital: Capital
    neighbours: list[str] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _department_code(cls, code: str) -> str:
        return _check_department(code)

    @field_validator("neighbours")
    @classmethod
    def _known(cls, codes: list[str]) -> list[str]:
        return [_check_department(c) for c in codes]

    @model_validator(mode="after")
    def _capital_inside(self) -> Department:
        if self.capital.municipality[:2] != self.code:
            raise ValueError(
                f"the capital's municipality {self.capital.municipality} lies outside"
                f" department {self.code}"
            )
        return self


class Municipality(_Located):
    code: str
    name: str

    @field_validator("code")
    @classmethod
    def _municipality_code(cls, code: str) -> str:
        return _check_municipality(code)


class Region(_Record):
    """A roadmap region: the departments whose returnees follow one set of roadmaps."""

    id: str = Field(pattern=_ID)
    name: Text
    departments: list[str] = Field(min_length=1)

    @field_validator("departments")
    @classmethod
    def _known(cls, codes: list[str]) -> list[str]:
        return [_check_department(c) for c in codes]


class Contact(_Record):
    phone: str | None = None
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    web: str | None = Field(None, pattern=r"^https?://\S+$")


class RecordStatus(StrEnum):
    IN_FORCE = "in_force"
    ILLUSTRATIVE = "illustrative"


class Office(_Record):
    """An Oficina de Atención al Migrante and the institutions it has agreements with."""

    id: str = Field(pattern=_ID)
    name: str
    municipality: str
    region: str
    address: str | None = None
    contact: Contact = Field(default_factory=Contact)
    partners: list[str] = Field(default_factory=list)
    status: RecordStatus

    @field_validator("municipality")
    @classmethod
    def _municipality_code(cls, code: str) -> str:
        return _check_municipality(code)


class InstitutionKind(StrEnum):
    NATIONAL_ENTITY = "national_entity"
    DEPARTMENTAL = "departmental"
    MUNICIPAL = "municipal"
    NGO = "ngo"
    INTERNATIONAL = "international"
    OAM_OFFICE = "oam_office"


class Serves(_Record):
    """Where an institution takes referrals: everywhere, or listed departments/municipalities."""

    national: bool = False
    departments: list[str] = Field(default_factory=list)
    municipalities: list[str] = Field(default_factory=list)

    @field_validator("departments")
    @classmethod
    def _departments(cls, codes: list[str]) -> list[str]:
        return [_check_department(c) for c in codes]

    @field_validator("municipalities")
    @classmethod
    def _municipalities(cls, codes: list[str]) -> list[str]:
        return [_check_municipality(c) for c in codes]

    @model_validator(mode="after")
    def _somewhere(self) -> Serves:
        if not (self.national or self.departments or self.municipalities):
            raise ValueError("say where it serves: national: true, departments or municipalities")
        return self


class Institution(_Record):
    """A partner institution that takes referrals for some services of the catalogue."""

    id: str = Field(pattern=_ID)
    name: str
    kind: InstitutionKind
    services: list[str] = Field(min_length=1)
    serves: Serves
    municipality: str
    address: str | None = None
    contact: Contact = Field(default_factory=Contact)
    languages: list[str] = Field(default_factory=lambda: ["es"])
    hours: Text | None = None
    weekly_capacity: int | None = Field(None, ge=0)
    active: bool = True
    tags: list[str] = Field(default_factory=list)
    status: RecordStatus

    @field_validator("municipality")
    @classmethod
    def _municipality_code(cls, code: str) -> str:
        return _check_municipality(code)

    @property
    def department(self) -> str:
        return self.municipality[:2]


class NearestPolicy(_Record):
    """How far Ruta looks for a provider once the land borders run out (``policy.yaml``).

    For caseworkers: a person whose municipality, department, national entities and the
    departments reached over land leave fewer referrals than asked for (San Andrés, an island,
    has no land neighbour) is offered the providers of the departments whose capitals are
    nearest as the crow flies, nearest first: the ``departments`` nearest departments not
    reached over land, none farther than ``max_km`` (whether or not they have a provider).
    ``departments: 0`` turns this last step off.
    """

    departments: int = Field(ge=0)
    max_km: float = Field(gt=0)


class NetworkPolicy(_Record):
    """The network's own choices about where to look for a referral (``policy.yaml``)."""

    nearest: NearestPolicy


class DepartmentsFile(_Record):
    departments: list[Department] = Field(min_length=1)


class MunicipalitiesFile(_Record):
    municipalities: list[Municipality] = Field(min_length=1)


class RegionsFile(_Record):
    regions: list[Region] = Field(min_length=1)


class OfficesFile(_Record):
    offices: list[Office] = Field(min_length=1)


class InstitutionsFile(_Record):
    institutions: list[Institution] = Field(min_length=1)
