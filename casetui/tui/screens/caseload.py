"""The home screen: the signed-in worker's caseload, filtered, sorted, selected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.enums import CaseStatus, Concern, Grant
from casetui.domain.filters import CaseFilter
from casetui.domain.limits import BULK_MAX_CASES
from casetui.services import caseload, policy
from casetui.services.caseload import CasePage, starting_filter
from casetui.tui.database_away import Abandoned, call_database, patiently
from casetui.tui.messages import CaseloadChanged
from casetui.tui.screens.pickers import ChoicePicker
from casetui.tui.screens.styled_once import StyledOnceAsItOpens
from casetui.tui.widgets.case_table import SORTABLE, CaseloadSource, CaseTable, Selection
from casetui.tui.widgets.filter_bar import FilterBar, FilterInput
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.domain.actor import Actor
    from casetui.tui.app import CasetuiApp

# Which way a column sorts on its first press: the way people scan that column.
FIRST_DIRECTION_DESCENDING = {"last_interaction": True, "concern": True}
_SORT = Binding.Group("Sort")
_FILTERS = Binding.Group("Filters")


def signed_in_line(actor: Actor, database: str) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("casetui ", style="bold")
    line.append(visible(actor.display_name), style="bold")
    line.append(f" ({actor.role.value})")
    line.append("  " + visible(database), style="dim")
    return line


def _sort_bindings() -> list[BindingType]:
    return [
        Binding(str(number), f"sort('{column.sort}')", f"Sort by {column.title.lower()}",
                show=False, group=_SORT, id=f"caseload.sort.{column.sort}")
        for number, column in enumerate(SORTABLE, start=1)
    ]  # fmt: skip


class CaseloadScreen(StyledOnceAsItOpens, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not in the footer: the filter box itself says "/ to filter".
        Binding("slash", "focus_filter", "Filter", show=False, id="caseload.filter"),
        Binding("n", "new_note", "New note", id="caseload.new_note"),
        Binding("b", "bulk_note", "Bulk note", id="caseload.bulk_note"),
        Binding(
            "B",
            "bulk_communication",
            "Bulk communication",
            show=False,
            id="caseload.bulk_communication",
        ),  # fmt: skip
        Binding("i", "client_record", "Client", id="caseload.client_record"),
        Binding("r", "register", "New client", id="caseload.register"),
        Binding("G", "join_group", "Add to group", show=False, id="caseload.join_group"),
        Binding(
            "D", "deleted_clients", "Deleted clients", show=False, id="caseload.deleted_clients"
        ),  # fmt: skip
        Binding("w", "workload", "Workload", id="caseload.workload"),
        Binding("t", "today", "Today", show=False, id="caseload.today"),
        Binding("M", "missing_data", "Missing data", show=False, id="caseload.missing_data"),
        Binding("a", "audit_trail", "Audit trail", id="caseload.audit_trail"),
        Binding("A", "administration", "Administration", id="caseload.administration"),
        Binding("I", "import_spreadsheet", "Import", show=False, id="caseload.import"),
        Binding("P", "reports", "Reports", show=False, id="caseload.reports"),
        Binding("O", "insights", "Insights", show=False, id="caseload.insights"),
        Binding("Q", "audits", "Note audits", show=False, id="caseload.audits"),
        Binding(
            "s", "pick('status')", "Filter by status", group=_FILTERS, id="caseload.pick_status"
        ),
        Binding(
            "o", "pick('concern')", "Filter by concern", group=_FILTERS, id="caseload.pick_concern"
        ),
        Binding(
            "W", "pick('worker')", "Filter by worker", group=_FILTERS, id="caseload.pick_worker"
        ),
        Binding(
            "p", "pick('pathway')", "Filter by pathway", group=_FILTERS, id="caseload.pick_pathway"
        ),
        Binding("g", "pick('tag')", "Filter by tag", group=_FILTERS, id="caseload.pick_tag"),
        Binding("m", "toggle_mine", "Mine or all", group=_FILTERS, id="caseload.toggle_mine"),
        Binding("x", "clear_filters", "Clear filters", group=_FILTERS, id="caseload.clear_filters"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="caseload.refresh"),
        *_sort_bindings(),
    ]
    HELP_TITLE = "Caseload"
    AUTO_FOCUS = "CaseTable"
    # Narrow terminals leave the filter keys out of the footer (they are in help and ctrl+p).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, first_page: CasePage | None = None) -> None:
        """``first_page``: the starting filter's first page, read already (at sign-in)."""
        super().__init__()
        self.case_filter = starting_filter(self.casetui.signed_in)
        self._read_ahead = None if first_page is None else (self.case_filter, first_page)
        self.worker_names: dict[int, str] = {}
        self.stale = False
        # The width's class from the start, as Textual picks it: set at the screen's first
        # resize instead, it restyles every widget on the screen once more before the first paint.
        width = self.app.size.width
        self.add_class(*self._get_breakpoint_classes(width, self.HORIZONTAL_BREAKPOINTS))

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def table(self) -> CaseTable:
        return self.query_one(CaseTable)

    def compose(self) -> ComposeResult:
        app = self.casetui
        yield Static(signed_in_line(app.signed_in, app.database_name), id="signed-in")
        yield FilterBar()
        yield CaseTable(
            CaseloadSource(app.db, app.signed_in), self.case_filter, self._read_ahead,
            id="caseload-table",
        )  # fmt: skip
        with Horizontal(id="caseload-status-line"):
            yield Static(id="caseload-status")
            yield Static(Text("? help  ^p actions", style="dim"), id="caseload-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Caseload"
        self._show_filters()
        self.table.show(self.case_filter)

    # --- keeping up to date ----------------------------------------------------------------

    def on_caseload_changed(self, _message: CaseloadChanged) -> None:
        if self.is_current:
            self.table.reload()
        else:
            self.stale = True

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        if self.stale:
            self.stale = False
            self.table.reload()
        self.refresh_bindings()

    def on_case_table_status_changed(self, _message: CaseTable.StatusChanged) -> None:
        status = self.query("#caseload-status")
        if not status:
            return  # the screen is closing (the app quits): nothing left to show it on
        # Its size is fixed by the stylesheet: no layout pass for the screen on every page down.
        status.first(Static).update(Text(self.table.status_text, style="dim"), layout=False)
        # The footer depends only on these; redrawing it on every page down costs a frame.
        table = self.table
        offered = (bool(table.selection), table.total == 0, table.current is None)
        if offered != getattr(self, "_offered", None):
            self._offered = offered
            self.refresh_bindings()

    def on_case_table_load_failed(self, message: CaseTable.LoadFailed) -> None:
        self.casetui.show_error(message.error)

    # --- filtering ------------------------------------------------------------------------

    def _apply(self, case_filter: CaseFilter) -> None:
        self.case_filter = case_filter
        self._show_filters()
        self.table.show(case_filter)

    def _show_filters(self) -> None:
        self.query_one(FilterBar).show_filters(self.case_filter, self.worker_names)

    def on_filter_bar_query_changed(self, message: FilterBar.QueryChanged) -> None:
        self._apply(replace(self.case_filter, query=message.query))

    def on_filter_input_done(self, _message: FilterInput.Done) -> None:
        self.table.focus()

    def action_focus_filter(self) -> None:
        # At once, not after the next refresh: keys typed right after "/" belong in the box.
        self.set_focus(self.query_one(FilterBar).query_input)

    def on_key(self, event: events.Key) -> None:
        """Keys typed fast after "/" reach us before the box has focus; they belong in the box."""
        box = self.query_one(FilterBar).query_input
        bound = self.active_bindings.get(event.key)
        if bound is not None and bound.binding.action == "focus_filter" and self.focused is not box:
            event.stop()
            self.action_focus_filter()
        elif self.focused is box and event.is_printable and event.character:
            event.stop()
            box.insert_text_at_cursor(event.character)

    def action_toggle_mine(self) -> None:
        self._apply(replace(self.case_filter, mine=not self.case_filter.mine))

    def action_clear_filters(self) -> None:
        self.query_one(FilterBar).query_input.value = ""  # its change event refetches
        start = starting_filter(self.casetui.signed_in)
        self._apply(
            replace(start, sort=self.case_filter.sort, descending=self.case_filter.descending)
        )

    def action_sort(self, key: str) -> None:
        if self.case_filter.sort == key:
            descending = not self.case_filter.descending
        else:
            descending = FIRST_DIRECTION_DESCENDING.get(key, False)
        self._apply(replace(self.case_filter, sort=key, descending=descending))

    def action_refresh(self) -> None:
        self.table.reload()

    # --- pickers --------------------------------------------------------------------------

    def action_pick(self, kind: str) -> None:
        if kind == "status":
            statuses = [(s.value, s.value) for s in CaseStatus]
            self._pick("Filter by status", statuses, self.case_filter.statuses, "statuses")
        elif kind == "concern":
            self._pick("Filter by concern", [(c.value, c.value) for c in reversed(Concern)],
                       self.case_filter.concerns, "concerns")  # fmt: skip
        else:
            self._load_choices(kind)

    @work(thread=True, exclusive=True, group="caseload-choices")
    def _load_choices(self, kind: str) -> None:
        title, field = {"worker": ("Filter by case worker", "worker_ids"),
                        "pathway": ("Filter by pathway", "pathways"),
                        "tag": ("Filter by tag", "tags")}[kind]  # fmt: skip
        call_database(
            self,
            lambda: self._choices(kind),
            lambda choices: self._pick(title, choices, getattr(self.case_filter, field), field),
        )

    def _choices(self, kind: str) -> Sequence[tuple[str, Any]]:
        """Runs in a worker thread."""
        app = self.casetui
        found = caseload.filter_choices(app.db, app.signed_in, kind)
        if kind == "pathway":
            return [(p, p) for p in found.pathways]
        if kind == "tag":
            return [(t, t) for t in found.tags]
        workers = found.workers
        self.worker_names.update({p.id: p.display_name for p in workers})
        return [(f"{p.display_name} ({p.username})", p.id) for p in workers]

    def _pick(
        self,
        title: str,
        choices: Sequence[tuple[str, Any]],
        chosen: Sequence[Any],
        field: str,
    ) -> None:
        def chosen_values(values: tuple[Any, ...] | None) -> None:
            if values is not None:
                self._apply(replace(self.case_filter, **{field: values}))

        picker = ChoicePicker(title, choices, chosen)
        self.app.push_screen(picker, chosen_values)

    # --- going places ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        actor = self.casetui.actor
        if actor is None:
            return False
        if action == "focus_filter":
            return not isinstance(self.focused, FilterInput)
        if action == "new_note":
            if not policy.can(policy.ensure_writer, actor):
                return False
            return None if self._table_row() is None else True
        if action == "bulk_note":
            return policy.can(policy.ensure_bulk_writer, actor, "a bulk note")
        if action == "bulk_communication":
            return policy.can(policy.ensure_bulk_writer, actor, "a bulk communication")
        if action == "client_record":
            return None if self._table_row() is None else True
        if action == "register":
            return policy.can(policy.ensure_writer, actor)
        if action == "join_group":
            return policy.can(policy.ensure_bulk_writer, actor, "a bulk note")
        if action == "deleted_clients":
            return policy.can(policy.ensure_administrator, actor, "restoring a deleted client")
        if action == "audit_trail":
            return policy.can(policy.ensure_audit_reader, actor) or False
        if action == "administration":
            return policy.can(policy.ensure_administrator, actor, "administration")
        if action == "import_spreadsheet":
            return policy.can(policy.ensure_administrator, actor, "importing clients")
        if action == "reports":
            return policy.can(policy.ensure_grant, actor, Grant.REPORTS, "a report")
        if action == "audits":
            return policy.can(policy.ensure_score_reader, actor)
        return True

    def _table_row(self) -> Any:
        tables = self.query(CaseTable)
        return tables.first().current if tables else None

    def on_case_table_chosen(self, message: CaseTable.Chosen) -> None:
        from casetui.tui.screens.timeline import TimelineScreen

        self.app.push_screen(TimelineScreen(message.row.id))

    def action_new_note(self) -> None:
        from casetui.tui.screens.note_editor import NoteEditorScreen

        row = self.table.current
        if row is not None:
            self.app.push_screen(NoteEditorScreen(row.id))

    def action_client_record(self) -> None:
        from casetui.tui.screens.client_record import ClientRecordScreen

        row = self.table.current
        if row is not None:
            self.app.push_screen(ClientRecordScreen(row.client_id))

    def action_register(self) -> None:
        from casetui.tui.screens.intake import IntakeScreen
        from casetui.tui.screens.timeline import TimelineScreen

        def opened(case: Any) -> None:
            if case is not None:
                self.app.push_screen(TimelineScreen(case.id))

        self.app.push_screen(IntakeScreen(), opened)

    def action_deleted_clients(self) -> None:
        from casetui.tui.screens.deleted_clients import DeletedClientsScreen

        self.app.push_screen(DeletedClientsScreen())

    def action_join_group(self) -> None:
        numbers = list(self.table.selection.picked.values())
        if not numbers and self.table.current is not None:
            numbers = [self.table.current.case_number]
        if not numbers:
            return
        self._load_groups(numbers)

    @work(thread=True, exclusive=True, group="caseload-groups")
    def _load_groups(self, numbers: list[str]) -> None:
        from casetui.services import settings

        app = self.casetui
        call_database(
            self,
            lambda: settings.get_settings(app.db, app.signed_in).groups,
            lambda groups: self._pick_group(numbers, groups),
        )

    def _pick_group(self, numbers: list[str], groups: tuple[str, ...]) -> None:
        from casetui.tui.screens.choice import ChoiceScreen

        def chosen(group: str | None) -> None:
            if group:
                self._join(group, numbers)

        title = f"Add the clients of {len(numbers)} case(s) to a group"
        self.app.push_screen(ChoiceScreen(title, [(visible(g), g) for g in groups]), chosen)

    @work(thread=True, exclusive=True, group="caseload-groups")
    def _join(self, group: str, numbers: list[str]) -> None:
        from casetui.services import clients

        app = self.casetui
        call_database(
            self,
            lambda: clients.join_group(app.db, app.signed_in, group, numbers),
            lambda joined: self._joined(group, joined),
            app.show_error,
        )

    def _joined(self, group: str, joined: int) -> None:
        self.notify(f"{joined} client(s) added to {visible(group)}", markup=False)
        self.table.clear_selection()

    def action_workload(self) -> None:
        from casetui.tui.screens.workload import WorkloadScreen

        self.app.push_screen(WorkloadScreen())

    def action_today(self) -> None:
        from casetui.tui.screens.today import TodayScreen

        self.app.push_screen(TodayScreen())

    def action_missing_data(self) -> None:
        from casetui.tui.screens.missing_data import MissingDataScreen

        self.app.push_screen(MissingDataScreen())

    def action_audit_trail(self) -> None:
        from casetui.tui.screens.audit_trail import AuditTrailScreen

        self.app.push_screen(AuditTrailScreen())

    def action_administration(self) -> None:
        from casetui.tui.screens.administration import AdministrationScreen

        self.app.push_screen(AdministrationScreen())

    def action_import_spreadsheet(self) -> None:
        from casetui.tui.screens.import_preview import ImportPreviewScreen

        self.app.push_screen(ImportPreviewScreen())

    def action_insights(self) -> None:
        from casetui.tui.screens.insights import InsightsScreen

        self.app.push_screen(InsightsScreen())

    def action_reports(self) -> None:
        from casetui.tui.screens.reports import ReportsScreen

        self.app.push_screen(ReportsScreen())

    def action_audits(self) -> None:
        from casetui.tui.screens.audits import AuditsScreen

        self.app.push_screen(AuditsScreen())

    def action_bulk_note(self) -> None:
        self._bulk("note")

    def action_bulk_communication(self) -> None:
        self._bulk("communication")

    def _bulk(self, kind: str) -> None:
        """The selected cases (or the one under the cursor) to a bulk note or communication."""
        selection = self.table.selection
        if selection.whole_filter is not None:
            self.notify("Gathering the selected cases…", timeout=2)
            self._gather_filtered(selection, kind)
            return
        numbers = list(selection.picked.values())
        if not numbers:
            row = self.table.current
            if row is None:
                return
            numbers = [row.case_number]
        if len(numbers) > BULK_MAX_CASES:
            self._too_many(len(numbers), BULK_MAX_CASES, kind)
            return
        self._open_bulk(numbers, kind)

    @work(thread=True, exclusive=True, group="caseload-bulk")
    def _gather_filtered(self, selection: Selection, kind: str = "note") -> None:
        assert selection.whole_filter is not None
        whole = selection.whole_filter

        def read() -> list[tuple[int, str]]:
            return self.table.source.case_numbers(
                whole, BULK_MAX_CASES + len(selection.left_out) + 1
            )

        try:
            found = patiently(self.app, read)
        except Abandoned:
            return
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            self.app.call_from_thread(self.casetui.show_error, error)
            return
        numbers = [number for case_id, number in found if case_id not in selection.left_out]
        numbers += [n for n in selection.picked.values() if n not in set(numbers)]
        if len(numbers) > BULK_MAX_CASES:
            self.app.call_from_thread(self._too_many, None, BULK_MAX_CASES, kind)
        else:
            self.app.call_from_thread(self._open_bulk, numbers, kind)

    def _too_many(self, count: int | None, limit: int, kind: str = "note") -> None:
        have = f"{count:,}" if count is not None else f"more than {limit:,}"
        self.notify(
            f"A bulk {kind} can go to at most {limit:,} cases; {have} are selected. "
            "Narrow the filter or select fewer.",
            severity="error",
            markup=False,
        )

    def _open_bulk(self, numbers: list[str], kind: str = "note") -> None:
        from casetui.tui.screens.bulk_communication import BulkCommunicationScreen
        from casetui.tui.screens.bulk_note import BulkNoteScreen

        def written(result: object) -> None:
            if result:
                self.table.clear_selection()

        screen = BulkNoteScreen if kind == "note" else BulkCommunicationScreen
        self.app.push_screen(screen(numbers), written)
