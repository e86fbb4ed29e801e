"""The timeline's sign-off key (``S``): send the highlighted note for sign-off, or approve or
return it, whichever the person may (``services/signoff.py`` decides; the dialog offers what
``signoff.choices`` answers)."""

from __future__ import annotations

from textual import work

from casetui.domain.errors import ValidationError
from casetui.domain.signoff import SignoffChoices
from casetui.domain.timeline import NOTE, TimelineEntry
from casetui.services import signoff
from casetui.services.access import CaseAccess
from casetui.tui.database_away import call_database
from casetui.tui.screens.signoff_dialog import (
    APPROVE,
    REQUEST,
    RETURN,
    SignoffDecision,
    SignoffScreen,
)

DONE = {REQUEST: "Sent for sign-off", APPROVE: "Signed off: the note is locked", RETURN: "Returned"}


class SignoffActions:
    """Sign-off keys mixed into ``TimelineScreen``; writes go through its ``run_write``."""

    def may_signoff(self, access: CaseAccess, entry: TimelineEntry | None) -> bool | None:
        if entry is None or entry.kind != NOTE:
            return None
        if access.may_signoff(entry):
            return True
        # Shown but dimmed for those who sign off or write here; hidden from readers.
        return None if access.write or access.decide_signoff else False

    def action_signoff(self) -> None:
        entry = self.highlighted
        if entry is not None and entry.kind == NOTE:
            self._open_signoff(entry)

    @work(thread=True, exclusive=True, group="timeline-signoff")
    def _open_signoff(
        self,
        entry: TimelineEntry,
        comment: str = "",
        error: str | None = None,
        chosen: str | None = None,
    ) -> None:
        call_database(
            self,
            lambda: signoff.choices(self.app.db, self.app.actor, entry.id),
            lambda choices: self._show_signoff(entry, choices, comment, error, chosen),
        )

    def _show_signoff(
        self,
        entry: TimelineEntry,
        choices: SignoffChoices,
        comment: str,
        error: str | None,
        chosen: str | None,
    ) -> None:
        if not (choices.request or choices.decide):
            words = choices.why_not or "There is nothing to do with this note's sign-off."
            self.notify(words, title="Sign-off", severity="warning", markup=False)
            return
        version = choices.signoff.version if choices.signoff is not None else None

        def decided(decision: SignoffDecision | None) -> None:
            if decision is not None:
                self._write_signoff(entry, decision, version)

        self.app.push_screen(
            SignoffScreen(
                entry.summary, choices, self.zone, comment=comment, error=error, chosen=chosen
            ),
            decided,
        )

    def _write_signoff(
        self, entry: TimelineEntry, decision: SignoffDecision, version: int | None
    ) -> None:
        db, actor, note_id = self.app.db, self.app.actor, entry.id
        if decision.action == REQUEST:
            call = lambda: signoff.request_signoff(db, actor, note_id, expected_version=version)  # noqa: E731
        elif decision.action == APPROVE:
            call = lambda: signoff.approve(  # noqa: E731
                db, actor, note_id, comment=decision.comment or None,
                expected_version=version, note_version=entry.version,
            )  # fmt: skip
        else:
            call = lambda: signoff.return_note(  # noqa: E731
                db, actor, note_id, decision.comment,
                expected_version=version, note_version=entry.version,
            )  # fmt: skip

        def again(exc: ValidationError) -> None:
            self._open_signoff(
                entry, decision.comment, f"{exc.field}: {exc.message}", decision.action
            )

        self.run_write(call, DONE[decision.action], (NOTE, note_id), after=again)
