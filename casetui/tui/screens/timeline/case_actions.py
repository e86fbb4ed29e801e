"""The timeline's case keys: status, concern, reassign, a new task, and a task done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work

from casetui.domain.enums import CaseStatus, Concern
from casetui.domain.errors import ValidationError
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.people import StaffView
from casetui.domain.timeline import TASK
from casetui.services import cases, tasks
from casetui.services import timeline as timeline_service
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.task_dialog import TaskDialog
from casetui.tui.widgets.task_form import task_input
from casetui.tui.widgets.timeline_list import visible


class CaseActions:
    """Case and task keys mixed into ``TimelineScreen``; writes go through its ``run_write``."""

    def action_complete_task(self) -> None:
        entry = self.highlighted
        if entry is None or entry.kind != TASK:
            return

        def complete() -> Any:
            return tasks.complete_task(
                self.app.db, self.app.actor, entry.id, expected_version=entry.version
            )

        repeats = entry.repeats not in (None, "none")
        done = f"Done: {entry.summary}" + (" — the next one is on the timeline" if repeats else "")
        self.run_write(complete, done, ("task", entry.id))

    def action_status(self) -> None:
        if self.data is None:
            return
        case = self.data.case
        choices = [(s.value, s.value) for s in CaseStatus if s.value != case.status]
        self.app.push_screen(
            ChoiceScreen(f"Status of {case.case_number} (now {case.status})", choices),
            lambda status: self._change(cases.change_status, status, f"Status now {status}"),
        )

    def action_concern(self) -> None:
        if self.data is None:
            return
        case = self.data.case
        choices = [(c.value, c.value) for c in Concern if c.value != case.concern]
        self.app.push_screen(
            ChoiceScreen(f"Concern level of {case.case_number} (now {case.concern})", choices),
            lambda concern: self._change(cases.change_concern, concern, f"Concern now {concern}"),
        )

    def _change(self, service: Callable[..., Any], value: str | None, done: str) -> None:
        if value is None or self.data is None:
            return
        number, version = self.data.case.case_number, self.data.case.version
        self.run_write(
            lambda: service(self.app.db, self.app.actor, number, value, expected_version=version),
            done,
        )

    def action_reassign(self) -> None:
        if self.data is not None:
            self._pick_worker(self.data.case)

    @work(thread=True, exclusive=True, group="timeline-load")
    def _pick_worker(self, case: CaseDetail) -> None:
        def read() -> list[StaffView]:
            return cases.worker_choices(self.app.db, self.app.actor, case.case_number)

        call_database(self, read, lambda people: self._offer_workers(case, people))

    def _offer_workers(self, case: CaseDetail, people: list[StaffView]) -> None:
        """The people the services would accept as the new worker, and only those."""
        choices = [
            (
                Text(
                    f"{visible(s.display_name)} ({visible(s.username)}) · {visible(s.team or 'no team')}"
                ),
                s.username,
            )
            for s in people
        ]
        self.app.push_screen(
            ChoiceScreen(
                f"New case worker for {case.case_number}",
                choices,
                message=f"Now: {case.worker_name or 'nobody'}",
            ),
            lambda username: self._change(cases.reassign, username, f"Reassigned to {username}"),
        )

    def action_new_task(
        self, values: dict[str, Any] | None = None, error: tuple[str, str] | None = None
    ) -> None:
        if self.data is not None:
            self._task_dialog(values, error)

    @work(thread=True, exclusive=True, group="timeline-load")
    def _task_dialog(self, values: dict[str, Any] | None, error: tuple[str, str] | None) -> None:
        def read() -> list[StaffView]:
            return timeline_service.case_holders(self.app.db, self.app.actor)

        call_database(self, read, lambda staff: self._open_task_dialog(staff, values, error))

    def _open_task_dialog(
        self, staff: list[StaffView], values: dict[str, Any] | None, error: tuple[str, str] | None
    ) -> None:
        assert self.data is not None
        number = self.data.case.case_number
        today = self.app.db.clock().astimezone(self.zone).date()

        def save(result: dict[str, Any] | None) -> None:
            if result is None:
                return

            def again(exc: ValidationError) -> None:
                self.action_new_task(result, (exc.field, exc.message))

            self.run_write(
                lambda: tasks.add_task(self.app.db, self.app.actor, number, task_input(result)),
                f"Task added: {result['name']}",
                after=again,
            )

        dialog = TaskDialog(
            f"New task on {number}",
            staff=staff,
            author=self.app.actor.username,
            today=today,
            values=values,
            error=error,
        )
        self.app.push_screen(dialog, save)
