"""Outcome assessments for the demo's open and paused cases: most cases assessed at the first
stages of the Theory of Change, many at all six, a spread of levels and confidences, some
earlier assessments kept as history, and workers who differ, so the insights screen's
comparison and paragraph have something to say.

Drawn from a random generator of their own, so the rest of the demo is the same with or
without them.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.demo.bulk import BulkWriter
from casetui.domain.filters import ACTIVE_STATUSES
from casetui.domain.models import Case

COLUMNS = ("case_id", "stage", "level", "confidence", "evidence", "assessed_by_id", "assessed_at")
BATCH = 20_000
# How many of the stages a case has been assessed at, from none to all six.
REACHED = (0, 1, 2, 3, 4, 5, 6)
REACHED_WEIGHTS = (8, 6, 8, 12, 14, 14, 38)
EVIDENCE = {
    "low": (
        "Missed the last two appointments", "No settled address yet", "Says things are getting "
        "harder", "Arrears still growing", "Not yet registered with a GP",
    ),
    "medium": (
        "Keeping most appointments", "Temporary accommodation secured", "Started a budgeting "
        "plan", "Attending the job club now and then", "GP appointment booked",
    ),
    "high": (
        "Comes to every appointment", "Tenancy signed and settled", "Managing the bills "
        "without help", "Started a part-time job", "Says she feels in control again",
    ),
}  # fmt: skip


def assess_demo_cases(
    session: Session, bulk: BulkWriter, stages: tuple[str, ...], today: date, rng: random.Random
) -> int:
    """Write the assessments; how many rows."""
    if not stages:
        return 0
    cases = session.execute(
        select(col(Case.id), col(Case.primary_worker_id), col(Case.opened_on))
        .where(col(Case.deleted_at).is_(None), col(Case.status).in_(ACTIVE_STATUSES))
        .order_by(col(Case.id))
    ).all()
    # Some workers' cases are further along than others'.
    lean: dict[int | None, float] = {}
    rows: list[tuple[object, ...]] = []
    written = 0
    for case_id, worker_id, opened_on in cases:
        if worker_id not in lean:
            lean[worker_id] = rng.uniform(-0.18, 0.18)
        reached = rng.choices(REACHED, REACHED_WEIGHTS)[0]
        for index, stage in enumerate(stages[:reached]):
            rows += _assessments(
                case_id, worker_id, opened_on, index, stage, lean[worker_id], today, rng, bulk
            )
        if len(rows) >= BATCH:
            bulk.insert("outcome_assessment", COLUMNS, rows)
            written += len(rows)
            rows = []
    bulk.insert("outcome_assessment", COLUMNS, rows)
    return written + len(rows)


def _assessments(
    case_id: int,
    worker_id: int | None,
    opened_on: date,
    index: int,
    stage: str,
    lean: float,
    today: date,
    rng: random.Random,
    bulk: BulkWriter,
) -> list[tuple[object, ...]]:
    """The current assessment at one stage, after an earlier one now and then."""
    if worker_id is None:
        return []
    high = max(0.05, 0.55 - 0.08 * index + lean)
    low = max(0.05, 0.12 + 0.06 * index - lean)
    level = rng.choices(("low", "medium", "high"), (low, max(0.1, 1 - high - low), high))[0]
    confidence = rng.choices(("limited", "some", "strong"), (20, 45, 35))[0]
    span = max((today - opened_on).days, 1)
    when = opened_on + timedelta(days=rng.randint(span // 2, span))
    found = [_row(case_id, stage, level, confidence, worker_id, when, rng, bulk)]
    if level != "low" and span > 30 and rng.random() < 0.3:
        earlier = "low" if level == "medium" else "medium"
        before = opened_on + timedelta(days=rng.randint(0, span // 2))
        found.insert(0, _row(case_id, stage, earlier, "limited", worker_id, before, rng, bulk))
    return found


def _row(
    case_id: int,
    stage: str,
    level: str,
    confidence: str,
    worker_id: int,
    day: date,
    rng: random.Random,
    bulk: BulkWriter,
) -> tuple[object, ...]:
    at = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), tzinfo=UTC)
    evidence = rng.choice(EVIDENCE[level])
    return (
        case_id,
        stage,
        level,
        confidence,
        evidence,
        worker_id,
        bulk.moment(at.replace(tzinfo=None)),
    )
