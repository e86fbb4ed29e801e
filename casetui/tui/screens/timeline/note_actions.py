"""The timeline's note keys: write a new note, edit one, add an addendum, delete one."""

from __future__ import annotations

from rich.text import Text

from casetui.domain.enums import SignoffState
from casetui.domain.errors import ValidationError
from casetui.domain.locking import NoteLock, describe_lock
from casetui.domain.timeline import ADDENDUM, NOTE, TimelineEntry
from casetui.services import notes
from casetui.tui.screens.addendum import AddendumScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.timeline_list import visible


def signed_off_entry(entry: TimelineEntry) -> bool:
    """A note a supervisor has signed off: locked as a note past its lock period is."""
    return entry.signoff == SignoffState.APPROVED.value


class NoteActions:
    """Note keys mixed into ``TimelineScreen``; writes go through its ``run_write``."""

    def action_new_note(self) -> None:
        from casetui.tui.screens.note_editor import NoteEditorScreen

        self.app.push_screen(
            NoteEditorScreen(self.case_id), lambda saved: self.reload() if saved else None
        )

    def edit_note(self, entry: TimelineEntry) -> None:
        data = self.data
        if data is None or entry.created_at is None:
            return
        created, now = entry.created_at, self.app.db.clock()
        signed_off = signed_off_entry(entry)
        if data.access.note_lock(created, now, entry.imported, signed_off) is NoteLock.LOCKED:
            when = describe_lock(
                created, data.access.lock_days, now.astimezone(self.zone), entry.imported
            )
            if signed_off:
                when = "signed off by a supervisor, which locked it,"
            message = (
                f"This note is {when} and can no longer be edited. Add an addendum to it instead?"
            )
            self.app.push_screen(
                ConfirmScreen("Note locked", message, yes="Add addendum", no="Cancel"),
                lambda yes: self.action_addendum() if yes else None,
            )
            return
        from casetui.tui.screens.note_editor import NoteEditorScreen

        editor = NoteEditorScreen(self.case_id, entry.id)
        self.app.push_screen(
            editor, lambda saved: self.reload(("note", entry.id)) if saved else None
        )

    def action_addendum(self, text: str = "", reason: str = "", error: str | None = None) -> None:
        entry = self.highlighted
        if entry is None or entry.kind not in (NOTE, ADDENDUM):
            return
        note_id = entry.id if entry.kind == NOTE else entry.note_id
        summary = entry.summary if entry.kind == NOTE else "the note this addendum belongs to"

        def save(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            body, why = result

            def again(exc: ValidationError) -> None:
                self.action_addendum(body, why, f"{exc.field}: {exc.message}")

            self.run_write(
                lambda: notes.add_addendum(self.app.db, self.app.actor, note_id, body, why),
                "Addendum added",
                ("note", note_id),
                after=again,
            )

        self.app.push_screen(AddendumScreen(summary, text=text, reason=reason, error=error), save)

    def delete_note(self, entry: TimelineEntry) -> None:
        data = self.data
        if data is None or entry.created_at is None:
            return
        version = entry.version

        def delete(reason: str | None) -> None:
            self.run_write(
                lambda: notes.delete_note(
                    self.app.db, self.app.actor, entry.id, expected_version=version, reason=reason
                ),
                "Note deleted",
            )

        lock = data.access.note_lock(
            entry.created_at, self.app.db.clock(), entry.imported, signed_off_entry(entry)
        )
        if lock is not NoteLock.OPEN:
            if lock is NoteLock.LOCKED:
                self.notify(
                    "This note is locked and cannot be deleted; add an addendum instead.",
                    severity="warning",
                )
                return
            self.app.push_screen(
                ReasonScreen(
                    "Delete a locked note",
                    "This note is locked. Deleting it overrides the lock "
                    "and is recorded in the audit trail with your reason.",
                ),
                lambda reason: delete(reason) if reason else None,
            )
            return
        summary = Text(
            "Delete this note? It is hidden from everyone, and kept in the record and the audit trail.\n\n"
        )
        summary.append(visible(entry.summary), style="bold")
        self.app.push_screen(
            ConfirmScreen("Delete note", summary, yes="Delete", no="Keep"),
            lambda yes: delete(None) if yes else None,
        )
