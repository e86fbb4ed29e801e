"""The timeline's ``p``: print the case file, offered to those the print service lets print."""

from __future__ import annotations

from casetui.domain.case_file import PrintedCaseFile
from casetui.domain.timeline import TimelineEntry
from casetui.services import print_case
from casetui.services.access import CaseAccess
from casetui.tui.screens.print_dialog import PrintDialog
from casetui.tui.widgets.timeline_list import visible


class PrintActions:
    """Mixed into ``TimelineScreen``; ``check_action`` asks ``may_print_case``."""

    def may_print_case(self, access: CaseAccess, entry: TimelineEntry | None) -> bool:
        # Reading is enough: auditors print too. The grant is the rule (reports).
        return print_case.may_print(access.actor)

    def action_print_case(self) -> None:
        data = self.data
        if data is None:
            return
        case = data.case
        today = data.now.astimezone(self.zone).date()
        path = f"~/{print_case.suggested_name(case.case_number, today)}"
        self.app.push_screen(PrintDialog(case.case_number, case.client_name, path), self._printed)

    def _printed(self, printed: PrintedCaseFile | None) -> None:
        if printed is None:
            return
        notes = f"{printed.notes:,} {'note' if printed.notes == 1 else 'notes'}"
        pages = f"{printed.pages:,} {'page' if printed.pages == 1 else 'pages'}"
        words = f"Printed {printed.case_number} ({notes}, {pages}) to {printed.path}"
        self.notify(visible(words), markup=False)
