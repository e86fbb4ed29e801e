"""The timeline's outcome key: ``O`` assesses the case at an outcome stage, showing the current
assessment and its history (``services/outcomes.py``)."""

from __future__ import annotations

from casetui.domain.timeline import TimelineEntry
from casetui.services.access import CaseAccess


class OutcomeActions:
    """Outcome keys mixed into ``TimelineScreen``."""

    def may_assess_outcome(self, _access: CaseAccess, _entry: TimelineEntry | None) -> bool:
        # Whoever sees the case reads its assessments; the dialog saves only for its writers.
        return True

    def action_assess_outcome(self) -> None:
        from casetui.tui.screens.outcome_dialog import OutcomeDialog

        self.app.push_screen(OutcomeDialog(self.case_id, self.zone))
