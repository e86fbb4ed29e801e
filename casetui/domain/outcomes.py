"""Theory of Change insights: where each case stands at the organisation's outcome stages, the
figures per worker, and a paragraph that says what the figures say.

The heatmap's rows are plain tuples, made by one query (``repositories/outcomes.py``):
thousands of cases must go from the database to the screen in a blink. Everything here is
computed from those rows, without the database and without a network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from casetui.domain.enums import Confidence, OutcomeLevel

# (level, confidence) of a case's current assessment at one stage; None: not assessed.
Cell = tuple[str, str] | None
LEVELS: tuple[str, ...] = tuple(level.value for level in OutcomeLevel)
CONFIDENCES: tuple[str, ...] = tuple(c.value for c in Confidence)
# A worker's share at a stage is compared with everyone's only over this many assessed cases:
# one case assessed high is not a worker "ahead".
COMPARED_FROM = 3


class OutcomeRow(NamedTuple):
    """One heatmap line: a case and its current assessment at each stage, in stage order."""

    case_id: int
    case_number: str
    client_name: str
    worker_id: int | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class StageFigures:
    """One stage over a set of cases: how many stand at each level, how surely."""

    stage: str
    cases: int
    low: int = 0
    medium: int = 0
    high: int = 0
    limited: int = 0  # assessed with limited confidence

    @property
    def assessed(self) -> int:
        return self.low + self.medium + self.high

    @property
    def not_assessed(self) -> int:
        return self.cases - self.assessed

    @property
    def share_high(self) -> float:
        return self.high / self.assessed if self.assessed else 0.0

    @property
    def share_low(self) -> float:
        return self.low / self.assessed if self.assessed else 0.0

    @property
    def share_limited(self) -> float:
        return self.limited / self.assessed if self.assessed else 0.0


@dataclass(frozen=True)
class WorkerFigures:
    """A worker's cases (or everyone's: ``worker_id`` None), stage by stage."""

    worker_id: int | None
    worker: str  # display name; "All cases" for everyone's
    cases: int
    stages: tuple[StageFigures, ...]
    username: str | None = None


@dataclass(frozen=True)
class OutcomeGrid:
    """The insights screen's data: the stages, a row per case, the comparison, the paragraph."""

    stages: tuple[str, ...]
    rows: list[OutcomeRow]
    workers: dict[int, str]  # id to display name, for every worker who holds a row
    overall: WorkerFigures
    by_worker: tuple[WorkerFigures, ...]
    narrative: str
    worker: str | None = None  # the one worker shown, when filtered
    cut: bool = False  # more cases than the grid holds: the first ones, by case number


@dataclass(frozen=True)
class AssessmentView:
    id: int
    case_id: int
    case_number: str
    stage: str
    level: str
    confidence: str
    evidence: str
    assessed_by: str  # display name
    assessed_at: datetime


@dataclass(frozen=True)
class CaseOutcomes:
    """One case's assessments: the current one per stage and every earlier one, newest first."""

    case_id: int
    case_number: str
    client_name: str
    stages: tuple[str, ...]
    current: dict[str, AssessmentView]
    history: dict[str, list[AssessmentView]]
    may_assess: bool


# --- the figures ------------------------------------------------------------------------------


def _tallies(stages: Sequence[str], rows: Sequence[OutcomeRow]) -> dict[int | None, list[int]]:
    """Per worker: cases, then low, medium, high and limited for each stage, in one pass."""
    where = {level: index for index, level in enumerate(LEVELS)}
    limited = Confidence.LIMITED.value
    width = 4 * len(stages)
    found: dict[int | None, list[int]] = {}
    for row in rows:
        tally = found.get(row.worker_id)
        if tally is None:
            tally = found[row.worker_id] = [0] * (width + 1)
        tally[width] += 1
        for index, cell in enumerate(row.cells):
            if cell is not None:
                tally[4 * index + where[cell[0]]] += 1
                if cell[1] == limited:
                    tally[4 * index + 3] += 1
    return found


def _figures(stages: Sequence[str], tally: list[int]) -> tuple[StageFigures, ...]:
    cases = tally[-1]
    return tuple(
        StageFigures(stage, cases, *tally[4 * index : 4 * index + 4])
        for index, stage in enumerate(stages)
    )


def stage_figures(stages: Sequence[str], rows: Sequence[OutcomeRow]) -> tuple[StageFigures, ...]:
    """Counts by level and limited confidence at each stage over ``rows``."""
    total = [0] * (4 * len(stages) + 1)
    for tally in _tallies(stages, rows).values():
        total = [a + b for a, b in zip(total, tally, strict=True)]
    return _figures(stages, total)


def compare_workers(
    stages: Sequence[str],
    rows: Sequence[OutcomeRow],
    names: dict[int, str],
    usernames: dict[int, str] | None = None,
) -> tuple[WorkerFigures, tuple[WorkerFigures, ...]]:
    """Everyone's figures, then each worker's, by name (cases with no worker last)."""
    tallies = _tallies(stages, rows)
    total = [0] * (4 * len(stages) + 1)
    for tally in tallies.values():
        total = [a + b for a, b in zip(total, tally, strict=True)]
    overall = WorkerFigures(None, "All cases", len(rows), _figures(stages, total))
    order = sorted(tallies, key=lambda w: (w is None, names.get(w, "") if w else "", w or 0))
    workers = tuple(
        WorkerFigures(
            worker_id,
            names.get(worker_id, "?") if worker_id else "No worker",
            tallies[worker_id][-1],
            _figures(stages, tallies[worker_id]),
            (usernames or {}).get(worker_id) if worker_id else None,
        )
        for worker_id in order
    )
    return overall, workers


def fully_assessed(rows: Sequence[OutcomeRow]) -> int:
    return sum(1 for row in rows if row.cells and None not in row.cells)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _possessive(name: str) -> str:
    return f"{name}'s"  # "Jo Bloggs's": one rule, whatever the name ends with


def narrative(
    stages: Sequence[str],
    rows: Sequence[OutcomeRow],
    overall: WorkerFigures,
    by_worker: Sequence[WorkerFigures],
) -> str:
    """A short paragraph from the figures, by template: the same figures, the same words."""
    if not stages:
        return "The organisation lists no outcome stages yet: an administrator adds them."
    count = len(rows)
    if count == 0:
        return "There are no open or paused cases here to assess."
    cases = f"{count:,} open or paused case{'' if count == 1 else 's'}"
    assessed = [s for s in overall.stages if s.assessed]
    if not assessed:
        return f"Of {cases}, none is assessed at any stage yet."
    every = fully_assessed(rows)
    none = sum(1 for row in rows if row.cells.count(None) == len(row.cells))
    words = [f"Of {cases}, {_percent(every / count)} are assessed at every stage"]
    words[0] += f" and {none:,} at none." if none else "."
    strongest = max(assessed, key=lambda s: (s.share_high, -stages.index(s.stage)))
    weakest = max(assessed, key=lambda s: (s.share_low, -stages.index(s.stage)))
    sentence = f"{strongest.stage} is strongest ({_percent(strongest.share_high)} high)"
    if weakest.stage != strongest.stage and weakest.low:
        sentence += f"; {weakest.stage} is weakest ({_percent(weakest.share_low)} low)"
    words.append(sentence + ".")
    judged = sum(s.assessed for s in assessed)
    limited = sum(s.limited for s in assessed)
    if limited:
        words.append(
            f"{_percent(limited / judged)} of the assessments are made with limited confidence."
        )
    words.extend(_ahead_and_behind(overall, by_worker))
    return " ".join(words)


def _ahead_and_behind(overall: WorkerFigures, by_worker: Sequence[WorkerFigures]) -> list[str]:
    """The worker furthest ahead of everyone at a stage (share high), and furthest behind
    (share low), among workers with enough cases assessed there to say so."""
    people = [w for w in by_worker if w.worker_id is not None]
    if len(people) < 2:
        return []
    ahead: tuple[float, str, str, float, float] | None = None
    behind: tuple[float, str, str, float, float] | None = None
    for person in people:
        for mine, everyone in zip(person.stages, overall.stages, strict=True):
            if mine.assessed < COMPARED_FROM:
                continue
            lead = mine.share_high - everyone.share_high
            if lead > 0 and (ahead is None or lead > ahead[0]):
                ahead = (lead, person.worker, mine.stage, mine.share_high, everyone.share_high)
            lag = mine.share_low - everyone.share_low
            if lag > 0 and (behind is None or lag > behind[0]):
                behind = (lag, person.worker, mine.stage, mine.share_low, everyone.share_low)
    words = []
    if ahead is not None:
        _, name, stage, theirs, all_ = ahead
        words.append(
            f"{_possessive(name)} cases are ahead on {stage} ({_percent(theirs)} high against "
            f"{_percent(all_)} overall)."
        )
    if behind is not None:
        _, name, stage, theirs, all_ = behind
        words.append(
            f"{_possessive(name)} cases are furthest behind on {stage} ({_percent(theirs)} low "
            f"against {_percent(all_)} overall)."
        )
    return words


__all__ = [
    "CONFIDENCES", "LEVELS", "AssessmentView", "CaseOutcomes", "Cell", "OutcomeGrid",
    "OutcomeRow", "StageFigures", "WorkerFigures", "compare_workers", "fully_assessed",
    "narrative", "stage_figures",
]  # fmt: skip
