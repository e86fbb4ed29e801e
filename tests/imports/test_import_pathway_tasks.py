"""Cases an import opens on a pathway start with the pathway's tasks, as a case opened by hand
does: due so many days after the case's opening day, for its worker, in the import's one
transaction, the case's next task date set; a closed case gets none."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from casetui.domain.models import Case, FollowUpTask, TaskResponsible
from casetui.services import pathway_tasks as templates
from casetui.services import tasks
from casetui.services.imports import import_clients

from .conftest import World, WriteFile
from .test_import_clients import HEADER, person


def test_an_imported_case_on_a_pathway_gets_its_tasks(world: World, write_csv: WriteFile) -> None:
    for name, days in (("Check the tenancy", 3), ("Visit the home", 10)):
        world.run(templates.add_pathway_task, world.admin, "Housing Support", name, days)
    path = write_csv([
        HEADER,
        person("Zoë Smith", worker="ana", pathway="housing support", opened_on="01/11/2026"),
        person("Łukasz Nowak", worker="cara", pathway="Housing Support", status="Closed"),
        person("Ирина Петрова", worker="ben", pathway="Mental Health"),
    ])  # fmt: skip
    world.run(import_clients, world.admin, path, commit=True)

    def read(uow: object) -> list[tuple[str, str, date, int]]:
        session = uow.session  # type: ignore[attr-defined]
        return [
            tuple(row)
            for row in session.execute(
                select(Case.case_number, FollowUpTask.name, FollowUpTask.due_on,
                       TaskResponsible.staff_id)
                .join(FollowUpTask, FollowUpTask.case_id == Case.id)
                .join(TaskResponsible, TaskResponsible.task_id == FollowUpTask.id)
                .order_by(FollowUpTask.id)
            )
        ]  # fmt: skip

    rows = world.read(read)
    opened = date(2026, 11, 1)
    assert [(name, due, who) for _, name, due, who in rows] == [
        ("Check the tenancy", opened + timedelta(days=3), world.ana.id),
        ("Visit the home", opened + timedelta(days=10), world.ana.id),
    ]
    number = rows[0][0]
    case = world.read(
        lambda uow: uow.session.execute(select(Case).where(Case.case_number == number)).scalar_one()
    )
    assert case.next_task_due == opened + timedelta(days=3)
    (event,) = [e for e in world.audit_events() if e.action == "import.clients"]
    assert json.loads(event.after or "{}")["tasks"] == 2


def test_tasks_added_after_an_import_take_fresh_ids(world: World, write_csv: WriteFile) -> None:
    """PostgreSQL's id sequence follows the tasks the import wrote."""
    world.run(templates.add_pathway_task, world.admin, "Housing Support", "Check the tenancy", 3)
    path = write_csv([HEADER, person("Zoë Smith", worker="ana", pathway="Housing Support")])
    world.run(import_clients, world.admin, path, commit=True)
    added = world.run(
        tasks.add_task, world.ana, world.ana_case, tasks.TaskInput(name="Call", due="+1d")
    )
    assert added.name == "Call"
