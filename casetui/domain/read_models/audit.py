"""Audit events as the audit trail shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditEventView:
    """One audit event as the audit trail shows it; ``before`` and ``after`` are JSON text."""

    id: int
    at: datetime
    actor_username: str
    action: str
    entity: str
    entity_id: str | None
    case_id: int | None
    case_number: str | None
    before: str | None
    after: str | None
