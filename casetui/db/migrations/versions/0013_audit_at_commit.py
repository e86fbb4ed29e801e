"""The audit chain appended at COMMIT, on the server (PostgreSQL)

Revision ID: 0013_audit_at_commit
Revises: 0012_supervisor_insight
Create Date: 2026-12-07

* ``audit_pending``: a transaction's audit events before they join the chain. A transaction
  sees only its own rows here (nobody else's are committed), and never commits any.
* PostgreSQL: a deferred trigger on it runs ``audit_append()`` as the transaction commits: it
  takes the chain's lock, reads the tail, numbers and hashes each pending event exactly as
  ``services/audit.py`` does (``event_hash``, checked by ``verify``), inserts them, moves the
  anchor and empties ``audit_pending``. The lock is held for that work on the server alone,
  not for a round trip to a busy client. SQLite appends from Python (one writer at a time).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casetui.domain.types import UTCDateTime

revision = "0013_audit_at_commit"
down_revision = "0012_supervisor_insight"
branch_labels = None
depends_on = None

# The chain's lock: AUDIT_CHAIN_KEY in db/uow.py.
APPEND = r"""
CREATE FUNCTION audit_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tail_id bigint;
    tail_hash text;
    first_id bigint;
    moment text;
    payload text;
    pending record;
BEGIN
    PERFORM pg_advisory_xact_lock(7420002);
    -- Each statement of a volatile function reads a new snapshot: the tail as the lock's
    -- last holder committed it.
    SELECT id, hash INTO tail_id, tail_hash FROM audit_event ORDER BY id DESC LIMIT 1;
    IF NOT FOUND THEN
        tail_id := 0;
        tail_hash := repeat('0', 64);
    END IF;
    first_id := tail_id;
    FOR pending IN SELECT * FROM audit_pending ORDER BY seq LOOP
        tail_id := tail_id + 1;
        -- Python's isoformat() of an aware UTC datetime: microseconds only when not zero.
        moment := to_char(pending.at, 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE WHEN date_part('microseconds', pending.at)::bigint % 1000000 = 0 THEN ''
                    ELSE '.' || to_char(pending.at, 'US') END
            || '+00:00';
        -- json.dumps([...], ensure_ascii=False, separators=(",", ":")) of event_hash's fields.
        payload := '[' || tail_id::text
            || ',' || to_json(tail_hash)::text
            || ',' || to_json(moment)::text
            || ',' || coalesce(pending.actor_id::text, 'null')
            || ',' || to_json(pending.actor_username)::text
            || ',' || to_json(pending.action)::text
            || ',' || to_json(pending.entity)::text
            || ',' || coalesce(to_json(pending.entity_id)::text, 'null')
            || ',' || coalesce(pending.case_id::text, 'null')
            || ',' || coalesce(to_json(pending.before)::text, 'null')
            || ',' || coalesce(to_json(pending.after)::text, 'null')
            || ']';
        INSERT INTO audit_event (id, at, actor_id, actor_username, action, entity, entity_id,
                                 case_id, before, after, prev_hash, hash)
        VALUES (tail_id, pending.at, pending.actor_id, pending.actor_username, pending.action,
                pending.entity, pending.entity_id, pending.case_id, pending.before,
                pending.after, tail_hash,
                encode(sha256(convert_to(payload, 'UTF8')), 'hex'))
        RETURNING hash INTO tail_hash;
    END LOOP;
    IF tail_id > first_id THEN
        UPDATE audit_anchor
        SET events = events + (tail_id - first_id), head_id = tail_id, head_hash = tail_hash
        WHERE id = 1;
        DELETE FROM audit_pending;
    END IF;
    RETURN NULL;
END
$$
"""

AT_COMMIT = """
CREATE CONSTRAINT TRIGGER audit_pending_at_commit
AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (NEW.opens) EXECUTE FUNCTION audit_append()
"""


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("opens", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND)
        op.execute(AT_COMMIT)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_pending_at_commit ON audit_pending")
        op.execute("DROP FUNCTION audit_append()")
    op.drop_table("audit_pending")
