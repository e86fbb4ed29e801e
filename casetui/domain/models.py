"""The tables. Plain SQLModel classes: no rules here, only shape and indexes.

Rules live in ``casetui.services``; reads are scoped in ``casetui.repositories``.

No ``from __future__ import annotations`` here: SQLModel, pydantic and SQLAlchemy would then
evaluate every field's annotation from its text as the tables are built, a tenth of this
module's import and so of every start.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from casetui.domain.limits import NAME_MAX, NOTICE_MAX, REASON_MAX, SUMMARY_MAX, TAG_MAX
from casetui.domain.name_words import SEARCH_NAME_MAX
from casetui.domain.types import UTCDateTime

# Named constraints, so Alembic batch migrations on SQLite can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata
# The tables are never validated by pydantic (a table model's constructor does not validate):
# build each one's validator if it ever is, not for every table at import.
SQLModel.model_config["defer_build"] = True


def utc_column(nullable: bool = True, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Team(SQLModel, table=True):
    __tablename__ = "team"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, unique=True)
    version: int = Field(default=1)


class Staff(SQLModel, table=True):
    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=NAME_MAX)
    role: str = Field(max_length=20)
    grants: str = Field(default="", max_length=200)  # space-separated Grant values
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    capacity_hours: float = Field(default=37.5)
    active: bool = Field(default=True)
    password_hash: str | None = Field(default=None, max_length=300)
    failed_sign_ins: int = Field(default=0)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    # A temporary password (set by an administrator) signs in only to choose a new one.
    must_change_password: bool = Field(default=False)
    version: int = Field(default=1)


# The notice at the foot of every printed page (S1's wording), until an administrator changes it.
CONFIDENTIALITY_NOTICE = (
    "Case notes may contain sensitive information and are intended solely for authorized "
    "personnel. Unauthorized disclosure, copying, distribution, or use of the information is "
    "strictly prohibited."
)


class OrganisationSettings(SQLModel, table=True):
    """One row (id 1): the organisation's rules and weights."""

    __tablename__ = "organisation_settings"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="Our organisation", max_length=NAME_MAX)
    lock_days: int = Field(default=14)
    time_zone: str = Field(default="Europe/London", max_length=64)
    weight_low: float = Field(default=1.0)
    weight_medium: float = Field(default=2.0)
    weight_high: float = Field(default=4.0)
    paused_factor: float = Field(default=0.25)
    case_number_prefix: str = Field(default="C", max_length=10)
    stale_days: int = Field(default=30)  # days without contact before a case counts as stale
    notify_closed_clients: bool = Field(default=False)
    date_order: str = Field(default="dmy", max_length=3)  # how imports read 03/04/1990
    currency: str = Field(default="GBP", max_length=3)
    attachment_limit_mb: int = Field(default=25)
    # The mail server for reminders; its password is in the keyring or CASETUI_SMTP_PASSWORD.
    smtp_host: str | None = Field(default=None, max_length=253)
    smtp_port: int = Field(default=587)
    smtp_tls: str = Field(default="starttls", max_length=10)  # none, starttls, tls
    smtp_username: str | None = Field(default=None, max_length=254)
    smtp_sender: str | None = Field(default=None, max_length=254)
    confidentiality_notice: str = Field(default=CONFIDENTIALITY_NOTICE, max_length=NOTICE_MAX)
    version: int = Field(default=1)


class OrganisationListItem(SQLModel, table=True):
    """One entry of an organisation-defined list (activity types, pathways, ...)."""

    __tablename__ = "organisation_list_item"
    __table_args__ = (
        UniqueConstraint("kind", "value", name="uq_organisation_list_item_kind_value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    value: str = Field(max_length=NAME_MAX)
    position: int = Field(default=0)
    active: bool = Field(default=True)  # False: retired, kept for the records that use it
    # Audit criteria: how much the criterion counts towards a note's 100, and the words it
    # looks for, one cue a line (None: the scorer's own cues for a default criterion).
    weight: int | None = Field(default=None)
    cues: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Activity types: a note of this type goes to a supervisor for sign-off when saved.
    requires_signoff: bool = Field(default=False)
    version: int = Field(default=1)


class PathwayTask(SQLModel, table=True):
    """A follow-up task a pathway brings: opening a case on the pathway creates it, due so many
    days after the case opens, for the case's worker."""

    __tablename__ = "pathway_task"
    id: int | None = Field(default=None, primary_key=True)
    pathway_id: int = Field(foreign_key="organisation_list_item.id", index=True)
    name: str = Field(max_length=SUMMARY_MAX)
    due_after_days: int = Field(default=7)
    position: int = Field(default=0)
    version: int = Field(default=1)


class Client(SQLModel, table=True):
    __tablename__ = "client"
    __table_args__ = (
        Index("ix_client_lower_name", text("lower(name)")),
        Index("ix_client_lower_email", text("lower(email)")),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, index=True)
    preferred_name: str | None = Field(default=None, max_length=NAME_MAX)
    date_of_birth: date | None = Field(default=None, index=True)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    # The phone's digits alone, so the duplicate check and search match however it was typed.
    phone_digits: str | None = Field(default=None, max_length=40, index=True)
    # The words of name and preferred name, folded (domain/name_words.py): what search and
    # the duplicate check compare, so "nunez" finds "Ñúñez".
    search_name: str = Field(default="", max_length=SEARCH_NAME_MAX, index=True)
    client_type: str | None = Field(default=None, max_length=NAME_MAX)
    record_status: str = Field(default="Active", max_length=20)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column())
    version: int = Field(default=1)


class ClientWarning(SQLModel, table=True):
    __tablename__ = "client_warning"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    indicator: str = Field(max_length=NAME_MAX, primary_key=True)


class ClientGroup(SQLModel, table=True):
    __tablename__ = "client_group"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    group_name: str = Field(max_length=NAME_MAX, primary_key=True, index=True)


class NameTerm(SQLModel, table=True):
    """Every word of every client's name, once: what a misspelt name is compared with
    (trigram-indexed on SQLite, migration 0005), rather than every client."""

    __tablename__ = "name_term"
    id: int | None = Field(default=None, primary_key=True)
    term: str = Field(max_length=NAME_MAX, unique=True)


class Case(SQLModel, table=True):
    __tablename__ = "cases"  # "case" is an SQL keyword
    __table_args__ = (
        Index("ix_cases_workload", "primary_worker_id", "status", "concern", "deleted_at"),
        Index("ix_cases_team_status", "team_id", "status"),
        Index("ix_cases_status_last", "status", "last_interaction_at"),
        Index("ix_cases_concern", "concern"),
        Index("ix_cases_pathway", "pathway"),
        # Live cases only: migration 0002 creates it WHERE deleted_at IS NULL on both
        # databases. Said here as sqlite_where= and postgresql_where=, it made SQLAlchemy import
        # both dialects (PostgreSQL's with a module for each of its drivers) whenever the
        # tables were imported; the schema is the migrations', never made from this metadata.
        Index("ix_cases_live_status", "status", info={"where": "deleted_at IS NULL"}),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=40, unique=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    status: str = Field(default="Open", max_length=20)
    concern: str = Field(default="Low", max_length=20)
    primary_worker_id: int | None = Field(default=None, foreign_key="staff.id")
    # The primary worker's team, kept with the case so a supervisor's caseload is one index.
    team_id: int | None = Field(default=None, foreign_key="team.id")
    pathway: str | None = Field(default=None, max_length=NAME_MAX)
    opened_on: date
    closed_on: date | None = None
    # Kept right by the services on every note, so the caseload sorts without a join.
    last_interaction_at: datetime | None = Field(default=None, sa_column=utc_column(index=True))
    # The earliest open follow-up task, kept right by the services, so the caseload can show
    # and sort by it without a look-up per case.
    next_task_due: date | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column())
    version: int = Field(default=1)


class FormerCaseNumber(SQLModel, table=True):
    """A number a case had before; still found by search and by ``cases show``."""

    __tablename__ = "former_case_number"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    case_number: str = Field(max_length=40, unique=True)
    changed_at: datetime = Field(sa_column=utc_column(nullable=False))


class CaseNavigator(SQLModel, table=True):
    """Further staff assigned to a case besides its primary worker."""

    __tablename__ = "case_navigator"
    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)


class CaseTag(SQLModel, table=True):
    __tablename__ = "case_tag"
    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    tag: str = Field(max_length=TAG_MAX, primary_key=True, index=True)


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"
    __table_args__ = (Index("ix_case_note_case_contact", "case_id", "contact_at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    author_id: int = Field(foreign_key="staff.id", index=True)
    contact_at: datetime = Field(sa_column=utc_column(nullable=False))
    activity_type: str = Field(max_length=NAME_MAX)
    contact_type: str = Field(max_length=40)
    third_party_org: str | None = Field(default=None, max_length=NAME_MAX)
    summary: str = Field(max_length=SUMMARY_MAX)
    details: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    restricted: bool = Field(default=False)
    batch_id: str | None = Field(default=None, max_length=36, index=True)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(sa_column=utc_column(nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column())
    version: int = Field(default=1)
    imported: bool = Field(default=False)  # brought in from another system; locked at once


class NoteAddendum(SQLModel, table=True):
    __tablename__ = "note_addendum"
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="case_note.id", index=True)
    author_id: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    reason: str = Field(max_length=SUMMARY_MAX)
    text: str = Field(sa_column=Column(Text, nullable=False))


class FollowUpTask(SQLModel, table=True):
    __tablename__ = "follow_up_task"
    __table_args__ = (Index("ix_follow_up_task_case_status_due", "case_id", "status", "due_on"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    note_id: int | None = Field(default=None, foreign_key="case_note.id", index=True)
    name: str = Field(max_length=SUMMARY_MAX)
    due_on: date
    repeats: str = Field(default="none", max_length=20)
    rrule: str | None = Field(default=None, max_length=500)
    assigned_to_client: bool = Field(default=False)
    details: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="open", max_length=20)
    created_by_id: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=utc_column())
    # The occurrence this one was made from, when a repeating task was completed.
    previous_task_id: int | None = Field(default=None, foreign_key="follow_up_task.id")
    version: int = Field(default=1)


class TaskResponsible(SQLModel, table=True):
    __tablename__ = "task_responsible"
    task_id: int = Field(foreign_key="follow_up_task.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)


class Communication(SQLModel, table=True):
    """A call, letter, email, text or meeting with the client, or a reminder sent to them.

    A reminder (``kind`` "reminder") is the one communication the client receives: it has a
    send date and a delivery state; the other kinds record what happened and have neither.
    """

    __tablename__ = "communication"
    __table_args__ = (
        Index("ix_communication_case_at", "case_id", "occurred_at"),
        # The sender's question: which reminders are due, oldest first.
        Index("ix_communication_reminder_due", "reminder_state", "send_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    author_id: int = Field(foreign_key="staff.id", index=True)
    kind: str = Field(max_length=20)  # CommunicationType
    direction: str = Field(max_length=3)  # in, out
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False))
    subject: str = Field(max_length=SUMMARY_MAX)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Reminders only.
    send_on: date | None = None
    repeats: str = Field(default="none", max_length=20)
    rrule: str | None = Field(default=None, max_length=500)
    reminder_state: str | None = Field(default=None, max_length=20)  # ReminderState
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column())
    # When a sender claimed it (state "sending"); one left claimed is for a person to check.
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    message_id: str | None = Field(default=None, max_length=255)
    server_answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The occurrence this one was made from, when a repeating reminder was sent.
    previous_id: int | None = Field(default=None, foreign_key="communication.id")
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(sa_column=utc_column(nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column())
    version: int = Field(default=1)


class SupportiveService(SQLModel, table=True):
    """A service given to the client (a bus pass, a food voucher), and the grant that paid."""

    __tablename__ = "supportive_service"
    __table_args__ = (Index("ix_supportive_service_case_date", "case_id", "provided_on"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    author_id: int = Field(foreign_key="staff.id")
    service_type: str = Field(max_length=NAME_MAX)
    provided_on: date
    provider: str = Field(max_length=NAME_MAX)
    # Money: exact decimals, never a float.
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    grant: str | None = Field(default=None, max_length=NAME_MAX, index=True)
    justification: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(sa_column=utc_column(nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column())
    version: int = Field(default=1)


class Attachment(SQLModel, table=True):
    """A file on a case or a note. Its bytes are in ``attachment_content``, so listing
    attachments never reads them."""

    __tablename__ = "attachment"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    note_id: int | None = Field(default=None, foreign_key="case_note.id", index=True)
    name: str = Field(max_length=255)
    size: int = Field(sa_type=BigInteger)
    media_type: str = Field(max_length=127)  # detected from the content, not the name
    sha256: str = Field(max_length=64)
    restricted: bool = Field(default=False)
    uploaded_by_id: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column())


class AttachmentContent(SQLModel, table=True):
    __tablename__ = "attachment_content"
    attachment_id: int = Field(
        sa_column=Column(ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True)
    )
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Notification(SQLModel, table=True):
    """One line in a staff member's inbox."""

    __tablename__ = "notification"
    __table_args__ = (
        # One notification per event and person: a task due today is not said twice.
        UniqueConstraint("staff_id", "event_key", name="uq_notification_staff_id_event_key"),
        Index("ix_notification_staff_read", "staff_id", "read_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    kind: str = Field(max_length=40)  # NotificationKind
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    event_key: str = Field(max_length=120)  # what happened, e.g. "task-due:812:2026-12-07"
    text: str = Field(max_length=500)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=utc_column())


class NoteAudit(SQLModel, table=True):
    """A note's quality audit: its score out of 100 and, per criterion, met or not and why."""

    __tablename__ = "note_audit"
    __table_args__ = (Index("ix_note_audit_author_audited", "author_id", "audited_at"),)
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="case_note.id", unique=True)
    # The note's author, kept here so a worker's scores and monthly trend are one index.
    author_id: int = Field(foreign_key="staff.id")
    score: int
    # A JSON array of {name, weight, met, evidence, overridden_by, comment}.
    criteria: str = Field(sa_column=Column(Text, nullable=False))
    audited_by_id: int = Field(foreign_key="staff.id")
    audited_at: datetime = Field(sa_column=utc_column(nullable=False))
    version: int = Field(default=1)


class OutcomeAssessment(SQLModel, table=True):
    """Where a case stands at one outcome stage. Never updated: a new assessment is a new row,
    so the history is kept; the newest per case and stage is the current one."""

    __tablename__ = "outcome_assessment"
    __table_args__ = (Index("ix_outcome_assessment_case_stage", "case_id", "stage", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    stage: str = Field(max_length=NAME_MAX)
    level: str = Field(max_length=10)  # OutcomeLevel
    confidence: str = Field(max_length=10)  # Confidence
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    assessed_by_id: int = Field(foreign_key="staff.id")
    assessed_at: datetime = Field(sa_column=utc_column(nullable=False))


class NoteSignoff(SQLModel, table=True):
    """A note sent for a supervisor's sign-off, and what became of it (one row per note; each
    request, approval and return is also in the audit trail)."""

    __tablename__ = "note_signoff"
    __table_args__ = (Index("ix_note_signoff_state", "state"),)
    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="case_note.id", unique=True)
    state: str = Field(max_length=10)  # SignoffState
    requested_by_id: int = Field(foreign_key="staff.id")
    requested_at: datetime = Field(sa_column=utc_column(nullable=False))
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_column=utc_column())
    comment: str | None = Field(default=None, max_length=REASON_MAX)
    version: int = Field(default=1)


class CaseEvent(SQLModel, table=True):
    """Status, concern and worker changes, shown in the case timeline."""

    __tablename__ = "case_event"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    actor_id: int = Field(foreign_key="staff.id")
    at: datetime = Field(sa_column=utc_column(nullable=False))
    kind: str = Field(max_length=40)
    before: str | None = Field(default=None, max_length=NAME_MAX)
    after: str | None = Field(default=None, max_length=NAME_MAX)


class AuditEvent(SQLModel, table=True):
    """Append-only; each row carries the hash of the one before it."""

    __tablename__ = "audit_event"
    # Newest first, a page at a time, whole or by person, case or action (migration 0003).
    __table_args__ = (
        Index("ix_audit_event_at_id", "at", "id"),
        Index("ix_audit_event_actor_at", "actor_username", "at", "id"),
        Index("ix_audit_event_case_at", "case_id", "at", "id"),
        Index("ix_audit_event_action_at", "action", "at", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=utc_column(nullable=False))
    actor_id: int | None = Field(default=None, index=True)
    actor_username: str = Field(max_length=64)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=40, index=True)
    case_id: int | None = Field(default=None)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditPending(SQLModel, table=True):
    """A transaction's audit events before they join the chain, as it commits (migration
    0013): on PostgreSQL a deferred trigger numbers, hashes and moves them. Never committed."""

    __tablename__ = "audit_pending"
    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    opens: bool = False  # the transaction's first: the one the trigger fires for
    at: datetime = Field(sa_column=utc_column(nullable=False))
    actor_id: int | None = None
    actor_username: str = Field(max_length=64)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=40)
    case_id: int | None = None
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AuditAnchor(SQLModel, table=True):
    """One row (id 1): how many audit events were ever written, and the newest one.

    Moved forward in the same transaction as the events; database triggers refuse to delete
    it or lower its count, so deleting the newest events leaves it counting past the trail.
    """

    __tablename__ = "audit_anchor"
    id: int | None = Field(default=None, primary_key=True)
    events: int = Field(default=0, sa_type=BigInteger)
    head_id: int = Field(default=0, sa_type=BigInteger)
    head_hash: str = Field(max_length=64)


class SubjectAccessRequest(SQLModel, table=True):
    """A client's request for everything held about them: gathered, reviewed, exported.

    Its items are gathered again whenever it is decided on or exported, so a note written or
    restricted after it was started is held for review rather than released unseen.
    """

    __tablename__ = "subject_access_request"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    requested_by_id: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    # The latest export: when, by whom, and the sha256 of the folder's SHA256SUMS.
    exported_at: datetime | None = Field(default=None, sa_column=utc_column())
    exported_by_id: int | None = Field(default=None, foreign_key="staff.id")
    manifest_sha256: str | None = Field(default=None, max_length=64)


class SubjectAccessItem(SQLModel, table=True):
    """One record in a request ("note:123"): released by rule, or held (a restricted note, a
    3rd Party contact and what hangs on them) until someone releases or withholds it."""

    __tablename__ = "subject_access_item"
    __table_args__ = (
        UniqueConstraint("request_id", "item", name="uq_subject_access_item_request_id_item"),
    )
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="subject_access_request.id")
    item: str = Field(max_length=40)  # kind:id
    kind: str = Field(max_length=20)  # ItemKind
    record_id: int
    held_because: str | None = Field(default=None, max_length=200)  # None: released by rule
    # The record's version when gathered, or when released: a released record changed since
    # is held again.
    record_version: int | None = None
    decision: str | None = Field(default=None, max_length=10)  # release, withhold
    reason: str | None = Field(default=None, max_length=REASON_MAX)
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_column=utc_column())
