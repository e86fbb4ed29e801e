"""Files attached to a client or a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AttachmentView:
    """A file on a case or a note, without its bytes."""

    id: int
    case_id: int
    case_number: str
    note_id: int | None
    note_summary: str | None  # the note it is on
    name: str
    size: int  # bytes
    media_type: str  # detected from the content
    sha256: str
    restricted: bool  # marked so itself, or on a restricted note
    uploaded_by_id: int
    uploaded_by: str  # username
    uploaded_by_name: str
    created_at: datetime
    deleted: bool = False


@dataclass(frozen=True)
class SavedAttachment:
    """A file saved out: what was written, and where."""

    attachment: AttachmentView
    path: str
