"""A note locked before it was opened: offer an addendum to it instead of an edit."""

from __future__ import annotations

from textual import work

from casetui.domain.errors import ValidationError
from casetui.domain.locking import describe_lock
from casetui.domain.read_models.notes import NoteView
from casetui.services import notes
from casetui.tui.database_away import call_database
from casetui.tui.screens.addendum import AddendumScreen
from casetui.tui.screens.confirm import ConfirmScreen


class LockedNote:
    """Mixed into ``NoteEditorScreen``: the addendum written in place of the locked note."""

    def _offer_addendum(self, note: NoteView) -> None:
        assert self.context is not None
        when = describe_lock(
            note.created_at,
            self.context.access.lock_days,
            self.app.db.clock().astimezone(self.zone),
            note.imported,
            signed_off_at=note.signed_off_at,
        )
        message = f"This note is {when} and can no longer be edited. Add an addendum to it instead?"
        self.app.push_screen(
            ConfirmScreen("Note locked", message, yes="Add addendum", no="Go back"),
            lambda yes: self._write_addendum(note) if yes else self._leave(),
        )

    def _leave(self) -> None:
        self.finished = True
        self.dismiss(False)

    def _write_addendum(
        self, note: NoteView, text: str = "", reason: str = "", error: str | None = None
    ) -> None:
        def chosen(result: tuple[str, str] | None) -> None:
            if result is None:
                self._leave()
                return
            self._save_addendum(note, *result)

        self.app.push_screen(
            AddendumScreen(note.summary, text=text, reason=reason, error=error), chosen
        )

    @work(thread=True, exclusive=True, group="editor-save")
    def _save_addendum(self, note: NoteView, text: str, reason: str) -> None:
        def write() -> NoteView:
            return notes.add_addendum(self.app.db, self.app.actor, note.id, text, reason)

        def refused(exc: Exception) -> None:
            if isinstance(exc, ValidationError):
                self._write_addendum(note, text, reason, f"{exc.field}: {exc.message}")
                return
            self.app.show_error(exc)
            self._write_addendum(note, text, reason, str(exc))

        call_database(self, write, self._saved, refused)
