"""After a load run: did everything acknowledged land exactly once, and nothing else half-way?

Read straight from the database (never through the pooler), against what the simulated
people remember (``_load_worker.py``):

* every note, addendum and bulk note acknowledged as saved is there exactly once (counted by
  the marker in its text), and every task completion acknowledged made its next task once;
* what was not acknowledged (the save failed, or the connection went while committing) is
  there wholly or not at all: a note with its follow-up task and both audit events, a bulk
  note on every one of its cases or none, a completion with its next task and its event;
* every row written since the run began has its audit event and every audit event its row;
* the audit chain verifies (``services.audit.verify_trail``, what ``casetui audit verify``
  runs).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import psycopg

# Tables whose new rows the proof reads, and the audit action each new row must have.
WATCHED = ("case_note", "follow_up_task", "note_addendum", "audit_event")


@dataclass
class Baseline:
    """The newest row of each watched table just before the run: everything after is new."""

    ids: dict[str, int]


@dataclass
class Proof:
    acknowledged: Counter[str] = field(default_factory=Counter)  # notes, addenda, bulk, tasks
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    in_doubt_landed: list[str] = field(default_factory=list)  # not acknowledged, but whole
    in_doubt_absent: list[str] = field(default_factory=list)  # not acknowledged, not there
    audit: str = ""
    audit_ok: bool = False
    new_rows: dict[str, int] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        return not (self.lost or self.duplicated or self.half_written) and self.audit_ok

    def to_json(self) -> dict[str, Any]:
        return {
            "holds": self.holds, "acknowledged": dict(self.acknowledged), "lost": self.lost,
            "duplicated": self.duplicated, "half_written": self.half_written,
            "in_doubt_landed": self.in_doubt_landed, "in_doubt_absent": self.in_doubt_absent,
            "audit": self.audit, "audit_ok": self.audit_ok, "new_rows": self.new_rows,
        }  # fmt: skip


def baseline(dsn: str) -> Baseline:
    with psycopg.connect(dsn) as connection:
        ids = {}
        for table in WATCHED:
            row = connection.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()
            ids[table] = int(row[0]) if row else 0
    return Baseline(ids)


def merged(records: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """The workers' memories of what they saved, as one."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for kind in ("notes", "addenda", "bulk", "completions"):
        found[kind] = {"acked": {}, "unacked": {}}
        for record in records:
            for state in ("acked", "unacked"):
                found[kind][state].update(record[kind][state])
    return found


def prove(dsn: str, before: Baseline, records: list[dict[str, Any]], app_url: str) -> Proof:
    memory = merged(records)
    proof = Proof()
    with psycopg.connect(dsn) as connection:
        rows = _new_rows(connection, before)
        proof.new_rows = {table: len(found) for table, found in rows.items()}
        events = Counter((action, entity_id) for _id, action, entity_id in rows["audit_event"])
        _notes(proof, memory, rows, events)
        _addenda(proof, memory, rows, events)
        _completions(proof, connection, memory, events)
        _events_have_rows(proof, rows, events)
    proof.audit, proof.audit_ok = verify_audit(app_url)
    return proof


def _new_rows(connection: psycopg.Connection, before: Baseline) -> dict[str, list[tuple[Any, ...]]]:
    ids = before.ids
    return {
        "case_note": connection.execute(
            "SELECT id, split_part(details, E'\\n', 1), batch_id FROM case_note WHERE id > %s",
            (ids["case_note"],),
        ).fetchall(),
        "follow_up_task": connection.execute(
            "SELECT id, note_id, previous_task_id FROM follow_up_task WHERE id > %s",
            (ids["follow_up_task"],),
        ).fetchall(),
        "note_addendum": connection.execute(
            "SELECT id, note_id, split_part(text, E'\\n', 1) FROM note_addendum WHERE id > %s",
            (ids["note_addendum"],),
        ).fetchall(),
        "audit_event": connection.execute(
            "SELECT id, action, entity_id FROM audit_event WHERE id > %s",
            (ids["audit_event"],),
        ).fetchall(),
    }


def _notes(
    proof: Proof, memory: dict[str, Any], rows: dict[str, list[Any]], events: Counter[Any]
) -> None:
    by_marker: dict[str, list[int]] = {}
    for note_id, marker, _batch in rows["case_note"]:
        by_marker.setdefault(marker, []).append(note_id)
    tasks_of = Counter(note_id for _id, note_id, previous in rows["follow_up_task"] if not previous)
    notes, bulk = memory["notes"], memory["bulk"]

    for marker, saved in notes["acked"].items():
        proof.acknowledged["notes"] += 1
        found = by_marker.get(marker, [])
        if not found:
            proof.lost.append(f"note {marker} (acknowledged as #{saved['id']})")
        elif len(found) > 1:
            proof.duplicated.append(f"note {marker}: {len(found)} copies")
        elif found[0] != saved["id"]:
            proof.half_written.append(
                f"note {marker} is #{found[0]}, acknowledged as #{saved['id']}"
            )
    for marker in notes["unacked"]:
        found = by_marker.get(marker, [])
        if len(found) > 1:
            proof.duplicated.append(f"note {marker} (not acknowledged): {len(found)} copies")
        (proof.in_doubt_landed if found else proof.in_doubt_absent).append(marker)

    for marker, saved in bulk["acked"].items():
        proof.acknowledged["bulk notes"] += 1
        count = len(by_marker.get(marker, []))
        if count == 0:
            proof.lost.append(f"bulk note {marker}")
        elif count != saved["cases"]:
            kind = proof.duplicated if count > saved["cases"] else proof.half_written
            kind.append(f"bulk note {marker}: on {count} cases of {saved['cases']}")
    for marker, tried in bulk["unacked"].items():
        count = len(by_marker.get(marker, []))
        if count not in (0, tried["cases"]):
            proof.half_written.append(f"bulk note {marker} (not acknowledged): on {count} cases")
        (proof.in_doubt_landed if count else proof.in_doubt_absent).append(marker)

    known = set(notes["acked"]) | set(notes["unacked"]) | set(bulk["acked"]) | set(bulk["unacked"])
    for marker, found in by_marker.items():
        if marker not in known:
            proof.half_written.append(f"{len(found)} note(s) nobody wrote in this run: {marker!r}")
    # Whole: each new note with its one follow-up task and its audit event.
    for note_id, marker, _batch in rows["case_note"]:
        if tasks_of[note_id] != 1:
            proof.half_written.append(f"note #{note_id} ({marker}) has {tasks_of[note_id]} tasks")
        if events[("note.add", str(note_id))] != 1:
            seen = events[("note.add", str(note_id))]
            proof.half_written.append(f"note #{note_id} has {seen} note.add events")
    for task_id, _note_id, _previous in rows["follow_up_task"]:
        if events[("task.add", str(task_id))] != 1:
            seen = events[("task.add", str(task_id))]
            proof.half_written.append(f"task #{task_id} has {seen} task.add events")


def _addenda(
    proof: Proof, memory: dict[str, Any], rows: dict[str, list[Any]], events: Counter[Any]
) -> None:
    by_marker = Counter(marker for _id, _note, marker in rows["note_addendum"])
    addenda = memory["addenda"]
    for marker in addenda["acked"]:
        proof.acknowledged["addenda"] += 1
        if by_marker[marker] == 0:
            proof.lost.append(f"addendum {marker}")
        elif by_marker[marker] > 1:
            proof.duplicated.append(f"addendum {marker}: {by_marker[marker]} copies")
    for marker in addenda["unacked"]:
        if by_marker[marker] > 1:
            proof.duplicated.append(f"addendum {marker} (not acknowledged): {by_marker[marker]}")
        (proof.in_doubt_landed if by_marker[marker] else proof.in_doubt_absent).append(marker)
    for marker in set(by_marker) - set(addenda["acked"]) - set(addenda["unacked"]):
        proof.half_written.append(f"an addendum nobody wrote in this run: {marker!r}")
    for addendum_id, _note, marker in rows["note_addendum"]:
        if events[("note.addendum", str(addendum_id))] != 1:
            proof.half_written.append(f"addendum #{addendum_id} ({marker}) has no single event")


def _completions(
    proof: Proof, connection: psycopg.Connection, memory: dict[str, Any], events: Counter[Any]
) -> None:
    completions = memory["completions"]
    done_events = {int(entity) for (action, entity) in events if action == "task.done" and entity}
    asked = {int(t) for t in completions["acked"]} | {int(t) for t in completions["unacked"]}
    ids = sorted(asked | done_events)
    state = {
        task_id: (status, repeats)
        for task_id, status, repeats in connection.execute(
            "SELECT id, status, repeats FROM follow_up_task WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    }
    following = Counter(
        previous
        for (previous,) in connection.execute(
            "SELECT previous_task_id FROM follow_up_task WHERE previous_task_id = ANY(%s)", (ids,)
        ).fetchall()
    )
    for task_id in ids:
        status, repeats = state.get(task_id, ("missing", "none"))
        acked = str(task_id) in completions["acked"]
        proof.acknowledged["tasks completed"] += acked
        done = status == "done"
        wants_next = repeats != "none"
        if acked and not done:
            proof.lost.append(f"completion of task #{task_id} (it is {status})")
            continue
        if following[task_id] > 1:
            proof.duplicated.append(f"task #{task_id} has {following[task_id]} next tasks")
        whole = (
            done == (task_id in done_events)
            and following[task_id] == (1 if done and wants_next else 0)
            and events[("task.done", str(task_id))] <= 1
        )
        if not whole:
            proof.half_written.append(
                f"task #{task_id}: {status}, {following[task_id]} next task(s), "
                f"{events[('task.done', str(task_id))]} task.done event(s)"
            )
        elif not acked and task_id in asked:
            landed = proof.in_doubt_landed if done else proof.in_doubt_absent
            landed.append(f"completion of task #{task_id}")


def _events_have_rows(proof: Proof, rows: dict[str, list[Any]], events: Counter[Any]) -> None:
    """The other way round: no audit event for a row that is not there."""
    have = {
        "note.add": {str(r[0]) for r in rows["case_note"]},
        "task.add": {str(r[0]) for r in rows["follow_up_task"]},
        "note.addendum": {str(r[0]) for r in rows["note_addendum"]},
    }
    for (action, entity_id), _count in events.items():
        if action in have and entity_id not in have[action]:
            proof.half_written.append(f"{action} event for #{entity_id}, which is not there")


def verify_audit(url: str) -> tuple[str, bool]:
    """``casetui audit verify``'s check, as the administrator."""
    from benchmarks.databases import BENCH_PASSWORD, BENCH_USER
    from casetui.services.audit import verify_trail
    from casetui.services.auth import sign_in
    from casetui.startup import open_database

    db = open_database(url)
    try:
        check = verify_trail(db, sign_in(db, BENCH_USER, BENCH_PASSWORD))
        return check.describe(), check.ok
    finally:
        db.dispose()
