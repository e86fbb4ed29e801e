"""Importing spreadsheets: files written by the tests themselves, imported into the seeded
organisation of ``tests/services`` (its fixtures, on SQLite and on PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.services.conftest import (  # noqa: F401 - the fixtures, shared
    World,
    db,
    pg_database,
    sqlite_template,
    world,
)

WriteFile = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteFile:
    """A CSV of these rows (the first the header), as a spreadsheet would save it."""

    def write(
        rows: Sequence[Sequence[Any]],
        *,
        name: str = "people.csv",
        encoding: str = "utf-8",
        delimiter: str = ",",
        bom: bool = False,
        newline: str = "\r\n",
    ) -> Path:
        text = io.StringIO()
        csv.writer(text, delimiter=delimiter, lineterminator=newline).writerows(rows)
        data = text.getvalue().encode(encoding)
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return write


@pytest.fixture
def write_bytes(tmp_path: Path) -> Callable[[bytes, str], Path]:
    def write(data: bytes, name: str = "people.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
