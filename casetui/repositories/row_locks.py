"""Row locks a write takes on PostgreSQL before it reads what it checks.

Writers run side by side there (``db/uow.py``); what keeps two writes on one case from
interleaving is the case's row, locked first and held to COMMIT. Several cases are locked in
one statement, in case-id order, so two writes over the same cases queue rather than
deadlock. SQLite needs none of this: its writer has the whole file (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.domain.models import Case

# Any fixed number: held by whoever is choosing the next number in the case series.
CASE_NUMBERING_KEY = 7_420_003


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_cases(session: Session, case_ids: Iterable[int | None]) -> None:
    """Lock these cases' rows until COMMIT, in id order, and read them afresh into the
    session: what the write then checks is what the last writer of each case committed.

    ``FOR NO KEY UPDATE``: a note or task written meanwhile may still refer to the case (its
    foreign key check takes a key-share lock, which this does not block)."""
    ids = sorted({i for i in case_ids if i is not None})
    if not ids or not _postgres(session):
        return
    session.execute(
        select(Case)
        .where(col(Case.id).in_(ids))
        .order_by(col(Case.id))
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).all()


def lock_case_numbering(session: Session) -> None:
    """One new case at a time picks the next number in the series (to COMMIT)."""
    if _postgres(session):
        session.connection().exec_driver_sql(
            "SELECT pg_advisory_xact_lock(%s)", (CASE_NUMBERING_KEY,)
        )
