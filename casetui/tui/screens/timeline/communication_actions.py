"""The timeline's communication keys: record one (m), edit (e), delete (d), cancel a reminder
(X), and what a communication reads like opened (enter)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work

from casetui.domain.enums import ReminderState
from casetui.domain.locking import NoteLock, describe_lock
from casetui.domain.read_models.communications import CommunicationView
from casetui.domain.timeline import COMMUNICATION, TimelineEntry
from casetui.services import communications
from casetui.services.access import CaseAccess
from casetui.tui.database_away import call_database
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.reason import ReasonScreen
from casetui.tui.widgets.case_text import long_date
from casetui.tui.widgets.communication_form import TYPE_NAMES
from casetui.tui.widgets.timeline_list import visible

_DIRECTION = {"in": "from the client", "out": "to the client"}


def _day(day: object) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"  # type: ignore[attr-defined]


def communication_lines(
    view: CommunicationView, lock_days: int, now: datetime, zone: ZoneInfo
) -> list[Text]:
    """A communication opened: its subject in full, when, who, the lock, the body, and for a
    reminder where its delivery stands, in words a person can act on."""
    kind = TYPE_NAMES.get(view.kind, view.kind).split(" (")[0]
    if view.is_reminder:
        what = f"{kind} · emailed to the client · arranged {long_date(view.occurred_at, zone)}"
    else:
        what = f"{kind} · {_DIRECTION.get(view.direction, view.direction)} · {long_date(view.occurred_at, zone)}"
    written = f"Written by {view.author_name} ({view.author}) {long_date(view.created_at, zone)}"
    written += f" · {describe_lock(view.created_at, lock_days, now.astimezone(zone))}"
    lines = [Text(visible(view.subject), style="bold"), Text(visible(what)), Text(visible(written))]
    if view.is_reminder:
        lines.extend(reminder_lines(view, zone))
    if view.body.strip():
        lines.append(Text(visible(view.body, keep_newlines=True)))
    return lines


def reminder_lines(view: CommunicationView, zone: ZoneInfo) -> list[Text]:
    sends = f"Sends on {_day(view.send_on)}" if view.send_on else "No send date"
    if view.repeats != "none":
        sends += f" · repeats {view.rrule or view.repeats}"
    lines = [Text(visible(sends))]
    state = view.state
    if state == ReminderState.SCHEDULED.value:
        words = "Scheduled: it goes to the client's email on its send date. X cancels it."
        if view.attempts:
            words = f"Scheduled, to be tried again: {view.attempts} attempt(s) so far."
        lines.append(Text(words))
    elif state == ReminderState.SENDING.value:
        since = f" since {long_date(view.claimed_at, zone)}" if view.claimed_at else ""
        lines.append(
            Text(
                f"Being sent{since}, and not finished: it may or may not have gone. "
                "For a person to check (the mail server's log); it is not sent again on its own.",
                style="bold",
            )
        )
    elif state == ReminderState.SENT.value:
        sent = f"Sent {long_date(view.sent_at, zone)}" if view.sent_at else "Sent"
        lines.append(Text(visible(sent)))
        if view.message_id:
            lines.append(Text(visible(f"Message id {view.message_id}")))
    elif state == ReminderState.FAILED.value:
        lines.append(Text(f"Failed after {view.attempts} attempt(s). X cancels it.", style="bold"))
    elif state == ReminderState.CANCELLED.value:
        lines.append(Text("Cancelled: it will not be sent."))
    if view.next_attempt_at and state in (
        ReminderState.SCHEDULED.value,
        ReminderState.FAILED.value,
    ):
        lines.append(Text(f"Next attempt {long_date(view.next_attempt_at, zone)}"))
    if view.server_answer:
        lines.append(Text(visible(f"The mail server's last answer: {view.server_answer}")))
    return lines


def delete_words(view: CommunicationView, zone: ZoneInfo) -> Text:
    """What deleting this one does, and does not do: a sent email is not recalled."""
    kept = "It is hidden from everyone, and kept in the record and the audit trail."
    state = view.state
    if state is None:
        words = f"Delete this communication? {kept}"
    elif state == ReminderState.SENT.value:
        when = f" on {long_date(view.sent_at, zone)}" if view.sent_at else ""
        words = f"Delete this reminder? It was sent{when}; deleting it here does not recall the email. {kept}"
    elif state == ReminderState.SENDING.value:
        words = (
            "Delete this reminder? It was being sent and may have gone; deleting it here does "
            f"not recall an email already sent. {kept}"
        )
    elif state == ReminderState.CANCELLED.value:
        words = f"Delete this cancelled reminder? {kept}"
    else:
        words = f"Delete this reminder? It will not be sent. {kept}"
    text = Text(words + "\n\n")
    text.append(visible(view.subject), style="bold")
    return text


class CommunicationActions:
    """Communication keys mixed into ``TimelineScreen``; writes go through its ``run_write``."""

    # --- which keys are offered: the services' own answers (communications.may_*) ----------

    def may_new_communication(self, access: CaseAccess, entry: TimelineEntry | None) -> bool:
        return access.write

    def may_edit_communication(self, access: CaseAccess, entry: TimelineEntry) -> bool:
        return communications.may_edit(access, entry, self.app.db.clock())

    def may_delete_communication(self, access: CaseAccess, entry: TimelineEntry) -> bool:
        return communications.may_delete(access, entry, self.app.db.clock())

    def may_cancel_reminder(self, access: CaseAccess, entry: TimelineEntry | None) -> bool | None:
        if not access.write:
            return False
        return True if entry is not None and communications.may_cancel(access, entry) else None

    # --- the keys -----------------------------------------------------------------------------

    def action_new_communication(self) -> None:
        from casetui.tui.screens.communication_editor import CommunicationEditorScreen

        self.app.push_screen(
            CommunicationEditorScreen(self.case_id), lambda saved: self.reload() if saved else None
        )

    def edit_communication(self, entry: TimelineEntry) -> None:
        from casetui.tui.screens.communication_editor import CommunicationEditorScreen

        self.app.push_screen(
            CommunicationEditorScreen(self.case_id, entry.id),
            lambda saved: self.reload((COMMUNICATION, entry.id)) if saved else None,
        )

    def delete_communication(self, entry: TimelineEntry) -> None:
        self._confirm_delete(entry)

    @work(thread=True, exclusive=True, group="timeline-open")
    def _confirm_delete(self, entry: TimelineEntry) -> None:
        """Read it first: the question says what deleting does to a reminder in its state."""

        def read() -> CommunicationView:
            return communications.open_communication(self.app.db, self.app.actor, entry.id)

        call_database(self, read, lambda view: self._ask_delete(entry, view))

    def _ask_delete(self, entry: TimelineEntry, view: CommunicationView) -> None:
        data = self.data
        if data is None:
            return
        version = view.version

        def delete(reason: str | None) -> None:
            self.run_write(
                lambda: communications.delete_communication(
                    self.app.db, self.app.actor, entry.id, expected_version=version, reason=reason
                ),
                "Reminder deleted" if view.is_reminder else "Communication deleted",
            )

        if data.access.note_lock(view.created_at, self.app.db.clock()) is NoteLock.OVERRIDE:
            message = delete_words(view, self.zone)
            message.append(
                "\n\nIt is locked: deleting it overrides the lock, recorded in the audit trail "
                "with your reason."
            )
            self.app.push_screen(
                ReasonScreen("Delete a locked communication", message),
                lambda reason: delete(reason) if reason else None,
            )
            return
        title = "Delete reminder" if view.is_reminder else "Delete communication"
        self.app.push_screen(
            ConfirmScreen(title, delete_words(view, self.zone), yes="Delete", no="Keep"),
            lambda yes: delete(None) if yes else None,
        )

    def action_cancel_reminder(self) -> None:
        entry = self.highlighted
        if entry is None or entry.kind != COMMUNICATION or self.data is None:
            return
        if not communications.may_cancel(self.data.access, entry):
            return
        message = Text(
            "Cancel this reminder? It will not be sent to the client. It stays on the "
            "timeline, marked cancelled.\n\n"
        )
        message.append(visible(entry.summary), style="bold")
        version = entry.version
        self.app.push_screen(
            ConfirmScreen("Cancel reminder", message, yes="Cancel reminder", no="Keep it"),
            lambda yes: (
                self.run_write(
                    lambda: communications.cancel_reminder(
                        self.app.db, self.app.actor, entry.id, expected_version=version
                    ),
                    "Reminder cancelled: it will not be sent",
                    (COMMUNICATION, entry.id),
                )
                if yes
                else None
            ),
        )

    # --- enter ---------------------------------------------------------------------------------

    def read_communication_lines(self, entry: TimelineEntry) -> list[Text]:
        """Called by the screen in a thread: read the communication, then draw it."""
        view = communications.open_communication(self.app.db, self.app.actor, entry.id)
        lock_days = self.data.access.lock_days if self.data else 14
        return communication_lines(view, lock_days, self.app.db.clock(), self.zone)
