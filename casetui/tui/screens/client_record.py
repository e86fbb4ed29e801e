"""A client's record: who they are, every case of theirs you may see, and what can be done.

Each action is a key; the keys offered are the ones the services would allow (``check_action``
asks what they answered when the record was read). Every change is saved from the version on
screen, so a record someone else changed meanwhile is refused, not overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.enums import RecordStatus
from casetui.domain.errors import CasetuiError
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.clients import ClientView
from casetui.services import cases, clients, settings, subject_access
from casetui.services.clients import ClientChanges
from casetui.services.record_view import RecordView, record_view
from casetui.tui.database_away import call_database
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.pickers import ChoicePicker
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.safe_text import visible

if TYPE_CHECKING:
    from casetui.domain.read_models.settings import SettingsView
    from casetui.tui.app import CasetuiApp

_CLIENT = Binding.Group("Client")
_CASE = Binding.Group("Case")


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def record_box(client: ClientView, today: date) -> Group:
    """The record box: name and warnings first, as everywhere, then the details."""
    name = Text()
    name.append(visible(client.name), style="bold")
    if client.preferred_name:
        name.append(f' ("{visible(client.preferred_name)}")')
    for warning in client.warnings:
        name.append("  ⚠ " + visible(warning), style="bold reverse")
    if client.deleted_at is not None:
        name.append("  DELETED", style="bold reverse")
    born = client.date_of_birth
    details = Table.grid(padding=(0, 1))
    details.add_column(style="dim", no_wrap=True)
    details.add_column(ratio=1)
    details.add_column(style="dim", no_wrap=True)
    details.add_column(ratio=1)
    details.add_row(
        "Born", f"{born.isoformat()} ({age_on(born, today)})" if born else "not recorded",
        "Record", Text(client.status, style="bold"),
    )  # fmt: skip
    details.add_row(
        "Email", visible(client.email) or "—", "Type", visible(client.client_type) or "—"
    )
    details.add_row(
        "Phone", visible(client.phone) or "—", "Registered", client.created_at.date().isoformat()
    )
    details.add_row("Groups", ", ".join(visible(g) for g in client.groups) or "none", "", "")
    return Group(name, details)


def number_cell(case: CaseDetail) -> Text:
    cell = Text(visible(case.case_number))
    if case.former_numbers:
        cell.append(" was " + ", ".join(visible(n) for n in case.former_numbers), style="dim")
    return cell


class ClientRecordScreen(Screen[None]):
    HELP_TITLE = "Client record"
    DEFAULT_CSS = """
    ClientRecordScreen #record-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    ClientRecordScreen #record-box { height: auto; padding: 0 1; border: round $primary; }
    ClientRecordScreen #record-cases-title { height: 1; padding: 0 1; text-style: bold; }
    ClientRecordScreen #record-cases { height: 1fr; }
    ClientRecordScreen #record-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_case", "Timeline", id="record.open_case"),
        Binding("e", "edit", "Edit", group=_CLIENT, id="record.edit"),
        Binding("s", "record_status", "Status", group=_CLIENT, id="record.status"),
        Binding("t", "client_type", "Type", group=_CLIENT, id="record.type"),
        Binding("w", "warnings", "Warnings", group=_CLIENT, id="record.warnings"),
        Binding("g", "groups", "Groups", group=_CLIENT, id="record.groups"),
        Binding("o", "new_case", "New case", group=_CASE, id="record.new_case"),
        Binding("v", "add_navigator", "Add navigator", group=_CASE, id="record.add_navigator"),
        Binding(
            "V", "remove_navigator", "Remove navigator", group=_CASE, id="record.remove_navigator"
        ),  # fmt: skip
        Binding("#", "case_number", "Case number", group=_CASE, id="record.case_number"),
        Binding("x", "subject_access", "Subject access", id="record.subject_access"),
        Binding("d", "delete", "Delete client", id="record.delete"),
        Binding("R", "restore", "Restore client", id="record.restore"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="record.reload"),
        Binding("escape", "back", "Back", show=False, id="record.back"),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.view: RecordView | None = None
        self.settings: SettingsView | None = None

    @property
    def casetui(self) -> CasetuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text("Client record"), id="record-title")
        yield Static(Text("Loading…"), id="record-box")
        yield Static("", id="record-cases-title")
        table: DataTable[Any] = DataTable(id="record-cases", cursor_type="row", zebra_stripes=True)
        table.add_columns("Case", "Status", "Concern", "Worker", "Pathway", "Opened")
        yield table
        yield Static("", id="record-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Client record"
        self.query_one(DataTable).focus()
        self.reload()

    # --- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="record-load")
    def _load(self) -> None:
        app = self.casetui

        def read() -> tuple[RecordView, SettingsView]:
            return (
                record_view(app.db, app.signed_in, self.client_id),
                settings.get_settings(app.db, app.signed_in),
            )

        call_database(self, read, self._show, self._unavailable)

    def _unavailable(self, error: CasetuiError) -> None:
        self.casetui.show_error(error)
        self.dismiss(None)

    def _show(self, loaded: tuple[RecordView, SettingsView]) -> None:
        self.view, self.settings = loaded
        record = self.view.record
        today = self.casetui.db.clock().date()
        self.query_one("#record-box", Static).update(record_box(record.client, today))
        title = f"Cases ({len(record.cases)})"
        if record.cases_out_of_sight:
            title += f" · {record.cases_out_of_sight} more held by teams you cannot see"
        self.query_one("#record-cases-title", Static).update(Text(title))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for case in record.cases:
            worker = visible(case.worker_name or "—")
            if case.navigators:
                worker += f" +{len(case.navigators)}"
            table.add_row(
                number_cell(case), case.status, case.concern, worker,
                visible(case.pathway or "—"), case.opened_on.isoformat(), key=str(case.id),
            )  # fmt: skip
        if record.cases:
            table.move_cursor(row=min(keep, len(record.cases) - 1))
        self._show_case_line()
        self.refresh_bindings()

    def _show_case_line(self) -> None:
        """Under the table: the highlighted case's navigators, or what to press."""
        case = self._case()
        if case is None:
            line = Text("o opens a first case · ? help")
        elif case.navigators:
            line = Text(f"Navigators on {visible(case.case_number)}: ")
            line.append(", ".join(visible(n) for n in case.navigators), style="bold")
        else:
            line = Text(f"No navigators on {visible(case.case_number)} · enter opens its timeline")
        self.query_one("#record-status", Static).update(line)

    def _case(self) -> CaseDetail | None:
        if self.view is None or not self.view.record.cases:
            return None
        row = self.query_one(DataTable).cursor_row
        found = self.view.record.cases
        return found[row] if 0 <= row < len(found) else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        if self.view is not None:
            self._show_case_line()
        self.refresh_bindings()

    # --- what may be done --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "reload"):
            return True
        view = self.view
        if view is None:
            return False
        access = view.access
        deleted = view.record.client.deleted_at is not None
        if action in ("edit", "record_status", "client_type", "warnings", "groups"):
            return access.edit and not deleted
        if action == "new_case":
            return access.open_case and not deleted
        if action == "delete":
            return access.delete and not deleted
        if action == "restore":
            return access.restore and deleted
        if action == "subject_access":
            return subject_access.may_request(self.casetui.signed_in) and not deleted
        case = self._case()
        if action == "open_case":
            return case is not None or None
        if case is None:
            return None if action in ("add_navigator", "remove_navigator", "case_number") else True
        per_case = view.case_access.get(case.id)
        if action == "add_navigator":
            return per_case is not None and per_case.navigators
        if action == "remove_navigator":
            return per_case is not None and per_case.navigators and bool(case.navigators)
        if action == "case_number":
            return per_case is not None and per_case.change_number
        return True

    # --- writing -----------------------------------------------------------------------------

    def _write(self, done: str, write: Callable[[], object]) -> None:
        """Run one write in a worker; on success say so and read the record again."""
        self._run_write(done, write)

    @work(thread=True, group="record-write")
    def _run_write(self, done: str, write: Callable[[], object]) -> None:
        call_database(self, write, lambda _result: self._written(done), self._refused)

    def _written(self, done: str) -> None:
        self.notify(visible(done), markup=False)
        self.casetui.caseload_changed()
        self.reload()

    def _refused(self, error: CasetuiError) -> None:
        self.casetui.show_error(error)
        self.reload()  # a stale record shows what is there now

    def _change(self, done: str, changes: ClientChanges) -> None:
        assert self.view is not None
        app, client = self.casetui, self.view.record.client

        def write() -> object:
            return clients.edit_client(app.db, app.signed_in, client.id, changes,
                                       expected_version=client.version)  # fmt: skip

        self._write(done, write)

    def action_edit(self) -> None:
        from casetui.tui.screens.client_edit import ClientEditScreen

        if self.view is None or self.settings is None:
            return
        self.app.push_screen(
            ClientEditScreen(self.view.record.client, self.settings),
            lambda saved: self.reload() if saved else None,
        )

    def action_record_status(self) -> None:
        if self.view is None:
            return
        current = self.view.record.client.status
        self.app.push_screen(
            ChoiceScreen(
                "Record status", [(s.value, s.value) for s in RecordStatus], current=current
            ),  # fmt: skip
            lambda status: (
                self._change(f"Record is now {status}", ClientChanges(status=status))
                if status and status != current
                else None
            ),
        )

    def action_client_type(self) -> None:
        if self.view is None or self.settings is None:
            return
        current = self.view.record.client.client_type
        choices: list[tuple[str | Text, str]] = [
            (Text(visible(t)), t) for t in self.settings.client_types
        ]
        choices.append((Text("No client type", style="italic"), ""))
        self.app.push_screen(
            ChoiceScreen("Client type", choices, current=current or ""),
            lambda kind: (
                self._change("Client type changed", ClientChanges(client_type=kind))
                if kind is not None and kind != (current or "")
                else None
            ),
        )

    def _pick_many(self, title: str, offered: tuple[str, ...], held: tuple[str, ...],
                   done: Callable[[tuple[str, ...], tuple[str, ...]], ClientChanges]) -> None:  # fmt: skip
        listed = list(offered) + [h for h in held if h not in offered]  # retired ones still shown

        def chosen(values: tuple[str, ...] | None) -> None:
            if values is None:
                return
            added = tuple(v for v in values if v not in held)
            removed = tuple(h for h in held if h not in values)
            if added or removed:
                self._change(f"{title} changed", done(added, removed))

        picker = ChoicePicker(title, [(v, v) for v in listed], held, empty_means="none")
        self.app.push_screen(picker, chosen)

    def action_warnings(self) -> None:
        if self.view is None or self.settings is None:
            return
        self._pick_many(
            "Warning indicators", self.settings.warning_indicators,
            self.view.record.client.warnings,
            lambda added, removed: ClientChanges(add_warnings=added, remove_warnings=removed),
        )  # fmt: skip

    def action_groups(self) -> None:
        if self.view is None or self.settings is None:
            return
        self._pick_many(
            "Groups", self.settings.groups, self.view.record.client.groups,
            lambda added, removed: ClientChanges(add_groups=added, remove_groups=removed),
        )  # fmt: skip

    def action_new_case(self) -> None:
        from casetui.tui.screens.intake import IntakeScreen

        self.app.push_screen(
            IntakeScreen(self.client_id), lambda case: self.reload() if case else None
        )

    def action_open_case(self) -> None:
        from casetui.tui.screens.timeline import TimelineScreen

        case = self._case()
        if case is not None:
            self.app.push_screen(TimelineScreen(case.id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_case()

    def action_add_navigator(self) -> None:
        case = self._case()
        if case is not None:
            self._load_navigator_choices(case)

    @work(thread=True, exclusive=True, group="record-choices")
    def _load_navigator_choices(self, case: CaseDetail) -> None:
        app = self.casetui

        def read() -> list[tuple[str | Text, str]]:
            found = cases.navigator_choices(app.db, app.signed_in, case.case_number)
            return [(Text(visible(f"{s.display_name} ({s.username})")), s.username) for s in found]

        call_database(self, read, lambda choices: self._pick_navigator(case, choices))

    def _pick_navigator(self, case: CaseDetail, choices: list[tuple[str | Text, str]]) -> None:
        if not choices:
            self.notify("Nobody else can be added to this case.", severity="warning")
            return
        app = self.casetui

        def chosen(username: str | None) -> None:
            if username:
                self._write(
                    f"{username} now works on {case.case_number}",
                    lambda: cases.assign_navigator(app.db, app.signed_in, case.case_number,
                                                   username, expected_version=case.version),
                )  # fmt: skip

        self.app.push_screen(
            ChoiceScreen(f"Add a navigator to {case.case_number}", choices), chosen
        )

    def action_remove_navigator(self) -> None:
        case = self._case()
        if case is None or not case.navigators:
            return
        app = self.casetui

        def chosen(username: str | None) -> None:
            if username:
                self._write(
                    f"{username} no longer works on {case.case_number}",
                    lambda: cases.unassign_navigator(app.db, app.signed_in, case.case_number,
                                                     username, expected_version=case.version),
                )  # fmt: skip

        choices: list[tuple[str | Text, str]] = [(Text(visible(n)), n) for n in case.navigators]
        self.app.push_screen(
            ChoiceScreen(f"Remove a navigator from {case.case_number}", choices), chosen
        )

    def action_case_number(self) -> None:
        case = self._case()
        if case is None:
            return
        app = self.casetui

        def chosen(number: str | None) -> None:
            if number:
                self._write(
                    f"{case.case_number} is now {number}",
                    lambda: cases.change_case_number(app.db, app.signed_in, case.case_number,
                                                     number, expected_version=case.version),
                )  # fmt: skip

        message = Text(
            f"The new number for {visible(case.case_number)}. The old one stays findable "
            'in search and is shown as "was …".'
        )
        self.app.push_screen(
            ReasonScreen("Change the case number", message, placeholder="New case number"), chosen
        )

    def action_delete(self) -> None:
        if self.view is None:
            return
        record = self.view.record
        client = record.client
        numbers = ", ".join(visible(c.case_number) for c in record.cases)
        cases_words = f" and {len(record.cases)} case(s): {numbers}" if record.cases else ""
        hidden = (
            f" (and {record.cases_out_of_sight} case(s) you cannot see)"
            if record.cases_out_of_sight
            else ""
        )
        message = Text(
            f"{visible(client.name)}{cases_words}{hidden} will vanish from the caseload, search "
            "and workload. Nothing is erased: the record stays in the database and in reports, "
            "and an administrator can restore it."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(client.id)

        self.app.push_screen(ConfirmScreen("Delete this client?", message, yes="Delete"), answered)

    @work(thread=True, exclusive=True, group="record-write")
    def _delete(self, client_id: int) -> None:
        app = self.casetui

        def write() -> None:
            clients.delete_client(app.db, app.signed_in, client_id)

        call_database(self, write, lambda _r: self._deleted(), self._refused)

    def _deleted(self) -> None:
        self.notify("Client deleted; an administrator can restore them.")
        self.casetui.caseload_changed()
        self.dismiss(None)

    def action_restore(self) -> None:
        if self.view is None:
            return
        app, client_id = self.casetui, self.view.record.client.id
        self._write(
            "Client restored with their cases",
            lambda: clients.restore_client(app.db, app.signed_in, client_id),
        )

    # --- a subject-access request --------------------------------------------------------

    def action_subject_access(self) -> None:
        """Open the client's request not yet exported, or offer to start one."""
        if self.view is not None:
            self._find_request(self.view.record.client.id)

    @work(thread=True, exclusive=True, group="record-sar")
    def _find_request(self, client_id: int) -> None:
        app = self.casetui

        def read() -> int | None:
            return subject_access.current_request(app.db, app.signed_in, client_id)

        call_database(self, read, self._request_found, self._refused)

    def _request_found(self, request_id: int | None) -> None:
        from casetui.tui.screens.sar_review import SarReviewScreen

        if request_id is not None:
            self.app.push_screen(SarReviewScreen(request_id))
            return
        if self.view is None:
            return
        record = self.view.record
        hidden = (
            f" {record.cases_out_of_sight} case(s) held by teams you cannot see will not be in it."
            if record.cases_out_of_sight
            else ""
        )
        message = Text(
            f"Everything held about {visible(record.client.name)} that you may see is "
            "gathered: the record, cases, notes, addenda, tasks, communications, services and "
            "files. Restricted notes and 3rd Party contacts (and what hangs on them) are held "
            f"for a supervisor or administrator to release or withhold.{hidden}"
        )
        client_id = record.client.id

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_request(client_id)

        self.app.push_screen(
            ConfirmScreen("Start a subject-access request?", message, yes="Start"), answered
        )

    @work(thread=True, exclusive=True, group="record-sar")
    def _start_request(self, client_id: int) -> None:
        app = self.casetui

        def write() -> int:
            return subject_access.start_request(app.db, app.signed_in, client_id).id

        call_database(self, write, self._request_started, self._refused)

    def _request_started(self, request_id: int) -> None:
        from casetui.tui.screens.sar_review import SarReviewScreen

        self.notify(f"Subject-access request {request_id} started", markup=False)
        self.app.push_screen(SarReviewScreen(request_id))

    def action_back(self) -> None:
        self.dismiss(None)
