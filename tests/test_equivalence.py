"""The solver's comparison of two rule bases: a difference it finds shows when evaluated, and
a rule base it calls equivalent answers every profile alike (the proof behind the mutation
score's *equivalent* mutants)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from audit import compare_rule_bases, mutants_of
from engine import Evaluation, ProfileError, ReferenceEvaluator, RuleBaseDocuments, RuleBaseError
from strategies import as_of_dates, rule_base_documents, valid_profiles


def _answer(result: Evaluation) -> tuple[Any, ...]:
    """Everything a protocol case can check, as ``engine.check_case`` reads it."""
    return (
        result.priorities(),
        {s.code: sorted(s.rules) for s in result.suppressed},
        {s.code: sorted(n.rule for n in s.notes) for s in result.services if s.notes},
        sorted(f.id for f in result.fired),
    )


def test_the_shipped_base_is_equivalent_to_itself_and_not_to_a_slip() -> None:
    documents = RuleBaseDocuments.from_directory()
    base = documents.to_rule_base()
    assert compare_rule_bases(base, base).verdict == "equivalent"
    rule = documents.rule("P16") or {}
    rule["when"]["all"][1]["any"][0]["value"] = 61  # age >= 60 → age >= 61
    slipped = documents.with_rule("P16", rule).to_rule_base()
    found = compare_rule_bases(base, slipped)
    assert found.verdict == "differ" and found.witness is not None
    assert found.witness["profile"]["age"] == 60
    day = date.fromisoformat(found.witness["as_of"])
    before = ReferenceEvaluator(base).evaluate(found.witness["profile"], day)
    after = ReferenceEvaluator(slipped).evaluate(found.witness["profile"], day)
    assert before.priorities()["HEALTH_SUBSIDIZED_ENROLLMENT"] == "high"
    assert "P16" not in {f.id for f in after.fired}


@settings(max_examples=40)
@given(rule_base_documents(max_rules=6), st.data())
def test_a_mutant_the_solver_compares_is_told_apart_by_its_witness_or_answers_alike(
    documents: RuleBaseDocuments, data: st.DataObject
) -> None:
    """For a random mutant of a random rule base (regions, dates, notes, suppressions and
    ``not`` included): a witness of a difference gives two different answers when evaluated by
    the reference evaluator, and a mutant called equivalent answers random profiles on random
    days exactly as the rule base does."""
    mutants = mutants_of(documents)
    if not mutants:
        return
    mutant = data.draw(st.sampled_from(mutants))
    try:
        changed = documents.with_rule(mutant.rule, mutant.edited).to_rule_base()
    except RuleBaseError:
        return
    original = documents.to_rule_base()
    found = compare_rule_bases(original, changed)
    assert found.verdict in ("differ", "equivalent")
    event(found.verdict)
    one, other = ReferenceEvaluator(original), ReferenceEvaluator(changed)
    if found.verdict == "differ":
        assert found.witness is not None
        day = date.fromisoformat(found.witness["as_of"])
        profile = found.witness["profile"]
        assert _answer(one.evaluate(profile, day)) != _answer(other.evaluate(profile, day))
        return
    for _ in range(20):
        profile, day = data.draw(valid_profiles()), data.draw(as_of_dates())
        try:
            expected = _answer(one.evaluate(profile, day))
        except ProfileError:
            continue
        assert _answer(other.evaluate(profile, day)) == expected
