"""Generated rule bases of any size, for capacity tests and benchmarks.

Each generated rule is a conjunction of two to four simple tests on the profile — equality
(``return_kind == deported``), set membership (``department in [05, 11, 54]``) and numeric
ranges (``age >= 60``) — recommending one service of the default catalogue. Such rules translate
directly into other engines (CLIPS, zen-engine), which the benchmarks compare against.
"""

from __future__ import annotations

import random
from typing import Any

from .fields import FieldKind, FieldSpec, profile_fields
from .loader import CATALOGUE_FILE, MANIFEST_FILE, default_rules_dir, rule_base_from_data
from .rule_base import RuleBase
from .vocabulary import DEPARTMENTS, Priority
from .yaml_source import read_yaml

__all__ = ["NUMBER_RANGES", "generate_rule_base", "generated_rules"]

#: The ranges that generated thresholds (and the benchmarks' random profiles) are drawn from.
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "age": (0, 90),
    "years_abroad": (0, 20),
    "months_since_return": (0, 36),
    "children_unregistered": (0, 4),
    "school_age_children": (0, 4),
}


def generated_rules(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` rules as rule-file data (dicts), the same for the same ``seed``."""
    rng = random.Random(seed)
    fields = profile_fields()
    services = _catalogue_codes()
    equality = [f for f in fields.values() if f.kind in (FieldKind.CHOICE, FieldKind.BOOLEAN)]
    choice_fields = [f.name for f in equality if f.kind is FieldKind.CHOICE]
    rules = []
    for number in range(count):
        chosen: dict[str, dict[str, Any]] = {}
        size = rng.randint(2, 4)
        while len(chosen) < size:
            kind = rng.random()
            if kind < 0.4:
                spec = rng.choice(equality)
                chosen.setdefault(spec.name, _equality(rng, spec))
            elif kind < 0.65:
                name = "department" if rng.random() < 0.5 else rng.choice(choice_fields)
                chosen.setdefault(name, _membership(rng, fields[name]))
            else:
                name = rng.choice(list(NUMBER_RANGES))
                low, high = NUMBER_RANGES[name]
                chosen.setdefault(
                    name,
                    {
                        "field": name,
                        "op": rng.choice(["<", "<=", ">", ">="]),
                        "value": rng.randint(low, high),
                    },
                )
        rules.append(
            {
                "id": f"G{number:05d}",
                "title": {"es": f"Regla generada {number}", "en": f"Generated rule {number}"},
                "status": "illustrative",
                "legal_basis": [],
                "when": {"all": list(chosen.values())},
                "recommend": [
                    {
                        "service": rng.choice(services),
                        "priority": rng.choice([p.value for p in Priority]),
                    }
                ],
            }
        )
    return rules


def generate_rule_base(count: int, seed: int = 0) -> RuleBase:
    """A checked rule base of ``count`` generated rules over the default catalogue."""
    folder = default_rules_dir()
    manifest, _ = read_yaml(folder / MANIFEST_FILE, MANIFEST_FILE)
    catalogue, _ = read_yaml(folder / CATALOGUE_FILE, CATALOGUE_FILE)
    manifest = dict(manifest)
    manifest["version"] = f"generated-{count}-{seed}"
    rule_file = {
        "group": {"es": "Generadas", "en": "Generated"},
        "rules": generated_rules(count, seed),
    }
    return rule_base_from_data(manifest, catalogue, {"generated.yaml": rule_file})


def _equality(rng: random.Random, spec: FieldSpec) -> dict[str, Any]:
    if spec.kind is FieldKind.BOOLEAN:
        return {"field": spec.name, "op": "==", "value": rng.random() < 0.5}
    return {"field": spec.name, "op": "==", "value": rng.choice(spec.choices)}


def _membership(rng: random.Random, spec: FieldSpec) -> dict[str, Any]:
    pool = sorted(DEPARTMENTS) if spec.name == "department" else list(spec.choices)
    values = rng.sample(pool, k=min(len(pool) - 1, rng.randint(2, 3)) or 1)
    return {"field": spec.name, "op": "in" if rng.random() < 0.8 else "not_in", "value": values}


def _catalogue_codes() -> list[str]:
    data, _ = read_yaml(default_rules_dir() / CATALOGUE_FILE, CATALOGUE_FILE)
    return [str(entry["code"]) for entry in data["services"]]
