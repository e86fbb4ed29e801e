"""Cases: a caseload line, one case in full, and the events of its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CaseRow:
    """One caseload line."""

    id: int
    case_number: str
    client_id: int
    client_name: str
    status: str
    concern: str
    worker_id: int | None
    worker_username: str | None
    worker_name: str | None
    pathway: str | None
    last_interaction_at: datetime | None
    tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    next_task_due: date | None = None
    version: int = 1  # for a reassign from a list: refused if the case changed since


@dataclass(frozen=True)
class CaseDetail:
    id: int
    case_number: str
    client_id: int
    client_name: str
    preferred_name: str | None
    status: str
    concern: str
    worker_id: int | None
    worker_username: str | None
    worker_name: str | None
    team_id: int | None
    pathway: str | None
    opened_on: date
    closed_on: date | None
    last_interaction_at: datetime | None
    version: int
    tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    navigators: tuple[str, ...] = ()  # usernames
    former_numbers: tuple[str, ...] = ()  # oldest first: "was C-0042"
    created_at: datetime | None = None


@dataclass(frozen=True)
class CaseEventView:
    id: int
    case_id: int
    actor: str
    at: datetime
    kind: str
    before: str | None
    after: str | None
