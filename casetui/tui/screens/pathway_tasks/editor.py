"""A pathway's tasks: the follow-up tasks each case opened on it starts with. n adds, e edits,
d removes, K and J move; cases opened before a change keep the tasks they were given."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.caseworker_day import PathwayTaskView
from casetui.services import pathway_tasks
from casetui.tui.database_away import call_database
from casetui.tui.screens.administration.common import AdminTable
from casetui.tui.screens.pathway_tasks.form import PathwayTaskForm, TaskFields
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.tui.app import CasetuiApp


class PathwayTasksScreen(Screen[None]):
    HELP_TITLE = "A pathway's tasks"
    DEFAULT_CSS = """
    PathwayTasksScreen #pathway-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    PathwayTasksScreen #pathway-said { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add", "Add", id="pathway_tasks.add"),
        Binding("e", "edit", "Edit", id="pathway_tasks.edit"),
        Binding("d", "remove", "Remove", id="pathway_tasks.remove"),
        Binding("K,shift+up", "move(-1)", "Move up", id="pathway_tasks.up"),
        Binding("J,shift+down", "move(1)", "Move down", id="pathway_tasks.down"),
        Binding("escape", "back", "Back", id="pathway_tasks.back"),
    ]

    def __init__(self, pathway: str) -> None:
        super().__init__()
        self.pathway = pathway
        self.tasks: list[PathwayTaskView] = []

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def table(self) -> AdminTable:
        return self.query_one(AdminTable)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Tasks of the pathway {visible(self.pathway)}"), id="pathway-title")
        yield Static("Loading…", id="pathway-said")
        yield AdminTable(id="pathway-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Pathway tasks"
        self.table.focus()
        self.reload()

    @work(thread=True, exclusive=True, group="pathway-tasks-load")
    def reload(self, keep: int | None = None) -> None:
        app, pathway = self.casetui, self.pathway
        call_database(
            self,
            lambda: pathway_tasks.pathway_tasks(app.db, app.signed_in, pathway),
            lambda found: self._show(found, keep),
            self._refused,
        )

    def _show(self, found: list[PathwayTaskView], keep: int | None) -> None:
        self.tasks = found
        width = self.size.width or self.app.size.width
        columns = [("", 3), ("Task", max(20, width - 3 - 16 - 6)), ("Due after", 14)]
        rows = [
            (str(t.id), [str(n + 1), t.name, f"{t.due_after_days} day(s)"])
            for n, t in enumerate(found)
        ]
        self.table.fill(columns, rows, keep=None if keep is None else str(keep))
        said = (
            f"{len(found)} task(s), made on every case opened on {visible(self.pathway)}, due so "
            "many days after it opens, for the case's worker."
            if found
            else "No tasks yet: n adds one. Cases opened on this pathway start with its tasks."
        )
        self.query_one("#pathway-said", Static).update(Text(said))
        self.refresh_bindings()

    @property
    def current(self) -> PathwayTaskView | None:
        key = self.table.current_key if self.is_mounted else None
        return next((t for t in self.tasks if str(t.id) == key), None)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        task = self.current
        if action in ("edit", "remove"):
            return None if task is None else True
        if action == "move":
            if task is None:
                return None
            place = self.tasks.index(task) + int(str(parameters[0]))
            return True if 0 <= place < len(self.tasks) else None
        return True

    def action_add(self) -> None:
        pathway = self.pathway

        def typed(fields: TaskFields | None) -> None:
            if fields is not None:
                name, days = fields
                self._write(lambda db, actor: pathway_tasks.add_pathway_task(
                    db, actor, pathway, name, days))  # fmt: skip

        self.app.push_screen(PathwayTaskForm(f"A new task of {pathway}"), typed)

    def action_edit(self) -> None:
        task = self.current
        if task is None:
            return

        def typed(fields: TaskFields | None) -> None:
            if fields is not None:
                name, days = fields
                self._write(lambda db, actor: pathway_tasks.edit_pathway_task(
                    db, actor, task.id, name=name, due_after_days=days,
                    expected_version=task.version))  # fmt: skip

        form = PathwayTaskForm(f"Edit {task.name}", task.name, task.due_after_days)
        self.app.push_screen(form, typed)

    def action_remove(self) -> None:
        task = self.current
        if task is None:
            return
        self._write(lambda db, actor: pathway_tasks.remove_pathway_task(
            db, actor, task.id, expected_version=task.version))  # fmt: skip

    def action_move(self, steps: int) -> None:
        task = self.current
        if task is None:
            return
        self._write(lambda db, actor: pathway_tasks.move_pathway_task(
            db, actor, task.id, steps, expected_version=task.version), keep=task.id)  # fmt: skip

    @work(thread=True, exclusive=True, group="pathway-tasks-write")
    def _write(self, write: Callable[[Any, Any], Any], keep: int | None = None) -> None:
        app = self.casetui

        def done(result: Any) -> None:
            self.reload(keep=result.id if isinstance(result, PathwayTaskView) else keep)

        call_database(self, lambda: write(app.db, app.signed_in), done, self._refused)

    def _refused(self, error: Exception) -> None:
        self.casetui.show_error(error)
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
