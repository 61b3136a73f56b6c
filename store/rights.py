"""A person's rights over their data (Ley 1581 de 2012, art. 8): to know everything Ruta
holds about them (access) and to have their identity erased (suppression).

The export holds the case with the identity, every version of the profile, every roadmap
given (receipt), every consent, every referral with its steps, and every read of the case.
The export is itself a read, and is logged before it is made.
"""

from __future__ import annotations

from typing import Any

from .access_log import accesses_of, record_access
from .cases import Cases, consent_events, receipt_info, scope_of
from .people import Principal
from .referral_store import referrals_of

__all__ = ["export_case"]


def export_case(cases: Cases, case_id: str, reader: Principal) -> dict[str, Any]:
    """Everything held about the person of case ``case_id``."""
    with cases.db.write() as session:
        row = cases.row(session, case_id, scope_of(reader))
        record_access(session, reader, row.id, "export")
        session.flush()
        person = cases.cipher.open(row.identity) if row.identity else None
        return {
            "case": cases.info(row, person, cases.history(session, row.id)).to_json(),
            "receipts": [receipt_info(r).to_json() for r in cases.receipt_rows(session, row.id)],
            "consents": [c.to_json() for c in consent_events(session, row.id)],
            "referrals": [r.to_json() for r in referrals_of(session, row.id)],
            "accesses": [a.to_json() for a in accesses_of(session, row.id)],
        }
