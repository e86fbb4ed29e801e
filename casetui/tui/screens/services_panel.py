"""A case's supportive services with what they add up to, overall and per grant (the
timeline's ``$``): record one, change or delete the highlighted one."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from casetui.domain.errors import CasetuiError, StaleEdit
from casetui.domain.money import format_money
from casetui.domain.read_models.supportive_services import ServiceView
from casetui.services import supportive_services
from casetui.services.supportive_services import CaseServices
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.data_table import DataTable
from casetui.tui.widgets.footer import Footer
from casetui.tui.widgets.latest_note import stale_notice
from casetui.tui.widgets.service_text import totals_text
from casetui.tui.widgets.timeline_list import visible


class ServicesPanelScreen(Screen[bool]):
    """Dismissed with True when a service was recorded, changed or deleted here."""

    HELP_TITLE = "Supportive services"
    DEFAULT_CSS = """
    ServicesPanelScreen #services-title { height: auto; padding: 0 1; background: $boost; text-style: bold; }
    ServicesPanelScreen #services-table { height: 1fr; }
    ServicesPanelScreen #service-detail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    ServicesPanelScreen #services-totals { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,v", "new_service", "New", id="services_panel.new"),
        Binding("e", "edit", "Edit", id="services_panel.edit"),
        Binding("d", "delete", "Delete", id="services_panel.delete"),
        Binding("escape", "back", "Back", id="services_panel.back"),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
        self.data: CaseServices | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Supportive services · loading…"), id="services-title")
        yield DataTable(id="services-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="service-detail")
        yield Static("", id="services-totals")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    # --- loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="services-load")
    def reload(self, keep: int | None = None) -> None:
        case_id = self.case_id

        def read() -> CaseServices:
            return supportive_services.case_services(self.app.db, self.app.actor, case_id)

        call_database(self, read, lambda data: self._show(data, keep), self._unavailable)

    def _unavailable(self, exc: CasetuiError) -> None:
        self.app.show_error(exc)
        self.dismiss(self.changed)

    def _show(self, data: CaseServices, keep: int | None) -> None:
        self.data = data
        case = data.case
        title = Text("Supportive services")
        title.append(f" · {visible(case.case_number)} · {visible(case.client_name)}")
        self.query_one("#services-title", Static).update(title)
        table = self.query_one(DataTable)
        row = table.cursor_row
        self._fill(table, data)
        if keep is not None:
            row = next((i for i, s in enumerate(data.services) if s.id == keep), row)
        if data.services:
            table.move_cursor(row=min(max(row, 0), len(data.services) - 1))
        self.query_one("#services-totals", Static).update(totals_text(data.totals, data.currency))
        self._show_detail()
        self.refresh_bindings()

    def on_resize(self) -> None:
        if self.data is not None:
            table = self.query_one(DataTable)
            row = table.cursor_row
            self._fill(table, self.data)
            if self.data.services:
                table.move_cursor(row=min(max(row, 0), len(self.data.services) - 1))

    def _fill(self, table: DataTable[Any], data: CaseServices) -> None:
        """The rows, in columns as wide as the screen allows: long words end in "…"."""
        amounts = [format_money(s.amount, data.currency) for s in data.services]
        money = max([len("Amount"), *(len(a) for a in amounts)])
        texts = [
            (visible(s.service_type), visible(s.provider), visible(s.grant or "—"))
            for s in data.services
        ]
        # Each column has a cell of padding either side; the scrollbar takes two more.
        room = max(self.size.width, 80) - 2 - 2 * 5 - len("20 Nov 2026") - money
        names = ("Service", "Provider", "Grant")
        widths = [max([len(n), *(len(t[i]) for t in texts)]) for i, n in enumerate(names)]
        while sum(widths) > room:  # the widest column gives way first, down to its heading
            widest = max(range(len(widths)), key=lambda i: widths[i])
            if widths[widest] <= len(names[widest]):
                break
            widths[widest] -= 1
        table.clear(columns=True)
        table.add_column("Given", key="given")
        for name, width in zip(names, widths, strict=True):
            table.add_column(name, width=width, key=name.lower())
        table.add_column(Text("Amount", justify="right"), width=money, key="amount")
        for service, amount, words in zip(data.services, amounts, texts, strict=True):
            table.add_row(
                f"{service.provided_on.day} {service.provided_on:%b %Y}",
                *(Text(w, no_wrap=True, overflow="ellipsis") for w in words),
                amount.rjust(money),  # figures line up under each other
                key=str(service.id),
            )

    def highlighted(self) -> ServiceView | None:
        if self.data is None:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.data.services[row] if 0 <= row < len(self.data.services) else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        detail = self.query_one("#service-detail", Static)
        service = self.highlighted()
        if self.data is not None and not self.data.services:
            words = "No supportive services on this case yet."
            if supportive_services.may_add_service(self.data.access):
                words += " n records one."
            detail.update(Text(words))
            return
        if service is None:
            detail.update("")
            return
        detail.update(
            Text(visible(f"Justification: {service.justification} · recorded by {service.author}"))
        )

    # --- which keys are on offer ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        if self.data is None:
            return None
        access = self.data.access
        if action == "new_service":
            return supportive_services.may_add_service(access)
        if action in ("edit", "delete"):
            if not access.write:
                return False  # read-only here: not offered at all
            service = self.highlighted()
            return True if supportive_services.may_change_service(access, service) else None
        return True

    # --- actions ----------------------------------------------------------------------------

    def action_new_service(self) -> None:
        from casetui.tui.screens.service_editor import ServiceEditorScreen

        self.app.push_screen(ServiceEditorScreen(self.case_id), self._after_editor)

    def action_edit(self) -> None:
        from casetui.tui.screens.service_editor import ServiceEditorScreen

        service = self.highlighted()
        if service is None:
            return
        self.app.push_screen(
            ServiceEditorScreen(self.case_id, service.id),
            lambda saved: self._after_editor(saved, service.id),
        )

    def _after_editor(self, saved: bool | None, keep: int | None = None) -> None:
        if saved:
            self.changed = True
            self.reload(keep)

    def action_delete(self) -> None:
        service = self.highlighted()
        if service is None or self.data is None:
            return
        message = Text(
            "Delete this supportive service? It leaves the case and its totals, and is kept in "
            "the record and the audit trail.\n\n"
        )
        amount = format_money(service.amount, self.data.currency)
        message.append(visible(f"{service.service_type} · {amount} · {service.provider}"))
        self.app.push_screen(
            ConfirmScreen("Delete supportive service", message, yes="Delete", no="Keep"),
            lambda yes: self._delete(service.id, service.version) if yes else None,
        )

    @work(thread=True, exclusive=True, group="services-write")
    def _delete(self, service_id: int, version: int) -> None:
        def write() -> ServiceView:
            return supportive_services.delete_service(
                self.app.db, self.app.actor, service_id, expected_version=version
            )

        call_database(self, write, lambda _view: self._deleted(), self._refused)

    def _deleted(self) -> None:
        self.changed = True
        self.notify("Supportive service deleted", markup=False)
        self.app.caseload_changed()
        self.reload()

    def _refused(self, exc: CasetuiError) -> None:
        if isinstance(exc, StaleEdit):
            words = stale_notice(exc, "The services are shown as they are now.")
            self.notify(words, title="Someone else saved first", severity="warning", markup=False)
        else:
            self.app.show_error(exc)
        self.reload()

    def action_back(self) -> None:
        self.dismiss(self.changed)
