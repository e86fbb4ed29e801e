"""A note's supervisor sign-off as the screens and the command line receive it, and the words
that say where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casetui.domain.enums import SignoffState

# How a state reads on a note's line: (wide, narrow).
STATE_WORDS: dict[str, tuple[str, str]] = {
    SignoffState.REQUESTED.value: ("awaiting sign-off", "to sign off"),
    SignoffState.APPROVED.value: ("signed off, locked", "signed off"),
    SignoffState.RETURNED.value: ("returned for changes", "returned"),
}


def state_words(state: str | None, *, wide: bool = True) -> str:
    """``awaiting sign-off``, ``signed off, locked``, ``returned for changes``; "" for none."""
    if state is None or state not in STATE_WORDS:
        return ""
    long, short = STATE_WORDS[state]
    return long if wide else short


@dataclass(frozen=True)
class SignoffView:
    """Where a note's sign-off stands: who sent it and when, and the decision if there is one."""

    id: int
    note_id: int
    case_id: int
    case_number: str
    state: str  # a SignoffState value
    note_author_id: int
    note_summary: str
    requested_by: str  # username
    requested_at: datetime
    decided_by: str | None  # username
    decided_at: datetime | None
    comment: str | None
    version: int

    @property
    def approved(self) -> bool:
        return self.state == SignoffState.APPROVED.value

    @property
    def waiting(self) -> bool:
        return self.state == SignoffState.REQUESTED.value

    @property
    def returned(self) -> bool:
        return self.state == SignoffState.RETURNED.value


@dataclass(frozen=True)
class SignoffChoices:
    """What the acting person may do with one note's sign-off, as the service would answer."""

    note_id: int
    signoff: SignoffView | None
    request: bool  # send it (again, after a return)
    decide: bool  # approve or return it
    why_not: str | None = None  # the rule that leaves nothing on offer, where one does
