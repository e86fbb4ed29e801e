"""What a person asks to see, as the screens and the command line hand it to the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from casetui.domain.enums import CaseStatus
from casetui.domain.read_models.audit import AuditEventView

ACTIVE_STATUSES: tuple[str, ...] = (CaseStatus.OPEN.value, CaseStatus.PAUSED.value)
# The caseload's sortable columns, by the names the UI and CLI use.
SORT_KEYS = (
    "client", "case_number", "worker", "status", "concern", "pathway", "last_interaction",
    "next_task",
)  # fmt: skip


@dataclass(frozen=True)
class CaseFilter:
    """Which cases, in which order: the caseload's filters and sort."""

    query: str = ""
    statuses: tuple[str, ...] = ACTIVE_STATUSES
    concerns: tuple[str, ...] = ()
    worker_ids: tuple[int, ...] = ()
    mine: bool = False
    pathways: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sort: str = "last_interaction"
    descending: bool = True
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Position:
    """Where a page of the audit trail ends: the (at, id) of its first or last event."""

    at: datetime
    id: int

    @classmethod
    def of(cls, event: AuditEventView) -> Position:
        return cls(event.at, event.id)
