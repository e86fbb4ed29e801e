"""Which column of the file holds which field: headers matched to the documented field names
(letter case, spaces, ``_`` and ``-`` aside), ``--map FIELD=COLUMN`` for other names, and the
columns nobody asked for, listed so the person sees what is left out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from casetui.domain.errors import ImportRefused
from casetui.services.imports.spreadsheet import Cell, column_letter

CLIENT_FIELDS = (
    "name", "preferred_name", "date_of_birth", "email", "phone", "client_type",
    "warning_indicators", "groups", "case_number", "worker", "status", "concern", "pathway",
    "tags", "opened_on",
)  # fmt: skip
CASE_FIELDS = ("case_number", "worker", "status", "concern", "pathway", "tags", "opened_on")
NOTE_FIELDS = (
    "case_number", "contact_date", "contact_time", "activity", "contact_type", "third_party",
    "summary", "details", "author", "restricted",
)  # fmt: skip
REQUIRED = {
    "clients": ("name",),
    "notes": ("case_number", "contact_date", "activity", "summary"),
}
_FOLD = re.compile(r"[\s_\-]+")


def folded(header: str) -> str:
    """A header as matching compares it: "Date of Birth", "date-of-birth" and
    "DATE_OF_BIRTH" are all ``dateofbirth``."""
    return _FOLD.sub("", header.casefold())


@dataclass(frozen=True)
class Columns:
    """Where each known field is (0-based), what the file calls it, and what is ignored."""

    index: dict[str, int]
    header: dict[str, str]  # field -> the file's own name for its column
    ignored: tuple[str, ...]

    def cell(self, cells: Sequence[Cell], field: str) -> Cell:
        at = self.index.get(field)
        return cells[at] if at is not None and at < len(cells) else None

    def named(self, field: str) -> str:
        """The column a refusal names: the file's header, or the field if it has no column."""
        return self.header.get(field, field)

    def has(self, field: str) -> bool:
        return field in self.index


def parse_map(pairs: Sequence[str] | Mapping[str, str], fields: Sequence[str]) -> dict[str, str]:
    """``--map FIELD=COLUMN`` options as {field: column}; an unknown field is refused."""
    found: dict[str, str] = {}
    items = pairs.items() if isinstance(pairs, Mapping) else (_split(p) for p in pairs)
    for field_name, column in items:
        key = folded(field_name)
        field = next((f for f in fields if folded(f) == key), None)
        if field is None:
            raise ImportRefused(
                f"--map: {field_name[:40]!r} is not a field; the fields are {', '.join(fields)}"
            )
        found[field] = column
    return found


def _split(pair: str) -> tuple[str, str]:
    field, sep, column = pair.partition("=")
    if not sep or not field.strip() or not column.strip():
        raise ImportRefused(f"--map: {pair[:60]!r} is not FIELD=COLUMN")
    return field.strip(), column.strip()


def match(
    headers: Sequence[str], kind: str, fields: Sequence[str], mapping: Mapping[str, str]
) -> Columns:
    """The file's columns matched to ``fields``: mapped ones first, then by header name."""
    index: dict[str, int] = {}
    for field, column in mapping.items():
        at = _find(headers, column)
        if at is None:
            raise ImportRefused(
                f"--map {field}={column[:40]}: the file has no column {column[:40]!r} "
                f"(its columns: {_listed(headers)})"
            )
        index[field] = at
    for at, header in enumerate(headers):
        key = folded(header)
        named = next((f for f in fields if folded(f) == key), None)
        if named is None or named in index or at in index.values():
            continue
        index[named] = at
    _refuse_twice_used(headers, index, mapping)
    missing = [f for f in REQUIRED[kind] if f not in index]
    if missing:
        names = ", ".join(missing)
        raise ImportRefused(
            f"the file has no {names} column (its columns: {_listed(headers)}); "
            f"name it in the header row, or use --map {missing[0]}=COLUMN"
        )
    used = set(index.values())
    ignored = tuple(header for at, header in enumerate(headers) if at not in used and header)
    return Columns(index, {f: headers[at] or f for f, at in index.items()}, ignored)


def _find(headers: Sequence[str], column: str) -> int | None:
    wanted = column.strip()
    for at, header in enumerate(headers):
        if header == wanted:
            return at
    for at, header in enumerate(headers):
        if folded(header) == folded(wanted) and folded(wanted):
            return at
    return None


def _refuse_twice_used(
    headers: Sequence[str], index: Mapping[str, int], mapping: Mapping[str, str]
) -> None:
    """Two columns for one field, or one column for two fields, is a question, not a guess."""
    by_column: dict[int, list[str]] = {}
    for field, at in index.items():
        by_column.setdefault(at, []).append(field)
    for at, named in by_column.items():
        if len(named) > 1:
            raise ImportRefused(
                f"column {headers[at][:40]!r} is mapped to {' and '.join(named)}; map each field "
                "to its own column"
            )
    for field, at in index.items():
        if field in mapping:
            continue
        twins = [h for i, h in enumerate(headers) if i != at and folded(h) == folded(headers[at])]
        if twins:
            raise ImportRefused(
                f"two columns are headed {headers[at][:40]!r}; rename one, or choose with "
                f"--map {field}=COLUMN"
            )


def _listed(headers: Sequence[str]) -> str:
    shown = [h for h in headers if h][:12]
    more = ", ..." if len([h for h in headers if h]) > 12 else ""
    return ", ".join(repr(h[:40]) for h in shown) + more if shown else "none"


def unnamed(headers: Sequence[str], cells: Sequence[Cell]) -> set[int]:
    """The columns of a row that hold something under no header (or past the last): ignored,
    and said."""
    return {
        at
        for at, cell in enumerate(cells)
        if (at >= len(headers) or not headers[at])
        and cell is not None
        and not (isinstance(cell, str) and not cell.strip())
    }


def unnamed_columns(found: set[int]) -> tuple[str, ...]:
    return tuple(f"column {column_letter(at)} (no header)" for at in sorted(found))
