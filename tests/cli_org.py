"""A small organisation for the command-line tests, and a way to run ``casetui`` against it.

Each ``tests/test_cli_*.py`` builds one (per module on SQLite, or per test on both
databases), runs ``casetui.cli.main`` in this process with ``--db`` and ``--user``, and reads
what it printed as ``Done``: the exit status, stdout, stderr, the JSON, or the one refusal line.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Clock, Database
from casetui.domain.actor import Actor
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

PASSWORD = "demo-password"
# (username, role, team): North has a supervisor and two caseworkers, South one caseworker.
STAFF: tuple[tuple[str, str, str | None], ...] = (
    ("sam", "supervisor", "North"),
    ("ana", "caseworker", "North"),
    ("ben", "caseworker", "North"),
    ("cara", "caseworker", "South"),
    ("audrey", "auditor", None),
)
_names = itertools.count(1)


@dataclass
class Org:
    url: str
    db: Database

    def actor(self, username: str) -> Actor:
        with self.db.uow(write=False) as uow:
            staff = find_by_username(uow.session, username)
            assert staff is not None, username
            return actor_from(staff)

    def new_client(self, username: str = "ana", *, with_case: bool = True, **fields: Any) -> int:
        """A client of a test's own, registered (and given a case) through the services."""
        fields.setdefault("name", f"Client Number{next(_names)}")
        actor = self.actor(username)
        client_id = client_service.register_client(
            self.db, actor, client_service.ClientInput(**fields)
        )
        if with_case:
            case_service.open_case(self.db, actor, case_service.CaseInput(client_id=client_id))
        return client_id

    def new_case(self, username: str = "ana", **fields: Any) -> str:
        """A client of a test's own with a case, through the services: its case number."""
        fields.setdefault("name", f"Client Number{next(_names)}")
        actor = self.actor(username)
        client_id = client_service.register_client(
            self.db, actor, client_service.ClientInput(**fields)
        )
        return case_service.open_case(
            self.db, actor, case_service.CaseInput(client_id=client_id)
        ).case_number


def build_org(
    url: str,
    *,
    staff: Iterable[tuple[str, str, str | None]] = STAFF,
    clock: Clock | None = None,
) -> Database:
    """A database at ``url`` brought to head, with the default lists, an administrator
    ``admin`` and ``staff``; every password is ``PASSWORD``."""
    db = Database(make_engine(url)) if clock is None else Database(make_engine(url), clock=clock)
    upgrade(db.engine)
    with writing(db, None) as work:
        ensure_defaults(work)
        work.commit()
    staff_service.create_staff(
        db,
        None,
        staff_service.StaffInput("admin", "Admin", role="administrator", password=PASSWORD),
    )
    with db.uow(write=False) as uow:
        admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
    for username, role, team in staff:
        staff_service.create_staff(
            db,
            admin,
            staff_service.StaffInput(
                username, username.title(), role=role, team=team, password=PASSWORD
            ),
        )
    return db


@contextmanager
def sqlite_org(
    tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any
) -> Iterator[tuple[str, Database]]:
    """``build_org`` in a SQLite file of its own; disposed of afterwards."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'casetui.db'}"
    db = build_org(url, **options)
    try:
        yield url, db
    finally:
        db.dispose()


def plain_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No profile, database or keyring of the machine's: the password from the environment."""
    for name in ("CASETUI_DATABASE_URL", "CASETUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASETUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@dataclass
class Done:
    status: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        assert self.status == 0, self.stderr
        return json.loads(self.stdout)

    @property
    def refusal(self) -> str:
        """The one line a refusal prints."""
        assert self.status == 1, (self.stdout, self.stderr)
        lines = self.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("refused:"), self.stderr
        assert self.stdout == ""
        return lines[0]


def runner(
    url: str,
    capsys: pytest.CaptureFixture[str],
    user: str,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> Callable[..., Done]:
    """``run(*args, user=...)``: ``casetui ARGS --db URL --user USER`` in this process. Given
    ``monkeypatch``, ``run(..., NAME=value)`` sets environment variables for that one run."""
    default_user = user

    def run(*args: str, user: str = default_user, **environment: str) -> Done:
        assert monkeypatch is not None or not environment, "environment needs monkeypatch"
        with contextlib.ExitStack() as scope:
            if monkeypatch is not None:
                scoped = scope.enter_context(monkeypatch.context())
                for name, value in environment.items():
                    scoped.setenv(name, value)
            capsys.readouterr()
            try:
                status = main([*args, "--db", url, "--user", user])
            except SystemExit as exit_:  # argparse's usage errors
                status = int(exit_.code or 0)
            captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run
