"""Notes sent for a supervisor's sign-off in the demo: Assessment notes require it, and each
team's supervisor finds a few recent notes of the team waiting, one returned to its author with
a comment (who was told) and one signed off.

Written after the caseload, from a stream of its own, so a seed still gives every other record
exactly as before. A few rows a team, whatever the caseload's size.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from casetui.demo.people import Workforce
from casetui.domain.enums import CaseStatus, ListKind, NotificationKind, SignoffState
from casetui.domain.models import Case, CaseNote, NoteSignoff, Notification, OrganisationListItem

REQUIRES_SIGNOFF = "Assessment"
WAITING_A_TEAM = 4
CASES_LOOKED_AT = 300  # a team's cases searched for recent notes: enough, and quick at any size
RETURN_COMMENTS = (
    "Please add the next steps and who does them by when.",
    "Say what the client told you in their own words, and any risks you noticed.",
    "Add the date of the follow-up appointment.",
)


def sign_off_some(
    session: Session, rng: random.Random, workforce: Workforce, today: date, lock_days: int
) -> int:
    """Write the demo's sign-offs; returns how many notes were sent."""
    item = session.exec(
        select(OrganisationListItem).where(
            OrganisationListItem.kind == ListKind.ACTIVITY_TYPE.value,
            OrganisationListItem.value == REQUIRES_SIGNOFF,
        )
    ).first()
    if item is not None:
        item.requires_signoff = True
        session.add(item)
    # Recent enough to be edited still, once returned; old enough to have been decided on.
    newest = datetime.combine(today - timedelta(days=1), time(), tzinfo=UTC)
    oldest = datetime.combine(today - timedelta(days=max(lock_days - 2, 1)), time(), tzinfo=UTC)
    sent = 0
    for team in workforce.teams:
        workers = [m.id for m in team.caseworkers]
        cases = session.exec(
            select(Case.id)
            .where(
                Case.team_id == team.id,
                Case.status == CaseStatus.OPEN.value,
                col(Case.deleted_at).is_(None),
            )
            .order_by(col(Case.id))
            .limit(CASES_LOOKED_AT)
        ).all()
        if not cases or not workers:
            continue
        notes = session.exec(
            select(CaseNote)
            .where(
                col(CaseNote.case_id).in_(cases),
                col(CaseNote.author_id).in_(workers),
                col(CaseNote.deleted_at).is_(None),
                CaseNote.created_at >= oldest,
                CaseNote.created_at < newest,
            )
            .order_by(col(CaseNote.id))
        ).all()
        # Assessments first: the activity type that asks for sign-off.
        notes = sorted(notes, key=lambda n: (n.activity_type != REQUIRES_SIGNOFF, n.id))
        chosen = notes[: WAITING_A_TEAM + 2]
        rng.shuffle(chosen)
        for index, note in enumerate(chosen):
            state = (
                SignoffState.APPROVED
                if index == 0
                else SignoffState.RETURNED
                if index == 1
                else SignoffState.REQUESTED
            )
            _write(session, rng, note, state, team.supervisor.id)
            sent += 1
    return sent


def _write(
    session: Session, rng: random.Random, note: CaseNote, state: SignoffState, supervisor: int
) -> None:
    assert note.id is not None
    requested_at = note.created_at + timedelta(minutes=rng.randrange(5, 90))
    decided_at = requested_at + timedelta(hours=rng.randrange(2, 20))
    decided = state is not SignoffState.REQUESTED
    comment = rng.choice(RETURN_COMMENTS) if state is SignoffState.RETURNED else None
    session.add(
        NoteSignoff(
            note_id=note.id,
            state=state.value,
            requested_by_id=note.author_id,
            requested_at=requested_at,
            decided_by_id=supervisor if decided else None,
            decided_at=decided_at if decided else None,
            comment=comment,
            version=2 if decided else 1,
        )
    )
    session.add(
        Notification(
            staff_id=supervisor,
            kind=NotificationKind.SIGNOFF_WAITING.value,
            case_id=note.case_id,
            event_key=f"signoff-waiting:{note.id}:1",
            text=f"Note to sign off: {note.summary}"[:500],
            created_at=requested_at,
            read_at=decided_at if decided else None,
        )
    )
    if state is SignoffState.RETURNED:
        session.add(
            Notification(
                staff_id=note.author_id,
                kind=NotificationKind.SIGNOFF_RETURNED.value,
                case_id=note.case_id,
                event_key=f"signoff-returned:{note.id}:2",
                text=f"Note returned: {comment} (note: {note.summary})"[:500],
                created_at=decided_at,
            )
        )
