"""Browsing the audit trail, and an anchor for its newest events

Revision ID: 0003_audit_trail
Revises: 0002_caseload_search
Create Date: 2026-11-22

Indexes: the trail is read newest first, by person, by case, by action or by date, a page at a
time; each filter is an index that starts at the page's anchor and reads no further.

The anchor: one row holding how many events the product has written and the newest one's
hash, moved forward in the same transaction as the events (services.audit). Triggers refuse to
delete it or move it back, so a raw DELETE of the newest events (which the hash chain alone
cannot notice) leaves it pointing past the end of the trail, and a raw INSERT leaves the trail
longer than its count; ``casetui audit verify`` names either.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0003_audit_trail"
down_revision = "0002_caseload_search"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
REFUSAL = "the audit anchor only moves forward"
# Only the count must grow: after events were cut, the product's next write still succeeds and
# moves the head back onto the shorter trail, while the count keeps what went missing.

_SQLITE = (
    f"""CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER audit_anchor_no_rewind BEFORE UPDATE ON audit_anchor
        WHEN NEW.events <= OLD.events OR NEW.id IS NOT OLD.id
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
)
_POSTGRES = (
    f"""CREATE FUNCTION audit_anchor_refuse_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.events > OLD.events AND NEW.id = OLD.id THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{REFUSAL}';
        END $$""",
    """CREATE TRIGGER audit_anchor_forward_only BEFORE UPDATE OR DELETE ON audit_anchor
       FOR EACH ROW EXECUTE FUNCTION audit_anchor_refuse_rewind()""",
    """CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
       FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor_refuse_rewind()""",
)


def upgrade() -> None:
    bind = op.get_bind()
    # Plain index operations: a batch on SQLite could rebuild the table and lose its triggers.
    op.drop_index("ix_audit_event_at", "audit_event")
    op.drop_index("ix_audit_event_case_id", "audit_event")
    op.create_index("ix_audit_event_at_id", "audit_event", ["at", "id"])
    op.create_index("ix_audit_event_actor_at", "audit_event", ["actor_username", "at", "id"])
    op.create_index("ix_audit_event_case_at", "audit_event", ["case_id", "at", "id"])
    op.create_index("ix_audit_event_action_at", "audit_event", ["action", "at", "id"])

    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("head_id", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    # A trail written before this revision is anchored where it stands now.
    newest = bind.execute(text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")).first()
    count = bind.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    bind.execute(
        text(
            "INSERT INTO audit_anchor (id, events, head_id, head_hash) "
            "VALUES (1, :events, :head_id, :head_hash)"
        ),
        {
            "events": count,
            "head_id": newest[0] if newest else 0,
            "head_hash": newest[1] if newest else GENESIS,
        },
    )
    for statement in _SQLITE if bind.dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS audit_anchor")  # takes its triggers with it
        op.execute("DROP FUNCTION IF EXISTS audit_anchor_refuse_rewind()")
    op.execute("DROP TABLE IF EXISTS audit_anchor")
    op.drop_index("ix_audit_event_action_at", "audit_event")
    op.drop_index("ix_audit_event_case_at", "audit_event")
    op.drop_index("ix_audit_event_actor_at", "audit_event")
    op.drop_index("ix_audit_event_at_id", "audit_event")
    op.create_index("ix_audit_event_case_id", "audit_event", ["case_id"])
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
