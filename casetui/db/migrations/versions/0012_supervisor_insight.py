"""Supervisor insight and a caseworker's day: note audits, outcomes, pathway tasks, sign-off

Revision ID: 0012_supervisor_insight
Revises: 0011_subject_access
Create Date: 2026-12-21

* ``organisation_list_item``: ``weight`` and ``cues`` (audit criteria), ``requires_signoff``
  (activity types whose notes go to a supervisor).
* ``pathway_task``: the follow-up tasks opening a case on a pathway creates.
* ``note_audit``: a note's quality score and, per criterion, met or not and why.
* ``outcome_assessment``: a case's level and confidence at an outcome stage, history kept.
* ``note_signoff``: a note sent for sign-off, approved or returned.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casetui.domain.types import UTCDateTime

revision = "0012_supervisor_insight"
down_revision = "0011_subject_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE TABLE, never batch mode (see 0006).
    op.add_column("organisation_list_item", sa.Column("weight", sa.Integer(), nullable=True))
    op.add_column("organisation_list_item", sa.Column("cues", sa.Text(), nullable=True))
    op.add_column(
        "organisation_list_item",
        sa.Column("requires_signoff", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "pathway_task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "pathway_id",
            sa.Integer(),
            sa.ForeignKey("organisation_list_item.id"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("due_after_days", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_pathway_task_pathway_id", "pathway_task", ["pathway_id"])
    op.create_table(
        "note_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("case_note.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("audited_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("audited_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("note_id", name="uq_note_audit_note_id"),
    )
    op.create_index("ix_note_audit_author_audited", "note_audit", ["author_id", "audited_at"])
    op.create_table(
        "outcome_assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_outcome_assessment_case_stage", "outcome_assessment", ["case_id", "stage", "id"]
    )
    op.create_table(
        "note_signoff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("case_note.id"), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("note_id", name="uq_note_signoff_note_id"),
    )
    op.create_index("ix_note_signoff_state", "note_signoff", ["state"])


def downgrade() -> None:
    op.drop_table("note_signoff")
    op.drop_table("outcome_assessment")
    op.drop_table("note_audit")
    op.drop_table("pathway_task")
    op.execute("ALTER TABLE organisation_list_item DROP COLUMN requires_signoff")
    op.execute("ALTER TABLE organisation_list_item DROP COLUMN cues")
    op.execute("ALTER TABLE organisation_list_item DROP COLUMN weight")
