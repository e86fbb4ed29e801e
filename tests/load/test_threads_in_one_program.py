"""Service calls at once in one program (the app's thread workers, the load's caseworkers)
never wait for each other inside Python.

Found under load: ``functools.cached_property`` on Python 3.11 holds one lock per property,
for every instance of the class, while it computes. A unit of work reading ``work.settings``
after a commit, whose query first queued for the writer lock, kept every other unit of work in
the program from reading its own settings, the writer lock's holder among them: both waited
for ever. Here one unit of work's settings query is held up on purpose; another's must not
wait for it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import casetui.services.work as work_module
from casetui.db.uow import Database
from casetui.services.work import reading

WAIT_S = 10.0


def test_one_unit_of_work_reading_its_settings_never_holds_up_another(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_inside, let_first_go = threading.Event(), threading.Event()
    original = work_module.load_settings

    def held_up_for_the_first(session: Any) -> Any:
        if threading.current_thread().name == "first":
            first_inside.set()
            let_first_go.wait(WAIT_S)
        return original(session)

    monkeypatch.setattr(work_module, "load_settings", held_up_for_the_first)

    def first() -> None:
        with reading(db, None) as work:
            work.settings  # noqa: B018 - read for its wait

    thread = threading.Thread(target=first, name="first", daemon=True)
    thread.start()
    try:
        assert first_inside.wait(WAIT_S)
        started = time.monotonic()
        with reading(db, None) as work:
            lock_days = work.settings.lock_days
        assert time.monotonic() - started < WAIT_S / 2, "it waited for the other unit of work"
        assert isinstance(lock_days, int)
    finally:
        let_first_go.set()
        thread.join(WAIT_S)
    assert not thread.is_alive()
