"""The open and paused cases, by last interaction, in an index of their own

Revision ID: 0004_active_caseload
Revises: 0003_audit_trail
Create Date: 2026-11-22

Nearly every case of a large agency is closed, yet the caseload opens on the open and paused
ones, newest interaction first. Walking the index of every case's last interaction for those
reads twenty closed cases for each one shown; this partial index holds only the live open and
paused cases, in the caseload's own order, so the first page and every row-by-row filter
(``CaseSearch.matching`` in repositories/case_search.py) read only cases they can show. The repository writes the two
statuses as literals, as the planners need to see that a query asks for just these cases.

PostgreSQL, where pg_trgm is installed (0002): preferred names get the trigram index names
have, so a name filter reads two indexes rather than every client.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection, text

revision = "0004_active_caseload"
down_revision = "0003_audit_trail"
branch_labels = None
depends_on = None

ACTIVE = "deleted_at IS NULL AND status IN ('Open', 'Paused')"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite puts NULLs first ascending, so last descending: the caseload's NULLS LAST.
        columns = "last_interaction_at DESC, id DESC"
    else:
        columns = "last_interaction_at DESC NULLS LAST, id DESC"
    op.execute(f"CREATE INDEX ix_cases_active_last ON cases ({columns}) WHERE {ACTIVE}")
    if bind.dialect.name == "postgresql" and _has_name_trigrams(bind):
        op.execute(
            "CREATE INDEX ix_client_preferred_name_trgm ON client"
            " USING gin (lower(preferred_name) gin_trgm_ops)"
        )


def _has_name_trigrams(bind: Connection) -> bool:
    found = bind.execute(
        text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_client_name_trgm'")
    ).first()
    return found is not None


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_client_preferred_name_trgm")
    op.execute("DROP INDEX ix_cases_active_last")
