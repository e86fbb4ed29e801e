"""Data leaving casetui in a form scripts keep (``--json``): every export is an audit event.

Case notes can end up in court and in subject-access requests; who took which list out, and
how much of it, belongs in the same trail as who wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping

from casetui.domain.actor import Actor
from casetui.domain.storable import printable
from casetui.services import audit
from casetui.services.work import Database, Work, writing


def record_export(
    uow: Work,
    actor: Actor,
    what: str,
    rows: int,
    details: Mapping[str, object] | None = None,
    *,
    case_id: int | None = None,
) -> None:
    """One event for one export, in the caller's unit of work: what was listed, how many rows,
    and the filters used. Recorded before the data is handed out, so no export goes unrecorded."""
    # Filters as typed, but storable: a query may hold what no database keeps (a surrogate).
    filters = {k: printable(v) if isinstance(v, str) else v for k, v in (details or {}).items()}
    audit.record(uow, actor, "export", what, None, case_id=case_id, after={"rows": rows, **filters})


def exported(
    db: Database,
    actor: Actor,
    what: str,
    rows: int,
    details: Mapping[str, object] | None = None,
) -> None:
    """``record_export`` in a short write of its own, after a read: the write lock is held for
    the one event, not for the whole read, and the data is handed out only once it is kept."""
    with writing(db, actor) as work:
        record_export(work, actor, what, rows, details)
        work.commit()
