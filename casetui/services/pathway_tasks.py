"""Pathways as templates (administrators): the follow-up tasks a pathway brings to each case
opened on it, due so many days after the case opens, for the case's worker.

``tasks_for_new_case`` is what opening a case asks, in the opening's own unit of work.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.caseworker_day import PathwayTaskView
from casetui.domain.enums import ListKind, Repeats
from casetui.domain.errors import NotFound, ValidationError
from casetui.domain.limits import SUMMARY_MAX
from casetui.domain.models import OrganisationListItem, PathwayTask
from casetui.domain.storable import printable, storable_id
from casetui.repositories.settings import find_item
from casetui.services import audit, policy, validation
from casetui.services.records import save_versioned, saved_id, snapshot, stale
from casetui.services.tasks import ValidTask
from casetui.services.work import Database, Work, reading, writing

MANAGING = "managing a pathway's tasks"
DUE_AFTER_MAX = 730  # two years: further ahead is a plan, not a follow-up
TASKS_MAX = 20  # a pathway's tasks, all made each time a case opens on it


def _pathway(work: Work, name: str) -> OrganisationListItem:
    cleaned = validation.text(name, "pathway", max_length=SUMMARY_MAX, required=True)
    item = find_item(work.session, ListKind.PATHWAY, cleaned)
    if item is None:
        raise ValidationError("pathway", f"{printable(cleaned[:60])!r} is not in pathways")
    return item


def _rows(work: Work, pathway_id: int) -> list[PathwayTask]:
    return list(
        work.session.execute(
            select(PathwayTask)
            .where(col(PathwayTask.pathway_id) == pathway_id)
            .order_by(col(PathwayTask.position), col(PathwayTask.id))
        ).scalars()
    )


def _row(work: Work, task_id: int) -> tuple[PathwayTask, OrganisationListItem]:
    row = work.session.get(PathwayTask, task_id) if storable_id(task_id) else None
    pathway = work.session.get(OrganisationListItem, row.pathway_id) if row else None
    if row is None or pathway is None:
        raise NotFound(f"no pathway task {task_id}")
    return row, pathway


def _view(row: PathwayTask, pathway: OrganisationListItem) -> PathwayTaskView:
    return PathwayTaskView(
        id=saved_id(row), pathway=pathway.value, name=row.name,
        due_after_days=row.due_after_days, position=row.position, version=row.version,
    )  # fmt: skip


def _name(raw: str) -> str:
    return validation.text(
        raw, "task name", max_length=SUMMARY_MAX, required=True, single_line=True
    )


def _days(raw: int | str) -> int:
    try:
        days = int(str(raw).strip())
    except ValueError:
        raise ValidationError(
            "due after days", f"{str(raw)[:20]!r} is not a whole number"
        ) from None
    if not 0 <= days <= DUE_AFTER_MAX:
        raise ValidationError("due after days", f"must be from 0 to {DUE_AFTER_MAX}")
    return days


def _audit(
    work: Work, actor: Actor, action: str, row: PathwayTask, before: dict[str, object] | None
) -> None:
    after = None if action == "pathway_task.remove" else snapshot(row)
    audit.record(work, actor, action, "pathway_task", row.id, before=before, after=after)


# --- reading ---------------------------------------------------------------------------------


def pathway_tasks(db: Database, actor: Actor, pathway: str) -> list[PathwayTaskView]:
    """A pathway's tasks in the order they are made."""
    policy.ensure_administrator(actor, MANAGING)
    with reading(db, actor) as work:
        item = _pathway(work, pathway)
        return [_view(row, item) for row in _rows(work, saved_id(item))]


# --- changing --------------------------------------------------------------------------------


def add_pathway_task(
    db: Database, actor: Actor, pathway: str, name: str, due_after_days: int | str
) -> PathwayTaskView:
    """A new task at the end of the pathway's list."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        item = _pathway(work, pathway)
        fields = validation.Fields()
        task_name = fields.check(_name, name)
        days = fields.check(_days, due_after_days)
        fields.done()
        rows = _rows(work, saved_id(item))
        if len(rows) >= TASKS_MAX:
            raise ValidationError("tasks", f"a pathway brings at most {TASKS_MAX} tasks")
        row = PathwayTask(
            pathway_id=saved_id(item), name=task_name, due_after_days=days,
            position=max((r.position for r in rows), default=-1) + 1,
        )  # fmt: skip
        work.session.add(row)
        work.session.flush()
        _audit(work, actor, "pathway_task.add", row, None)
        work.commit()
        return _view(row, item)


def edit_pathway_task(
    db: Database,
    actor: Actor,
    task_id: int,
    *,
    name: str | None = None,
    due_after_days: int | str | None = None,
    expected_version: int | None = None,
) -> PathwayTaskView:
    """A new name or number of days; None leaves it. Cases opened before keep their tasks."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row, item = _row(work, task_id)
        fields = validation.Fields()
        values: dict[str, object] = {}
        if name is not None:
            values["name"] = fields.check(_name, name)
        if due_after_days is not None:
            values["due_after_days"] = fields.check(_days, due_after_days)
        fields.done()
        if all(getattr(row, key) == value for key, value in values.items()):
            raise ValidationError("task", "nothing was changed")
        before = snapshot(row)
        save_versioned(work, row, expected_version, values)
        work.session.refresh(row)
        _audit(work, actor, "pathway_task.edit", row, before)
        work.commit()
        return _view(row, item)


def remove_pathway_task(
    db: Database, actor: Actor, task_id: int, *, expected_version: int | None = None
) -> list[PathwayTaskView]:
    """No longer made for new cases (tasks already made stay); the pathway's list after."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row, item = _row(work, task_id)
        if expected_version is not None and expected_version != row.version:
            raise stale(work, row, yours=expected_version, now=row.version)
        before = snapshot(row)
        _audit(work, actor, "pathway_task.remove", row, before)
        work.session.execute(
            delete(PathwayTask).where(
                col(PathwayTask.id) == row.id, col(PathwayTask.version) == row.version
            )
        )
        work.session.expunge(row)
        left = _rows(work, saved_id(item))
        _renumber(work, left)
        work.commit()
        return [_view(r, item) for r in _rows(work, saved_id(item))]


def move_pathway_task(
    db: Database, actor: Actor, task_id: int, steps: int, *, expected_version: int | None = None
) -> list[PathwayTaskView]:
    """Up (negative ``steps``) or down the pathway's list; the list in its new order."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row, item = _row(work, task_id)
        if expected_version is not None and expected_version != row.version:
            raise stale(work, row, yours=expected_version, now=row.version)
        rows = _rows(work, saved_id(item))
        old = next(n for n, r in enumerate(rows) if r.id == row.id)
        new = min(max(old + steps, 0), len(rows) - 1)
        if new == old:
            where = "first" if steps < 0 else "last"
            raise ValidationError("position", f"{row.name!r} is {where} already")
        before = snapshot(row)
        rows.insert(new, rows.pop(old))
        _renumber(work, rows)
        work.session.refresh(row)
        _audit(work, actor, "pathway_task.move", row, before)
        work.commit()
        return [_view(r, item) for r in _rows(work, saved_id(item))]


def _renumber(work: Work, rows: list[PathwayTask]) -> None:
    """Positions written 0, 1, 2…, so they stay tidy whatever came before."""
    for position, row in enumerate(rows):
        if row.position != position:
            save_versioned(work, row, None, {"position": position})
            work.session.refresh(row)


# --- opening a case on a pathway -------------------------------------------------------------


def tasks_for_new_case(
    work: Work, pathway: str | None, opened_on: date, worker_id: int
) -> list[ValidTask]:
    """The tasks a case opened on ``pathway`` starts with, for its worker."""
    if not pathway:
        return []
    item = find_item(work.session, ListKind.PATHWAY, pathway)
    if item is None:
        return []
    return [
        ValidTask(
            row.name,
            opened_on + timedelta(days=row.due_after_days),
            Repeats.NONE,
            None,
            (worker_id,),
            False,
            "",
        )  # fmt: skip
        for row in _rows(work, saved_id(item))
    ]


def templates_by_pathway(work: Work) -> dict[str, list[tuple[str, int]]]:
    """Every pathway's tasks as (name, days after opening), by the pathway's word: what an
    import asks once for all the cases it opens."""
    found = work.session.execute(
        select(col(OrganisationListItem.value), col(PathwayTask.name),
               col(PathwayTask.due_after_days))
        .join(OrganisationListItem, col(OrganisationListItem.id) == PathwayTask.pathway_id)
        .where(col(OrganisationListItem.kind) == ListKind.PATHWAY.value)
        .order_by(col(PathwayTask.position), col(PathwayTask.id))
    )  # fmt: skip
    out: dict[str, list[tuple[str, int]]] = {}
    for pathway, name, days in found:
        out.setdefault(pathway.casefold(), []).append((name, days))
    return out
