"""Case notes, their addenda and follow-up tasks, and what a bulk note wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from casetui.domain.signoff import SignoffView


@dataclass(frozen=True)
class AddendumView:
    id: int
    note_id: int
    author: str
    created_at: datetime
    reason: str
    text: str


@dataclass(frozen=True)
class NoteView:
    id: int
    case_id: int
    case_number: str
    author_id: int
    author: str  # username
    author_name: str
    contact_at: datetime
    activity_type: str
    contact_type: str
    third_party_org: str | None
    summary: str
    details: str
    restricted: bool
    batch_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    locks_at: datetime
    locked: bool
    deleted: bool = False
    addenda: tuple[AddendumView, ...] = ()
    imported: bool = False  # brought in from another system: locked from the start
    signoff: SignoffView | None = None  # sent for a supervisor's sign-off, and where it stands

    @property
    def signed_off(self) -> bool:
        """Approved by a supervisor: locked like a note past its lock period."""
        return self.signoff is not None and self.signoff.approved

    @property
    def signed_off_at(self) -> datetime | None:
        return self.signoff.decided_at if self.signoff and self.signoff.approved else None


@dataclass(frozen=True)
class TaskView:
    id: int
    case_id: int
    case_number: str
    note_id: int | None
    name: str
    due_on: date
    repeats: str
    rrule: str | None
    assigned_to_client: bool
    details: str
    status: str
    responsible: tuple[str, ...]
    created_at: datetime
    completed_at: datetime | None
    version: int


@dataclass(frozen=True)
class BulkResult:
    batch_id: str
    note_ids: tuple[int, ...]
    task_ids: tuple[int, ...]
    case_numbers: tuple[str, ...]
