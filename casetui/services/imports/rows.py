"""What both imports share: refusals named by row and column, progress, the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from casetui.domain.errors import RuleError, ValidationError, ValidationErrors
from casetui.domain.read_models.imports import ImportRefusal
from casetui.services.imports.columns import Columns
from casetui.services.imports.spreadsheet import Sheet

Progress = Callable[[str], None]
PROGRESS_EVERY = 10_000  # rows between progress lines
PROGRESS_SECONDS = 2.0  # ... or this long, whichever comes first
PREVIEW_MAX = 200  # rows the preview lists
NAMES_SHOWN = 5  # names read, shown so a wrong encoding is seen at once

# The services' names for fields, as their refusals give them, and the import's field.
FIELD_OF = {
    "name": "name", "preferred name": "preferred_name", "date of birth": "date_of_birth",
    "email": "email", "phone": "phone", "client type": "client_type",
    "warning indicator": "warning_indicators", "group": "groups", "case number": "case_number",
    "case worker": "worker", "status": "status", "concern": "concern", "pathway": "pathway",
    "tag": "tags", "tags": "tags", "opened date": "opened_on", "summary": "summary",
    "activity type": "activity", "contact type": "contact_type", "contact date": "contact_date",
    "contact time": "contact_time", "third-party organisation": "third_party",
    "details": "details", "author": "author", "restricted": "restricted",
}  # fmt: skip


class Refusals:
    """Every refusal of every row, each naming the row, the file's column and the rule."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.found: list[ImportRefusal] = []
        self._cells: set[tuple[int, str]] = set()

    def add(self, row: int, field: str, rule: str) -> None:
        refusal = ImportRefusal(row, self.columns.named(field), rule)
        # A cell refused once is enough: a date that could not be read is not also "required".
        if (row, refusal.column) not in self._cells:
            self._cells.add((row, refusal.column))
            self.found.append(refusal)

    def error(self, row: int, error: RuleError, default_field: str) -> None:
        """A service's refusal, each field it names turned into the file's column."""
        errors = error.errors if isinstance(error, ValidationErrors) else [error]
        for one in errors:
            if isinstance(one, ValidationError):
                self.add(row, FIELD_OF.get(one.field, one.field), one.message)
            else:
                self.add(row, default_field, str(one.args[0]) if one.args else str(one))

    def rows(self) -> set[int]:
        return {r.row for r in self.found}

    def sorted(self) -> tuple[ImportRefusal, ...]:
        return tuple(sorted(self.found, key=lambda r: r.row))


@dataclass
class Pace:
    """Progress on long files: a line every so many rows or seconds."""

    progress: Progress | None
    sheet: Sheet | None = None
    _last_rows: int = 0
    _last_written: int = 0
    _last_at: float = field(default_factory=time.monotonic)

    @property
    def long(self) -> bool:
        """A file long enough to tell how it goes; a short one is just done."""
        return self._last_rows > 0

    def say(self, words: str, *, always: bool = False) -> None:
        if self.progress is not None and (always or self.long):
            self.progress(words)

    def read(self, rows: int, *, done: bool = False) -> None:
        if self.progress is None or (done and not self.long):
            return
        now = time.monotonic()
        if (
            not done
            and rows - self._last_rows < PROGRESS_EVERY
            and now - self._last_at < (PROGRESS_SECONDS)
        ):
            return
        self._last_rows, self._last_at = rows, now
        share = self.sheet.fraction_read() if self.sheet is not None else None
        shown = f" ({share:.0%})" if share is not None and not done else ""
        self.progress(f"{'read' if done else 'reading'}: {rows:,} rows{shown}")

    def wrote(self, done: int, total: int, what: str) -> None:
        done, now = min(done, total), time.monotonic()
        if (
            done < total
            and done - self._last_written < PROGRESS_EVERY
            and (now - self._last_at < PROGRESS_SECONDS)
        ):
            return
        self._last_written, self._last_at = done, now
        if self.progress is not None and self.long:
            self.progress(f"writing: {done:,} of {total:,} {what} ({done / max(total, 1):.0%})")


def first_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n)[:NAMES_SHOWN]
