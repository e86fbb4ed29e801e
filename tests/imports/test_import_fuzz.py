"""Whatever a file holds, the importer answers with a report or one refusal, never a traceback;
and every refused row names its row (as a spreadsheet numbers it) and a column."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.errors import ImportRefused
from casetui.domain.read_models.imports import ImportReport
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.imports import CLIENT_FIELDS, NOTE_FIELDS, import_clients, import_notes
from casetui.services.work import writing

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Actor]]:
    path = tmp_path_factory.mktemp("fuzz") / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    with writing(db, None) as work:
        ensure_defaults(work)
        work.commit()
    staff_service.create_staff(
        db, None, staff_service.StaffInput("admin", "Admin", "administrator")
    )
    with db.uow(write=False) as uow:
        admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
    try:
        yield db, admin
    finally:
        db.dispose()


def answered(run: object, path: Path) -> ImportReport | None:
    """The report, or None for a file refused whole (with one line that says why)."""
    try:
        report = run()  # type: ignore[operator]
    except ImportRefused as refused:
        assert str(refused).startswith("refused: ") and "\n" not in str(refused)
        return None
    assert isinstance(report, ImportReport)
    for refusal in report.refused:
        assert refusal.row >= 2 and refusal.column and refusal.rule
    assert report.clients + report.notes <= report.rows
    return report


def scratch(data: bytes, suffix: str = ".csv") -> Path:
    folder = Path(tempfile.mkdtemp(prefix="casetui-fuzz-"))
    path = folder / f"file{suffix}"
    path.write_bytes(data)
    return path


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_random_bytes_never_raise(org: tuple[Database, Actor], data: bytes, suffix: str) -> None:
    db, admin = org
    path = scratch(data, suffix)
    answered(lambda: import_clients(db, admin, path), path)
    answered(lambda: import_notes(db, admin, path), path)


cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "03/04/1990", "33000", "31/02/1990", "2019-03-04", "yes",
                     "Open", "High", "admin", "nobody", "a@b.co", "x@", "+44 7700", "C-1"]),
)  # fmt: skip
header = st.one_of(st.sampled_from(CLIENT_FIELDS + NOTE_FIELDS), st.text(max_size=12))


@FUZZ
@given(
    headers=st.lists(header, min_size=1, max_size=8),
    rows=st.lists(st.lists(cell, max_size=9), max_size=12),
    separator=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_random_cells_never_raise_and_refusals_name_row_and_column(
    org: tuple[Database, Actor],
    headers: list[str],
    rows: list[list[str]],
    separator: str,
    encoding: str,
) -> None:
    db, admin = org
    text = io.StringIO()
    csv.writer(text, delimiter=separator).writerows([headers, *rows])
    try:
        data = text.getvalue().encode(encoding)
    except UnicodeEncodeError:  # a lone surrogate no file can hold
        return
    path = scratch(data)
    answered(lambda: import_clients(db, admin, path, allow_duplicates=True), path)
    answered(lambda: import_notes(db, admin, path), path)
