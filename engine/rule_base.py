"""A validated rule base: the protocols as the engine runs them, with a version and a hash.

The hash is computed over the rule base's content as it is written: manifest, catalogue, and
each rule file — its name, its group title and its rules in order. Any edit — a threshold, a
label, a legal reference, a rule moved to another file — gives a new hash, so a result always
says exactly which protocols produced it, and two rule bases with one hash are written out as
the same files (line numbers and comments aside).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from texts import both

from .referrals import ReferralPreference
from .rule_model import Catalogue, Manifest, Rule, ServiceEntry, Text
from .vocabulary import Area

__all__ = ["DEFAULT_GROUP", "DEFAULT_RULE_FILE", "RuleBase", "RuleFileLayout", "RuleSource"]

#: Where a rule built in memory without a source is filed (a rule base read from files always
#: knows each rule's file).
DEFAULT_RULE_FILE = "rules.yaml"
#: The group title of a rule file whose title the rule base was not given.
_ENGLISH, _SPANISH = both("rules.default_group")
DEFAULT_GROUP = Text(es=_SPANISH, en=_ENGLISH)


@dataclass(frozen=True)
class RuleSource:
    """Where a rule was written: its file (relative to the rule base folder) and line."""

    file: str
    line: int | None


@dataclass(frozen=True)
class RuleFileLayout:
    """One rule file of the rule base: its name, its group title and its rules, in order."""

    file: str
    group: Text
    rules: tuple[Rule, ...]


@dataclass(frozen=True, eq=False)
class RuleBase:
    """Manifest, service catalogue and rules, already checked by the loader.

    ``sources[i]`` says where ``rules[i]`` was written; ``groups`` holds each rule file's group
    title (the ``group:`` at the top of the file), by file name.
    """

    manifest: Manifest
    catalogue: Catalogue
    rules: tuple[Rule, ...]
    sources: tuple[RuleSource, ...] = field(default=())
    groups: Mapping[str, Text] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Read-only whatever mapping was given (a plain dict when unpickled, see __reduce__).
        object.__setattr__(self, "groups", MappingProxyType(dict(self.groups)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with ``groups`` as a plain dict, since a read-only view cannot be: the
        simulation sends rule bases to its worker processes."""
        fields = (self.manifest, self.catalogue, self.rules, self.sources, dict(self.groups))
        return (RuleBase, fields)

    @property
    def version(self) -> str:
        return self.manifest.version

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of the content; equal content, equal hash.

        The content is the manifest, the catalogue and, for each rule file in name order, its
        name, group title and rules in the order written. Line numbers are not part of it.
        """
        content = {
            "manifest": self.manifest.model_dump(mode="json", by_alias=True),
            "catalogue": self.catalogue.model_dump(mode="json", by_alias=True),
            "files": [
                {
                    "file": layout.file,
                    "group": layout.group.model_dump(mode="json"),
                    "rules": [r.model_dump(mode="json", by_alias=True) for r in layout.rules],
                }
                for layout in self.layout
            ],
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def layout(self) -> tuple[RuleFileLayout, ...]:
        """The rule files, in name order, each with its rules in the order written.

        A rule without a source is filed under :data:`DEFAULT_RULE_FILE`, and a file without a
        group title gets :data:`DEFAULT_GROUP`.
        """
        by_file: dict[str, list[Rule]] = {}
        for index, rule in enumerate(self.rules):
            name = self.sources[index].file if index < len(self.sources) else DEFAULT_RULE_FILE
            by_file.setdefault(name, []).append(rule)
        return tuple(
            RuleFileLayout(name, self.groups.get(name, DEFAULT_GROUP), tuple(by_file[name]))
            for name in sorted(by_file)
        )

    @cached_property
    def services(self) -> dict[str, ServiceEntry]:
        return {s.code: s for s in self.catalogue.services}

    @cached_property
    def service_areas(self) -> dict[str, Area]:
        return {s.code: s.area for s in self.catalogue.services}

    @cached_property
    def area_rank(self) -> dict[Area, int]:
        """Each area's place in the roadmap (``roadmap.area_order`` of ``base.yaml``; 0 first)."""
        return {area: rank for rank, area in enumerate(self.manifest.roadmap.area_order)}

    @cached_property
    def referral_preference(self) -> ReferralPreference:
        """The referral preferences of ``base.yaml``, for the partner network's choices."""
        return ReferralPreference.of(self.manifest.referrals, self.service_areas)

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def source_of(self, rule_id: str) -> RuleSource | None:
        for rule, source in zip(self.rules, self.sources, strict=False):
            if rule.id == rule_id:
                return source
        return None
