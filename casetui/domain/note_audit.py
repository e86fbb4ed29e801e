"""What makes a good case note, checked the same way every time: the note-quality scorer.

Each criterion looks for cues (words and phrases, or a field such as the contact time) in a
note and says met or not met with the words that decided it, so a caseworker can see why.
The score is the met criteria's share of the total weight, out of 100. No network and no
model: the same note with the same criteria always gets the same score.

An organisation may give a criterion its own cues (one a line); they replace the built-in
ones. A criterion the scorer does not know and that has no cues is never met: the evidence
says so, so an administrator sees what to add.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

# The seven default criteria (their names as the organisation's list holds them).
DATE_AND_TIME = "Date and time present"
WHAT_HAPPENED = "What happened"
CONCERNS = "Concerns raised"
NEXT_STEPS = "Actions and next steps"
RISK = "Risk indicators where relevant"
PERSON_CENTRED = "Person-centred language"
ENOUGH_DETAIL = "Enough detail"

# Words of the details (beyond the summary) a note needs before it says what happened.
WHAT_HAPPENED_WORDS = 8
# Words a note needs, summary and details together, to be detailed enough.
ENOUGH_WORDS = 40
# Characters of the note quoted either side of a cue in the evidence.
QUOTE_AROUND = 30
# Where the sentence quoted around a cue starts (after the last mark before it) and ends.
SENTENCE_START = re.compile(r"[.!?;\n](?=[^.!?;\n]*$)")
SENTENCE_END = re.compile(r"[.!?;\n]")

BUILT_IN_CUES: dict[str, tuple[str, ...]] = {
    WHAT_HAPPENED: (
        "discussed", "visited", "met", "called", "phoned", "spoke", "talked", "explained",
        "reviewed", "attended", "completed", "went", "helped", "supported", "said", "told",
        "asked", "reported", "showed", "shared", "gave", "filled", "looked",
    ),
    CONCERNS: (
        "concern", "worried", "worry", "worries", "raised", "anxious", "anxiety", "distress",
        "struggling", "upset", "issue", "problem", "difficult",
    ),
    NEXT_STEPS: (
        "will", "plan", "agreed", "next", "follow up", "follow-up", "refer", "arrange",
        "booked", "book", "to do", "due", "action",
    ),
    RISK: (
        "risk", "safe", "safety", "safeguarding", "harm", "self-harm", "suicid", "violence",
        "abuse", "threat", "danger", "eviction", "arrears", "overdose", "vulnerab",
    ),
    # Judgemental words: person-centred language is met when none of these is present.
    PERSON_CENTRED: (
        "non-compliant", "noncompliant", "manipulative", "attention seeking",
        "attention-seeking", "lazy", "hopeless", "junkie", "addict", "alcoholic",
        "frequent flyer", "time waster", "time-waster", "uncooperative", "difficult client",
        "challenging client", "refused to engage", "kicked off", "drunk", "demanding",
        "aggressive", "liar", "lying",
    ),
}  # fmt: skip
DEFAULT_CRITERIA = (
    DATE_AND_TIME, WHAT_HAPPENED, CONCERNS, NEXT_STEPS, RISK, PERSON_CENTRED, ENOUGH_DETAIL,
)  # fmt: skip
# Words that refer to the person when their name is not used (the person is still there).
PRONOUNS = ("she", "he", "they", "her", "him", "them", "his", "hers", "their")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class Criterion:
    """One line of the organisation's audit criteria: its name, share of 100 and cues."""

    name: str
    weight: int
    cues: tuple[str, ...] = ()  # the organisation's own; empty: the scorer's built-in ones


@dataclass(frozen=True)
class NoteForAudit:
    """What the scorer reads of a note (and the person it is about, to see them named)."""

    contact_at: datetime  # in the organisation's time zone
    activity_type: str
    contact_type: str
    summary: str
    details: str
    person_names: tuple[str, ...] = ()  # the client's name and preferred name
    restricted: bool = False  # evidence then names the cue, not the note's words


@dataclass(frozen=True)
class CriterionResult:
    """Met or not, and why; an auditor's override keeps who and their comment."""

    name: str
    weight: int
    met: bool
    evidence: str
    overridden_by: str | None = None
    comment: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name, "weight": self.weight, "met": self.met, "evidence": self.evidence,
            "overridden_by": self.overridden_by, "comment": self.comment,
        }  # fmt: skip


@dataclass(frozen=True)
class NoteScore:
    score: int
    criteria: tuple[CriterionResult, ...] = field(default_factory=tuple)


def score_of(results: Iterable[CriterionResult]) -> int:
    """The met criteria's share of the total weight, out of 100 (0 when nothing weighs)."""
    listed = list(results)
    total = sum(max(r.weight, 0) for r in listed)
    met = sum(max(r.weight, 0) for r in listed if r.met)
    return round(100 * met / total) if total else 0


def criteria_to_json(results: Sequence[CriterionResult]) -> str:
    return json.dumps([r.as_json() for r in results], ensure_ascii=False, separators=(",", ":"))


def criteria_from_json(text: str) -> tuple[CriterionResult, ...]:
    return tuple(
        CriterionResult(
            name=str(item["name"]),
            weight=int(item.get("weight") or 0),
            met=bool(item["met"]),
            evidence=str(item.get("evidence") or ""),
            overridden_by=item.get("overridden_by"),
            comment=item.get("comment"),
        )  # fmt: skip
        for item in json.loads(text)
    )


def keep_overrides(
    fresh: Sequence[CriterionResult], earlier: Sequence[CriterionResult]
) -> tuple[CriterionResult, ...]:
    """A re-scored note keeps what a person decided: an overridden criterion stays as they
    set it (with the scorer's new evidence beside their comment)."""
    decided = {r.name: r for r in earlier if r.overridden_by}
    kept = []
    for result in fresh:
        person = decided.get(result.name)
        if person is None:
            kept.append(result)
        else:
            kept.append(
                replace(
                    result, met=person.met, overridden_by=person.overridden_by,
                    comment=person.comment,
                )
            )  # fmt: skip
    return tuple(kept)


# --- the scorer --------------------------------------------------------------------------------


class _Text:
    """A note's words, folded once, with the cue look-ups the criteria share."""

    def __init__(self, note: NoteForAudit) -> None:
        self.note = note
        self.summary = note.summary or ""
        self.details = note.details or ""
        self.whole = f"{self.summary}\n{self.details}".strip()
        # Lower case letter for letter, so a cue's place in it is its place in the note.
        lowered = self.whole.lower()
        if len(lowered) != len(self.whole):
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.whole)
        self.folded = lowered
        self.words = WORD.findall(self.folded)
        self.folded_words = set(self.words)

    def find(self, cues: tuple[str, ...]) -> tuple[str, int] | None:
        """The first cue in the note (as a word or the start of one), and where."""
        found = _cues_pattern(cues).search(self.folded)
        if found is None:
            return None
        return found.group(0), found.start()

    def quote(self, at: int, cue: str) -> str:
        """The words around a cue, as the evidence shows them (the cue alone when restricted)."""
        if self.note.restricted:
            return f"{cue!r} (restricted note: its words are not repeated here)"
        # The sentence the cue is in, cut to a window around the cue when it is long.
        before = SENTENCE_START.search(self.whole, 0, at)
        start = before.end() if before else 0
        after = SENTENCE_END.search(self.whole, at)
        end = after.start() if after else len(self.whole)
        cut_start, cut_end = start < at - QUOTE_AROUND, end > at + len(cue) + QUOTE_AROUND
        if cut_start:
            start = self.whole.find(" ", at - QUOTE_AROUND, at) + 1 or at
        if cut_end:
            end = self.whole.rfind(" ", at + len(cue), at + len(cue) + QUOTE_AROUND)
            end = end if end > 0 else at + len(cue)
        piece = " ".join(self.whole[start:end].split()).strip(" ,;.")
        return f"'{'…' if cut_start else ''}{piece}{'…' if cut_end else ''}'"


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _cues_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the cues at the start of a word: 'refer' finds 'referred', never 'preferred';
    one pattern for the list, so a note is read once per criterion."""
    pattern = _PATTERNS.get(cues)
    if pattern is None:
        alternatives = []
        for cue in cues:
            parts = [re.escape(p) for p in re.split(r"[\s\-]+", cue.strip().casefold()) if p]
            if parts:
                alternatives.append(r"[\s\-]+".join(parts))
        # Longest first, so "follow up" is quoted whole rather than as "follow".
        alternatives.sort(key=len, reverse=True)
        body = "|".join(alternatives) or r"(?!)"
        pattern = _PATTERNS[cues] = re.compile(rf"\b(?:{body})")
    return pattern


Check = Callable[["_Text", Criterion], tuple[bool, str]]


def _cues(criterion: Criterion) -> tuple[str, ...]:
    return criterion.cues or BUILT_IN_CUES.get(criterion.name, ())


def _date_and_time(text: _Text, criterion: Criterion) -> tuple[bool, str]:
    at = text.note.contact_at
    if at.hour == 0 and at.minute == 0:
        return False, f"date {at:%d %b %Y} recorded but no time of day (00:00)"
    return True, f"date {at:%d %b %Y} and time {at:%H:%M} recorded"


def _what_happened(text: _Text, criterion: Criterion) -> tuple[bool, str]:
    summary_words = set(WORD.findall(text.summary.lower()))
    beyond = [w for w in WORD.findall(text.details.lower()) if w not in summary_words]
    if len(beyond) < WHAT_HAPPENED_WORDS:
        if not beyond:
            return False, "no words of what happened beyond the summary"
        return False, (
            f"{len(beyond)} words beyond the summary; at least {WHAT_HAPPENED_WORDS} "
            "say what happened"
        )
    found = text.find(_cues(criterion))
    if found is None:
        return False, "no words saying what was done or discussed"
    cue, at = found
    return True, f"what happened: {text.quote(at, cue)}"


def _cue_met(label: str, missing: str) -> Check:
    def check(text: _Text, criterion: Criterion) -> tuple[bool, str]:
        found = text.find(_cues(criterion))
        if found is None:
            return False, missing
        cue, at = found
        return True, f"{label}: {text.quote(at, cue)}"

    return check


def _person_centred(text: _Text, criterion: Criterion) -> tuple[bool, str]:
    found = text.find(_cues(criterion))
    if found is not None:
        cue, at = found
        return False, f"judgemental: {text.quote(at, cue)}"
    for name in text.note.person_names:
        for part in WORD.findall(name):
            if len(part) > 1 and part.casefold() in text.folded_words:
                return True, f"no judgemental words; the person is named ({part})"
    pronoun = next((p for p in PRONOUNS if p in text.folded_words), None)
    if pronoun is not None:
        return True, f"no judgemental words; the person is referred to ('{pronoun}')"
    if "client" in text.folded_words:
        return False, "the person is not named, only called 'client'"
    return False, "the person the note is about is not referred to"


def _enough_detail(text: _Text, criterion: Criterion) -> tuple[bool, str]:
    # An organisation's cue here is the number of words it expects.
    wanted = next((int(c) for c in criterion.cues if c.strip().isdigit()), ENOUGH_WORDS)
    count = len(text.words)
    if count >= wanted:
        return True, f"{count} words (at least {wanted} expected)"
    return False, f"{count} words; at least {wanted} expected"


def _custom(text: _Text, criterion: Criterion) -> tuple[bool, str]:
    if not criterion.cues:
        return False, "no cues set for this criterion in administration"
    found = text.find(criterion.cues)
    if found is None:
        shown = ", ".join(repr(c) for c in criterion.cues[:4])
        return False, f"none of its cues found ({shown})"
    cue, at = found
    return True, f"found {text.quote(at, cue)}"


CHECKS: dict[str, Check] = {
    DATE_AND_TIME: _date_and_time,
    WHAT_HAPPENED: _what_happened,
    CONCERNS: _cue_met("concerns", "no concerns recorded, nor that there were none"),
    NEXT_STEPS: _cue_met("next steps", "no actions or next steps"),
    RISK: _cue_met("risk", "no risk indicators, nor that none were seen"),
    PERSON_CENTRED: _person_centred,
    ENOUGH_DETAIL: _enough_detail,
}


def score_note(note: NoteForAudit, criteria: Sequence[Criterion]) -> NoteScore:
    """The note's score out of 100 and, per criterion, met or not with its evidence."""
    text = _Text(note)
    results = []
    for criterion in criteria:
        check = CHECKS.get(criterion.name, _custom)
        met, evidence = check(text, criterion)
        results.append(CriterionResult(criterion.name, criterion.weight, met, evidence))
    return NoteScore(score_of(results), tuple(results))


# --- read models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteAuditView:
    """An audited note: its score and, per criterion, met or not and why."""

    note_id: int
    case_id: int
    case_number: str
    author: str  # username
    author_name: str
    contact_at: datetime  # local time
    summary: str
    score: int
    criteria: tuple[CriterionResult, ...]
    audited_by: str
    audited_at: datetime  # local time
    version: int


@dataclass(frozen=True)
class NoteAuditSheet:
    """One note's audit dialog: its audit, if it has one, and whether the reader may audit it
    (again) and override its criteria."""

    note_id: int
    audit: NoteAuditView | None
    may_audit: bool


@dataclass(frozen=True)
class UnauditedNote:
    note_id: int
    case_id: int
    case_number: str
    author: str
    author_name: str
    contact_at: datetime  # local time
    summary: str


@dataclass(frozen=True)
class MonthScore:
    month: str  # "2026-10"
    average: int  # the month's mean score, rounded
    notes: int


@dataclass(frozen=True)
class WorkerTrend:
    """One worker's notes, audited, month by month (oldest first)."""

    username: str
    display_name: str
    months: tuple[MonthScore, ...]

    @property
    def notes(self) -> int:
        return sum(m.notes for m in self.months)

    @property
    def average(self) -> int:
        total = sum(m.average * m.notes for m in self.months)
        return round(total / self.notes) if self.notes else 0


@dataclass(frozen=True)
class AuditRun:
    """What a bulk audit did: how many notes it scored and their average."""

    audited: int
    average: int


@dataclass(frozen=True)
class AuditOverview:
    """The audits screen's lists, newest first and capped, with the full counts beside them."""

    audited: tuple[NoteAuditView, ...]
    unaudited: tuple[UnauditedNote, ...]
    audited_count: int
    unaudited_count: int
    trends: tuple[WorkerTrend, ...]


@dataclass(frozen=True)
class CriterionView:
    """An audit criterion as administration shows it."""

    id: int
    name: str
    weight: int
    cues: tuple[str, ...]  # the organisation's own; empty: the built-in ones
    built_in: tuple[str, ...]  # what the scorer looks for without the organisation's cues
    retired: bool
    version: int
