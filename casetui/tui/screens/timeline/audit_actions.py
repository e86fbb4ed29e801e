"""The timeline's note-audit key: ``Q`` opens the highlighted note's audit, and the note's
read-out (enter) carries its score in one line for whoever may read it. The audits service is
imported when first used: the keys ask ``policy``, so opening a case does not wait for it."""

from __future__ import annotations

from rich.text import Text

from casetui.domain.timeline import NOTE, TimelineEntry
from casetui.services import policy
from casetui.services.access import CaseAccess
from casetui.tui.widgets.timeline_list import visible


class AuditActions:
    """Audit keys mixed into ``TimelineScreen``."""

    def may_audit_note(self, _access: CaseAccess, entry: TimelineEntry | None) -> bool | None:
        if not policy.can(policy.ensure_score_reader, self.app.actor):
            return False
        if entry is None or entry.kind != NOTE:
            return None
        return True if policy.may_read_note_score(self.app.actor, entry.author_id) else None

    def action_audit_note(self) -> None:
        from casetui.tui.screens.note_audit import NoteAuditScreen

        entry = self.highlighted
        if entry is None or entry.kind != NOTE or self.data is None:
            return
        heading = f"{self.data.case.case_number} · {entry.summary}"
        self.app.push_screen(NoteAuditScreen(entry.id, heading))

    def note_score_line(self, note_id: int, author_id: int | None) -> Text | None:
        """In the timeline's reading thread: the note's score, if audited and readable."""
        from casetui.services import note_audits

        actor = self.app.actor
        if not policy.may_read_note_score(actor, author_id):
            return None
        audit = note_audits.note_audit(self.app.db, actor, note_id)
        if audit is None:
            return None
        from casetui.tui.widgets.note_score_text import score_line

        return Text(visible(score_line(audit)), style="italic")
