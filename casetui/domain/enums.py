"""Fixed vocabularies. Organisation-defined lists live in the database instead."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"


class Grant(StrEnum):
    CASE_NUMBERS = "case_numbers"
    DELETE_CLIENTS = "delete_clients"
    BULK_ACTIONS = "bulk_actions"
    REPORTS = "reports"
    OVERRIDE_LOCK = "override_lock"


# What a new account of each role starts with; an administrator may add or take away.
DEFAULT_GRANTS: dict[Role, frozenset[Grant]] = {
    Role.CASEWORKER: frozenset({Grant.BULK_ACTIONS}),
    Role.SUPERVISOR: frozenset({Grant.BULK_ACTIONS, Grant.REPORTS}),
    Role.ADMINISTRATOR: frozenset(Grant),
    Role.AUDITOR: frozenset({Grant.REPORTS}),
}


class CaseStatus(StrEnum):
    OPEN = "Open"
    PAUSED = "Paused"
    CLOSED = "Closed"


class Concern(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


class RecordStatus(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    CLOSED = "Closed"


class ContactType(StrEnum):
    CLIENT = "Client"
    THIRD_PARTY = "3rd Party"
    INTERNAL = "Internal/Partner Support"
    SUPERVISION = "Case Management/Supervision"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Repeats(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    CUSTOM = "custom"  # an RFC 5545 RRULE kept beside the task


class CommunicationType(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SMS = "SMS"
    LETTER = "letter"
    IN_PERSON = "in person"
    REMINDER = "reminder"  # the one the client receives: sent by email on its send date


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class ReminderState(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed by a sender; one left so by a crash is for a person to check
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class NotificationKind(StrEnum):
    CASE_ASSIGNED = "case_assigned"  # as primary worker or navigator
    TASK_DUE = "task_due"  # a task you are responsible for, due today or overdue
    REMINDER_FAILED = "reminder_failed"  # on your case
    SIGNOFF_WAITING = "signoff_waiting"  # a note waiting for your sign-off
    SIGNOFF_RETURNED = "signoff_returned"  # your note, returned with a comment


class ListKind(StrEnum):
    """The organisation-defined lists kept in settings."""

    ACTIVITY_TYPE = "activity_type"
    CLIENT_TYPE = "client_type"
    WARNING_INDICATOR = "warning_indicator"
    PATHWAY = "pathway"
    GROUP = "group"
    SERVICE_TYPE = "service_type"
    FUNDING_GRANT = "grant"  # who paid for a supportive service (not a staff member's Grant)
    OUTCOME_STAGE = "outcome_stage"
    AUDIT_CRITERION = "audit_criterion"


class OutcomeLevel(StrEnum):
    """Where a case stands at one outcome stage (red, amber, green on the heatmap)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Confidence(StrEnum):
    """How sure the assessment is; limited confidence is drawn dimmed."""

    LIMITED = "limited"
    SOME = "some"
    STRONG = "strong"


class SignoffState(StrEnum):
    REQUESTED = "requested"  # waiting for a supervisor of the case's team
    APPROVED = "approved"  # the note is locked
    RETURNED = "returned"  # back to its author with a comment; may be sent again
