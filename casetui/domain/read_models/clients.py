"""Clients: the record, possible duplicates of a new one, and search hits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from casetui.domain.read_models.cases import CaseDetail


@dataclass(frozen=True)
class ClientView:
    """A client's record: the record box of the client screen, and ``clients show``."""

    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    email: str | None
    phone: str | None
    client_type: str | None
    status: str  # record status: Active, Inactive, Closed
    warnings: tuple[str, ...]
    groups: tuple[str, ...]
    created_at: datetime
    version: int
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class ClientRecord:
    """A client with every case of theirs the reader may see, newest first."""

    client: ClientView
    cases: tuple[CaseDetail, ...]
    # Cases of this client the reader may not see (a client served by two teams): counted,
    # never shown, so nobody takes the record for the whole story.
    cases_out_of_sight: int = 0


@dataclass(frozen=True)
class PossibleDuplicate:
    """A client already registered who may be the person being registered."""

    id: int
    name: str
    preferred_name: str | None
    date_of_birth: date | None
    case_numbers: tuple[str, ...]
    reasons: tuple[str, ...]  # "same date of birth, similar name", "same email", "same phone"
    may_open: bool  # the duplicate check looks organisation-wide; opening follows the scope


@dataclass(frozen=True)
class SearchHit:
    """One line of the global search: a client, a case or a note."""

    kind: str  # "client", "case" or "note"
    id: int  # the client's, the case's or the note's id
    case_number: str | None
    title: str
    snippet: str  # the matching words, marked with [ and ] around each match
    client_id: int | None = None
    restricted: bool = False
