"""Around the note: communications and reminders, supportive services, attachments,
notifications

Revision ID: 0008_around_the_note
Revises: 0007_plain_names
Create Date: 2026-12-07

* ``communication``: calls, letters, emails, texts and meetings on a case, and reminders, the
  one kind the client receives: a send date, a repeat rule like a task's, and a delivery
  state (scheduled, sending, sent, failed, cancelled) with the attempts, the time and message
  id it was sent with, and the mail server's last answer. Indexed by state and send date, the
  sender's question.
* ``supportive_service``: what was given, by whom, for how much (NUMERIC(12, 2): exact money)
  and from which grant, with the justification.
* ``attachment``: a file's name, size, type detected from its content and sha256;
  ``attachment_content`` holds the bytes (BLOB / bytea) apart, so listing never reads them.
* ``notification``: a staff member's inbox, one row per person and event (``event_key``).
* ``organisation_settings.attachment_limit_mb``: 25 MB by default. A limit nobody has changed
  (the row at version 1) moves from 10 to 25.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casetui.domain.types import UTCDateTime

revision = "0008_around_the_note"
down_revision = "0007_plain_names"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _record_times() -> tuple[sa.Column[object], ...]:
    return (
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        _when("deleted_at"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def upgrade() -> None:
    op.create_table(
        "communication",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        _when("occurred_at", nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("send_on", sa.Date(), nullable=True),
        sa.Column("repeats", sa.String(length=20), nullable=False, server_default="none"),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("reminder_state", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _when("next_attempt_at"),
        _when("claimed_at"),
        _when("sent_at"),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("server_answer", sa.Text(), nullable=True),
        sa.Column("previous_id", sa.Integer(), sa.ForeignKey("communication.id"), nullable=True),
        *_record_times(),
    )
    op.create_index("ix_communication_case_at", "communication", ["case_id", "occurred_at"])
    op.create_index("ix_communication_reminder_due", "communication", ["reminder_state", "send_on"])
    op.create_index("ix_communication_author_id", "communication", ["author_id"])

    op.create_table(
        "supportive_service",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("service_type", sa.String(length=200), nullable=False),
        sa.Column("provided_on", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("grant", sa.String(length=200), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        *_record_times(),
    )
    op.create_index(
        "ix_supportive_service_case_date", "supportive_service", ["case_id", "provided_on"]
    )
    op.create_index("ix_supportive_service_grant", "supportive_service", ["grant"])

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("case_note.id"), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        _when("created_at", nullable=False),
        _when("deleted_at"),
    )
    op.create_index("ix_attachment_case_id", "attachment", ["case_id"])
    op.create_index("ix_attachment_note_id", "attachment", ["note_id"])
    op.create_table(
        "attachment_content",
        sa.Column(
            "attachment_id",
            sa.Integer(),
            sa.ForeignKey("attachment.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("event_key", sa.String(length=120), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        _when("created_at", nullable=False),
        _when("read_at"),
        sa.UniqueConstraint("staff_id", "event_key", name="uq_notification_staff_id_event_key"),
    )
    op.create_index("ix_notification_staff_read", "notification", ["staff_id", "read_at"])
    op.create_index("ix_notification_case_id", "notification", ["case_id"])

    # Plain ALTER/UPDATE, never batch mode (see 0006).
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("organisation_settings", "attachment_limit_mb", server_default="25")
    op.execute(
        "UPDATE organisation_settings SET attachment_limit_mb = 25 "
        "WHERE attachment_limit_mb = 10 AND version = 1"
    )


def downgrade() -> None:
    for table in ("notification", "attachment_content", "attachment", "supportive_service"):
        op.drop_table(table)
    op.drop_table("communication")
