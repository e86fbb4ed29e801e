"""The TUI against a small demo organisation on SQLite, on a fixed clock.

The demo database is made once per session and copied for each test, so a test that writes
(a new client, a failed sign-in) never changes what the next test sees.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.demo import DemoSummary, generate_demo
from casetui.domain.actor import Actor
from casetui.services.auth import sign_in
from casetui.tui.app import CasetuiApp
from casetui.tui.app import make_app as build_app

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
# The header names the database; a fixed name keeps snapshots the same wherever tests run.
DATABASE_NAME = "sqlite:///demo.db"

RunApp = Callable[..., AbstractAsyncContextManager[Pilot[int]]]


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = Database(make_engine(f"sqlite:///{path}"), clock=fixed_clock)
    upgrade(database.engine)
    # The screens' snapshots picture the demo without its sign-off examples; test_signoff.py
    # writes the sign-offs it pictures.
    summary = generate_demo(database, cases=120, staff=12, seed=7, today=TODAY, signoffs=False)
    database.dispose()  # the last connection closing folds the WAL into the file
    return path, summary


@pytest.fixture
def demo(demo_template: tuple[Path, DemoSummary]) -> DemoSummary:
    return demo_template[1]


@pytest.fixture
def db(demo_template: tuple[Path, DemoSummary], tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database, reading time from the fixed clock."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template[0], path)
    database = Database(make_engine(f"sqlite:///{path}"), clock=fixed_clock)
    yield database
    database.dispose()


@pytest.fixture
def actor_for(db: Database) -> Callable[[str], Actor]:
    """Sign a demo account in (every demo password is "demo")."""
    return lambda username: sign_in(db, username, "demo")


@pytest.fixture
def caseworker(demo: DemoSummary) -> str:
    return demo.usernames_by_role["caseworker"][0]


@pytest.fixture
def supervisor(demo: DemoSummary) -> str:
    return demo.usernames_by_role["supervisor"][0]


async def _settle(pilot: Pilot[int], rounds: int = 50) -> None:
    """Wait until every worker has finished and its results have been shown."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            return
    raise AssertionError("workers still running")


@pytest.fixture
def settle() -> Callable[[Pilot[int]], object]:
    """``await settle(pilot)``: every worker finished and its results on screen."""
    return _settle


@pytest.fixture
def snapshot_app() -> Callable[..., CasetuiApp]:
    """An app for ``snap_compare``, with a header that does not name a temporary path."""
    return lambda db, actor=None, **options: build_app(
        db, actor, database_name=DATABASE_NAME, **options
    )


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool]) -> Callable[..., bool]:
    """The snapshot plugin's ``snap_compare``, pictured only once every table is measured.

    A DataTable sizes its columns and rows at its next idle moment after rows arrive; on a
    busy machine the picture could be taken in between, with columns as narrow as their
    titles. Every snapshot waits for that here, whatever its own ``run_before`` waits for.
    """

    def compare(
        app: Any,
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool:
        async def then_measured(pilot: Pilot[Any]) -> None:
            if run_before is not None:
                done = run_before(pilot)
                if done is not None:
                    await done
            await _tables_measured(pilot)

        return snap_compare(app, press=press, terminal_size=terminal_size, run_before=then_measured)

    return compare


async def _tables_measured(pilot: Pilot[Any], seconds: float = 10.0) -> None:
    from textual.widgets import DataTable

    deadline = time.monotonic() + seconds
    while any(
        table._require_update_dimensions  # set when rows change, cleared once measured
        for screen in pilot.app.screen_stack
        for table in screen.query(DataTable)
    ):
        if time.monotonic() > deadline:
            raise AssertionError("a table was never measured")
        await pilot.pause(0.02)
    await pilot.pause()  # and painted as measured


@pytest.fixture
def ready_for_snapshot() -> Callable[[Pilot[int]], object]:
    """``run_before`` for snapshots: data loaded, cursors not blinking."""
    from textual.widgets import Input

    async def ready(pilot: Pilot[int]) -> None:
        await _settle(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    return ready


@pytest.fixture
def make_app() -> RunApp:
    """``async with make_app(db, actor, (80, 24)) as pilot:`` — the app running headless."""

    @asynccontextmanager
    async def run(
        db: Database | None,
        actor: Actor | None = None,
        size: tuple[int, int] = (80, 24),
        **options: object,
    ) -> AsyncIterator[Pilot[int]]:
        app = build_app(db, actor, database_name=DATABASE_NAME, **options)  # type: ignore[arg-type]
        async with app.run_test(size=size) as pilot:
            await _settle(pilot)
            yield pilot

    return run
