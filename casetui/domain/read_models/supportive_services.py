"""Supportive services given to clients, and their totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class ServiceView:
    """A supportive service given on a case; ``amount`` is exact, with two places."""

    id: int
    case_id: int
    case_number: str
    author_id: int
    author: str  # username
    author_name: str
    service_type: str
    provided_on: date
    provider: str
    amount: Decimal
    grant: str | None
    justification: str
    created_at: datetime
    updated_at: datetime
    version: int
    deleted: bool = False


@dataclass(frozen=True)
class GrantTotal:
    """What one grant paid for on a case (``grant`` None: services paid from no grant)."""

    grant: str | None
    amount: Decimal
    services: int


@dataclass(frozen=True)
class ServiceTotals:
    """A case's supportive services added up, in the database: overall and per grant."""

    amount: Decimal
    services: int
    by_grant: tuple[GrantTotal, ...] = ()
