"""Someone's notifications, and a page of their inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NotificationView:
    """One line of a staff member's inbox."""

    id: int
    kind: str  # NotificationKind
    case_id: int | None
    case_number: str | None
    text: str
    created_at: datetime
    read_at: datetime | None

    @property
    def read(self) -> bool:
        return self.read_at is not None


@dataclass(frozen=True)
class InboxPage:
    """The newest of a person's notifications (or the next ones after ``before``), with the
    counts the inbox shows: how many the view holds in all, and how many are unread."""

    notifications: tuple[NotificationView, ...]
    total: int
    unread: int
