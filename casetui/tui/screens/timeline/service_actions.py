"""The timeline's supportive service keys: record one (``v``), change or delete the highlighted
one (``e``, ``d``), open it (enter), and the case's services with their totals (``$``).

Services are not locked as notes are; whoever recorded one, a supervisor or an administrator
may change it, and every change is in the audit trail (``services/supportive_services.py``).
"""

from __future__ import annotations

from rich.text import Text

from casetui.domain.money import format_money
from casetui.domain.timeline import SERVICE, TimelineEntry
from casetui.services import supportive_services
from casetui.services.access import CaseAccess
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.widgets.service_text import service_lines
from casetui.tui.widgets.timeline_list import visible


class ServiceActions:
    """Service keys mixed into ``TimelineScreen``; writes go through its ``run_write``."""

    # --- which keys are on offer ------------------------------------------------------------

    def may_new_service(self, access: CaseAccess, _entry: TimelineEntry | None) -> bool:
        return supportive_services.may_add_service(access)

    def may_edit_service(self, access: CaseAccess, entry: TimelineEntry) -> bool:
        return supportive_services.may_change_service(access, entry)

    def may_delete_service(self, access: CaseAccess, entry: TimelineEntry) -> bool:
        return supportive_services.may_change_service(access, entry)

    def may_services_panel(self, _access: CaseAccess, _entry: TimelineEntry | None) -> bool:
        return True  # anyone who sees the case sees what was given on it

    # --- the keys ---------------------------------------------------------------------------

    def action_new_service(self) -> None:
        from casetui.tui.screens.service_editor import ServiceEditorScreen

        self.app.push_screen(
            ServiceEditorScreen(self.case_id),
            lambda saved: self.reload() if saved else None,
        )

    def edit_service(self, entry: TimelineEntry) -> None:
        from casetui.tui.screens.service_editor import ServiceEditorScreen

        self.app.push_screen(
            ServiceEditorScreen(self.case_id, entry.id),
            lambda saved: self.reload((SERVICE, entry.id)) if saved else None,
        )

    def delete_service(self, entry: TimelineEntry) -> None:
        if self.data is None:
            return
        version = entry.version
        message = Text(
            "Delete this supportive service? It leaves the case and its totals, and is kept in "
            "the record and the audit trail.\n\n"
        )
        amount = format_money(entry.amount, self.data.settings.currency) if entry.amount else ""
        message.append(visible(f"{entry.summary} · {amount}"), style="bold")

        def delete() -> None:
            self.run_write(
                lambda: supportive_services.delete_service(
                    self.app.db, self.app.actor, entry.id, expected_version=version
                ),
                "Supportive service deleted",
            )

        self.app.push_screen(
            ConfirmScreen("Delete supportive service", message, yes="Delete", no="Keep"),
            lambda yes: delete() if yes else None,
        )

    def read_service_lines(self, entry: TimelineEntry) -> list[Text]:
        """Enter on a service, in the timeline's reading thread: the whole record."""
        service = supportive_services.open_service(self.app.db, self.app.actor, entry.id)
        settings = self.data.settings
        return service_lines(service, settings.currency, self.zone)

    def action_services_panel(self) -> None:
        from casetui.tui.screens.services_panel import ServicesPanelScreen

        self.app.push_screen(
            ServicesPanelScreen(self.case_id),
            lambda changed: self.reload() if changed else None,
        )
