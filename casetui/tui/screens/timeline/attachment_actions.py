"""The timeline's file keys: attach a file (``u``), save one out (``w``), delete one (``d``),
and what enter shows of one. Who may is the services' answer (``services.attachments``)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work

from casetui.domain.errors import ValidationError
from casetui.domain.timeline import NOTE, TimelineEntry
from casetui.services import attachments
from casetui.services.access import CaseAccess
from casetui.tui.database_away import call_database
from casetui.tui.screens.attach_file import AttachFileScreen, AttachRequest
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.save_attachment import SaveAttachmentScreen
from casetui.tui.widgets.case_text import long_date
from casetui.tui.widgets.timeline_list import file_size, visible


def _size(size: int) -> str:
    """65 B, or 1.2 MB (1,234,567 bytes): exact where the short form rounds."""
    short = file_size(size)
    return short if size < 1000 else f"{short} ({size:,} bytes)"


class AttachmentActions:
    """File keys mixed into ``TimelineScreen``; writes go through its ``run_write``."""

    # --- which keys are on offer (asked by the screen's check_action) -----------------------

    def may_attach(self, access: CaseAccess, entry: TimelineEntry | None) -> bool:
        return attachments.may_attach(access)

    def may_save_attachment(self, access: CaseAccess, entry: TimelineEntry | None) -> bool | None:
        return True if attachments.may_save(entry) else None

    def may_delete_attachment(self, access: CaseAccess, entry: TimelineEntry) -> bool:
        return attachments.may_delete(access, entry)

    # --- attaching --------------------------------------------------------------------------

    def action_attach(self) -> None:
        entry = self.highlighted
        note = entry if entry is not None and entry.kind == NOTE else None
        self._attach_dialog(note, None, None)

    def _attach_dialog(
        self, note: TimelineEntry | None, request: AttachRequest | None, error: str | None
    ) -> None:
        data = self.data
        if data is None:
            return
        number = data.case.case_number

        def attach(chosen: AttachRequest | None) -> None:
            if chosen is None:
                return
            note_id = note.id if note is not None and chosen.on_note else None

            def again(exc: ValidationError) -> None:
                self._attach_dialog(note, chosen, f"{exc.field}: {exc.message}")

            def call() -> Any:
                return attachments.add_attachment(
                    self.app.db, self.app.actor, number, chosen.path,
                    note_id=note_id, restricted=chosen.restricted,
                )  # fmt: skip

            where = "the note" if note_id is not None else number
            name = chosen.path.rstrip("/").rsplit("/", 1)[-1]
            self.run_write(call, f"Attached {name} to {where}", after=again)

        dialog = AttachFileScreen(
            number,
            data.settings.attachment_limit_mb,
            note_summary=note.summary if note is not None else None,
            note_restricted=note.restricted if note is not None else False,
            request=request,
            error=error,
        )
        self.app.push_screen(dialog, attach)

    # --- saving out -------------------------------------------------------------------------

    def action_save_attachment(self) -> None:
        entry = self.highlighted
        if attachments.may_save(entry):
            assert entry is not None
            self._save_dialog(entry, None, None)

    def _save_dialog(self, entry: TimelineEntry, path: str | None, error: str | None) -> None:
        dialog = SaveAttachmentScreen(
            entry.summary,
            entry.size or 0,
            entry.detail or "",
            restricted=entry.restricted,
            path=path,
            error=error,
        )
        self.app.push_screen(
            dialog, lambda chosen: self._where_to_save(entry, chosen) if chosen else None
        )

    @work(thread=True, exclusive=True, group="timeline-load")
    def _where_to_save(self, entry: TimelineEntry, path: str) -> None:
        def read() -> tuple[str, bool]:
            return attachments.save_target(self.app.db, self.app.actor, entry.id, path)

        def refused(exc: Exception) -> None:
            if isinstance(exc, ValidationError):
                self._save_dialog(entry, path, f"{exc.field}: {exc.message}")
            else:
                self.app.show_error(exc)

        call_database(self, read, lambda found: self._save_or_ask(entry, path, *found), refused)

    def _save_or_ask(self, entry: TimelineEntry, path: str, target: str, taken: bool) -> None:
        if not taken:
            self._save(entry, path, target, overwrite=False)
            return
        message = Text(f"{visible(target)} already exists.\n\nReplace it with ")
        message.append(visible(entry.summary), style="bold")
        message.append("?")

        def answer(replace: bool | None) -> None:
            if replace:
                self._save(entry, path, target, overwrite=True)
            else:
                self._save_dialog(entry, path, None)  # back to the path, to choose another

        self.app.push_screen(
            ConfirmScreen("Replace a file?", message, yes="Replace", no="Keep it"), answer
        )

    def _save(self, entry: TimelineEntry, path: str, target: str, *, overwrite: bool) -> None:
        def again(exc: ValidationError) -> None:
            self._save_dialog(entry, path, f"{exc.field}: {exc.message}")

        def call() -> Any:
            return attachments.save_attachment(
                self.app.db, self.app.actor, entry.id, path, overwrite=overwrite
            )

        self.run_write(
            call, f"Saved {entry.summary} to {target}", (entry.kind, entry.id), after=again
        )

    # --- deleting ---------------------------------------------------------------------------

    def delete_attachment(self, entry: TimelineEntry) -> None:
        message = Text(
            "Delete this file? It is hidden from everyone, and kept in the record and the "
            "audit trail.\n\n"
        )
        message.append(visible(entry.summary), style="bold")

        def delete(yes: bool | None) -> None:
            if yes:
                self.run_write(
                    lambda: attachments.delete_attachment(self.app.db, self.app.actor, entry.id),
                    "File deleted",
                )

        self.app.push_screen(ConfirmScreen("Delete file", message, yes="Delete", no="Keep"), delete)

    # --- enter: what is known of it ---------------------------------------------------------

    def read_attachment_lines(self, entry: TimelineEntry) -> list[Text]:
        """Called in a thread by the screen: the file's details, never its bytes."""
        found = attachments.attachment_details(self.app.db, self.app.actor, entry.id)
        lines = [
            Text(visible(found.name), style="bold"),
            Text(f"{_size(found.size)} · {visible(found.media_type)}"),
            Text(f"sha256 {found.sha256}"),
            Text(
                visible(
                    f"Added by {found.uploaded_by_name} ({found.uploaded_by}) "
                    f"{long_date(found.created_at, self.zone)}"
                )
            ),
        ]
        where = f"On the note: {found.note_summary}" if found.note_id is not None else "On the case"
        if found.restricted:
            where += " · restricted: review before sharing with the client"
        lines.append(Text(visible(where)))
        lines.append(Text("w saves a copy to a file (recorded in the audit trail)", style="dim"))
        return lines
