"""The standard reports (SPEC part two, S0): which report, its filters, and what was written.

Plain data, shared by the report service, the command line and the reports screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from casetui.domain.errors import CasetuiError


class ReportKind(StrEnum):
    NOTES = "notes"
    COMMUNICATIONS = "communications"
    SERVICES = "services"


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class ReportFilters:
    """What the person asked for, as typed: dates in any form ``parse_date`` reads, a team by
    name, a worker by username, a pathway and a case status by their words."""

    date_from: str | None = None
    date_to: str | None = None
    team: str | None = None
    worker: str | None = None  # the case's primary worker
    pathway: str | None = None
    status: str | None = None  # the case's status
    include_restricted: bool = False  # restricted notes' details (read access needed)
    include_deleted: bool = False  # deleted clients and their cases (administrators)


@dataclass(frozen=True)
class ReportProgress:
    """Rows written so far and how long it has taken."""

    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        """Rows a second."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ReportDone:
    """A report written and recorded: where, how many rows, and the file's sha256."""

    kind: ReportKind
    format: ReportFormat
    path: str
    rows: int
    sha256: str
    seconds: float
    restricted_details: int = 0  # restricted notes whose details went into the file


class ReportCancelled(CasetuiError):
    """The person stopped the report: nothing was kept and nothing recorded."""

    def __str__(self) -> str:
        return self.args[0] if self.args else "report cancelled; no file was written"
