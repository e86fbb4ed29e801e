"""What falls to one person today, read for that person only: their due tasks, their cases
gone quiet, the reminders that failed on their cases, and their team's notes waiting for their
sign-off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import (
    CaseStatus,
    CommunicationType,
    ReminderState,
    Role,
    SignoffState,
    TaskStatus,
)
from casetui.domain.models import (
    Case,
    CaseNote,
    Client,
    Communication,
    FollowUpTask,
    NoteSignoff,
    TaskResponsible,
)
from casetui.repositories.notifications import Inbox
from casetui.repositories.scope import assigned_to, visible_cases
from casetui.repositories.signoff import asked_to_decide


class TodayRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def due_tasks(self, today: date) -> Sequence[Any]:
        """(task id, case id, case number, client, task name, due on, version): open tasks
        due today or before that the actor is responsible for: those their inbox is told of,
        and any naming them on a case they see (a supervisor named on a team case's task)."""
        told = Inbox(self.session, self.actor.id).due_tasks_untold(
            today, closed_clients_too=True, told_too=True
        )
        named = self.session.execute(
            select(col(TaskResponsible.task_id))
            .join(FollowUpTask, col(FollowUpTask.id) == TaskResponsible.task_id)
            .join(Case, col(Case.id) == FollowUpTask.case_id)
            .where(
                col(TaskResponsible.staff_id) == self.actor.id,
                col(FollowUpTask.status) == TaskStatus.OPEN.value,
                col(FollowUpTask.due_on) <= today,
                visible_cases(self.actor),
            )
        ).scalars()
        due = {t.task_id for t in told} | set(named)
        if not due:
            return []
        return self.session.execute(
            select(
                col(FollowUpTask.id),
                col(Case.id),
                col(Case.case_number),
                col(Client.name),
                col(FollowUpTask.name),
                col(FollowUpTask.due_on),
                col(FollowUpTask.version),
            )  # fmt: skip
            .join(Case, col(Case.id) == FollowUpTask.case_id)
            .join(Client, col(Client.id) == Case.client_id)
            .where(col(FollowUpTask.id).in_(sorted(due)), visible_cases(self.actor))
        ).all()

    def quiet_cases(self, since: datetime, opened_before: date) -> Sequence[Any]:
        """(case id, case number, client, last contact, opened on): the actor's open cases (as
        primary worker) with no contact since ``since``; never contacted, opened before
        ``opened_before``."""
        last = col(Case.last_interaction_at)
        return self.session.execute(
            select(col(Case.id), col(Case.case_number), col(Client.name), last, col(Case.opened_on))
            .join(Client, col(Client.id) == Case.client_id)
            .where(
                col(Case.primary_worker_id) == self.actor.id,
                col(Case.status) == CaseStatus.OPEN.value,
                col(Case.deleted_at).is_(None),
                or_(last < since, last.is_(None) & (col(Case.opened_on) < opened_before)),
            )
        ).all()

    def failed_reminders(self) -> Sequence[Any]:
        """(reminder id, case id, case number, client, subject, send on, occurred at): reminders
        that could not be sent, on cases the actor is assigned to (as their inbox was told)."""
        return self.session.execute(
            select(
                col(Communication.id),
                col(Case.id),
                col(Case.case_number),
                col(Client.name),
                col(Communication.subject),
                col(Communication.send_on),
                col(Communication.occurred_at),
            )  # fmt: skip
            .join(Case, col(Case.id) == Communication.case_id)
            .join(Client, col(Client.id) == Case.client_id)
            .where(
                col(Communication.kind) == CommunicationType.REMINDER.value,
                col(Communication.reminder_state) == ReminderState.FAILED.value,
                col(Communication.deleted_at).is_(None),
                col(Case.deleted_at).is_(None),
                assigned_to(self.actor),
            )
        ).all()

    def signoffs_waiting(self) -> Sequence[Any]:
        """(note id, case id, case number, client, summary, requested at): notes sent for
        sign-off that the actor is asked to decide (``signoff.asked_to_decide``, the rule that
        also says whom a request notifies): a supervisor's, on cases of their team; an
        administrator's, on cases of a team with no active supervisor but the note's author
        (or of no team); never their own."""
        actor = self.actor
        if actor.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
            return []
        theirs = asked_to_decide(
            actor.id, actor.role.value, actor.team_id, CaseNote.author_id, Case.team_id
        )
        return self.session.execute(
            select(
                col(CaseNote.id),
                col(Case.id),
                col(Case.case_number),
                col(Client.name),
                col(CaseNote.summary),
                col(NoteSignoff.requested_at),
            )  # fmt: skip
            .join(CaseNote, col(CaseNote.id) == NoteSignoff.note_id)
            .join(Case, col(Case.id) == CaseNote.case_id)
            .join(Client, col(Client.id) == Case.client_id)
            .where(
                col(NoteSignoff.state) == SignoffState.REQUESTED.value,
                col(CaseNote.deleted_at).is_(None),
                col(CaseNote.author_id) != actor.id,
                theirs,
                visible_cases(actor),
            )
        ).all()
