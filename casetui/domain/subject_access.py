"""A subject-access request, as plain data: what it holds, item by item, and what its export wrote.

Every record held about the client is one item, named ``kind:id`` ("note:123"). An item is
released by rule, or held for review: a restricted note, a note with a 3rd Party contact, and
what hangs on such a note (its addenda, its attachments, the tasks made from it), and a file
restricted on its own. A supervisor or administrator releases or withholds each held item with
a reason; nothing is exported while one is undecided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from casetui.domain.errors import RuleError, ValidationError
from casetui.domain.read_models.attachments import AttachmentView
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.clients import ClientView
from casetui.domain.read_models.communications import CommunicationView
from casetui.domain.read_models.notes import AddendumView, NoteView, TaskView
from casetui.domain.storable import storable_id


class ItemKind(StrEnum):
    CLIENT = "client"
    CASE = "case"
    NOTE = "note"
    ADDENDUM = "addendum"
    TASK = "task"
    COMMUNICATION = "communication"
    SERVICE = "service"
    ATTACHMENT = "attachment"


class ItemState(StrEnum):
    HELD = "held"  # waiting for a supervisor's or an administrator's decision
    RELEASED = "released"
    WITHHELD = "withheld"


class Decision(StrEnum):
    RELEASE = "release"
    WITHHOLD = "withhold"


# Why an item is held, in words that carry none of its content (the list goes to the client).
RESTRICTED_NOTE = "restricted note"
THIRD_PARTY = "3rd Party contact"
RESTRICTED_FILE = "restricted attachment"
CHANGED = "changed since it was released"


def item_key(kind: ItemKind | str, record_id: int) -> str:
    return f"{ItemKind(kind).value}:{record_id}"


def parse_item(text: str) -> tuple[ItemKind, int]:
    """``note:123`` as (kind, id); refused naming the field when it is not one."""
    kind, sep, number = (text or "").strip().partition(":")
    shown = (text or "")[:60]
    try:
        parsed = ItemKind(kind.strip().lower())
        record_id = int(number.strip())
    except ValueError:
        raise ValidationError(
            "item", f"{shown!r} is not an item such as note:123 (kinds: {', '.join(ItemKind)})"
        ) from None
    if not sep or record_id < 1 or not storable_id(record_id):
        raise ValidationError("item", f"{shown!r} is not an item such as note:123")
    return parsed, record_id


class Undecided(RuleError):
    """An export refused while held items wait for a decision."""

    rule = "undecided"


@dataclass(frozen=True)
class GatheredItem:
    """One record found about the client now, and why the rule holds it (None: released)."""

    item: str
    kind: ItemKind
    record_id: int
    case_id: int | None
    held_because: str | None
    version: int | None  # None for what is never edited (addenda, attachments)


@dataclass(frozen=True)
class SarItem:
    """One item of a request as it stands: its state and the reason that goes with it."""

    item: str
    kind: str
    state: ItemState
    reason: str | None  # the decision's reason; a held item's, why it is held
    held_because: str | None  # why the rule held it (None: released by rule)
    decided_by: str | None = None  # username
    decided_at: datetime | None = None

    @property
    def reviewed(self) -> bool:
        """Held by the rule: one of the items a reviewer steps through."""
        return self.held_because is not None


@dataclass(frozen=True)
class SarRequestView:
    id: int
    client_id: int
    client_name: str
    requested_by: str  # username
    created_at: datetime
    items: tuple[SarItem, ...]
    cases_out_of_sight: int = 0  # the client's cases the reader may not see: not in it
    exported_at: datetime | None = None
    manifest_sha256: str | None = None
    # What has changed since the items were last kept ("note:9 added"); kept at the next
    # decision or export.
    changes: tuple[str, ...] = ()

    def count(self, state: ItemState) -> int:
        return sum(1 for item in self.items if item.state is state)

    @property
    def undecided(self) -> tuple[SarItem, ...]:
        return tuple(item for item in self.items if item.state is ItemState.HELD)

    @property
    def reviewed(self) -> tuple[SarItem, ...]:
        """Every item the rule held, decided or not, in the request's order."""
        return tuple(item for item in self.items if item.reviewed)


@dataclass(frozen=True)
class SarItemDetail:
    """One item in full, as a reviewer reads it before deciding."""

    item: SarItem
    heading: str
    fields: tuple[tuple[str, str], ...]  # (label, value), in reading order
    text: str = ""  # the note's details, the addendum's text, a body, a justification
    restricted: bool = False


@dataclass(frozen=True)
class ServiceRecord:
    """A supportive service, as the export hands it to the client."""

    id: int
    case_id: int
    case_number: str
    service_type: str
    provided_on: date
    provider: str
    amount: Decimal
    grant: str | None
    justification: str


@dataclass(frozen=True)
class SarExport:
    """What ``export`` wrote: the folder, its files, and the sha256 of its SHA256SUMS."""

    request_id: int
    folder: str
    files: tuple[str, ...]  # every file in it, SHA256SUMS last, as the manifest names them
    released: int
    withheld: int
    manifest_sha256: str
    released_by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SarBundle:
    """Everything released by one request, read from one snapshot, and what was withheld:
    what the export's PDF and JSON are written from."""

    request_id: int
    client_id: int
    client_name: str  # the subject, named on every page even when the record is withheld
    organisation: str
    notice: str  # the organisation's confidentiality notice, at the foot of every page
    exported_at: datetime
    zone: ZoneInfo
    client: ClientView | None
    cases: tuple[CaseDetail, ...]
    notes: tuple[NoteView, ...]  # without their addenda: those are released one by one
    addenda: tuple[AddendumView, ...]
    tasks: tuple[TaskView, ...]
    communications: tuple[CommunicationView, ...]
    services: tuple[ServiceRecord, ...]
    attachments: tuple[AttachmentView, ...]
    withheld: tuple[SarItem, ...]
    names: dict[str, str] = field(default_factory=dict)  # username: the person's name
    # Each released addendum's case (its note may be withheld): ids only.
    addendum_cases: dict[int, int] = field(default_factory=dict)
    currency: str = "GBP"

    def name_of(self, username: str) -> str:
        return self.names.get(username, username)

    def case_number(self, case_id: int) -> str | None:
        return next((c.case_number for c in self.cases if c.id == case_id), None)

    @property
    def released(self) -> int:
        return (
            (self.client is not None) + len(self.cases) + len(self.notes) + len(self.addenda)
            + len(self.tasks) + len(self.communications) + len(self.services)
            + len(self.attachments)
        )  # fmt: skip

    def released_by_kind(self) -> dict[str, int]:
        return {
            "client": int(self.client is not None), "case": len(self.cases),
            "note": len(self.notes), "addendum": len(self.addenda), "task": len(self.tasks),
            "communication": len(self.communications), "service": len(self.services),
            "attachment": len(self.attachments),
        }  # fmt: skip
