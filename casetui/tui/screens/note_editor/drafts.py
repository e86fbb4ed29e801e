"""Drafts in the note editor: what was typed is kept as it is typed, and offered back."""

from __future__ import annotations

from typing import Any

from casetui.drafts import DraftKey
from casetui.tui.screens.choice import ChoiceScreen
from casetui.tui.widgets.note_form import NoteForm
from casetui.tui.widgets.task_form import TaskForm

DRAFT_DEBOUNCE = 1.0  # seconds after the last keystroke
DRAFT_EVERY = 3.0  # and at least this often while typing goes on


class Drafts:
    """Mixed into ``NoteEditorScreen``: its draft, saved while typing and offered back later."""

    @property
    def draft_key(self) -> DraftKey:
        return DraftKey(self.app.db.url, self.app.actor.username, self.case_id, self.note_id)

    def _keep_drafts(self) -> None:
        """A draft at least every DRAFT_EVERY seconds, however long the typing goes on."""
        self.set_interval(DRAFT_EVERY, self.save_draft)

    def snapshot(self) -> dict[str, Any]:
        form = self.query_one(NoteForm)
        return {
            "note": form.values(),
            "tasks": [t.values() for t in self.query(TaskForm)],
            "version": self.version,
            "base": self.base,
        }

    def _last_words(self) -> dict[str, Any] | None:
        """What was typed, read from the fields even while they are being taken down."""
        if self._form is None:
            return self._latest
        try:
            tasks = (
                [t.values() for t in self._form.parent.query(TaskForm)] if self._form.parent else []
            )
            return {
                "note": self._form.values(),
                "tasks": tasks,
                "version": self.version,
                "base": self.base,
            }
        except Exception:  # noqa: BLE001 - half taken down: fall back to the last change seen
            return self._latest

    def _offer_draft(self) -> None:
        draft = self.drafts.load(self.draft_key)
        if draft is None or draft.fields == self.original:
            self._draft_settled = True
            return
        saved = draft.saved_at.astimezone(self.zone)
        message = (
            f"You have an unsaved draft of this note from {saved:%a} {saved.day} {saved:%b %H:%M}."
        )
        choices = [("Restore the draft", "restore"), ("Discard the draft", "discard")]
        self.app.push_screen(
            ChoiceScreen("Unsaved draft", choices, message=message), self._draft_chosen
        )

    async def _draft_chosen(self, choice: str | None) -> None:
        self._draft_settled = True
        draft = self.drafts.load(self.draft_key)
        if draft is None or choice is None:
            return  # escape: the draft stays on disk, offered again next time
        if choice == "discard":
            self.drafts.delete(self.draft_key)
            return
        fields = draft.fields
        self.query_one(NoteForm).load(fields.get("note") or {})
        for values in fields.get("tasks") or []:
            if isinstance(values, dict):
                form = await self._mount_task()
                form.load(values)
        if self.note_id is not None and isinstance(fields.get("version"), int):
            self.version = fields["version"]
            base = fields.get("base")
            # A draft written before drafts kept their base: every difference counts as a clash.
            self.base = base if isinstance(base, dict) else None
            if self.context and self.context.note and self.context.note.version != self.version:
                self.set_status(
                    "Someone has saved this note since your draft; saving will tell you what changed.",
                    problem=True,
                )
        self._last_draft = self.snapshot()

    def on_note_form_changed(self, _event: NoteForm.Changed) -> None:
        self._schedule_draft()

    def on_task_form_changed(self, _event: TaskForm.Changed) -> None:
        self._schedule_draft()

    def _schedule_draft(self) -> None:
        self._latest = self.snapshot()  # kept for unmount, when the fields may be gone
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DRAFT_DEBOUNCE, self.save_draft)

    def save_draft(self) -> None:
        if self.finished or not self._draft_settled:
            return
        current = self.snapshot() if self.query(NoteForm) else self._last_words()
        if current is None:
            return
        if current == self._last_draft:
            return
        try:
            if current != self.original:
                self.drafts.save(self.draft_key, current, now=self.app.db.clock())
                self._wrote_draft = True
            elif self._wrote_draft:
                self.drafts.delete(self.draft_key)  # typed back to how it was: nothing to keep
        except OSError as exc:
            self.notify(f"Could not keep a draft: {exc.strerror}", severity="warning", markup=False)
            return
        self._last_draft = current
