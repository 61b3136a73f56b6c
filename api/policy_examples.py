"""Examples of the governance endpoints' requests and answers, for the OpenAPI document.

They show the issue's worked example: policy author Ana moves P01's threshold from 3 to 4
years abroad, approver Marta publishes it. tests/test_api_contract.py checks that each fits
its schema.
"""

from __future__ import annotations

from typing import Any, Final

SEED: Final = "a020a1c683f14f71c19aee78510696c0172b56c488c7060f2044545633e9db57"
CHANGED: Final = "5173eb7dfe2834aa01feddfd24902859b8ff9b62c0d6406469d7f98a51e46c46"
DRAFT: Final = "5f0c2a9d41b7e3c8"

VERSION: Final[dict[str, Any]] = {
    "hash": CHANGED,
    "version": "2026.11.1",
    "parent": SEED,
    "author": "ana",
    "created_at": "2026-12-01T15:04:11.201000+00:00",
    "message": "P01: four years abroad, as the 2026 decree sets",
    "draft_id": DRAFT,
    "published": True,
}

PUBLICATION: Final[dict[str, Any]] = {
    "seq": 2,
    "hash": CHANGED,
    "kind": "publish",
    "actor": "marta",
    "at": "2026-12-01T15:20:42.918000+00:00",
    "reason": "P01: four years abroad, as the 2026 decree sets",
    "override_reason": "the 2026 decree changes P01's boundary; its cases are being rewritten",
    "draft_id": DRAFT,
}

VERSION_LIST: Final[dict[str, Any]] = {
    "published": CHANGED,
    "versions": [
        VERSION,
        {
            "hash": SEED,
            "version": "2026.11",
            "parent": None,
            "author": "ruta",
            "created_at": "2026-11-28T09:00:00+00:00",
            "message": "seeded from the rule files",
            "draft_id": None,
            "published": False,
        },
    ],
    "publications": [
        PUBLICATION,
        {
            "seq": 1,
            "hash": SEED,
            "kind": "seed",
            "actor": "ruta",
            "at": "2026-11-28T09:00:00+00:00",
            "reason": None,
            "override_reason": None,
            "draft_id": None,
        },
    ],
}

VERSION_DETAIL: Final[dict[str, Any]] = {
    **VERSION,
    "manifest": {
        "name": {"es": "Protocolos de atención al migrante retornado", "en": "Returnee protocols"},
        "version": "2026.11.1",
        "edition": "2026-11-01",
    },
    "catalogue": {"services": ["…27 services, as in catalogue.yaml…"]},
    "files": {"ley-retorno.yaml": {"rules": ["…P01–P07, as in the rule file…"]}},
}

DRAFT_CREATE: Final[dict[str, Any]] = {
    "from": "published",
    "message": "P01: four years abroad, as the 2026 decree sets",
}

DRAFT_OUT: Final[dict[str, Any]] = {
    "id": DRAFT,
    "from": SEED,
    "revision": 2,
    "status": "open",
    "author": "ana",
    "editors": ["ana"],
    "message": "P01: four years abroad, as the 2026 decree sets",
    "created_at": "2026-12-01T15:01:37.550000+00:00",
    "updated_at": "2026-12-01T15:03:02.114000+00:00",
    "submitted_by": None,
    "approved_by": None,
    "version": None,
}

DIFF: Final[dict[str, Any]] = {
    "from": SEED,
    "to": CHANGED,
    "rules": {
        "added": [],
        "removed": [],
        "changed": [
            {
                "id": "P01",
                "changes": [{"path": "when.all[1].value", "old": 3, "new": 4}],
            }
        ],
        "moved": [],
        "reordered": [],
    },
    "catalogue": {"added": [], "removed": [], "changed": [], "reordered": None},
    "manifest": [{"path": "version", "old": "2026.11", "new": "2026.11.1"}],
    "files": [],
}

SIMULATION_REQUEST: Final[dict[str, Any]] = {"synthetic": {"size": 100000, "seed": 7}}

SIMULATION: Final[dict[str, Any]] = {
    "id": "9c1e0f3b27a84d65",
    "draft_id": DRAFT,
    "draft_revision": 2,
    "before": SEED,
    "after": CHANGED,
    "source": "synthetic",
    "status": "done",
    "progress": {"done": 100000, "total": 100000},
    "created_by": "ana",
    "created_at": "2026-12-01T15:05:00.000000+00:00",
    "finished_at": "2026-12-01T15:05:31.000000+00:00",
    "result": {
        "profiles": 100000,
        "changed": 3051,
        "invalid": [],
        "services": [
            {
                "code": "LEGAL_RUR_REGISTRATION",
                "gained": 0,
                "lost": 3051,
                "priority_up": 0,
                "priority_down": 0,
                "by_department": {
                    "54": {"gained": 0, "lost": 412, "priority_up": 0, "priority_down": 0}
                },
                "examples": [
                    {
                        "change": "lost",
                        "profile": {
                            "age": 34,
                            "department": "54",
                            "municipality": "54001",
                            "years_abroad": 3.5,
                            "months_since_return": 1,
                            "return_kind": "voluntary",
                        },
                        "as_of": "2026-12-01",
                        "before": [{"code": "LEGAL_RUR_REGISTRATION", "priority": "normal"}],
                        "after": [],
                    }
                ],
            }
        ],
        "broken_cases": [
            {
                "name": "P01 at three years abroad exactly",
                "file": "ley-retorno.yaml",
                "line": 12,
                "differences": ["LEGAL_RUR_REGISTRATION: expected normal, not recommended"],
            }
        ],
    },
    "error": None,
}

TRAIL: Final[dict[str, Any]] = {
    "events": [
        {
            "seq": 42,
            "at": "2026-12-01T15:20:42.918000+00:00",
            "actor": "marta",
            "action": "published",
            "subject": CHANGED,
            "rule_ids": ["P01"],
            "reason": "the 2026 decree changes P01's boundary; its cases are being rewritten",
            "detail": {"version": CHANGED, "previous": SEED, "diff": DIFF},
            "prev_hash": "3b0f8e2c9d1a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
            "hash": "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b",
        }
    ],
    "next_after": None,
}

#: The trail's check when someone altered an event in the database (here the 43rd).
TRAIL_VERIFICATION: Final[dict[str, Any]] = {
    "ok": False,
    "events": 42,
    "broken_at": 43,
    "message": "event 43 was altered after it was written",
    "message_es": "el evento 43 fue alterado después de escribirse",
    "head": "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b",
}

MANIFEST: Final[dict[str, Any]] = VERSION_DETAIL["manifest"]
