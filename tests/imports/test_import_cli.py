"""``casetui import clients|notes``: what it prints (a dry run, then --commit), its one JSON
object with nothing else on stdout, the ignored columns and names read on stderr, its exit
statuses and refusals (one line naming the rule), and progress on a long file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

from .conftest import WriteFile

PASSWORD = "import-password"
JSON_KEYS = {"committed", "clients", "cases", "notes", "duplicates", "refused"}


@dataclass
class Done:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("CASETUI_DATABASE_URL", "CASETUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASETUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    path = tmp_path / "casetui.db"
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    with writing(db, None) as work:
        ensure_defaults(work)
        work.commit()
    admin = staff_service.create_staff(
        db,
        None,
        staff_service.StaffInput("admin", "Admin", role="administrator", password=PASSWORD),
    )
    with db.uow(write=False) as uow:
        acting = actor_from(find_by_username(uow.session, admin.username))  # type: ignore[arg-type]
    staff_service.create_staff(
        db, acting,
        staff_service.StaffInput("ana", "Ana", role="caseworker", team="North", password=PASSWORD),
    )  # fmt: skip
    db.dispose()
    yield f"sqlite:///{path}"


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str, user: str = "admin") -> Done:
        capsys.readouterr()
        status = main(["--db", url, "--user", user, *args])
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


def test_a_dry_run_then_a_commit(cli: Any, write_csv: WriteFile) -> None:
    path = write_csv([
        ["Name", "Date of birth", "Worker", "Shoe size"],
        ["Zoë Smith", "03/04/1990", "ana", "5"],
        ["Ирина Петрова", "", "", "7"],
    ])  # fmt: skip
    dry = cli("import", "clients", str(path))
    assert dry.status == 0
    assert "dry run: --commit would write 2 clients and 1 case; nothing was written" in dry.stdout
    assert "read people.csv as UTF-8: 2 rows" in dry.stderr
    assert "first names: Zoë Smith; Ирина Петрова" in dry.stderr
    assert "ignored columns: Shoe size" in dry.stderr
    done = cli("import", "clients", str(path), "--commit")
    assert done.status == 0, done.stderr
    assert done.stdout.startswith("imported 2 clients and 1 case from people.csv (sha256 ")
    listed = cli("clients", "list", "--json").json
    assert sorted(c["name"] for c in listed) == ["Zoë Smith", "Ирина Петрова"]


def test_json_is_one_object_alone_on_stdout(cli: Any, write_csv: WriteFile) -> None:
    path = write_csv([
        ["Full name", "Email", "Extra"],
        ["Ann Lee", "ann@example.org", "x"],
        ["Ann Lee", "ann@example.org", "y"],
        ["", "bad", "z"],
    ])  # fmt: skip
    done = cli("import", "clients", str(path), "--map", "name=Full name", "--json")
    assert done.status == 0
    found = done.json
    assert set(found) == JSON_KEYS
    assert (found["committed"], found["clients"], found["cases"], found["notes"]) == (
        False, 1, 0, 0,
    )  # fmt: skip
    assert [(d["row"], d["other_row"], d["reasons"]) for d in found["duplicates"]] == [
        (3, 2, ["same email"])
    ]
    assert found["refused"] == [
        {"row": 3, "column": "Email", "rule": found["refused"][0]["rule"]},
        {"row": 4, "column": "Full name", "rule": "is required"},
        {"row": 4, "column": "Email", "rule": "'bad' is not an email address"},
    ]
    assert "ignored columns: Extra" in done.stderr


def test_a_commit_with_a_refused_row_writes_nothing_and_exits_1(
    cli: Any, write_csv: WriteFile
) -> None:
    path = write_csv([["name", "date_of_birth"], ["Ann Lee", "1990-04-03"], ["Bo", "31/02/1990"]])
    done = cli("import", "clients", str(path), "--commit", "--json")
    assert done.status == 1
    assert done.json["committed"] is False and done.json["refused"][0]["row"] == 3
    assert done.stderr.splitlines()[-1] == (
        "refused: import not written: 1 row refused; row 3, date_of_birth: "
        "'31/02/1990' is not a real date"
    )
    assert cli("clients", "list", "--json").json == []


def test_imported_notes_are_locked(cli: Any, write_csv: WriteFile) -> None:
    clients = write_csv([["name", "case_number"], ["Ann Lee", "OLD-1"]], name="clients.csv")
    assert cli("import", "clients", str(clients), "--commit").status == 0
    notes = write_csv(
        [["Case Number", "Contact Date", "Activity", "Summary", "Author"],
         ["OLD-1", "2018-05-06", "Phone call", "Rang about rent", "ana"]],
        name="notes.csv",
    )  # fmt: skip
    done = cli("import", "notes", str(notes), "--commit", "--json")
    assert done.status == 0, done.stderr
    assert (done.json["committed"], done.json["notes"]) == (True, 1)
    listed = cli("notes", "list", "--case", "OLD-1", "--json").json
    assert [(n["summary"], n["locked"], n["contact_date"][:10]) for n in listed] == [
        ("Rang about rent", True, "2018-05-06")
    ]


def test_who_may_import_is_said_in_the_refusal(cli: Any, write_csv: WriteFile) -> None:
    path = write_csv([["name"], ["Ann Lee"]])
    clients = cli("import", "clients", str(path), user="ana")
    assert (clients.status, clients.stderr.strip()) == (
        1, "refused: importing clients is for administrators",
    )  # fmt: skip
    notes = cli("import", "notes", str(path), user="ana")
    assert notes.stderr.strip() == "refused: importing case notes is for administrators"


def test_a_file_that_cannot_be_imported_is_one_line(cli: Any, tmp_path: Path) -> None:
    missing = cli("import", "clients", str(tmp_path / "nowhere.csv"))
    assert (missing.status, missing.stderr.strip()) == (
        1, "refused: nowhere.csv: No such file or directory",
    )  # fmt: skip
    (tmp_path / "people.csv").write_text("surname\nLee\n")
    no_name = cli("import", "clients", str(tmp_path / "people.csv"))
    assert no_name.stderr.startswith("refused: the file has no name column")


def test_usage_errors_exit_2(cli: Any, write_csv: WriteFile) -> None:
    path = str(write_csv([["name"], ["Ann"]]))
    with pytest.raises(SystemExit) as usage:
        cli("import", "clients", path, "--map", "name")
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as notes_map:
        cli("import", "notes", path, "--map", "summary=Text")
    assert notes_map.value.code == 2


def test_a_long_file_shows_progress_on_stderr(cli: Any, write_csv: WriteFile) -> None:
    path = write_csv([["name"]] + [[f"Person {i:05d}"] for i in range(25_000)])
    done = cli("import", "clients", str(path), "--json")
    assert done.status == 0 and done.json["clients"] == 25_000
    progress = [line for line in done.stderr.splitlines() if line.startswith("reading: ")]
    assert progress and all(re.fullmatch(r"reading: [\d,]+ rows \(\d+%\)", p) for p in progress)
    assert "read: 25,000 rows" in done.stderr
