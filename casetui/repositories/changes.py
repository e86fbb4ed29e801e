"""Who last changed a note, a case, a task or a client the actor can see, read from the audit
trail.

Asked when an edit is refused as stale, so the refusal can say who saved first and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import AuditEvent, Case, Client, Staff
from casetui.repositories.client_scope import visible_clients
from casetui.repositories.scope import visible_cases

# The audit actions that move a record's version.
NOTE_CHANGES = (
    "note.edit",
    "note.override_edit",
    "note.delete",
    "note.override_delete",
    "note.restore",
)
CASE_CHANGES = (
    "case.status",
    "case.concern",
    "case.reassign",
    "case.number",
    "case.pathway",
    "case.navigator_assign",
    "case.navigator_unassign",
)
TASK_CHANGES = ("task.done", "task.cancelled")
CLIENT_CHANGES = ("client.edit", "client.join_group", "client.delete", "client.restore")
COMMUNICATION_CHANGES = (
    "communication.edit",
    "communication.override_edit",
    "communication.delete",
    "communication.override_delete",
    "communication.cancel",
    # The reminder sender's: claiming a reminder and recording how it went move it on too.
    "reminder.sending",
    "reminder.sent",
    "reminder.failed",
    "reminder.retry",
    "reminder.cancelled",
    "reminder.unanswered",
    "reminder.settled",
)
SERVICE_CHANGES = ("service.edit", "service.delete")
SIGNOFF_CHANGES = ("signoff.request", "signoff.approve", "signoff.return")


@dataclass(frozen=True)
class LastChange:
    username: str
    display_name: str | None
    at: datetime

    @property
    def who(self) -> str:
        if self.display_name and self.display_name != self.username:
            return f"{self.display_name} ({self.username})"
        return self.username


class ChangeRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def _last(self, entity: str, entity_id: int, actions: tuple[str, ...]) -> LastChange | None:
        found = self.session.execute(
            select(col(AuditEvent.actor_username), col(Staff.display_name), col(AuditEvent.at))
            .join(Case, col(Case.id) == AuditEvent.case_id)
            .outerjoin(Staff, col(Staff.id) == AuditEvent.actor_id)
            .where(
                col(AuditEvent.entity) == entity,
                col(AuditEvent.entity_id) == str(entity_id),
                col(AuditEvent.action).in_(actions),
                visible_cases(self.actor),
            )
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
        return None if found is None else LastChange(found[0], found[1], found[2])

    def last_note_change(self, note_id: int) -> LastChange | None:
        return self._last("case_note", note_id, NOTE_CHANGES)

    def last_case_change(self, case_id: int) -> LastChange | None:
        return self._last("case", case_id, CASE_CHANGES)

    def last_task_change(self, task_id: int) -> LastChange | None:
        return self._last("follow_up_task", task_id, TASK_CHANGES)

    def last_communication_change(self, communication_id: int) -> LastChange | None:
        return self._last("communication", communication_id, COMMUNICATION_CHANGES)

    def last_service_change(self, service_id: int) -> LastChange | None:
        return self._last("supportive_service", service_id, SERVICE_CHANGES)

    def last_signoff_change(self, signoff_id: int) -> LastChange | None:
        return self._last("note_signoff", signoff_id, SIGNOFF_CHANGES)

    def last_client_change(self, client_id: int) -> LastChange | None:
        # A client's events carry no case: the client's own visibility stands in for it.
        in_sight = select(col(Client.id)).where(
            col(Client.id) == client_id, visible_clients(self.actor)
        )
        found = self.session.execute(
            select(col(AuditEvent.actor_username), col(Staff.display_name), col(AuditEvent.at))
            .outerjoin(Staff, col(Staff.id) == AuditEvent.actor_id)
            .where(
                col(AuditEvent.entity) == "client",
                col(AuditEvent.entity_id) == str(client_id),
                col(AuditEvent.action).in_(CLIENT_CHANGES),
                in_sight.exists(),
            )
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
        return None if found is None else LastChange(found[0], found[1], found[2])

    def last_administered_change(self, entity: str, entity_id: int) -> LastChange | None:
        """A staff member, team, list item or the settings: only administrators change them."""
        if self.actor.role is not Role.ADMINISTRATOR:
            return None
        found = self.session.execute(
            select(col(AuditEvent.actor_username), col(Staff.display_name), col(AuditEvent.at))
            .outerjoin(Staff, col(Staff.id) == AuditEvent.actor_id)
            .where(col(AuditEvent.entity) == entity, col(AuditEvent.entity_id) == str(entity_id))
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
        return None if found is None else LastChange(found[0], found[1], found[2])
