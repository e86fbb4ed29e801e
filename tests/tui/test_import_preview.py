"""The import preview: a file's dry run (what would be created, every refused row) before a
key writes it, for administrators; opened from the caseload with ``I``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from helpers_screens import first_of_role, make_host, show, snapshot_of, wait_for
from sqlalchemy import select
from textual.widgets import DataTable, Input

from casetui.db.uow import Database
from casetui.domain.enums import Role
from casetui.domain.models import Client
from casetui.tui.screens.caseload import CaseloadScreen
from casetui.tui.screens.confirm import ConfirmScreen
from casetui.tui.screens.import_preview import ImportPreviewScreen


def write_people(folder: Path, rows: list[list[str]]) -> Path:
    path = folder / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([["Name", "Date of birth", "Worker", "Pathway"], *rows])
    return path


def table_rows(screen: ImportPreviewScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def names(db: Database) -> set[str]:
    with db.uow(write=False) as uow:
        return set(uow.session.execute(select(Client.name)).scalars())


async def test_an_administrator_checks_a_file_then_imports_it(db: Database, tmp_path: Path) -> None:
    admin = first_of_role(db, Role.ADMINISTRATOR)
    worker = first_of_role(db, Role.CASEWORKER)
    path = write_people(tmp_path, [["Zoë Smith", "03/04/1990", worker.username, "Housing Support"],
                                   ["Ирина Петрова", "", "", ""]])  # fmt: skip
    app = make_host(db, admin)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("I")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportPreviewScreen))
        screen = app.screen
        assert isinstance(screen, ImportPreviewScreen)
        assert screen.check_action("commit", ()) is None  # nothing checked yet
        screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.report is not None)
        assert names(db).isdisjoint({"Zoë Smith", "Ирина Петрова"})  # a dry run
        rows = table_rows(screen)
        assert [r[2] for r in rows] == ["Zoë Smith", "Ирина Петрова"]
        assert rows[0][3].startswith(f"case new number · Open · Low · {worker.username}")
        assert screen.check_action("commit", ()) is True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.imported)
    assert {"Zoë Smith", "Ирина Петрова"} <= names(db)


async def test_a_file_with_refused_rows_is_not_offered_for_import(
    db: Database, tmp_path: Path
) -> None:
    admin = first_of_role(db, Role.ADMINISTRATOR)
    path = write_people(
        tmp_path, [["Ann Lee", "31/02/1990", "nobody", ""], ["Bo Diaz", "", "", ""]]
    )
    app = make_host(db, admin)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await show(pilot, app, ImportPreviewScreen(path))
        assert isinstance(screen, ImportPreviewScreen)
        await wait_for(pilot, lambda: screen.report is not None)
        rows = table_rows(screen)
        assert [r[:3] for r in rows[:2]] == [["2", "refused", "Date of birth"],
                                             ["2", "refused", "Worker"]]  # fmt: skip
        assert screen.check_action("commit", ()) is None
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
    assert "Bo Diaz" not in names(db)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR])
async def test_only_administrators_have_the_import_key(db: Database, role: Role) -> None:
    app = make_host(db, first_of_role(db, role))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        assert app.screen.check_action("import_spreadsheet", ()) is False
        await pilot.press("I")
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_import_preview_snapshot(  # type: ignore[no-untyped-def]
    snap_compare, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size
) -> None:
    monkeypatch.chdir(tmp_path)  # the path typed is the file's name: the same on every machine
    worker = first_of_role(db, Role.CASEWORKER)
    write_people(tmp_path, [
        ["Zoë Smith", "03/04/1990", worker.username, "Housing Support"],
        ["Søren Ødegård", "12/11/1985", "", ""],
        ["Ann Lee", "31/02/1990", "nobody", ""],
    ])  # fmt: skip
    app = make_host(db, first_of_role(db, Role.ADMINISTRATOR))
    screen = ImportPreviewScreen("people.csv")
    assert snap_compare(
        app,
        terminal_size=size,
        run_before=snapshot_of(app, screen, lambda: screen.report is not None),
    )
