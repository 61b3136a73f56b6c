"""A validated rule base: the protocols as the engine runs them, with a version and a hash.

The hash is computed over the rule base's content (manifest, catalogue and rules), so any edit
— a threshold, a label, a legal reference — gives a new hash, and a result always says exactly
which protocols produced it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from .referrals import ReferralPreference
from .rule_model import Catalogue, Manifest, Rule, ServiceEntry
from .vocabulary import Area

__all__ = ["RuleBase", "RuleSource"]


@dataclass(frozen=True)
class RuleSource:
    """Where a rule was written: its file (relative to the rule base folder) and line."""

    file: str
    line: int | None


@dataclass(frozen=True, eq=False)
class RuleBase:
    """Manifest, service catalogue and rules, already checked by the loader."""

    manifest: Manifest
    catalogue: Catalogue
    rules: tuple[Rule, ...]
    sources: tuple[RuleSource, ...] = field(default=())

    @property
    def version(self) -> str:
        return self.manifest.version

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of the content; equal content, equal hash."""
        content = {
            "manifest": self.manifest.model_dump(mode="json", by_alias=True),
            "catalogue": self.catalogue.model_dump(mode="json", by_alias=True),
            "rules": [r.model_dump(mode="json", by_alias=True) for r in self.rules],
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

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
