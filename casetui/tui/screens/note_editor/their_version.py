"""Someone else saved the note first: say so, then show their version above the user's."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.containers import VerticalScroll

from casetui.domain.errors import StaleEdit
from casetui.domain.read_models.notes import NoteView
from casetui.services import notes
from casetui.tui.database_away import call_database
from casetui.tui.widgets.latest_note import LatestNote, merge_latest, who_and_when
from casetui.tui.widgets.note_form import NoteForm, note_values


class TheirVersion:
    """Mixed into ``NoteEditorScreen``: a save refused as stale, and ctrl+l's their version."""

    def _offer_their_version(self, exc: StaleEdit) -> None:
        self.refused_as_stale = exc
        self.refresh_bindings()
        who, when = who_and_when(exc)
        self.set_status(
            f"Not saved: someone else saved this note after you opened it ({who}{when}). "
            "Your text is still here and in your draft; ctrl+l shows their version above yours.",
            problem=True,
        )

    def action_load_latest(self) -> None:
        if self.note_id is not None and not self.saving:
            self._load_latest(self.note_id)

    @work(thread=True, exclusive=True, group="editor-load")
    def _load_latest(self, note_id: int) -> None:
        def read() -> NoteView:
            return notes.open_note(self.app.db, self.app.actor, note_id)

        call_database(self, read, self._show_latest, self._latest_unavailable)

    def _latest_unavailable(self, exc: Exception) -> None:
        self.set_status(
            f"Their version could not be shown ({exc}). Your text is still here and in your draft.",
            problem=True,
        )

    async def _show_latest(self, latest: NoteView) -> None:
        """Their version above the form; what only they changed is taken in, the rest is mine."""
        assert self.context is not None
        form = self.query_one(NoteForm)
        theirs = note_values(latest, latest.contact_at.astimezone(self.zone))
        merged = merge_latest(self.base, form.values(), theirs)
        form.load(merged.taken)
        panel = LatestNote(latest, merged, self.refused_as_stale, previous_version=self.version)
        for old in self.query(LatestNote):
            await old.remove()
        await self.query_one("#editor-body", VerticalScroll).mount(panel, before=form)
        panel.scroll_visible()
        self.version, self.base = latest.version, theirs
        self.context = replace(self.context, note=latest)
        self.original = {"note": theirs, "tasks": [], "version": latest.version, "base": theirs}
        self.refused_as_stale = None
        self.refresh_bindings()
        self.set_status(
            f"Their version {latest.version} is shown above; your text is in the form. "
            "ctrl+s saves yours on top of it."
        )
        self._schedule_draft()
