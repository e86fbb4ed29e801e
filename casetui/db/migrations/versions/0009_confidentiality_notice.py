"""The confidentiality notice printed at the foot of every page of a case file

Revision ID: 0009_confidentiality_notice
Revises: 0008_around_the_note
Create Date: 2026-12-08

* ``organisation_settings.confidentiality_notice``: S1's wording until an administrator
  changes it (``casetui settings set confidentiality_notice TEXT``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_confidentiality_notice"
down_revision = "0008_around_the_note"
branch_labels = None
depends_on = None

# Written out, not imported: a migration keeps the words it was written with.
NOTICE = (
    "Case notes may contain sensitive information and are intended solely for authorized "
    "personnel. Unauthorized disclosure, copying, distribution, or use of the information is "
    "strictly prohibited."
)


def upgrade() -> None:
    # Plain ADD COLUMN, never batch mode (see 0006).
    op.add_column(
        "organisation_settings",
        sa.Column(
            "confidentiality_notice",
            sa.String(length=500),
            nullable=False,
            server_default=NOTICE,
        ),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE organisation_settings DROP COLUMN confidentiality_notice")
