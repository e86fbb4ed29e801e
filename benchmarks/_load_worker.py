"""Simulated people for ``python -m benchmarks load``: one process of them.

    python -m benchmarks._load_worker SPEC.json

The spec (written by ``_load.py``) names the database, the people this process plays and what
each may work on. Every person gets a ``Database`` of their own from
``casetui.startup.open_database``, as the app builds its own (so the app's pool settings and
one connection each), signs in through ``services.auth.sign_in``, and then works through the
services the screens call and nothing else:

* caseworkers, after a pause of 0.5-2 s: open their caseload (first page and count), open a
  case's timeline, write a note (the editor opens, 0.5-2 s of typing, then the note is saved
  with a follow-up task, one in three repeating weekly), complete a repeating task (its next
  one is made) or add an addendum;
* supervisors, after a pause of 0.5-2 s: the workload screen's data;
* the group worker: one bulk note with a follow-up task to the same cases every so often.

A save the database turned away while it was not in doubt is tried again after a pause, as
the app's ``patiently`` does; one that was in doubt (the connection lost while committing) is
not, and the person remembers it as not acknowledged. Every note, addendum and bulk note
carries a marker of its own in its text, so that afterwards ``_load_proof.py`` can count what
landed.

The process prints ``ready`` once everyone has signed in, starts on ``go`` from stdin, stops
starting new work at the deadline, writes what happened to the spec's ``out`` file and prints
``done``.
"""

from __future__ import annotations

import faulthandler
import json
import random
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

THINK = (0.5, 2.0)  # seconds between one thing and the next, and of typing a note
RETRY_PAUSES = (1.0, 2.0, 4.0)  # the app's first pauses (tui/database_away.py) before giving up
# What a caseworker does next, and how often.
CASEWORKER_MIX = (("caseload", 3), ("timeline", 3), ("note", 3), ("task", 2), ("addendum", 1))
SUMMARIES = (
    "Phoned about the tenancy", "Home visit: rent arrears plan", "Benefits review meeting",
    "Referral to the food bank", "Follow-up on the job application", "Support plan reviewed",
)  # fmt: skip
DETAILS = (
    "Talked through the letter from the landlord and agreed what to send back.",
    "Client brought the payslips; we filled in the form together and posted it.",
    "Checked in after last week's appointment; things are calmer at home.",
)
ACTIVITIES = ("Phone call", "Home visit", "Office appointment", "Email")


@dataclass
class LockClock:
    """How long one person's COMMITs took (the audit chain is appended by the server as a
    transaction commits, so a wait for its lock is spent here), and how long their writing
    transactions were open, from BEGIN to the end of COMMIT.

    Listens to the person's own engine only (so one thread): BEGIN, COMMIT, and the
    connection going back to the pool, which a session does as soon as it has committed.
    """

    waited: float = 0.0
    held: float = 0.0
    _began: float | None = None
    _committing: float | None = None

    def attach(self, engine: Any) -> None:
        from sqlalchemy import event

        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rolled_back)
        event.listen(engine.pool, "checkin", self._done)

    def reset(self) -> None:
        self.waited = self.held = 0.0
        self._began = self._committing = None

    def _begin(self, _conn: Any) -> None:
        self._began = time.perf_counter()

    def _commit(self, _conn: Any) -> None:
        self._committing = time.perf_counter()

    def _rolled_back(self, _conn: Any) -> None:
        self._began = self._committing = None

    def _done(self, *_args: Any) -> None:
        if self._committing is not None:
            now = time.perf_counter()
            self.waited += now - self._committing
            if self._began is not None:
                self.held += now - self._began
        self._began = self._committing = None


@dataclass
class Record:
    """Everything this process saw, for the parent to add up."""

    ops: list[list[Any]] = field(default_factory=list)  # op, person, at, seconds, outcome, ...
    errors: list[list[str]] = field(default_factory=list)  # op, kind, first line
    notes: dict[str, Any] = field(default_factory=lambda: {"acked": {}, "unacked": {}})
    addenda: dict[str, Any] = field(default_factory=lambda: {"acked": {}, "unacked": {}})
    bulk: dict[str, Any] = field(default_factory=lambda: {"acked": {}, "unacked": {}})
    completions: dict[str, Any] = field(default_factory=lambda: {"acked": {}, "unacked": {}})
    signed_in: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, kind: str, entry: list[Any]) -> None:
        with self.lock:
            getattr(self, kind).append(entry)

    def put(self, kind: str, state: str, key: str, value: Any) -> None:
        with self.lock:
            getattr(self, kind)[state][key] = value

    def to_json(self) -> dict[str, Any]:
        return {
            "ops": self.ops, "errors": self.errors, "notes": self.notes,
            "addenda": self.addenda, "bulk": self.bulk, "completions": self.completions,
            "signed_in": self.signed_in,
        }  # fmt: skip


def error_kind(error: BaseException) -> str:
    """A short name for what went wrong, the same for the same kind of failure."""
    from casetui.domain.errors import DatabaseUnavailable, RuleError

    if isinstance(error, DatabaseUnavailable):
        if error.in_doubt:
            return "database unavailable while committing (in doubt)"
        if str(error).startswith("the database is busy"):
            return "database busy (no free connection)"
        return "database unavailable" + ("" if error.worth_retrying else " (not retried)")
    if isinstance(error, RuleError):
        return f"refused: {error.rule}"
    return type(error).__name__


class Person:
    """One simulated member of staff, on a thread of their own."""

    def __init__(self, spec: dict[str, Any], person: dict[str, Any], record: Record) -> None:
        self.spec, self.me, self.record = spec, person, record
        self.name: str = person["username"]
        self.rng = random.Random(f"{spec['seed']} {self.name}")
        self.lock = LockClock()
        self.db: Any = None
        self.actor: Any = None
        self.sequence = 0
        # Cases of theirs with an open repeating task: where a completion finds one.
        self.repeating: list[list[Any]] = list(person.get("repeating", []))
        self.notes: list[int] = list(person.get("notes", []))

    # --- getting ready ----------------------------------------------------------------------

    def sign_in(self) -> None:
        from casetui.services.auth import sign_in
        from casetui.startup import open_database

        self.db = open_database(self.spec["url"])
        if self.spec.get("watch_lock"):
            self.lock.attach(self.db.engine)
        self.actor = sign_in(self.db, self.name, self.spec["password"])

    def dispose(self) -> None:
        if self.db is not None:
            self.db.dispose()

    # --- timing one call --------------------------------------------------------------------

    def timed(self, op: str, call: Callable[[], T], *, retry: bool = True) -> T | None:
        """``call``, timed from the first try to the answer; tried again while the database is
        away and not in doubt (as the app does), up to the app's first few pauses."""
        from casetui.domain.errors import DatabaseUnavailable

        started_at = time.monotonic()
        started = time.perf_counter()
        waited = held = 0.0
        attempt = 0
        while True:
            attempt += 1
            self.lock.reset()
            try:
                result = call()
            except DatabaseUnavailable as error:
                waited, held = waited + self.lock.waited, held + self.lock.held
                self._failed(op, error)
                if retry and error.worth_retrying and attempt <= len(RETRY_PAUSES):
                    time.sleep(RETRY_PAUSES[attempt - 1])
                    continue
                self._op(op, started_at, started, error_kind(error), attempt, waited, held)
                raise
            except Exception as error:
                waited, held = waited + self.lock.waited, held + self.lock.held
                self._failed(op, error)
                self._op(op, started_at, started, error_kind(error), attempt, waited, held)
                raise
            waited, held = waited + self.lock.waited, held + self.lock.held
            self._op(op, started_at, started, "ok", attempt, waited, held)
            return result

    def _op(
        self, op: str, at: float, started: float, outcome: str, attempts: int, waited: float,
        held: float,
    ) -> None:  # fmt: skip
        seconds = time.perf_counter() - started
        entry = [op, self.name, round(at, 4), round(seconds, 6), outcome, attempts,
                 round(waited, 6), round(held, 6)]  # fmt: skip
        self.record.add("ops", entry)

    def _failed(self, op: str, error: BaseException) -> None:
        first = (str(error).strip().splitlines() or [""])[0][:300]
        self.record.add("errors", [op, error_kind(error), first])

    def marker(self, kind: str) -> str:
        self.sequence += 1
        return f"load-{kind} {self.spec['run']}-{self.name}-{self.sequence:05d}"

    def pause(self, until: float) -> bool:
        """Think for 0.5-2 s; False once the run is over."""
        time.sleep(self.rng.uniform(*THINK))
        return time.monotonic() < until

    # --- playing ----------------------------------------------------------------------------

    def run(self, until: float) -> None:
        try:
            role = self.me["role"]
            if role == "caseworker":
                self.caseworker(until)
            elif role == "supervisor":
                self.supervisor(until)
            else:
                self.group_worker(until)
        except Exception:  # noqa: BLE001 - a broken person is reported, not fatal
            self.record.add("errors", ["person", "crashed", traceback.format_exc()[-300:]])

    def caseworker(self, until: float) -> None:
        actions = {"caseload": self.caseload, "timeline": self.timeline, "note": self.write_note,
                   "task": self.complete_task, "addendum": self.addendum}  # fmt: skip
        names = [name for name, _ in CASEWORKER_MIX]
        weights = [weight for _, weight in CASEWORKER_MIX]
        while self.pause(until):
            action = actions[self.rng.choices(names, weights)[0]]
            try:
                action(until)
            except Exception:  # noqa: BLE001, S112 - counted by ``timed``; the day goes on
                continue

    def supervisor(self, until: float) -> None:
        from casetui.services.workload import workload

        while self.pause(until):
            try:
                self.timed("workload", lambda: workload(self.db, self.actor))
            except Exception:  # noqa: BLE001, S112 - counted by ``timed``
                continue

    def group_worker(self, until: float) -> None:
        """A bulk note with a task to the same cases every ``bulk_every`` seconds."""
        every = self.spec["bulk_every"]
        start = time.monotonic()
        number = 0
        while True:
            at = start + every / 2 + number * every
            if at >= until:
                return
            time.sleep(max(0.0, at - time.monotonic()))
            number += 1
            try:
                self.bulk_note()
            except Exception:  # noqa: BLE001, S112 - counted by ``timed``
                continue

    # --- what a caseworker does -------------------------------------------------------------

    def case(self) -> list[Any]:
        return self.rng.choice(self.me["cases"])

    def caseload(self, _until: float) -> None:
        from casetui.services import caseload

        def read() -> int:
            flt = caseload.starting_filter(self.actor)
            caseload.first_page(self.db, self.actor, flt)
            return caseload.count_cases(self.db, self.actor, flt)

        self.timed("caseload", read)

    def timeline(self, _until: float) -> None:
        from casetui.services.timeline import load_timeline

        case_id, _number = self.case()
        self.timed("timeline", lambda: load_timeline(self.db, self.actor, case_id))

    def write_note(self, _until: float) -> None:
        from casetui.services.note_rules import NoteInput
        from casetui.services.notes import add_note
        from casetui.services.tasks import TaskInput
        from casetui.services.timeline import editor_context

        case_id, number = self.case()
        self.timed("editor", lambda: editor_context(self.db, self.actor, case_id))
        time.sleep(self.rng.uniform(*THINK))  # typing
        marker = self.marker("note")
        note = NoteInput(
            summary=self.rng.choice(SUMMARIES),
            activity_type=self.rng.choice(ACTIVITIES),
            details=f"{marker}\n{self.rng.choice(DETAILS)}",
        )
        repeating = self.rng.random() < 1 / 3
        due = date.today() + timedelta(days=self.rng.randint(2, 21))
        task = TaskInput(
            name="Call back about the next step" if not repeating else "Weekly check-in call",
            due=due.isoformat(), repeats="weekly" if repeating else "none",
        )  # fmt: skip
        try:
            saved = self.timed("note", lambda: add_note(self.db, self.actor, number, note, [task]))
        except Exception as error:
            self.record.put("notes", "unacked", marker, {"tasks": 1, "why": error_kind(error)})
            raise
        assert saved is not None
        self.record.put("notes", "acked", marker, {"id": saved.id, "tasks": 1})
        self.notes.append(saved.id)
        if repeating and [case_id, number] not in self.repeating:
            self.repeating.append([case_id, number])

    def complete_task(self, until: float) -> None:
        """As on the timeline screen: open a case with a repeating task, complete that task
        (from the version on screen); its next one is made."""
        from casetui.domain.timeline import TASK
        from casetui.services.tasks import complete_task
        from casetui.services.timeline import load_timeline

        if not self.repeating:
            self.write_note(until)  # nothing to complete yet: the day's other work
            return
        case_id, _number = self.rng.choice(self.repeating)
        shown = self.timed("timeline", lambda: load_timeline(self.db, self.actor, case_id))
        assert shown is not None
        open_tasks = [
            entry for entry in shown.entries
            if entry.kind == TASK and entry.status == "open" and entry.repeats not in (None, "none")
        ]  # fmt: skip
        if not open_tasks:
            self.repeating.remove([case_id, _number])
            return
        time.sleep(self.rng.uniform(*THINK))  # reading it
        entry = self.rng.choice(open_tasks)
        try:
            self.timed(
                "task",
                lambda: complete_task(
                    self.db, self.actor, entry.id, expected_version=entry.version
                ),
            )
        except Exception as error:
            self.record.put("completions", "unacked", str(entry.id), error_kind(error))
            raise
        self.record.put("completions", "acked", str(entry.id), None)

    def addendum(self, _until: float) -> None:
        from casetui.services.notes import add_addendum

        if not self.notes:
            return
        note_id = self.rng.choice(self.notes[-20:])  # mostly recent notes, as in real life
        marker = self.marker("addendum")
        text = f"{marker}\nThe client rang back to say the appointment time suits them."
        try:
            self.timed(
                "addendum",
                lambda: add_addendum(self.db, self.actor, note_id, text, "Client rang back"),
            )
        except Exception as error:
            self.record.put("addenda", "unacked", marker, error_kind(error))
            raise
        self.record.put("addenda", "acked", marker, note_id)

    # --- what the group worker does ---------------------------------------------------------

    def bulk_note(self) -> None:
        from casetui.services.bulk_notes import bulk_add_notes
        from casetui.services.note_rules import NoteInput
        from casetui.services.tasks import TaskInput

        numbers = self.me["bulk_cases"]
        marker = self.marker("bulk")
        note = NoteInput(
            summary="Group session: budgeting workshop",
            activity_type="Workshop",
            details=f"{marker}\nAttended the budgeting workshop at the community centre.",
        )
        task = TaskInput(name="Send the workshop handout", due=date.today() + timedelta(days=3))
        try:
            result = self.timed(
                "bulk", lambda: bulk_add_notes(self.db, self.actor, numbers, note, task)
            )
        except Exception as error:
            self.record.put(
                "bulk", "unacked", marker, {"cases": len(numbers), "why": error_kind(error)}
            )
            raise
        assert result is not None
        self.record.put(
            "bulk", "acked", marker, {"cases": len(numbers), "ids": len(result.note_ids)}
        )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # where everyone is, when stuck
    spec = json.loads(Path(args[0]).read_text())
    record = Record()
    people = [Person(spec, person, record) for person in spec["people"]]
    try:
        for person in people:
            person.sign_in()
            record.signed_in += 1
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 1
        until = time.monotonic() + spec["seconds"]
        threads = [
            threading.Thread(target=p.run, args=(until,), name=p.name, daemon=True) for p in people
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            # Work begun before the deadline finishes; nothing waits longer than this.
            thread.join(max(0.0, until - time.monotonic()) + spec.get("grace", 60))
        if any(thread.is_alive() for thread in threads):
            stuck = ", ".join(t.name for t in threads if t.is_alive())
            record.add("errors", ["person", "still working after the grace period", stuck])
    finally:
        Path(spec["out"]).write_text(json.dumps(record.to_json()))
        for person in people:
            person.dispose()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
