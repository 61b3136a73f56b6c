"""Cases and referrals as a state machine driven through the API: any sequence of openings,
profile changes (with the right ETag, an older one or none), roadmaps, consents given and
withdrawn, proposals, moves of referrals (allowed or not, with or without a reason, with the
right ETag or not), erasures and reads, by caseworkers of two offices and an administrator,
leaves the API agreeing with a model written from issue 10 and ``store/referrals.yaml``:

- every referral's status and revision (its ETag), and every case's revision, are the model's;
- a refused request changes nothing: no row of any case table is added or changed;
- the access log grows by exactly one entry per request that read or changed a case, in order.

It runs on SQLite and, with ``RUTA_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from api.main import create_app
from api.settings import Settings
from network import load_network
from p01 import PERSON
from referral_oracle import expected_move, lifecycle
from store import Store
from tokens import bearer

POLICY = lifecycle()
NETWORK = load_network(None, None)
IDENTITY = {"name": "Hernán Ortiz Páez", "document_number": "CC 71.234.560", "phone": "3209876543"}
#: Who acts, and the office whose cases they see (``None``: every office).
OFFICES: dict[str, str | None] = {
    "carla": "oam-cucuta",
    "camilo": "oam-cucuta",
    "beto": "oam-bogota",
    "root": None,
}
#: The actors in the order Hypothesis tries them first: the usual caseworker first.
ACTORS = ["carla", "camilo", "root", "beto"]
PROFILES: list[dict[str, Any]] = [
    PERSON,
    {**PERSON, "years_abroad": 5, "return_kind": "deported", "has_funds": False},
    {**PERSON, "age": 16},
]
INVALID_PROFILE: dict[str, Any] = {**PERSON, "months_since_return": -1}
#: Institutions of the Cúcuta area serving what those profiles are recommended.
INSTITUTIONS = [
    "cancilleria-oam-norte-santander",
    "centro-integrate-cucuta",
    "sena-regional-norte-santander",
    "centro-migraciones-cucuta",
]
EVERY_REASON = sorted({r for listed in POLICY.reasons.values() for r in listed})
AS_OF = "2026-12-01"

#: Rows of every case table, revisions summed, and the lengths of what changes in place (a
#: profile, an identity, a status): a change to any of them moves one of these numbers.
FINGERPRINT = text(
    "SELECT (SELECT count(*) FROM cases), (SELECT coalesce(sum(revision), 0) FROM cases),"
    " (SELECT coalesce(sum(length(profile)), 0) FROM cases),"
    " (SELECT coalesce(sum(length(identity)), 0) FROM cases),"
    " (SELECT count(*) FROM case_profiles), (SELECT count(*) FROM receipts),"
    " (SELECT count(*) FROM consents),"
    " (SELECT coalesce(sum(CASE WHEN given THEN 1 ELSE 0 END), 0) FROM consents),"
    " (SELECT count(*) FROM referrals), (SELECT coalesce(sum(revision), 0) FROM referrals),"
    " (SELECT coalesce(sum(length(status)), 0) FROM referrals),"
    " (SELECT count(*) FROM referral_events), (SELECT count(*) FROM access_log)"
)


@dataclass
class World:
    client: TestClient
    store: Store
    headers: dict[str, dict[str, str]]


@pytest.fixture
def world(store_url: str) -> Iterator[World]:
    config = Settings(
        database_url=store_url, data_key=Fernet.generate_key().decode(), simulation_workers=1
    )
    with TestClient(create_app(config)) as client:
        store: Store = client.app.state.service.store  # type: ignore[attr-defined]
        headers = {
            name: bearer(
                store.add_user(
                    name, "admin" if office is None else "caseworker", by="t", office=office
                )
            )
            for name, office in OFFICES.items()
        }
        yield World(client, store, headers)


@dataclass
class ModelCase:
    office: str
    profile: dict[str, Any]
    revision: int = 1
    history: int = 1
    #: The services of each roadmap given, in order.
    receipts: list[list[str]] = field(default_factory=list)
    consents: list[tuple[str, bool]] = field(default_factory=list)
    erased: bool = False

    def consented(self, institution: str) -> bool:
        latest = [given for at, given in self.consents if at == institution]
        return bool(latest) and latest[-1]


@dataclass
class ModelReferral:
    case: str
    institution: str
    status: str = POLICY.start
    revision: int = 1


def sees(who: str, office: str) -> bool:
    return OFFICES[who] is None or OFFICES[who] == office


class CasesMachine(RuleBasedStateMachine):
    cases = Bundle("cases")
    referrals = Bundle("referrals")

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.client = world.client
        self.model_cases: dict[str, ModelCase] = {}
        self.model_referrals: dict[str, ModelReferral] = {}
        self.expected_log: list[tuple[str, str, str]] = []
        with world.store.db.engine.connect() as connection:
            last = connection.execute(text("SELECT max(seq) FROM access_log")).scalar_one()
        #: The access log's last entry checked, and how many expected entries it covers.
        self.seen, self.checked = int(last or 0), 0

    # -- requests -------------------------------------------------------------------------------

    def _fingerprint(self) -> tuple[int, ...]:
        with self.world.store.db.engine.connect() as connection:
            return tuple(int(v) for v in connection.execute(FINGERPRINT).one())

    def call(
        self,
        who: str,
        method: str,
        path: str,
        body: Any = None,
        etag: str | None = None,
        expect: int | None = None,
        code: str | None = None,
    ) -> Any:
        """One request as ``who``; a refused one must change nothing."""
        headers = dict(self.world.headers[who])
        if etag is not None:
            headers["If-Match"] = etag
        before = self._fingerprint()
        answer = self.client.request(method, path, json=body, headers=headers)
        if answer.status_code >= 400:
            assert self._fingerprint() == before, f"{method} {path} refused, yet changed the store"
        event(f"{method} {answer.status_code}")
        if expect is not None:
            assert answer.status_code == expect, (method, path, answer.status_code, answer.text)
        if code is not None:
            assert answer.json()["error"]["code"] == code, answer.text
        return answer

    def logged(self, who: str, case_id: str, action: str) -> None:
        self.expected_log.append((who, case_id, action))

    @staticmethod
    def etag_for(record: str, revision: int, kind: str) -> str | None:
        if kind == "none":
            return None
        return f'"{record}.{revision - 1 if kind == "stale" else revision}"'

    # -- cases ----------------------------------------------------------------------------------

    @initialize(target=referrals)
    def a_referral_proposed(self) -> Any:
        """Every run starts with a case of Cúcuta's with a roadmap and a referral proposed, the
        person having consented to its institution."""
        case = str(self.open_case("carla", PROFILES[0], "oam-cucuta"))
        self.recommend(case, "carla")
        service = self.model_cases[case].receipts[-1][0]
        [institution, *_] = (i for i in INSTITUTIONS if service in NETWORK.institutions[i].services)
        self.consent(case, "carla", institution, True)
        return self._propose(case, "carla", service, institution)

    @rule(
        target=cases,
        who=st.sampled_from(ACTORS),
        profile=st.sampled_from(PROFILES),
        office=st.sampled_from(["oam-cucuta", "oam-bogota"]),
    )
    def open_case(self, who: str, profile: dict[str, Any], office: str) -> str:
        mine = OFFICES[who] or office
        body: dict[str, Any] = {"profile": profile, "person": IDENTITY}
        if OFFICES[who] is None:
            body["office"] = office
        answer = self.call(who, "POST", "/v1/cases", body, expect=201)
        case_id = str(answer.json()["id"])
        assert answer.json()["office"] == mine and answer.json()["revision"] == 1
        self.model_cases[case_id] = ModelCase(mine, profile)
        self.logged(who, case_id, "open")
        return case_id

    @rule(
        case=cases,
        who=st.sampled_from(ACTORS),
        profile=st.sampled_from([*PROFILES, INVALID_PROFILE]),
        etag=st.sampled_from(["right", "stale", "none"]),
    )
    def change_profile(self, case: str, who: str, profile: dict[str, Any], etag: str) -> None:
        model = self.model_cases[case]
        tag = self.etag_for(case, model.revision, etag)
        path = f"/v1/cases/{case}/profile"
        if profile is INVALID_PROFILE:
            self.call(who, "PUT", path, {"profile": profile}, tag, 422, "invalid_profile")
        elif etag == "none":
            self.call(who, "PUT", path, {"profile": profile}, tag, 428, "precondition_required")
        elif not sees(who, model.office):
            self.call(who, "PUT", path, {"profile": profile}, tag, 404, "not_found")
        elif etag == "stale":
            self.call(who, "PUT", path, {"profile": profile}, tag, 412, "precondition_failed")
        else:
            answer = self.call(who, "PUT", path, {"profile": profile}, tag, 200)
            model.revision += 1
            model.history += 1
            model.profile = profile
            assert answer.headers["ETag"] == f'"{case}.{model.revision}"'
            self.logged(who, case, "change_profile")

    @rule(case=cases, who=st.sampled_from(ACTORS))
    def recommend(self, case: str, who: str) -> None:
        model = self.model_cases[case]
        path = f"/v1/cases/{case}/recommendations"
        if not sees(who, model.office):
            self.call(who, "POST", path, {"as_of": AS_OF}, expect=404, code="not_found")
            return
        answer = self.call(who, "POST", path, {"as_of": AS_OF}, expect=201)
        model.receipts.append([s["code"] for s in answer.json()["services"]])
        assert answer.json()["receipt"] == len(model.receipts)
        self.logged(who, case, "recommend")

    @rule(
        case=cases,
        who=st.sampled_from(ACTORS),
        institution=st.sampled_from([*INSTITUTIONS, "no-such-place"]),
        given=st.booleans(),
    )
    def consent(self, case: str, who: str, institution: str, given: bool) -> None:
        model = self.model_cases[case]
        path = f"/v1/cases/{case}/consents"
        body = {"institution_id": institution, "given": given}
        if institution not in NETWORK.institutions:
            self.call(who, "POST", path, body, expect=422, code="invalid_request")
        elif not sees(who, model.office):
            self.call(who, "POST", path, body, expect=404, code="not_found")
        else:
            self.call(who, "POST", path, body, expect=201)
            model.consents.append((institution, given))
            self.logged(who, case, "consent" if given else "withdraw_consent")

    @rule(case=cases, who=st.sampled_from(["root", "carla"]))
    def erase(self, case: str, who: str) -> None:
        model = self.model_cases[case]
        path = f"/v1/cases/{case}/person"
        if who != "root":
            self.call(who, "DELETE", path, expect=403, code="forbidden")
            return
        answer = self.call(who, "DELETE", path, expect=200)
        if not model.erased:
            model.erased, model.revision = True, model.revision + 1
        assert answer.json()["person"] is None
        assert answer.json()["revision"] == model.revision
        self.logged(who, case, "erase")

    # -- referrals ------------------------------------------------------------------------------

    def _propose(self, case: str, who: str, service: str, institution: str) -> Any:
        model = self.model_cases[case]
        latest = model.receipts[-1] if model.receipts else []
        path = f"/v1/cases/{case}/referrals"
        body = {"service": service, "institution_id": institution}
        if not sees(who, model.office):
            self.call(who, "POST", path, body, expect=404, code="not_found")
        elif not model.receipts:
            self.call(who, "POST", path, body, expect=409, code="conflict")
        elif service not in latest:
            answer = self.call(who, "POST", path, body, expect=422, code="invalid_request")
            assert answer.json()["error"]["problems"][0]["field"] == "service"
        elif service not in NETWORK.institutions[institution].services:
            answer = self.call(who, "POST", path, body, expect=422, code="invalid_request")
            assert answer.json()["error"]["problems"][0]["field"] == "institution_id"
        else:
            answer = self.call(who, "POST", path, body, expect=201)
            referral_id = str(answer.json()["id"])
            assert answer.json()["receipt"] == len(model.receipts)
            assert answer.headers["ETag"] == f'"{referral_id}.1"'
            self.model_referrals[referral_id] = ModelReferral(case, institution)
            self.logged(who, case, "refer")
            return referral_id
        return multiple()

    @rule(
        target=referrals,
        case=cases,
        who=st.sampled_from(ACTORS),
        service=st.sampled_from(["LEGAL_RUR_REGISTRATION", "HUM_FOOD_AID", "NOT_A_SERVICE"]),
        institution=st.sampled_from(INSTITUTIONS),
    )
    def propose_anything(self, case: str, who: str, service: str, institution: str) -> Any:
        """Any proposal: mostly refused (no roadmap, a service it does not recommend, an
        institution that does not offer it, another office's case)."""
        return self._propose(case, who, service, institution)

    @precondition(lambda self: any(m.receipts for m in self.model_cases.values()))
    @rule(target=referrals, data=st.data())
    def propose_from_the_roadmap(self, data: st.DataObject) -> Any:
        """A proposal a caseworker would make: a service of the latest roadmap, to an
        institution offering it, on a case of their office."""
        case = data.draw(
            # In the order they were opened: ids are random, so sorting them would make the
            # same draws pick other cases from one run to the next.
            st.sampled_from([c for c, m in self.model_cases.items() if m.receipts])
        )
        model = self.model_cases[case]
        who = data.draw(st.sampled_from([w for w in ACTORS if sees(w, model.office)]))
        service = data.draw(st.sampled_from(model.receipts[-1]))
        offering = [i for i in INSTITUTIONS if service in NETWORK.institutions[i].services]
        institution = data.draw(st.sampled_from(offering or INSTITUTIONS))
        return self._propose(case, who, service, institution)

    @rule(referral=referrals, given=st.sampled_from([True, False]), data=st.data())
    def consent_to_a_referral(self, referral: str, given: bool, data: st.DataObject) -> None:
        """Consent given or withdrawn for the institution of one of the case's referrals."""
        model = self.model_referrals[referral]
        office = self.model_cases[model.case].office
        who = data.draw(st.sampled_from([w for w in ACTORS if sees(w, office)]))
        self.consent(model.case, who, model.institution, given)

    def _move(self, referral: str, who: str, to: str, reason: str | None, etag: str) -> None:
        model = self.model_referrals[referral]
        case = self.model_cases[model.case]
        allowed = POLICY.allowed(model.status)
        status, code = expected_move(
            POLICY,
            status=model.status,
            to=to,
            reason=reason,
            consent=case.consented(model.institution),
            if_match=etag,
            visible=sees(who, case.office),
        )
        event(f"move: {status} {code or to}")
        body = {"to": to, **({"reason": reason} if reason is not None else {})}
        tag = self.etag_for(referral, model.revision, etag)
        answer = self.call(
            who, "POST", f"/v1/referrals/{referral}/transitions", body, tag, status, code
        )
        if code == "invalid_transition":
            assert answer.json()["error"]["problems"][0]["allowed"] == list(allowed)
        elif code == "invalid_request":
            assert [p["field"] for p in answer.json()["error"]["problems"]] == ["reason"]
        if status == 200:
            model.status, model.revision = to, model.revision + 1
            assert answer.json()["status"] == to
            assert answer.json()["steps"][-1]["reason"] == reason
            assert answer.headers["ETag"] == f'"{referral}.{model.revision}"'
            self.logged(who, model.case, f"referral_{to}")

    @rule(
        referral=referrals,
        who=st.sampled_from(ACTORS),
        to=st.sampled_from([*POLICY.statuses, "bogus"]),
        reason=st.sampled_from([None, *EVERY_REASON, "nonsense"]),
        etag=st.sampled_from(["right", "stale", "none"]),
    )
    def move_anyhow(self, referral: str, who: str, to: str, reason: str | None, etag: str) -> None:
        """Any move: allowed or not, with any reason or none, any ETag, by anyone."""
        self._move(referral, who, to, reason, etag)

    @rule(referral=referrals, data=st.data())
    def move_on(self, referral: str, data: st.DataObject) -> None:
        """A move a caseworker of the office would make: one the status allows, with the
        referral's ETag and, where the policy lists reasons, one of them (or, at times, none)."""
        model = self.model_referrals[referral]
        office = self.model_cases[model.case].office
        allowed = POLICY.allowed(model.status)
        who = data.draw(st.sampled_from([w for w in ACTORS if sees(w, office)]))
        to = data.draw(st.sampled_from(allowed or POLICY.statuses))
        fitting = POLICY.reasons.get(to, ())
        reason = data.draw(st.sampled_from([*fitting, None])) if fitting else None
        self._move(referral, who, to, reason, "right")

    # -- reads ----------------------------------------------------------------------------------

    @rule(case=cases, who=st.sampled_from(ACTORS))
    def read_case(self, case: str, who: str) -> None:
        model = self.model_cases[case]
        if not sees(who, model.office):
            self.call(who, "GET", f"/v1/cases/{case}", expect=404, code="not_found")
            return
        answer = self.call(who, "GET", f"/v1/cases/{case}", expect=200)
        body = answer.json()
        assert answer.headers["ETag"] == f'"{case}.{model.revision}"'
        assert (body["revision"], body["profile"]) == (model.revision, model.profile)
        assert len(body["history"]) == model.history
        assert body["person"] == (None if model.erased else IDENTITY)
        self.logged(who, case, "read_case")

    @rule(case=cases, who=st.sampled_from(ACTORS), data=st.data())
    def read_receipts(self, case: str, who: str, data: st.DataObject) -> None:
        model = self.model_cases[case]
        number = data.draw(st.integers(0, len(model.receipts) + 1))
        path = f"/v1/cases/{case}/receipts" + (f"/{number}" if number else "")
        if not sees(who, model.office) or number > len(model.receipts):
            self.call(who, "GET", path, expect=404, code="not_found")
            return
        answer = self.call(who, "GET", path, expect=200)
        if number:
            services = [s["code"] for s in answer.json()["answer"]["services"]]
            assert services == model.receipts[number - 1]
            self.logged(who, case, "read_receipt")
        else:
            assert [r["number"] for r in answer.json()] == list(range(1, len(model.receipts) + 1))
            self.logged(who, case, "list_receipts")

    @rule(case=cases, who=st.sampled_from(ACTORS))
    def read_consents(self, case: str, who: str) -> None:
        model = self.model_cases[case]
        path = f"/v1/cases/{case}/consents"
        if not sees(who, model.office):
            self.call(who, "GET", path, expect=404, code="not_found")
            return
        answer = self.call(who, "GET", path, expect=200)
        assert [(c["institution_id"], c["given"]) for c in answer.json()] == model.consents
        self.logged(who, case, "list_consents")

    @rule(referral=referrals, who=st.sampled_from(ACTORS))
    def read_referral(self, referral: str, who: str) -> None:
        model = self.model_referrals[referral]
        office = self.model_cases[model.case].office
        if not sees(who, office):
            self.call(who, "GET", f"/v1/referrals/{referral}", expect=404, code="not_found")
            return
        answer = self.call(who, "GET", f"/v1/referrals/{referral}", expect=200)
        assert (answer.json()["status"], answer.json()["revision"]) == (
            model.status,
            model.revision,
        )
        assert answer.json()["allowed"] == list(POLICY.allowed(model.status))
        assert answer.headers["ETag"] == f'"{referral}.{model.revision}"'
        self.logged(who, model.case, "read_referral")

    # -- invariants -----------------------------------------------------------------------------

    @invariant()
    def every_record_agrees_with_the_model(self) -> None:
        listing = self.call("root", "GET", "/v1/cases?limit=200", expect=200)
        revisions = {c["id"]: c["revision"] for c in listing.json()["cases"]}
        assert {c: revisions.get(c) for c in self.model_cases} == {
            c: m.revision for c, m in self.model_cases.items()
        }
        # Which cases have referrals, from the table itself (a read through the API would be a
        # read of each case, in the log); then every referral as the API gives it.
        with self.world.store.db.engine.connect() as connection:
            counts: dict[str, int] = {
                str(case): int(count)
                for case, count in connection.execute(
                    text("SELECT case_id, count(*) FROM referrals GROUP BY case_id")
                )
            }
        referred = Counter(m.case for m in self.model_referrals.values())
        assert {c: counts.get(c, 0) for c in self.model_cases} == {
            c: referred[c] for c in self.model_cases
        }
        for case_id in sorted(referred):
            answer = self.call("root", "GET", f"/v1/cases/{case_id}/referrals", expect=200)
            self.logged("root", case_id, "list_referrals")
            found = {r["id"]: (r["status"], r["revision"]) for r in answer.json()}
            assert found == {
                r: (m.status, m.revision)
                for r, m in self.model_referrals.items()
                if m.case == case_id
            }

    @invariant()
    def the_access_log_holds_exactly_the_reads_and_changes_made(self) -> None:
        """The entries added since the last check are the ones expected since then (entries
        are only ever added: the fingerprint counts them)."""
        entries: list[tuple[str, str, str]] = []
        after: int | None = self.seen
        while after is not None:
            page = self.client.get(
                "/v1/access-log",
                params={"after": after, "limit": 1000},
                headers=self.world.headers["root"],
            ).json()
            entries += [(e["actor"], e["case_id"], e["action"]) for e in page["entries"]]
            self.seen = max([self.seen, *(e["seq"] for e in page["entries"])])
            after = page["next_after"]
        assert entries == self.expected_log[self.checked :]
        self.checked = len(self.expected_log)


def test_the_cases_api_agrees_with_its_model(world: World) -> None:
    class OnThisStore(CasesMachine):
        def __init__(self) -> None:
            super().__init__(world)

    run_state_machine_as_test(
        OnThisStore,
        settings=settings(
            max_examples=25,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
