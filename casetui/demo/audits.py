"""The demo's note audits: each team's earlier months scored as if by its supervisor, so the
audits screen has a trend to show, and the last month left for a supervisor to audit.

Written in the demo's own transaction, as the rest of its rows are (the one ``demo.generate``
event stands for them all), and from its ``today``, never the clock: the same seed gives the
same rows.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlmodel import col

from casetui.db.uow import UnitOfWork
from casetui.domain.enums import Role
from casetui.domain.models import NoteAudit, OrganisationSettings, Staff
from casetui.domain.note_audit import criteria_to_json, score_note
from casetui.repositories.note_audits import NoteAuditRepository, NoteSelection, criteria
from casetui.repositories.staff import actor_from
from casetui.services.note_audits import for_audit

# Months audited before the last one; a larger demo (a benchmark's) audits none of its notes.
AUDITED_MONTHS = 4
AUDITED_UP_TO_CASES = 5000


def audit_earlier_months(uow: UnitOfWork, today: date, cases: int) -> int:
    """Score every note of the months before the last one; how many were scored."""
    if cases > AUDITED_UP_TO_CASES:
        return 0
    session = uow.session
    settings = session.get(OrganisationSettings, 1)
    zone = ZoneInfo(settings.time_zone if settings else "UTC")
    marks = criteria(session)
    last = today - timedelta(days=31)
    first = (last - timedelta(days=31 * AUDITED_MONTHS)).replace(day=1)
    chosen = NoteSelection(
        since=datetime.combine(first, time(0), tzinfo=zone),
        until=datetime.combine(last, time(0), tzinfo=zone),
    )
    supervisors = session.execute(
        select(Staff)
        .where(col(Staff.role) == Role.SUPERVISOR.value, col(Staff.team_id).is_not(None))
        .order_by(col(Staff.id))
    ).scalars()
    teams: set[int | None] = set()
    audited = 0
    for staff in list(supervisors):
        if staff.team_id in teams:
            continue
        teams.add(staff.team_id)
        supervisor = actor_from(staff)
        for batch in NoteAuditRepository(session, supervisor).unaudited_to_score(chosen):
            rows = []
            for row in batch:
                scored = score_note(for_audit(row, zone), marks)
                rows.append({
                    "note_id": row[0], "author_id": row[2], "score": scored.score,
                    "criteria": criteria_to_json(scored.criteria), "audited_by_id": supervisor.id,
                    "audited_at": row[3] + timedelta(days=7), "version": 1,
                })  # fmt: skip
            session.connection().execute(insert(NoteAudit), rows)
            audited += len(rows)
    return audited
