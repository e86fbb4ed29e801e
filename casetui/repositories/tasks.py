"""Follow-up tasks, through the cases the actor may see."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound
from casetui.domain.models import Case, FollowUpTask, Staff, TaskResponsible
from casetui.domain.read_models.notes import TaskView
from casetui.domain.storable import storable_id
from casetui.repositories.notes import IN_LIST_MAX
from casetui.repositories.scope import visible_cases


class TaskRepository:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

    def get(self, task_id: int) -> FollowUpTask:
        task = None
        if storable_id(task_id):  # a larger number names no task (nor can PostgreSQL compare it)
            task = self.session.execute(
                select(FollowUpTask)
                .join(Case, col(Case.id) == FollowUpTask.case_id)
                .where(col(FollowUpTask.id) == task_id, visible_cases(self.actor))
            ).scalar_one_or_none()
        if task is None:
            raise NotFound(f"no task {task_id} that you can see")
        return task

    def views(
        self,
        *,
        case_id: int | None = None,
        task_ids: list[int] | None = None,
        statuses: tuple[str, ...] = (),
    ) -> list[TaskView]:
        query = (
            select(FollowUpTask, col(Case.case_number))
            .join(Case, col(Case.id) == FollowUpTask.case_id)
            .where(visible_cases(self.actor))
        )
        if case_id is not None:
            if not storable_id(case_id):
                return []
            query = query.where(col(FollowUpTask.case_id) == case_id)
        if task_ids is not None:
            query = query.where(col(FollowUpTask.id).in_([i for i in task_ids if storable_id(i)]))
        if statuses:
            query = query.where(col(FollowUpTask.status).in_(statuses))
        query = query.order_by(col(FollowUpTask.due_on), col(FollowUpTask.id))
        found = self.session.execute(query).all()
        responsible = self.responsible_for([task.id for task, _ in found])
        return [
            TaskView(
                id=task.id,
                case_id=task.case_id,
                case_number=number,
                note_id=task.note_id,
                name=task.name,
                due_on=task.due_on,
                repeats=task.repeats,
                rrule=task.rrule,
                assigned_to_client=task.assigned_to_client,
                details=task.details,
                status=task.status,
                responsible=tuple(responsible.get(task.id, ())),
                created_at=task.created_at,
                completed_at=task.completed_at,
                version=task.version,
            )
            for task, number in found
        ]

    def responsible_for(self, task_ids: list[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = defaultdict(list)
        for start in range(0, len(task_ids), IN_LIST_MAX):
            rows = self.session.execute(
                select(col(TaskResponsible.task_id), col(Staff.username))
                .join(Staff, col(Staff.id) == TaskResponsible.staff_id)
                .join(FollowUpTask, col(FollowUpTask.id) == TaskResponsible.task_id)
                .join(Case, col(Case.id) == FollowUpTask.case_id)
                .where(
                    col(TaskResponsible.task_id).in_(task_ids[start : start + IN_LIST_MAX]),
                    visible_cases(self.actor),
                )
                .order_by(col(Staff.username))
            )
            for task_id, username in rows:
                out[task_id].append(username)
        return out

    def responsible_ids(self, task_id: int) -> list[int]:
        return list(
            self.session.execute(
                select(col(TaskResponsible.staff_id))
                .join(FollowUpTask, col(FollowUpTask.id) == TaskResponsible.task_id)
                .join(Case, col(Case.id) == FollowUpTask.case_id)
                .where(col(TaskResponsible.task_id) == task_id, visible_cases(self.actor))
            ).scalars()
        )
