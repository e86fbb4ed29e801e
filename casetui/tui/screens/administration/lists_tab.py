"""The Lists tab: one of the organisation's lists at a time, retired items marked; add, rename,
move up or down, retire and restore. Nothing is deleted: records keep their words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static

from casetui.domain.enums import ListKind
from casetui.domain.errors import ValidationError
from casetui.domain.note_audit import CriterionView
from casetui.domain.read_models.settings import ListItemView
from casetui.services import lists as list_service
from casetui.tui.database_away import call_database
from casetui.tui.screens.administration.common import AdminTable, WordScreen
from casetui.tui.widgets.data_table import DataTable

RETIRED = "retired: kept on old records, not offered"
NEEDS_SIGNOFF = "needs sign-off"


class ListsTab(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "pick_list", "List", show=False, id="administration.lists.pick"),
        Binding("n", "add_item", "Add", id="administration.lists.add"),
        Binding("e", "rename_item", "Rename", id="administration.lists.rename"),
        Binding("x", "retire", "Retire", id="administration.lists.retire"),
        Binding("x", "restore", "Restore", id="administration.lists.restore"),
        Binding("K,shift+up", "move(-1)", "Move up", id="administration.lists.up"),
        Binding("J,shift+down", "move(1)", "Move down", id="administration.lists.down"),
        Binding("k", "pathway_tasks", "Tasks", id="administration.lists.pathway_tasks"),
        Binding("W", "criterion", "Weight and cues", id="administration.lists.criterion"),
        Binding(
            "S", "toggle_signoff", "Needs sign-off", id="administration.lists.signoff", show=False
        ),
    ]
    HELP_TITLE = "Lists"
    DEFAULT_CSS = """
    ListsTab { height: 1fr; }
    ListsTab #list-picker-row { height: 1; padding: 0 1; }
    ListsTab #list-picker-row Label { width: auto; padding-right: 1; color: $text-muted; }
    ListsTab #list-kind { width: 30; }
    ListsTab #list-said { width: 1fr; padding-left: 2; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="lists-tab")
        self.kind = ListKind.ACTIVITY_TYPE
        self.items: list[ListItemView] = []
        self.criteria: dict[int, CriterionView] = {}  # the audit criteria's weights and cues
        self.loaded = False

    def compose(self) -> ComposeResult:
        kinds = [(title, kind.value) for kind, title in list_service.TITLES.items()]
        with Horizontal(id="list-picker-row"):
            yield Label("List (l)")
            yield Select(kinds, value=self.kind.value, allow_blank=False, id="list-kind",
                         compact=True)  # fmt: skip
            yield Static("", id="list-said")
        yield AdminTable(id="list-table")

    def on_mount(self) -> None:
        self.reload()

    @property
    def table(self) -> AdminTable:
        return self.query_one(AdminTable)

    @property
    def current(self) -> ListItemView | None:
        key = self.table.current_key
        return next((i for i in self.items if str(i.id) == key), None)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "list-kind" and event.value != self.kind.value:
            self.kind = ListKind(str(event.value))
            self.reload()
            self.table.focus()

    @work(thread=True, exclusive=True, group="administration-lists")
    def reload(self, keep: int | None = None) -> None:
        app = self.app
        db, actor, kind = app.db, app.actor, self.kind  # type: ignore[attr-defined]

        def read() -> tuple[list[ListItemView], list[CriterionView]]:
            items = list_service.list_items_of(db, actor, kind)
            if kind is not ListKind.AUDIT_CRITERION:
                return items, []
            from casetui.services import note_audits

            return items, note_audits.criteria_views(db, actor)

        call_database(self, read, lambda found: self._show(kind, *found, keep))

    def _show(
        self,
        kind: ListKind,
        items: list[ListItemView],
        criteria: list[CriterionView],
        keep: int | None,
    ) -> None:
        if kind is not self.kind:
            return  # another list was chosen meanwhile
        self.items, self.loaded = items, True
        self.criteria = {c.id: c for c in criteria}
        self._fill(keep)
        retired = sum(1 for i in items if i.retired)
        said = f"{len(items) - retired} offered" + (f" · {retired} retired" if retired else "")
        self.query_one("#list-said", Static).update(Text(said))
        self.screen.refresh_bindings()

    def _fill(self, keep: int | None = None) -> None:
        width = self.size.width or self.app.size.width
        columns = [("", 3), ("Value", max(20, width - 3 - 44 - 8)), ("State", 42)]
        rows = [
            (str(i.id), [str(n + 1), i.value, self._state(i)]) for n, i in enumerate(self.items)
        ]
        self.table.fill(columns, rows, keep=None if keep is None else str(keep))

    def _state(self, item: ListItemView) -> str:
        criterion = self.criteria.get(item.id)
        if criterion is None:
            if item.retired:
                return RETIRED
            return NEEDS_SIGNOFF if item.requires_signoff else ""
        cues = f"{len(criterion.cues)} own cues" if criterion.cues else "built-in cues"
        return f"weight {criterion.weight} · {cues}" + (" · retired" if item.retired else "")

    def on_resize(self) -> None:
        if self.loaded:
            self._fill()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_rename_item()

    # --- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.current
        if action == "retire":
            # One key, x, retires or restores: only the one that applies is offered.
            return item is None or not item.retired
        if action == "restore":
            return item is not None and item.retired
        if action == "rename_item":
            return None if item is None else True
        if action == "pathway_tasks":
            # A pathway's tasks: offered on the pathways list alone.
            if self.kind is not ListKind.PATHWAY:
                return False
            return None if item is None else True
        if action == "criterion":
            if self.kind is not ListKind.AUDIT_CRITERION:
                return False
            return None if item is None or item.id not in self.criteria else True
        if action == "toggle_signoff":
            # Only activity types are written as notes, so only they can ask for sign-off.
            if self.kind is not ListKind.ACTIVITY_TYPE:
                return False
            return None if item is None or item.retired else True
        if action == "move":
            if item is None:
                return None
            place = self.items.index(item) + int(str(parameters[0]))
            return None if not 0 <= place < len(self.items) else True
        return True

    def action_pick_list(self) -> None:
        picker = self.query_one("#list-kind", Select)
        picker.focus()
        picker.action_show_overlay()

    def action_add_item(self) -> None:
        kind, title = self.kind, list_service.TITLES[self.kind]

        def named(value: str | None) -> None:
            if value:
                self._write(lambda db, actor: list_service.add_item(db, actor, kind, value),
                            "added")  # fmt: skip

        self.app.push_screen(
            WordScreen(
                f"Add to {title.lower()}",
                "A new item goes at the end of the list. A retired one of the same name comes "
                "back.",
                field="value",
            ),
            named,
        )

    def action_rename_item(self) -> None:
        item = self.current
        if item is None:
            return
        kind = self.kind

        def named(value: str | None) -> None:
            if value and value != item.value:
                self._write(lambda db, actor: list_service.rename_item(
                    db, actor, kind, item.value, value, expected_version=item.version),
                    "renamed; records written before keep the old word")  # fmt: skip

        self.app.push_screen(
            WordScreen(
                f"Rename {item.value}",
                "Only the list changes: records written with the old word keep it.",
                field="new value",
                value=item.value,
            ),
            named,
        )

    def action_pathway_tasks(self) -> None:
        from casetui.tui.screens.pathway_tasks import PathwayTasksScreen

        item = self.current
        if item is not None and self.kind is ListKind.PATHWAY:
            self.app.push_screen(PathwayTasksScreen(item.value))

    def action_retire(self) -> None:
        item = self.current
        if item is None or item.retired:
            return
        kind = self.kind
        self._write(lambda db, actor: list_service.retire_item(
            db, actor, kind, item.value, expected_version=item.version),
            "retired: no longer offered; records that have it keep it")  # fmt: skip

    def action_restore(self) -> None:
        item = self.current
        if item is None or not item.retired:
            return
        kind = self.kind
        self._write(lambda db, actor: list_service.restore_item(
            db, actor, kind, item.value, expected_version=item.version), "offered again")  # fmt: skip

    def action_toggle_signoff(self) -> None:
        item = self.current
        if item is None or item.retired or self.kind is not ListKind.ACTIVITY_TYPE:
            return
        required = not item.requires_signoff
        said = (
            "notes: sent for a supervisor's sign-off as they are saved"
            if required
            else "notes: no longer sent for sign-off (notes already sent stay so)"
        )
        self._write(lambda db, actor: list_service.set_requires_signoff(
            db, actor, item.value, required, expected_version=item.version), said)  # fmt: skip

    def action_move(self, steps: int) -> None:
        item = self.current
        if item is None:
            return
        kind = self.kind
        self._write(lambda db, actor: list_service.move_item(
            db, actor, kind, item.value, steps, expected_version=item.version), "", item.id)  # fmt: skip

    def action_criterion(
        self, weight: str | None = None, cues: str | None = None, error: str | None = None
    ) -> None:
        from casetui.services import note_audits
        from casetui.tui.screens.administration.criterion_dialog import CriterionScreen

        item = self.current
        criterion = self.criteria.get(item.id) if item is not None else None
        if criterion is None:
            return

        def typed(values: tuple[str, str] | None) -> None:
            if values is None:
                return
            new_weight, new_cues = values

            def again(exc: ValidationError) -> None:
                self.action_criterion(new_weight, new_cues, f"{exc.field}: {exc.message}")

            self._write(lambda db, actor: note_audits.set_criterion(
                db, actor, criterion.name, weight=new_weight, cues=new_cues,
                expected_version=criterion.version), "", criterion.id, again)  # fmt: skip

        screen = CriterionScreen(criterion, weight=weight, cues=cues, error=error)
        self.app.push_screen(screen, typed)

    @work(thread=True, exclusive=True, group="administration-lists-write")
    def _write(
        self,
        write: Callable[[Any, Any], Any],
        said: str,
        keep: int | None = None,
        again: Callable[[ValidationError], None] | None = None,
    ) -> None:
        app = self.app

        def done(result: Any) -> None:
            item = result if isinstance(result, ListItemView) else None
            if said and item is not None:
                self.notify(Text(f"{item.value} {said}"), timeout=4)
            self.reload(keep=item.id if item is not None else keep)

        def refused(error: Exception) -> None:
            if again is not None and isinstance(error, ValidationError):
                again(error)  # back to the dialog, with what was typed and why it was refused
            else:
                self._refused(error)

        call_database(self, lambda: write(app.db, app.actor), done, refused)  # type: ignore[attr-defined]

    def _refused(self, error: Exception) -> None:
        self.app.show_error(error)  # type: ignore[attr-defined]
        self.reload()
