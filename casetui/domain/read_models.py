"""Plain, frozen data the services and repositories hand to the CLI and the TUI.

Never live ORM objects: these can cross threads and outlive their session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from casetui.domain.enums import Grant, Role
from casetui.domain.reminders import RecipientProblem, recipient_problem
from casetui.domain.signoff import SignoffView


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    role: Role
    team: str | None
    team_id: int | None
    capacity_hours: float
    active: bool
    grants: frozenset[Grant] = frozenset()
    has_password: bool = True
    # A temporary password, set by an administrator, waiting to be changed at first sign-in.
    must_change_password: bool = False
    version: int = 1


@dataclass(frozen=True)
class CaseRow:
    """One caseload line."""

    id: int
    case_number: str
    client_id: int
    client_name: str
    status: str
    concern: str
    worker_id: int | None
    worker_username: str | None
    worker_name: str | None
    pathway: str | None
    last_interaction_at: datetime | None
    tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    next_task_due: date | None = None
    version: int = 1  # for a reassign from a list: refused if the case changed since


@dataclass(frozen=True)
class CaseDetail:
    id: int
    case_number: str
    client_id: int
    client_name: str
    preferred_name: str | None
    status: str
    concern: str
    worker_id: int | None
    worker_username: str | None
    worker_name: str | None
    team_id: int | None
    pathway: str | None
    opened_on: date
    closed_on: date | None
    last_interaction_at: datetime | None
    version: int
    tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    navigators: tuple[str, ...] = ()  # usernames
    former_numbers: tuple[str, ...] = ()  # oldest first: "was C-0042"
    created_at: datetime | None = None


@dataclass(frozen=True)
class ClientView:
    """A client's record: the record box of the client screen, and ``clients show``."""

    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    email: str | None
    phone: str | None
    client_type: str | None
    status: str  # record status: Active, Inactive, Closed
    warnings: tuple[str, ...]
    groups: tuple[str, ...]
    created_at: datetime
    version: int
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class ClientRecord:
    """A client with every case of theirs the reader may see, newest first."""

    client: ClientView
    cases: tuple[CaseDetail, ...]
    # Cases of this client the reader may not see (a client served by two teams): counted,
    # never shown, so nobody takes the record for the whole story.
    cases_out_of_sight: int = 0


@dataclass(frozen=True)
class PossibleDuplicate:
    """A client already registered who may be the person being registered."""

    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    case_numbers: tuple[str, ...]
    reasons: tuple[str, ...]  # "same date of birth, similar name", "same email", "same phone"
    may_open: bool  # the duplicate check looks organisation-wide; opening follows the scope


@dataclass(frozen=True)
class SearchHit:
    """One line of the global search: a client, a case or a note."""

    kind: str  # "client", "case" or "note"
    id: int  # the client's, the case's or the note's id
    case_number: str | None
    title: str
    snippet: str  # the matching words, marked with [ and ] around each match
    client_id: int | None = None
    restricted: bool = False


@dataclass(frozen=True)
class AddendumView:
    id: int
    note_id: int
    author: str
    created_at: datetime
    reason: str
    text: str


@dataclass(frozen=True)
class NoteView:
    id: int
    case_id: int
    case_number: str
    author_id: int
    author: str  # username
    author_name: str
    contact_at: datetime
    activity_type: str
    contact_type: str
    third_party_org: str | None
    summary: str
    details: str
    restricted: bool
    batch_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    locks_at: datetime
    locked: bool
    deleted: bool = False
    addenda: tuple[AddendumView, ...] = ()
    imported: bool = False  # brought in from another system: locked from the start
    signoff: SignoffView | None = None  # sent for a supervisor's sign-off, and where it stands

    @property
    def signed_off(self) -> bool:
        """Approved by a supervisor: locked like a note past its lock period."""
        return self.signoff is not None and self.signoff.approved

    @property
    def signed_off_at(self) -> datetime | None:
        return self.signoff.decided_at if self.signoff and self.signoff.approved else None


@dataclass(frozen=True)
class TaskView:
    id: int
    case_id: int
    case_number: str
    note_id: int | None
    name: str
    due_on: date
    repeats: str
    rrule: str | None
    assigned_to_client: bool
    details: str
    status: str
    responsible: tuple[str, ...]
    created_at: datetime
    completed_at: datetime | None
    version: int


@dataclass(frozen=True)
class CommunicationView:
    """A call, letter, email, text, meeting or reminder on a case.

    The reminder fields are None (``repeats`` "none", ``attempts`` 0) on the other kinds."""

    id: int
    case_id: int
    case_number: str
    author_id: int
    author: str  # username
    author_name: str
    kind: str  # CommunicationType
    direction: str  # in, out
    occurred_at: datetime
    subject: str
    body: str
    created_at: datetime
    updated_at: datetime
    version: int
    locks_at: datetime
    locked: bool
    deleted: bool = False
    send_on: date | None = None
    repeats: str = "none"
    rrule: str | None = None
    state: str | None = None  # ReminderState
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_at: datetime | None = None  # when a sender took it to send
    sent_at: datetime | None = None
    message_id: str | None = None
    server_answer: str | None = None  # the mail server's last answer
    previous_id: int | None = None  # the occurrence a repeating reminder was made from

    @property
    def is_reminder(self) -> bool:
        return self.state is not None


@dataclass(frozen=True)
class ReminderRecipient:
    """Who a case's reminders would go to, as the reminder rule reads them."""

    case_id: int
    case_number: str
    client_name: str
    email: str | None
    record_status: str  # Active, Inactive, Closed
    client_deleted: bool = False

    @property
    def problem(self) -> RecipientProblem | None:
        """Why a reminder cannot go to this client now (``domain.reminders``), or None."""
        return recipient_problem(self.email, self.record_status, client_deleted=self.client_deleted)


@dataclass(frozen=True)
class BulkCommunicationResult:
    """One communication written to each case, all in one transaction."""

    batch_id: str  # kept in each one's audit event: which were written together
    communication_ids: tuple[int, ...]
    case_numbers: tuple[str, ...]


@dataclass(frozen=True)
class AttachmentView:
    """A file on a case or a note, without its bytes."""

    id: int
    case_id: int
    case_number: str
    note_id: int | None
    note_summary: str | None  # the note it is on
    name: str
    size: int  # bytes
    media_type: str  # detected from the content
    sha256: str
    restricted: bool  # marked so itself, or on a restricted note
    uploaded_by_id: int
    uploaded_by: str  # username
    uploaded_by_name: str
    created_at: datetime
    deleted: bool = False


@dataclass(frozen=True)
class SavedAttachment:
    """A file saved out: what was written, and where."""

    attachment: AttachmentView
    path: str


@dataclass(frozen=True)
class ServiceView:
    """A supportive service given on a case; ``amount`` is exact, with two places."""

    id: int
    case_id: int
    case_number: str
    author_id: int
    author: str  # username
    author_name: str
    service_type: str
    provided_on: date
    provider: str
    amount: Decimal
    grant: str | None
    justification: str
    created_at: datetime
    updated_at: datetime
    version: int
    deleted: bool = False


@dataclass(frozen=True)
class GrantTotal:
    """What one grant paid for on a case (``grant`` None: services paid from no grant)."""

    grant: str | None
    amount: Decimal
    services: int


@dataclass(frozen=True)
class ServiceTotals:
    """A case's supportive services added up, in the database: overall and per grant."""

    amount: Decimal
    services: int
    by_grant: tuple[GrantTotal, ...] = ()


@dataclass(frozen=True)
class CaseEventView:
    id: int
    case_id: int
    actor: str
    at: datetime
    kind: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class WorkloadRow:
    staff_id: int
    username: str
    display_name: str
    team: str | None
    capacity_hours: float
    allocated_hours: float
    cases_by_concern: dict[str, int] = field(default_factory=dict)

    @property
    def utilisation(self) -> float:
        if self.capacity_hours <= 0:
            return 0.0 if self.allocated_hours == 0 else float("inf")
        return self.allocated_hours / self.capacity_hours


@dataclass(frozen=True)
class SettingsView:
    name: str
    lock_days: int
    time_zone: str
    weight_low: float
    weight_medium: float
    weight_high: float
    paused_factor: float
    case_number_prefix: str
    activity_types: tuple[str, ...]
    client_types: tuple[str, ...]
    warning_indicators: tuple[str, ...]
    pathways: tuple[str, ...]
    contact_types: tuple[str, ...]
    groups: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ()
    funding_grants: tuple[str, ...] = ()
    outcome_stages: tuple[str, ...] = ()
    audit_criteria: tuple[str, ...] = ()
    stale_days: int = 30
    notify_closed_clients: bool = False
    date_order: str = "dmy"
    currency: str = "GBP"
    attachment_limit_mb: int = 10
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_username: str | None = None
    smtp_sender: str | None = None
    confidentiality_notice: str = ""  # at the foot of every printed page
    version: int = 1
    # Activity types whose new notes go to a supervisor for sign-off as they are saved.
    signoff_activity_types: tuple[str, ...] = ()

    def weight(self, concern: str) -> float:
        return {"Low": self.weight_low, "Medium": self.weight_medium, "High": self.weight_high}[
            concern
        ]


@dataclass(frozen=True)
class BulkResult:
    batch_id: str
    note_ids: tuple[int, ...]
    task_ids: tuple[int, ...]
    case_numbers: tuple[str, ...]


@dataclass(frozen=True)
class AuditEventView:
    """One audit event as the audit trail shows it; ``before`` and ``after`` are JSON text."""

    id: int
    at: datetime
    actor_username: str
    action: str
    entity: str
    entity_id: str | None
    case_id: int | None
    case_number: str | None
    before: str | None
    after: str | None


@dataclass(frozen=True)
class TeamView:
    """A team as the administration screen and ``teams list`` show it."""

    id: int
    name: str
    supervisors: tuple[str, ...]  # usernames of the team's active supervisors
    members: int  # active staff in the team, supervisors included
    version: int


@dataclass(frozen=True)
class ListItemView:
    """One entry of an organisation list; a retired one stays for the records that use it."""

    id: int
    kind: str  # a ListKind value
    value: str
    position: int
    retired: bool
    version: int
    requires_signoff: bool = False  # activity types: new notes of it go for sign-off


@dataclass(frozen=True)
class SettingsResult:
    """Settings after a change, with what the change means for records already written."""

    settings: SettingsView
    notices: tuple[str, ...] = ()


# --- bringing in a spreadsheet (``casetui import``, the import preview) -----------------------


@dataclass(frozen=True)
class ImportRefusal:
    """A row the import will not write: its number as a spreadsheet shows it (the header is
    row 1), the file's column and the rule that refused it."""

    row: int
    column: str
    rule: str


@dataclass(frozen=True)
class ImportDuplicate:
    """A row that may be someone already registered (``client_id``) or already in the file
    (``other_row``), and why."""

    row: int
    name: str
    reasons: tuple[str, ...]
    other_row: int | None = None
    client_id: int | None = None
    other_name: str = ""
    case_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportLine:
    """One row the import would write, as the preview shows it."""

    row: int
    title: str  # the client's name; for a note, its case number
    detail: str  # the case it opens; for a note, its date and summary


@dataclass(frozen=True)
class ImportReport:
    """What an import read and would write (a dry run) or wrote (``committed``).

    The counts are what committing writes once the refused rows are taken out of the file."""

    kind: str  # "clients" or "notes"
    file_name: str
    sha256: str
    read_as: str  # "UTF-8", "Windows-1252", another encoding named, or "XLSX"
    rows: int  # rows read, blank rows aside
    clients: int
    cases: int
    notes: int
    committed: bool
    duplicates: tuple[ImportDuplicate, ...] = ()
    refused: tuple[ImportRefusal, ...] = ()
    ignored_columns: tuple[str, ...] = ()  # columns it does not know, as the file names them
    names: tuple[str, ...] = ()  # the first names (or summaries) read, to see the encoding is right
    preview: tuple[ImportLine, ...] = ()  # the first rows it would write

    @property
    def refused_rows(self) -> int:
        return len({r.row for r in self.refused})


@dataclass(frozen=True)
class NotificationView:
    """One line of a staff member's inbox."""

    id: int
    kind: str  # NotificationKind
    case_id: int | None
    case_number: str | None
    text: str
    created_at: datetime
    read_at: datetime | None

    @property
    def read(self) -> bool:
        return self.read_at is not None


@dataclass(frozen=True)
class InboxPage:
    """The newest of a person's notifications (or the next ones after ``before``), with the
    counts the inbox shows: how many the view holds in all, and how many are unread."""

    notifications: tuple[NotificationView, ...]
    total: int
    unread: int
