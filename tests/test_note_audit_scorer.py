"""The note-quality scorer on example notes: exactly the expected criteria met, and why."""

from __future__ import annotations

from datetime import datetime

import pytest

from casetui.domain.note_audit import (
    CONCERNS,
    DATE_AND_TIME,
    DEFAULT_CRITERIA,
    ENOUGH_DETAIL,
    NEXT_STEPS,
    PERSON_CENTRED,
    RISK,
    WHAT_HAPPENED,
    Criterion,
    CriterionResult,
    NoteForAudit,
    keep_overrides,
    score_note,
)
from casetui.services.defaults import CRITERION_WEIGHTS

DEFAULTS = [Criterion(name, weight) for name, weight in CRITERION_WEIGHTS.items()]
AT = datetime(2026, 11, 20, 14, 30)
WELL_WRITTEN = (
    "Visited Amal at home with her sister. We discussed the letter from the landlord about "
    "rent arrears; Amal is worried she could lose the flat. No risk to her safety was seen "
    "today. Agreed that I will call the housing office on Friday and refer her to the money "
    "advice service."
)
NO_NEXT_STEPS = (
    "Visited Amal at home with her sister. We discussed the letter from the landlord about "
    "rent arrears; Amal is worried she could lose the flat. No risk to her safety was seen "
    "today. She showed me the letters and we read them through together at the kitchen table."
)
JUDGEMENTAL = WELL_WRITTEN + " She was non-compliant and manipulative about the rent."


def _note(summary: str, details: str, at: datetime = AT) -> NoteForAudit:
    return NoteForAudit(at, "Home visit", "Client", summary, details, ("Amal Haddad",))


EVERY = set(DEFAULT_CRITERIA)
EXAMPLES = {
    "well written": (_note("Home visit about the tenancy", WELL_WRITTEN), EVERY, 100),
    "vague": (_note("Spoke to client, all fine", ""), {DATE_AND_TIME}, 10),
    "no next steps": (
        _note("Home visit about the tenancy", NO_NEXT_STEPS),
        EVERY - {NEXT_STEPS},
        80,
    ),
    "judgemental": (
        _note("Home visit about the tenancy", JUDGEMENTAL),
        EVERY - {PERSON_CENTRED},
        85,
    ),
    "no time of day": (
        _note("Home visit about the tenancy", WELL_WRITTEN, AT.replace(hour=0, minute=0)),
        EVERY - {DATE_AND_TIME},
        90,
    ),
}


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_each_example_meets_exactly_the_expected_criteria(example: str) -> None:
    note, expected, score = EXAMPLES[example]
    scored = score_note(note, DEFAULTS)
    assert {r.name for r in scored.criteria if r.met} == expected
    assert scored.score == score
    assert [r.name for r in scored.criteria] == list(CRITERION_WEIGHTS)


def test_the_evidence_quotes_the_words_that_decided() -> None:
    by_name = {r.name: r for r in score_note(_note("Home visit", JUDGEMENTAL), DEFAULTS).criteria}
    assert by_name[DATE_AND_TIME].evidence == "date 20 Nov 2026 and time 14:30 recorded"
    assert by_name[NEXT_STEPS].evidence == "next steps: 'Agreed that I will call the housing…'"
    assert by_name[CONCERNS].evidence == "concerns: 'Amal is worried she could lose the flat'"
    assert by_name[PERSON_CENTRED].evidence.startswith("judgemental: '")
    assert "non-compliant" in by_name[PERSON_CENTRED].evidence
    assert by_name[ENOUGH_DETAIL].evidence.endswith("(at least 40 expected)")


def test_the_vague_note_says_why_each_criterion_failed() -> None:
    by_name = {
        r.name: r for r in score_note(_note("Spoke to client, all fine", ""), DEFAULTS).criteria
    }
    assert by_name[WHAT_HAPPENED].evidence == "no words of what happened beyond the summary"
    assert by_name[PERSON_CENTRED].evidence == "the person is not named, only called 'client'"
    assert by_name[ENOUGH_DETAIL].evidence == "5 words; at least 40 expected"
    assert by_name[RISK].met is False


def test_a_restricted_note_is_scored_but_its_words_are_not_repeated() -> None:
    note = NoteForAudit(AT, "Home visit", "Client", "Visit", WELL_WRITTEN, ("Amal",), True)
    scored = score_note(note, DEFAULTS)
    assert scored.score == 100
    steps = next(r for r in scored.criteria if r.name == NEXT_STEPS)
    assert "housing" not in steps.evidence and "restricted" in steps.evidence


def test_the_organisations_cues_replace_the_built_in_ones() -> None:
    own = [Criterion(NEXT_STEPS, 50, ("next visit",)), Criterion(CONCERNS, 50)]
    scored = score_note(_note("Visit", WELL_WRITTEN), own)
    assert [r.met for r in scored.criteria] == [False, True]
    assert scored.score == 50
    later = score_note(_note("Visit", WELL_WRITTEN + " Next visit on the 3rd."), own)
    assert later.criteria[0].evidence == "next steps: 'Next visit on the 3rd'"


def test_a_criterion_without_cues_the_scorer_does_not_know_is_never_met() -> None:
    scored = score_note(_note("Visit", WELL_WRITTEN), [Criterion("Consent recorded", 10)])
    assert scored.criteria[0].met is False
    assert scored.criteria[0].evidence == "no cues set for this criterion in administration"
    assert scored.score == 0
    own = score_note(
        _note("Visit", "Amal gave consent to share."), [Criterion("Consent", 10, ("consent",))]
    )
    assert own.criteria[0].met and own.score == 100


def test_a_cue_starts_a_word() -> None:
    own = [Criterion("Referral", 10, ("refer",))]
    assert score_note(_note("Visit", "She preferred tea."), own).score == 0
    assert score_note(_note("Visit", "She was referred on."), own).score == 100


def test_a_rescored_note_keeps_what_a_person_decided() -> None:
    fresh = (CriterionResult("A", 10, False, "new"), CriterionResult("B", 10, True, "b"))
    earlier = (CriterionResult("A", 10, True, "old", "sam", "said on the phone"),)
    kept = keep_overrides(fresh, earlier)
    assert kept[0] == CriterionResult("A", 10, True, "new", "sam", "said on the phone")
    assert kept[1] == fresh[1]
