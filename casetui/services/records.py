"""What every write to a kept record shares: the audit trail's picture of it, and versioned saves.

``snapshot`` is the one way a record's before and after are written to the audit trail.
``save_versioned`` is the one way a note, a case, a task, a client or a communication changes: only from the version the
editor saw, else a stale refusal that names who saved first and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import col

from casetui.domain.errors import StaleEdit
from casetui.domain.models import (
    Attachment,
    Case,
    CaseNote,
    Client,
    Communication,
    FollowUpTask,
    NoteSignoff,
    OrganisationListItem,
    OrganisationSettings,
    OutcomeAssessment,
    PathwayTask,
    Staff,
    SupportiveService,
    Team,
)
from casetui.repositories.changes import LastChange
from casetui.services.work import Work

# The fields the audit trail keeps of each kind of record. Never a password hash: the trail
# is readable by auditors.
AUDITED: dict[type, tuple[str, ...]] = {
    CaseNote: (
        "contact_at", "activity_type", "contact_type", "third_party_org", "summary", "details",
        "restricted", "version",
    ),
    Case: (
        "case_number", "status", "concern", "primary_worker_id", "team_id", "pathway",
        "closed_on", "version",
    ),
    Client: (
        "name", "preferred_name", "date_of_birth", "email", "phone", "client_type",
        "record_status", "version",
    ),
    FollowUpTask: (
        "name", "due_on", "repeats", "rrule", "status", "note_id", "assigned_to_client",
    ),
    Communication: (
        "kind", "direction", "occurred_at", "subject", "body", "send_on", "repeats", "rrule",
        "reminder_state", "version",
    ),
    Staff: (
        "username", "display_name", "role", "grants", "team_id", "capacity_hours", "active",
        "must_change_password", "version",
    ),
    Team: ("name", "version"),
    # Never the bytes: the sha256 says which file it was.
    Attachment: ("case_id", "note_id", "name", "size", "media_type", "sha256", "restricted"),
    OrganisationListItem: ("kind", "value", "position", "active", "requires_signoff", "version"),
    PathwayTask: ("pathway_id", "name", "due_after_days", "position", "version"),
    NoteSignoff: (
        "note_id", "state", "requested_by_id", "requested_at", "decided_by_id", "decided_at",
        "comment", "version",
    ),
    SupportiveService: (
        "service_type", "provided_on", "provider", "amount", "grant", "justification", "version",
    ),
    OutcomeAssessment: ("case_id", "stage", "level", "confidence", "evidence"),
    # The mail server's password is never here: it lives in the keyring or the environment.
    OrganisationSettings: (
        "name", "lock_days", "time_zone", "weight_low", "weight_medium", "weight_high",
        "paused_factor", "case_number_prefix", "stale_days", "notify_closed_clients",
        "date_order", "currency", "attachment_limit_mb", "smtp_host", "smtp_port", "smtp_tls",
        "smtp_username", "smtp_sender", "confidentiality_notice", "version",
    ),
}  # fmt: skip
# Records deleted softly say so in their picture, rather than with the deletion time.
SOFT_DELETED = (CaseNote, Client, Communication, SupportiveService)

Versioned = (
    CaseNote | Case | FollowUpTask | Client | Staff | Team | OrganisationListItem
    | OrganisationSettings | Communication | SupportiveService | PathwayTask | NoteSignoff
)  # fmt: skip


def snapshot(row: Any, **extra: object) -> dict[str, object]:
    """The record as the audit trail keeps it, with ``extra`` facts kept beside the fields."""
    kind = type(row)
    names = (*AUDITED[kind], "deleted_at") if issubclass(kind, SOFT_DELETED) else AUDITED[kind]
    return snapshot_of(kind, {name: getattr(row, name) for name in names}, **extra)


def snapshot_of(kind: type, values: Mapping[str, Any], **extra: object) -> dict[str, object]:
    """``snapshot`` of a record of ``kind`` given as its column values (a bulk insert's row)."""
    picture: dict[str, object] = {name: values[name] for name in AUDITED[kind]}
    if issubclass(kind, SOFT_DELETED):
        picture["deleted"] = values["deleted_at"] is not None
    return {**picture, **extra}


def saved_id(row: Any) -> int:
    """The id of a row that has been flushed (the database gave it one)."""
    row_id = row.id
    assert isinstance(row_id, int), f"{type(row).__name__} has no id until it is flushed"
    return row_id


def save_versioned(
    work: Work, row: Versioned, expected_version: int | None, values: Mapping[str, object]
) -> None:
    """Write ``values`` and move the version on, if nobody saved since ``expected_version``."""
    table = type(row)
    version = row.version if expected_version is None else expected_version
    result = cast(
        CursorResult[Any],
        work.session.execute(
            update(table)
            .where(col(table.id) == row.id, col(table.version) == version)
            .values(**values, version=version + 1)
        ),
    )
    if result.rowcount != 1:
        now = work.session.execute(
            select(col(table.version)).where(col(table.id) == row.id)
        ).scalar_one_or_none()
        raise stale(work, row, yours=version, now=now)
    work.session.refresh(row)


def stale(work: Work, row: Versioned, *, yours: int, now: int | None) -> StaleEdit:
    """The refusal of a save from an old version, naming who saved first where known."""
    assert row.id is not None
    if isinstance(row, CaseNote):
        change = work.changes.last_note_change(row.id)
        message = (
            f"note {row.id} was {_changed_by(work, change)} since you opened it "
            f"(yours: version {yours}, now: version {now}); reload it — your text is kept"
        )
    elif isinstance(row, Case):
        change = work.changes.last_case_change(row.id)
        message = (
            f"case {row.case_number} was {_changed_by(work, change)} since you opened it; "
            "reload it and try again"
        )
    elif isinstance(row, Client):
        change = work.changes.last_client_change(row.id)
        message = (
            f"client {row.id} was {_changed_by(work, change)} since you opened the record; "
            "reload it — what you typed is kept"
        )
    elif isinstance(row, Communication):
        change = work.changes.last_communication_change(row.id)
        message = (
            f"communication {row.id} was {_changed_by(work, change)} since you opened it "
            f"(yours: version {yours}, now: version {now}); reload it — your text is kept"
        )
    elif isinstance(row, FollowUpTask):
        change = work.changes.last_task_change(row.id)
        message = (
            f"task {row.id} was {_changed_by(work, change)} since you opened it; "
            "reload it and try again"
        )
    elif isinstance(row, NoteSignoff):
        change = work.changes.last_signoff_change(row.id)
        message = (
            f"the sign-off of note {row.note_id} was {_changed_by(work, change)} since you "
            "opened it; read the note again before deciding"
        )
    elif isinstance(row, SupportiveService):
        change = work.changes.last_service_change(row.id)
        message = (
            f"supportive service {row.id} was {_changed_by(work, change)} since you opened it "
            f"(yours: version {yours}, now: version {now}); reload it — what you typed is kept"
        )
    else:
        what, entity = _administered(row)
        change = work.changes.last_administered_change(entity, row.id)
        message = (
            f"{what} {_changed_by(work, change)} since you opened "
            f"{'them' if what.endswith('were') else 'it'}; reload and try again"
        )
    return StaleEdit(
        message,
        changed_by=change.who if change else None,
        changed_at=_local(work, change),
        current_version=now,
    )


def _administered(row: Versioned) -> tuple[str, str]:
    """How a refusal names an administration record (and its verb), and its audit entity."""
    if isinstance(row, Staff):
        return f"staff member {row.username} was", "staff"
    if isinstance(row, Team):
        return f"team {row.name} was", "team"
    if isinstance(row, OrganisationListItem):
        return f"list item {row.value!r} was", "list_item"
    return "the organisation's settings were", "organisation_settings"


def _local(work: Work, change: LastChange | None) -> datetime | None:
    """When, in the organisation's zone, so every interface shows the same clock time."""
    return None if change is None else change.at.astimezone(work.zone)


def _changed_by(work: Work, change: LastChange | None) -> str:
    if change is None:
        return "changed by someone else"
    local = change.at.astimezone(work.zone)
    return f"changed by {change.who} on {local.day} {local:%b %H:%M}"
