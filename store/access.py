"""Roles and what each may do, read from ``access.yaml`` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

__all__ = ["Access", "access"]

_FILE = Path(__file__).resolve().parent / "access.yaml"


@dataclass(frozen=True)
class Access:
    """The roles (with their names in Spanish and English) and the permissions they hold."""

    roles: dict[str, dict[str, str]]
    permissions: dict[str, frozenset[str]]

    def may(self, role: str, permission: str) -> bool:
        """Whether ``role`` holds ``permission`` (an unknown permission is held by nobody)."""
        return role in self.permissions.get(permission, frozenset())

    def roles_for(self, permission: str) -> list[str]:
        return sorted(self.permissions.get(permission, frozenset()))


@cache
def access() -> Access:
    """The access policy shipped with Ruta; refused at start-up if it names unknown roles."""
    data: Any = YAML(typ="safe").load(_FILE.read_text(encoding="utf-8"))
    roles = {str(name): dict(labels) for name, labels in data["roles"].items()}
    permissions = {}
    for permission, holders in data["permissions"].items():
        unknown = [holder for holder in holders if holder not in roles]
        if unknown:
            raise ValueError(f"access.yaml: permission {permission} names unknown roles {unknown}")
        permissions[str(permission)] = frozenset(str(holder) for holder in holders)
    return Access(roles, permissions)
