"""Subject-access requests: everything held about one client, reviewed before it goes out

Revision ID: 0011_subject_access
Revises: 0010_caseload_every_status
Create Date: 2026-12-14

* ``subject_access_request``: whose request, who started it and when, and the latest export
  (when, by whom, and the sha256 of the folder's SHA256SUMS).
* ``subject_access_item``: one row per record gathered ("note:123"), why it is held for review
  (empty: released by rule), the record's version, and the decision with its reason.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casetui.domain.types import UTCDateTime

revision = "0011_subject_access"
down_revision = "0010_caseload_every_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables only: plain CREATE TABLE, never batch mode (see 0006).
    op.create_table(
        "subject_access_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("client.id"), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("exported_at", UTCDateTime(), nullable=True),
        sa.Column("exported_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_subject_access_request_client_id", "subject_access_request", ["client_id"])
    op.create_table(
        "subject_access_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("subject_access_request.id"),
            nullable=False,
        ),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("held_because", sa.String(length=200), nullable=True),
        sa.Column("record_version", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("request_id", "item", name="uq_subject_access_item_request_id_item"),
    )


def downgrade() -> None:
    op.drop_table("subject_access_item")
    op.drop_table("subject_access_request")
