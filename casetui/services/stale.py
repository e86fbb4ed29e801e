"""The refusal of a stale edit: someone saved the same note or case first, named where known."""

from __future__ import annotations

from datetime import datetime

from casetui.db.uow import UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.errors import StaleEdit
from casetui.repositories.changes import ChangeRepository, LastChange
from casetui.services import context


def _local(uow: UnitOfWork, change: LastChange | None) -> datetime | None:
    """When, in the organisation's zone, so every interface shows the same clock time."""
    return None if change is None else change.at.astimezone(context.zone(uow))


def _changed_by(uow: UnitOfWork, change: LastChange | None) -> str:
    if change is None:
        return "changed by someone else"
    local = change.at.astimezone(context.zone(uow))
    return f"changed by {change.who} on {local.day} {local:%b %H:%M}"


def note_refused(uow: UnitOfWork, actor: Actor, note_id: int, *, yours: int, now: int) -> StaleEdit:
    change = ChangeRepository(uow.session, actor).last_note_change(note_id)
    return StaleEdit(
        f"note {note_id} was {_changed_by(uow, change)} since you opened it "
        f"(yours: version {yours}, now: version {now}); reload it — your text is kept",
        changed_by=change.who if change else None,
        changed_at=_local(uow, change),
        current_version=now,
    )


def case_refused(
    uow: UnitOfWork, actor: Actor, case_id: int, case_number: str, *, now: int | None
) -> StaleEdit:
    change = ChangeRepository(uow.session, actor).last_case_change(case_id)
    return StaleEdit(
        f"case {case_number} was {_changed_by(uow, change)} since you opened it; "
        "reload it and try again",
        changed_by=change.who if change else None,
        changed_at=_local(uow, change),
        current_version=now,
    )
