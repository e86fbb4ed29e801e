"""The audit trail's table of events: its columns at a width, and what each cell says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.binding import Binding, BindingType

from casetui.domain.read_models.audit import AuditEventView
from casetui.tui.widgets.audit_text import change_summary, local_time
from casetui.tui.widgets.data_table import DataTable

WIDE = 110  # from this width the record (entity and id) gets a column of its own


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0: whatever is left


def columns_for(width: int) -> list[tuple[Column, int]]:
    """The columns for a table ``width`` cells wide, with their widths (padding included)."""
    columns = [Column("when", "When", 16), Column("who", "Who", 10), Column("action", "Action", 15)]
    columns.append(Column("case", "Case", 13))
    if width >= WIDE:
        columns.append(Column("record", "Record", 16))
    columns.append(Column("change", "Change", 0))
    padding = 2 * len(columns) + 1  # a space each side of every cell, and the scrollbar
    fixed = sum(c.width for c in columns)
    return [(c, c.width or max(10, width - fixed - padding)) for c in columns]


def cell(key: str, event: AuditEventView, zone: ZoneInfo) -> str:
    if key == "when":
        return local_time(event, zone)
    if key == "who":
        return event.actor_username
    if key == "action":
        return event.action
    if key == "case":
        return event.case_number or ""
    if key == "record":
        return f"{event.entity} {event.entity_id or ''}".strip()
    return change_summary(event.before, event.after)


class EventTable(DataTable[str]):
    """The page's events; enter opens the one under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.open_event", "Open", id="audit.open"),
    ]
    HELP_TITLE = "Events"
