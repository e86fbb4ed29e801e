"""The demo's note audits: each team's earlier months audited by its supervisor, so the audits
screen has a trend to show, and the last month left for a supervisor to audit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import col

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import Staff
from casetui.repositories.staff import actor_from
from casetui.services.note_audits import run_audits

# Months audited before the last one; a larger demo (a benchmark's) audits none of its notes.
AUDITED_MONTHS = 4
AUDITED_UP_TO_CASES = 5000


def audit_earlier_months(db: Database, today: date, cases: int) -> int:
    """Audit every note of the months before the last one; how many were audited."""
    if cases > AUDITED_UP_TO_CASES:
        return 0
    with db.uow(write=False) as uow:
        supervisors = [
            actor_from(row)
            for row in uow.session.execute(
                select(Staff)
                .where(col(Staff.role) == Role.SUPERVISOR.value, col(Staff.team_id).is_not(None))
                .order_by(col(Staff.id))
            ).scalars()
        ]
    last = today - timedelta(days=31)
    first = (last - timedelta(days=31 * AUDITED_MONTHS)).replace(day=1)
    audited = 0
    seen_teams: set[int | None] = set()
    for supervisor in supervisors:
        if supervisor.team_id in seen_teams:
            continue
        seen_teams.add(supervisor.team_id)
        run = run_audits(db, supervisor, date_from=first.isoformat(), date_to=last.isoformat())
        audited += run.audited
    return audited
