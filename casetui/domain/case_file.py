"""A printed case file (S1): what its first page says, and what printing one did.

Read models like those of ``read_models``, kept together here because the PDF writer
(``services/printing``) reads them and nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.clients import ClientView
from casetui.domain.read_models.notes import TaskView


@dataclass(frozen=True)
class CaseFile:
    """The case and client as the file's first page shows them, and what every page's foot
    says; the notes themselves are handed to the writer one at a time."""

    organisation: str
    notice: str  # the organisation's confidentiality notice, at the foot of every page
    time_zone: str  # the organisation's: every date and time printed is a date and time there
    case: CaseDetail
    client: ClientView
    printed_at: datetime
    printed_by: str  # "Display Name (username)"
    since: date | None  # the notes' contact dates printed; None: from the first
    until: date | None  # None: to the last
    notes: int  # how many notes are printed
    case_tasks: tuple[TaskView, ...] = ()  # follow-up tasks on the case written with no note


@dataclass(frozen=True)
class PrintedCaseFile:
    """A case file written to disk, as the audit trail keeps it."""

    path: str
    case_number: str
    notes: int
    restricted: int  # restricted notes printed (each read is recorded as a view)
    pages: int
    size: int  # bytes
    sha256: str
    since: date | None = None
    until: date | None = None
