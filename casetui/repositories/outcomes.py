"""Outcome assessments of the cases the actor may see.

The heatmap is one query: the open and paused cases in sight, each with its newest
assessment at every listed stage (``NOT EXISTS`` a newer one: one probe of the case, stage,
id index per assessment) gathered into one string, handed back as plain tuples with no
look-up per case from Python.
"""

from __future__ import annotations

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.filters import ACTIVE_STATUSES
from casetui.domain.models import Case, Client, OutcomeAssessment, Staff
from casetui.domain.outcomes import CONFIDENCES, LEVELS, AssessmentView, Cell, OutcomeRow
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases

# A letter for each level and confidence ("some" and "strong" share an initial), and the
# two letters back to the one tuple for each pair.
LEVEL_CODES = {level: level[0] for level in LEVELS}
CONFIDENCE_CODES = dict(zip(CONFIDENCES, "lst", strict=True))
CELLS: dict[str, Cell] = {
    LEVEL_CODES[level] + CONFIDENCE_CODES[confidence]: (level, confidence)
    for level in LEVELS
    for confidence in CONFIDENCES
}


class OutcomeRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def grid(
        self, stages: tuple[str, ...], *, worker_id: int | None = None, limit: int
    ) -> tuple[list[OutcomeRow], dict[int, tuple[str, str]], bool]:
        """The rows of the heatmap by case number, the workers' (username, name), and whether
        there were more than ``limit`` cases (then the first ``limit``)."""
        current = OutcomeAssessment
        newer = aliased(OutcomeAssessment)
        newest = ~exists().where(
            col(newer.case_id) == current.case_id,
            col(newer.stage) == current.stage,
            col(newer.id) > current.id,
        )
        # A case's current assessments as one string, the stage's index and the letters of
        # level and confidence ("3ml") joined by ",": a row per case rather than per case and
        # stage, six times fewer rows to hand over and parse.
        index = case({stage: str(i) for i, stage in enumerate(stages)}, value=col(current.stage))
        level = case(LEVEL_CODES, value=col(current.level), else_="?")
        item = index + level + case(CONFIDENCE_CODES, value=col(current.confidence), else_="?")
        cells = (
            select(func.aggregate_strings(item, ","))
            .where(col(current.case_id) == Case.id, col(current.stage).in_(stages), newest)
            .scalar_subquery()
        )
        query = (
            select(
                col(Case.id),
                col(Case.case_number),
                col(Client.name),
                col(Case.primary_worker_id),
                col(Staff.display_name),
                col(Staff.username),
                cells,
            )
            .join(Client, col(Client.id) == Case.client_id)
            .join(Staff, col(Staff.id) == Case.primary_worker_id, isouter=True)
            .where(visible_cases(self.actor), col(Case.status).in_(ACTIVE_STATUSES))
            .order_by(col(Case.case_number))
            .limit(limit + 1)
        )
        if worker_id is not None:
            query = query.where(col(Case.primary_worker_id) == worker_id)
        found = self.session.connection().execute(query).all()  # Core rows: no ORM on the way
        cut = len(found) > limit
        empty: list[Cell] = [None] * len(stages)
        names: dict[int, tuple[str, str]] = {}
        rows: list[OutcomeRow] = []
        for case_id, number, client, holder, worker, username, assessed in found[:limit]:
            row_cells = list(empty)
            if assessed:
                for each in assessed.split(","):
                    row_cells[int(each[:-2])] = CELLS.get(each[-2:])
            rows.append(OutcomeRow(case_id, number, client, holder, tuple(row_cells)))
            if holder is not None:
                names[holder] = (username, worker)
        return rows, names, cut

    def history(self, case_id: int) -> list[AssessmentView]:
        """Every assessment of the case (which must be in sight), newest first."""
        if not storable_id(case_id):
            return []
        query = (
            select(OutcomeAssessment, col(Case.case_number), col(Staff.display_name))
            .join(Case, col(Case.id) == OutcomeAssessment.case_id)
            .join(Staff, col(Staff.id) == OutcomeAssessment.assessed_by_id)
            .where(col(OutcomeAssessment.case_id) == case_id, visible_cases(self.actor))
            .order_by(col(OutcomeAssessment.id).desc())
        )
        return [
            AssessmentView(
                id=row.id,
                case_id=row.case_id,
                case_number=number,
                stage=row.stage,
                level=row.level,
                confidence=row.confidence,
                evidence=row.evidence,
                assessed_by=name,
                assessed_at=row.assessed_at,
            )  # fmt: skip
            for row, number, name in self.session.execute(query)
        ]
