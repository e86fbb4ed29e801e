"""Indexes for the caseload filter at scale

Revision ID: 0002_caseload_search
Revises: 0001_initial
Create Date: 2026-11-22

SQLite: an FTS5 trigram index over client names, kept in step by triggers, so a name filter
finds its few clients among a million without reading every name. PostgreSQL: the same with
a pg_trgm GIN index, where the extension can be had. Both: an index for sorting by name, and
each case's next task due kept on the case, so the caseload sorts by it through an index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0002_caseload_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_SQLITE = (
    """CREATE VIRTUAL TABLE client_search USING fts5(
           name, preferred_name, content='client', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER client_search_insert AFTER INSERT ON client BEGIN
           INSERT INTO client_search(rowid, name, preferred_name)
           VALUES (new.id, new.name, new.preferred_name);
       END""",
    """CREATE TRIGGER client_search_delete AFTER DELETE ON client BEGIN
           INSERT INTO client_search(client_search, rowid, name, preferred_name)
           VALUES ('delete', old.id, old.name, old.preferred_name);
       END""",
    """CREATE TRIGGER client_search_update AFTER UPDATE OF name, preferred_name ON client BEGIN
           INSERT INTO client_search(client_search, rowid, name, preferred_name)
           VALUES ('delete', old.id, old.name, old.preferred_name);
           INSERT INTO client_search(rowid, name, preferred_name)
           VALUES (new.id, new.name, new.preferred_name);
       END""",
    # Clients written before this revision.
    "INSERT INTO client_search(client_search) VALUES ('rebuild')",
)


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("next_task_due", sa.Date(), nullable=True))
        batch.create_index("ix_cases_next_task_due", ["next_task_due"])
    op.execute(
        "UPDATE cases SET next_task_due = (SELECT min(t.due_on) FROM follow_up_task t"
        " WHERE t.case_id = cases.id AND t.status = 'open')"
    )
    op.create_index("ix_client_lower_name", "client", [text("lower(name)")])
    op.create_index("ix_cases_pathway", "cases", ["pathway"])
    # The workload's one aggregate reads this index alone, never the cases themselves; it
    # also serves every "cases of this worker" look-up the narrower index did.
    op.drop_index("ix_cases_worker_status", "cases")
    op.create_index(
        "ix_cases_workload", "cases", ["primary_worker_id", "status", "concern", "deleted_at"]
    )
    # Counting a caseload by status reads this small index, not every case.
    live = text("deleted_at IS NULL")
    op.create_index(
        "ix_cases_live_status", "cases", ["status"], sqlite_where=live, postgresql_where=live
    )
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE:
            op.execute(statement)
        return
    # pg_trgm needs the right to create extensions; without it the filter still works, slower.
    with bind.begin_nested():
        available = bind.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).first()
    if available:
        try:
            with bind.begin_nested():
                bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except Exception:  # noqa: BLE001 - no privilege: carry on without the index
            return
        op.execute(
            "CREATE INDEX ix_client_name_trgm ON client USING gin (lower(name) gin_trgm_ops)"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("client_search_update", "client_search_delete", "client_search_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS client_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_client_name_trgm")
    op.drop_index("ix_cases_live_status", "cases")
    op.drop_index("ix_cases_workload", "cases")
    op.create_index("ix_cases_worker_status", "cases", ["primary_worker_id", "status"])
    op.drop_index("ix_cases_pathway", "cases")
    op.drop_index("ix_client_lower_name", "client")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_next_task_due")
        batch.drop_column("next_task_due")
