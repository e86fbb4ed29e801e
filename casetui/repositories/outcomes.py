"""Outcome assessments of the cases the actor may see.

The heatmap is one query: the open and paused cases in sight, each joined to its newest
assessment at every listed stage (``NOT EXISTS`` a newer one: one probe of the case, stage,
id index per assessment), handed back as plain tuples with no look-up per case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.filters import ACTIVE_STATUSES
from casetui.domain.models import Case, Client, OutcomeAssessment, Staff
from casetui.domain.outcomes import AssessmentView, Cell, OutcomeRow
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases


class OutcomeRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def grid(
        self, stages: tuple[str, ...], *, worker_id: int | None = None, limit: int
    ) -> tuple[list[OutcomeRow], dict[int, tuple[str, str]], bool]:
        """The rows of the heatmap by case number, the workers' (username, name), and whether
        there were more than ``limit`` cases (then the first ``limit``)."""
        cases: Select[*tuple[Any, ...]] = (
            select(
                col(Case.id).label("id"),
                col(Case.case_number).label("number"),
                col(Client.name).label("client"),
                col(Case.primary_worker_id).label("worker_id"),
                col(Staff.display_name).label("worker"),
                col(Staff.username).label("username"),
            )
            .join(Client, col(Client.id) == Case.client_id)
            .join(Staff, col(Staff.id) == Case.primary_worker_id, isouter=True)
            .where(visible_cases(self.actor), col(Case.status).in_(ACTIVE_STATUSES))
        )
        if worker_id is not None:
            cases = cases.where(col(Case.primary_worker_id) == worker_id)
        shown = cases.order_by(col(Case.case_number)).limit(limit + 1).subquery()
        current = OutcomeAssessment
        newer = aliased(OutcomeAssessment)
        newest = ~exists().where(
            col(newer.case_id) == current.case_id,
            col(newer.stage) == current.stage,
            col(newer.id) > current.id,
        )
        query = (
            select(
                shown.c.id,
                shown.c.number,
                shown.c.client,
                shown.c.worker_id,
                shown.c.worker,
                shown.c.username,
                col(current.stage),
                col(current.level),
                col(current.confidence),
            )
            .select_from(shown)
            .join(
                current,
                and_(col(current.case_id) == shown.c.id, col(current.stage).in_(stages), newest),
                isouter=True,
            )
            .order_by(shown.c.number)
        )
        where = {stage: index for index, stage in enumerate(stages)}
        found: list[tuple[int, str, str, int | None, list[Cell]]] = []
        names: dict[int, tuple[str, str]] = {}
        cut = False
        cells: list[Cell] = []
        for (
            case_id,
            number,
            client,
            holder,
            worker,
            username,
            stage,
            level,
            confidence,
        ) in self.session.execute(query):
            if not found or found[-1][0] != case_id:
                if len(found) == limit:
                    cut = True
                    break
                cells = [None] * len(stages)
                found.append((case_id, number, client, holder, cells))
                if holder is not None:
                    names[holder] = (username, worker)
            if stage is not None:
                cells[where[stage]] = (level, confidence)
        rows = [OutcomeRow(i, n, c, w, tuple(kept)) for i, n, c, w, kept in found]
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
