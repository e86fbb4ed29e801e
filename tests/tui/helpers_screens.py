"""Helpers for the case screens' tests: the app signed in, a screen opened on top of it.

The demo database itself comes from ``db`` in this folder's conftest (one demo per
session, copied for each test).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input

from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.models import Case, Staff
from casetui.repositories.staff import actor_from, find_by_username
from casetui.tui.app import make_app

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts go to this test's own folder, never the user's."""
    folder = tmp_path / "drafts"
    monkeypatch.setenv("CASETUI_DRAFTS_DIR", str(folder))
    return folder


def actor(db: Database, username: str) -> Actor:
    with db.uow(write=False) as uow:
        staff = find_by_username(uow.session, username)
        assert staff is not None, username
        return actor_from(staff)


def first_of_role(db: Database, role: Role) -> Actor:
    with db.uow(write=False) as uow:
        staff = (
            uow.session.execute(
                select(Staff)
                .where(Staff.role == role.value, Staff.active.is_(True))  # type: ignore[attr-defined]
                .order_by(Staff.id)
            )
            .scalars()
            .first()
        )
        assert staff is not None
        return actor_from(staff)


def cases_of(db: Database, worker: Actor, status: str = "Open") -> list[tuple[int, str]]:
    """(id, case number) of the worker's cases, oldest first."""
    with db.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Case.id, Case.case_number)
            .where(Case.primary_worker_id == worker.id, Case.status == status)
            .order_by(Case.id)
        )
        return [(case_id, number) for case_id, number in rows]


def make_host(db: Database, actor: Actor) -> App[int]:
    """The product's app, signed in as ``actor``; tests then open their screen on top."""
    return make_app(db, actor)


async def show(pilot: Any, app: App[Any], screen: Screen[Any]) -> Screen[Any]:
    """Open ``screen`` the way the caseload would, once the app has signed in."""
    await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
    # The unread count, read once signed in, is in the corner before the screen is pictured:
    # wait for the count itself, since its worker may not even have started yet.
    await wait_for(
        pilot,
        lambda: (
            getattr(app, "unread", None) is not None
            and not any(w.group == "unread-count" and w.is_running for w in app.workers)
        ),
    )
    app.push_screen(screen)
    # Mounted is not yet composed: wait until the screen's own widgets are there too.
    await wait_for(
        pilot, lambda: app.screen is screen and screen.is_mounted and bool(screen.children)
    )
    await pilot.pause()
    return screen


async def wait_for(pilot: Any, condition: Callable[[], bool], *, seconds: float = 10.0) -> None:
    """Let workers finish: pause until ``condition`` holds, failing after a while."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got there")


def busiest_case(db: Database, worker: Actor) -> int:
    """The worker's open case with the most notes: the fullest timeline to look at."""
    from sqlalchemy import func

    from casetui.domain.models import CaseNote

    with db.uow(write=False) as uow:
        return (
            uow.session.execute(
                select(Case.id)
                .join(CaseNote, CaseNote.case_id == Case.id)
                .where(Case.primary_worker_id == worker.id, Case.status == "Open")
                .group_by(Case.id)
                .order_by(func.count().desc(), Case.id)
            )
            .scalars()
            .first()
        )


def snapshot_of(
    app: App[Any], screen: Screen[Any], ready: Callable[[], bool], keys: tuple[str, ...] = ()
) -> Any:
    """A ``run_before`` for snap_compare: open the screen, wait for its data, press keys."""

    async def run_before(pilot: Any) -> None:
        await show(pilot, app, screen)
        await wait_for(pilot, ready)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        # Every worker done (the unread count in the corner among them): the same picture each run.
        await app.workers.wait_for_complete()
        await pilot.pause()
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture differ
        await pilot.pause()

    return run_before
