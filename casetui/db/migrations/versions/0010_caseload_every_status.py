"""Every live case by last interaction, in the caseload's own order, on PostgreSQL

Revision ID: 0010_caseload_every_status
Revises: 0009_confidentiality_notice
Create Date: 2026-12-07

The caseload with every status shown (the status filter cleared) sorts by last interaction,
newest first and never-contacted cases last. PostgreSQL's index of last interactions (0001)
keeps NULLs last in ascending order, so read backwards it gives them first: it cannot serve
DESC NULLS LAST, and for an administrator each page sorted every case of the agency (every
page of a million cases, a sort of a million rows). This partial index holds the live cases in
the page's own order, as ``ix_cases_active_last`` (0004) does for the open and paused ones.
SQLite already walks the plain index backwards for it (NULLs come last descending there), so
it gets none. tests/test_query_plans_postgres.py checks the page uses it.
"""

from __future__ import annotations

from alembic import op

revision = "0010_caseload_every_status"
down_revision = "0009_confidentiality_notice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_cases_live_last ON cases"
            " (last_interaction_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_live_last")
