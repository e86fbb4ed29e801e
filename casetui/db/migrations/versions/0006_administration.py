"""Administration and imports: the organisation's further settings, temporary passwords,
versions on staff, teams, settings and list items, and imported notes

Revision ID: 0006_administration
Revises: 0005_client_records
Create Date: 2026-12-07

* Settings (SPEC part two, "Administration"): days without contact before a case is stale,
  notifications for closed or inactive clients, how imports read 03/04/1990, the currency,
  the attachment size limit, and the mail server for reminders (its password is never here:
  keyring or CASETUI_SMTP_PASSWORD).
* ``staff.must_change_password``: a temporary password set by an administrator works once,
  to choose a new one.
* ``version`` on staff, teams, settings and list items: an administrator's edit is saved from
  the version they saw, like every other record.
* ``case_note.imported``: a note brought in from another system, locked from the start.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_administration"
down_revision = "0005_client_records"
branch_labels = None
depends_on = None


def _settings_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("stale_days", sa.Integer(), nullable=False, server_default="30"),
        sa.Column("notify_closed_clients", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("date_order", sa.String(length=3), nullable=False, server_default="dmy"),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default="GBP"),
        sa.Column("attachment_limit_mb", sa.Integer(), nullable=False, server_default="10"),
        sa.Column("smtp_host", sa.String(length=253), nullable=True),
        sa.Column("smtp_port", sa.Integer(), nullable=False, server_default="587"),
        sa.Column("smtp_tls", sa.String(length=10), nullable=False, server_default="starttls"),
        sa.Column("smtp_username", sa.String(length=254), nullable=True),
        sa.Column("smtp_sender", sa.String(length=254), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def upgrade() -> None:
    # Plain ADD COLUMN, never batch mode: on SQLite a batch rebuilds the table, and a rebuilt
    # case_note or client loses the triggers that keep their full-text indexes (0002, 0005).
    for column in _settings_columns():
        op.add_column("organisation_settings", column)
    op.add_column(
        "staff",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for table in ("staff", "team", "organisation_list_item"):
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "case_note", sa.Column("imported", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    # DROP COLUMN itself (SQLite 3.35 and later), for the same reason as in upgrade.
    op.execute("ALTER TABLE case_note DROP COLUMN imported")
    for table in ("organisation_list_item", "team", "staff"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
    op.execute("ALTER TABLE staff DROP COLUMN must_change_password")
    for column in reversed(_settings_columns()):
        op.execute(f"ALTER TABLE organisation_settings DROP COLUMN {column.name}")
