"""The caseload table's columns, and which of them fit a width, at what widths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # preferred
    min_width: int
    drop_order: int  # dropped first when narrow: highest first; 0 never
    sort: str | None = None  # the CaseFilter sort key, where the column sorts


COLUMNS: tuple[Column, ...] = (
    Column("client", "Client", 22, 14, 0, "client"),
    Column("case_number", "Case", 13, 13, 0, "case_number"),
    Column("worker", "Worker", 14, 10, 3, "worker"),
    Column("status", "Status", 6, 6, 0, "status"),
    Column("concern", "Concern", 7, 7, 0, "concern"),
    Column("pathway", "Pathway", 18, 10, 5, "pathway"),
    Column("tags", "Tags", 16, 8, 6),
    Column("last", "Last", 8, 8, 0, "last_interaction"),
    Column("next", "Task due", 8, 8, 2, "next_task"),
)
SORTABLE: tuple[Column, ...] = tuple(c for c in COLUMNS if c.sort)
MARK_WIDTH = 2
# Where spare width goes once every column has its least: first up to the preferred width,
# then up to a roomier one; the client's name takes whatever is left.
_GROW_ORDER = ("client", "worker", "next", "pathway", "tags", "case_number")
_ROOMY = {"client": 32, "worker": 20, "pathway": 24, "tags": 28}


def layout(width: int, columns: tuple[Column, ...] = COLUMNS) -> list[tuple[Column, int]]:
    """Those of ``columns`` that fit ``width`` cells, with their widths (one space between
    columns)."""
    shown = list(columns)

    def least() -> int:
        return MARK_WIDTH + sum(c.min_width for c in shown) + len(shown) - 1

    for column in sorted(columns, key=lambda c: -c.drop_order):
        if least() <= width or column.drop_order == 0:
            break
        shown.remove(column)
    widths = {c.key: c.min_width for c in shown}
    spare = width - least()
    by_key = {c.key: c for c in shown}
    for targets in ({k: c.width for k, c in by_key.items()}, _ROOMY):
        for key in _GROW_ORDER:
            if key in widths and key in targets and spare > 0:
                grow = max(0, min(spare, targets[key] - widths[key]))
                widths[key] += grow
                spare -= grow
    if spare > 0:
        widths["client"] += spare
    return [(c, widths[c.key]) for c in shown]


def _span(days: int) -> str:
    if days < 14:
        return f"{days}d"
    if days < 60:
        return f"{days // 7}w"
    return f"{days // 30}mo"


def due_label(due: date | None, today: date) -> str:
    """``in 3d``, ``today``, ``2w late``: at most eight characters."""
    if due is None:
        return ""
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{_span(min(-days, 3650))} late"
    return f"in {_span(min(days, 3650))}"
