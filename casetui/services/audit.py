"""The audit trail: every write, sign-in, export and restricted-note view, hash-chained.

Each event's hash covers its own fields and the previous event's hash, so editing,
inserting or deleting a row behind the product's back breaks the chain at that row. Rows cut
from the end leave a shorter chain that still holds together: the anchor shows those, a count
of events written and the newest one's hash, moved in the same transaction as the events and
never moved back (database triggers refuse it; see migration 0003).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col, select

from casetui.db.uow import Database, UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.models import AuditAnchor, AuditEvent, AuditPending
from casetui.services import policy
from casetui.services.work import reading

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)  # money as its exact decimal string ("12.50"), never a float
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(data: Mapping[str, Any] | None) -> str | None:
    if data is None:
        return None
    return json.dumps(_plain(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: AuditEvent) -> str:
    return _hash(
        event.id, event.prev_hash, event.at, event.actor_id, event.actor_username, event.action,
        event.entity, event.entity_id, event.case_id, event.before, event.after,
    )  # fmt: skip


def _hash(*fields: Any) -> str:
    """The hash over an event's fields in the order ``event_hash`` lists them."""
    plain = [f.isoformat() if isinstance(f, datetime) else f for f in fields]
    payload = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _queue(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Hold events for the chain: they are numbered, hashed and written as the transaction
    commits (``_append``), so the chain is locked for that moment and not the whole write."""
    if not uow.audit_pending:
        uow.at_commit(lambda: _append(uow))
    uow.audit_pending.extend(rows)


def record(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object | None = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    case_id: int | None = None,
    username: str | None = None,
) -> None:
    """Append one event in the caller's transaction, when it commits."""
    _queue(
        uow,
        [
            {
                # UTC, as the database hands it back, so the hash verifies after a round trip.
                "at": uow.now().astimezone(UTC),
                "actor_id": actor.id if actor else None,
                "actor_username": actor.username if actor else (username or "system"),
                "action": action,
                "entity": entity,
                "entity_id": None if entity_id is None else str(entity_id),
                "case_id": case_id,
                "before": to_json(before),
                "after": to_json(after),
            }
        ],
    )


@dataclass(frozen=True)
class Entry:
    """One event of a bulk write: what, on which record of which case, and its picture after."""

    entity_id: object
    case_id: int | None
    after: Mapping[str, Any] | None


def record_many(
    uow: UnitOfWork, actor: Actor, action: str, entity: str, entries: list[Entry]
) -> None:
    """Append one event per entry in the caller's transaction, when it commits: a bulk
    write's trail, the same events ``record`` would write one by one."""
    at = uow.now().astimezone(UTC)
    pictures: dict[int, str | None] = {}  # entries often share one picture: written once
    rows: list[dict[str, Any]] = []
    for entry in entries:
        key = id(entry.after)
        if key not in pictures:
            pictures[key] = to_json(entry.after)
        rows.append(
            {
                "at": at,
                "actor_id": actor.id,
                "actor_username": actor.username,
                "action": action,
                "entity": entity,
                "entity_id": str(entry.entity_id),
                "case_id": entry.case_id,
                "before": None,
                "after": pictures[key],
            }  # fmt: skip
        )
    if rows:
        _queue(uow, rows)


def _append(uow: UnitOfWork) -> None:
    """The transaction's events onto the end of the chain, just before COMMIT: numbered after
    the tail, hashed, written in one statement, and the anchor moved on."""
    rows, uow.audit_pending = uow.audit_pending, []
    if not rows:
        return
    connection = uow.session.connection()
    if uow.dialect == "postgresql":
        # Handed to the server, which appends them as the transaction commits (migration
        # 0013, ``audit_append``): the chain's lock is held only for that, on the server.
        rows[0]["opens"] = True
        connection.execute(insert(AuditPending), [{"opens": False, **row} for row in rows])
        return
    # SQLite: this transaction is the only writer (BEGIN IMMEDIATE).
    last = connection.execute(
        select(col(AuditEvent.id), col(AuditEvent.hash))
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    start_id: int = (last[0] or 0) if last else 0
    last_hash: str = last[1] if last else GENESIS
    last_id = start_id
    for row in rows:
        last_id += 1
        row["id"], row["prev_hash"] = last_id, last_hash
        last_hash = row["hash"] = _hash(
            last_id, last_hash, row["at"], row["actor_id"], row["actor_username"],
            row["action"], row["entity"], row["entity_id"], row["case_id"], row["before"],
            row["after"],
        )  # fmt: skip
    connection.execute(insert(AuditEvent), rows)
    # Count this transaction's events into the anchor: one statement, however many events.
    connection.execute(
        update(AuditAnchor)
        .where(col(AuditAnchor.id) == 1)
        .values(
            events=col(AuditAnchor.events) + (last_id - start_id),
            head_id=last_id,
            head_hash=last_hash,
        )
    )


@dataclass(frozen=True)
class ChainCheck:
    """What ``verify`` found: the trail's length and head, and the first problem, if any."""

    events: int
    broken_at: int | None = None
    problem: str | None = None
    head_id: int = 0
    head_hash: str = GENESIS
    written: int | None = None  # events the anchor counted written, when it was read
    missing: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.problem is None

    def describe(self) -> str:
        if self.ok:
            head = f"head #{self.head_id} {self.head_hash}"
            return f"audit trail intact: {self.events} events, {head}"
        where = f" at event {self.broken_at}" if self.broken_at is not None else ""
        return f"audit trail broken{where}: {self.problem}"


def _walk(uow: UnitOfWork, after: int = 0, batch: int = 5000) -> Iterator[AuditEvent]:
    while True:
        rows = uow.session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > after)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id or after


def _anchor(uow: UnitOfWork) -> AuditAnchor | None:
    anchor = uow.session.get(AuditAnchor, 1)
    if anchor is not None:
        uow.session.expunge(anchor)  # read again later, afresh
    return anchor


def _short(head: str) -> str:
    return head[:12] + "…"


@dataclass
class _Tail:
    """The walk so far: how many events, the newest, and what sits where the anchor points."""

    events: int
    head_id: int
    head_hash: str
    up_to_anchor: int = 0  # events with an id up to the anchor's head
    at_anchor: str | None = None  # the hash of the event where the anchor's head is


def verify(
    uow: UnitOfWork, *, expect_head: str | None = None, since_head: str | None = None
) -> ChainCheck:
    """Walk the chain; name the first event that does not follow from the one before, then
    check the end of the trail against the database's anchor (nothing cut from the end).

    ``expect_head``: a head recorded by an earlier run must still be in the trail.
    ``since_head``: the same, and only the events after it are walked (it was checked then).
    """
    anchor = _anchor(uow)  # first: events written after this are not yet counted in it
    tail = _Tail(0, 0, GENESIS)
    expected_id = 1
    recorded = since_head or expect_head
    if since_head is not None:
        start = uow.session.exec(select(AuditEvent).where(AuditEvent.hash == since_head)).first()
        if start is None or event_hash(start) != since_head:
            return ChainCheck(0, problem=_lost(since_head))
        assert start.id is not None
        tail = _Tail(start.id, start.id, start.hash)
        expected_id = start.id + 1
        recorded = None
    limit = anchor.head_id if anchor is not None else 0
    tail.up_to_anchor = min(tail.events, limit)
    for event in _walk(uow, after=expected_id - 1):
        if event.id != expected_id:
            return _broken(tail, event.id, f"expected event {expected_id} next, found {event.id}")
        if event.prev_hash != tail.head_hash:
            return _broken(tail, event.id, "does not follow the event before it")
        if event_hash(event) != event.hash:
            return _broken(tail, event.id, "its contents do not match its hash")
        tail.events, tail.head_id, tail.head_hash = tail.events + 1, event.id, event.hash
        if event.id <= limit:
            tail.up_to_anchor += 1
        if event.id == limit:
            tail.at_anchor = event.hash
        if event.hash == recorded:
            recorded = None
        expected_id += 1
    found = ChainCheck(tail.events, head_id=tail.head_id, head_hash=tail.head_hash)
    if recorded is not None:
        return replace(found, problem=_lost(recorded))
    if anchor is None:
        return replace(found, problem="the audit anchor row is missing: it was deleted")
    found = replace(found, written=anchor.events + tail.events - tail.up_to_anchor)
    problem = _against_anchor(tail, anchor)
    if problem is None and tail.head_id > anchor.head_id:
        # Events after the anchor was read: written since, or inserted behind the product's back.
        now = _anchor(uow)
        if now is None or now.head_id < tail.head_id:
            return replace(
                found,
                broken_at=anchor.head_id + 1,
                problem=f"events after #{anchor.head_id} are not in the count of events "
                "written: they were inserted behind the product's back",
            )
    if problem is None:
        return found
    broken_at, text, missing = problem
    return replace(found, broken_at=broken_at, problem=text, missing=missing)


def _broken(tail: _Tail, event_id: int | None, problem: str) -> ChainCheck:
    return ChainCheck(tail.events + 1, event_id, problem, tail.head_id, tail.head_hash)


def _lost(head: str) -> str:
    return (
        f"the head recorded earlier ({_short(head)}) is no longer in the trail: "
        "it or events before it were removed or rewritten"
    )


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def _against_anchor(tail: _Tail, anchor: AuditAnchor) -> tuple[int | None, str, int] | None:
    """(first missing event, what is wrong, how many are missing), or None if the ends agree."""
    missing = anchor.events - tail.up_to_anchor
    if missing > 0 and tail.head_id < anchor.head_id:
        last = tail.head_id
        return (
            last + 1,
            f"{_events(missing)} missing after event #{last}: "
            f"{anchor.events} were written, the newest #{anchor.head_id}",
            missing,
        )
    if missing > 0:
        return (
            None,
            f"{_events(missing)} missing: {anchor.events} were "
            f"written up to #{anchor.head_id}, the trail holds {tail.up_to_anchor}; events were "
            "cut from the end and others written after them",
            missing,
        )
    if missing < 0:
        return (
            None,
            f"{_events(-missing)} more than the count of events written: "
            "inserted behind the product's back",
            0,
        )
    if anchor.head_id and tail.at_anchor != anchor.head_hash:
        return (
            anchor.head_id,
            f"event #{anchor.head_id} is not the event written as #{anchor.head_id}: "
            "the end of the trail was cut and written again",
            0,
        )
    return None


def verify_trail(
    db: Database, actor: Actor, *, expect_head: str | None = None, since_head: str | None = None
) -> ChainCheck:
    """``verify`` for a person: administrators and auditors check the trail."""
    policy.ensure_audit_reader(actor)
    with reading(db, actor) as work:
        return verify(work, expect_head=expect_head, since_head=since_head)
