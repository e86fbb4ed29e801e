"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("preferred_name", sa.String(length=200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("client_type", sa.String(length=200), nullable=True),
        sa.Column("record_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_name"), ["name"], unique=False)

    op.create_table(
        "organisation_list_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_list_item")),
        sa.UniqueConstraint("kind", "value", name="uq_organisation_list_item_kind_value"),
    )
    op.create_table(
        "organisation_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lock_days", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("weight_low", sa.Float(), nullable=False),
        sa.Column("weight_medium", sa.Float(), nullable=False),
        sa.Column("weight_high", sa.Float(), nullable=False),
        sa.Column("paused_factor", sa.Float(), nullable=False),
        sa.Column("case_number_prefix", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_settings")),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_team_name")),
    )
    op.create_table(
        "client_group",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_group_client_id_client")
        ),
        sa.PrimaryKeyConstraint("client_id", "group_name", name=op.f("pk_client_group")),
    )
    op.create_table(
        "client_warning",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_warning_client_id_client")
        ),
        sa.PrimaryKeyConstraint("client_id", "indicator", name=op.f("pk_client_warning")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("grants", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("capacity_hours", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_staff_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_team_id"), ["team_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("concern", sa.String(length=20), nullable=False),
        sa.Column("primary_worker_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("pathway", sa.String(length=200), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("last_interaction_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_cases_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["primary_worker_id"], ["staff.id"], name=op.f("fk_cases_primary_worker_id_staff")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_cases_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_number", name=op.f("uq_cases_case_number")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_cases_concern", ["concern"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_last_interaction_at"), ["last_interaction_at"], unique=False
        )
        batch_op.create_index(
            "ix_cases_status_last", ["status", "last_interaction_at"], unique=False
        )
        batch_op.create_index("ix_cases_team_status", ["team_id", "status"], unique=False)
        batch_op.create_index(
            "ix_cases_worker_status", ["primary_worker_id", "status"], unique=False
        )

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("before", sa.String(length=200), nullable=True),
        sa.Column("after", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name=op.f("fk_case_event_actor_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_event_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_navigator",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_navigator_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_case_navigator_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("case_id", "staff_id", name=op.f("pk_case_navigator")),
    )
    with op.batch_alter_table("case_navigator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_navigator_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("contact_at", sa.DateTime(), nullable=False),
        sa.Column("activity_type", sa.String(length=200), nullable=False),
        sa.Column("contact_type", sa.String(length=40), nullable=False),
        sa.Column("third_party_org", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_case_note_author_id_staff")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_note_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_note_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index("ix_case_note_case_contact", ["case_id", "contact_at"], unique=False)

    op.create_table(
        "case_tag",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_tag_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "tag", name=op.f("pk_case_tag")),
    )
    with op.batch_alter_table("case_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_tag_tag"), ["tag"], unique=False)

    op.create_table(
        "follow_up_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("repeats", sa.String(length=20), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("assigned_to_client", sa.Boolean(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("previous_task_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_follow_up_task_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_follow_up_task_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["case_note.id"], name=op.f("fk_follow_up_task_note_id_case_note")
        ),
        sa.ForeignKeyConstraint(
            ["previous_task_id"],
            ["follow_up_task.id"],
            name=op.f("fk_follow_up_task_previous_task_id_follow_up_task"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_task")),
    )
    with op.batch_alter_table("follow_up_task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_task_case_status_due", ["case_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_up_task_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_addendum",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_note_addendum_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["case_note.id"], name=op.f("fk_note_addendum_note_id_case_note")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_addendum")),
    )
    with op.batch_alter_table("note_addendum", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_addendum_note_id"), ["note_id"], unique=False)

    op.create_table(
        "task_responsible",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_task_responsible_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["follow_up_task.id"],
            name=op.f("fk_task_responsible_task_id_follow_up_task"),
        ),
        sa.PrimaryKeyConstraint("task_id", "staff_id", name=op.f("pk_task_responsible")),
    )
    with op.batch_alter_table("task_responsible", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_responsible_staff_id"), ["staff_id"], unique=False
        )

    _audit_append_only()


# The audit trail is append-only below the product too: the database refuses to change it.
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
)
_POSTGRES_TRIGGERS = (
    """CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()""",
)


def _audit_append_only() -> None:
    statements = _SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else _POSTGRES_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    with op.batch_alter_table("task_responsible", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_responsible_staff_id"))

    op.drop_table("task_responsible")
    with op.batch_alter_table("note_addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_addendum_note_id"))

    op.drop_table("note_addendum")
    with op.batch_alter_table("follow_up_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_task_note_id"))
        batch_op.drop_index("ix_follow_up_task_case_status_due")

    op.drop_table("follow_up_task")
    with op.batch_alter_table("case_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_tag_tag"))

    op.drop_table("case_tag")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index("ix_case_note_case_contact")
        batch_op.drop_index(batch_op.f("ix_case_note_batch_id"))
        batch_op.drop_index(batch_op.f("ix_case_note_author_id"))

    op.drop_table("case_note")
    with op.batch_alter_table("case_navigator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_navigator_staff_id"))

    op.drop_table("case_navigator")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_worker_status")
        batch_op.drop_index("ix_cases_team_status")
        batch_op.drop_index("ix_cases_status_last")
        batch_op.drop_index(batch_op.f("ix_cases_last_interaction_at"))
        batch_op.drop_index("ix_cases_concern")
        batch_op.drop_index(batch_op.f("ix_cases_client_id"))

    op.drop_table("cases")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_team_id"))

    op.drop_table("staff")
    op.drop_table("client_warning")
    op.drop_table("client_group")
    op.drop_table("team")
    op.drop_table("organisation_settings")
    op.drop_table("organisation_list_item")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_name"))

    op.drop_table("client")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_case_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))

    op.drop_table("audit_event")
