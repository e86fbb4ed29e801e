"""Someone else saved the note being edited: their version, shown above the user's own form.

``merge_latest`` decides field by field, as a caseworker would: what only they changed comes
into the form, what only the user changed stays, and where both changed it the user's text
stays in the form and theirs is shown here, so nothing typed is lost and nothing of theirs is
quietly written over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import Static

from casetui.domain.errors import StaleEdit
from casetui.domain.read_models.notes import NoteView
from casetui.tui.widgets.timeline_list import visible

FIELD_LABELS = {
    "contact_date": "Contact date",
    "contact_time": "Time",
    "activity_type": "Activity",
    "contact_type": "Contact type",
    "third_party_org": "3rd party org",
    "summary": "Summary",
    "details": "Details",
    "restricted": "Restricted",
}


@dataclass(frozen=True)
class Merge:
    taken: dict[str, Any] = field(default_factory=dict)  # only they changed: now in the form
    clashes: dict[str, Any] = field(default_factory=dict)  # both changed: theirs, not in the form
    kept: tuple[str, ...] = ()  # only the user changed: theirs was the same as before


def merge_latest(
    base: dict[str, Any] | None, mine: dict[str, Any], theirs: dict[str, Any]
) -> Merge:
    """Field by field; with no ``base`` (an old draft) every difference is a clash."""
    taken: dict[str, Any] = {}
    clashes: dict[str, Any] = {}
    kept: list[str] = []
    for key, their_value in theirs.items():
        if key not in mine or mine[key] == their_value:
            continue
        before = None if base is None else base.get(key)
        if base is not None and mine[key] == before:
            taken[key] = their_value
        elif base is not None and their_value == before:
            kept.append(key)
        else:
            clashes[key] = their_value
    return Merge(taken, clashes, tuple(kept))


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value not in (None, "") else "(empty)"


def _when(local: datetime) -> str:
    """The refusal's time is already in the organisation's zone."""
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def _field_lines(text: Text, key: str, value: Any, note: str) -> None:
    text.append(f"\n{FIELD_LABELS.get(key, key)}", style="bold")
    text.append(f" — {note}:", style="italic")
    shown = visible(value, keep_newlines=True) if isinstance(value, str) else _shown(value)
    for line in (shown or "(empty)").split("\n"):
        text.append("\n│ ", style="dim")
        text.append(line)


def who_and_when(refusal: StaleEdit | None) -> tuple[str, str]:
    """("Sam Lee (sam)", " on Sun 22 Nov at 10:07") as far as the refusal knows them."""
    who = refusal.changed_by if refusal and refusal.changed_by else "someone else"
    when = f" on {_when(refusal.changed_at)}" if refusal and refusal.changed_at else ""
    return visible(who), when


def stale_notice(refusal: StaleEdit, shown: str) -> str:
    """What a refused change of a case or an entry says, before the screen shows it afresh."""
    who, when = who_and_when(refusal)
    return (
        f"Not changed: {who} saved a change here{when}, after you opened it. "
        f"{shown} Try again if it is still needed."
    )


def latest_text(
    latest: NoteView,
    merge: Merge,
    refusal: StaleEdit | None,
    previous_version: int | None,
) -> Text:
    who, when = who_and_when(refusal)
    text = Text()
    text.append(f"Their version {latest.version}", style="bold")
    text.append(f", saved by {who}{when}")
    if previous_version is not None:
        text.append(f" (you had opened version {previous_version})")
    text.append(".")
    if not merge.taken and not merge.clashes:
        text.append("\nNothing they changed differs from your form.")
    for key, value in merge.taken.items():
        _field_lines(text, key, value, "only they changed it, now in your form")
    for key, value in merge.clashes.items():
        _field_lines(text, key, value, "you changed it too; yours is in the form, theirs is")
    for key in merge.kept:
        text.append(f"\n{FIELD_LABELS.get(key, key)}", style="bold")
        text.append(" — only you changed it; yours is in the form", style="italic")
    return text


class LatestNote(Static):
    """The note as someone else saved it, above the form that still holds the user's text."""

    DEFAULT_CSS = """
    LatestNote {
        height: auto; margin: 0 0 1 0; padding: 0 1;
        border: round $warning; border-title-color: $warning;
    }
    """

    def __init__(
        self,
        latest: NoteView,
        merge: Merge,
        refusal: StaleEdit | None,
        *,
        previous_version: int | None,
    ) -> None:
        super().__init__(latest_text(latest, merge, refusal, previous_version))
        self.merge = merge
        self.border_title = "Saved by someone else"
