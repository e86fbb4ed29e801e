"""The audit trail: every write, sign-in, export and restricted-note view, hash-chained.

Each event's hash covers its own fields and the previous event's hash, so editing,
inserting or deleting a row behind the product's back breaks the chain at that row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import text
from sqlmodel import select

from casetui.db.uow import WRITE_LOCK_KEY, UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.models import AuditEvent

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
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
    payload = json.dumps(
        [
            event.id,
            event.prev_hash,
            event.at.isoformat(),
            event.actor_id,
            event.actor_username,
            event.action,
            event.entity,
            event.entity_id,
            event.case_id,
            event.before,
            event.after,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
) -> AuditEvent:
    """Append one event in the caller's transaction."""
    session = uow.session
    if uow.audit_tail is None:
        if uow.dialect == "postgresql":
            # Appends queue here, so two transactions never both extend the same tail.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
        last = session.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)  # type: ignore[union-attr]
        ).first()
        uow.audit_tail = (last[0], last[1]) if last else (0, GENESIS)
    last_id, last_hash = uow.audit_tail
    event = AuditEvent(
        id=last_id + 1,
        # UTC, as the database hands it back, so the hash verifies after a round trip.
        at=uow.now().astimezone(UTC),
        actor_id=actor.id if actor else None,
        actor_username=actor.username if actor else (username or "system"),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        case_id=case_id,
        before=to_json(before),
        after=to_json(after),
        prev_hash=last_hash,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    uow.audit_tail = (last_id + 1, event.hash)
    return event


@dataclass(frozen=True)
class ChainCheck:
    events: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _walk(uow: UnitOfWork, batch: int = 5000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = uow.session.exec(
            select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(batch)  # type: ignore[arg-type,operator]
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id or after


def verify(uow: UnitOfWork) -> ChainCheck:
    """Walk the whole chain; name the first event that does not follow from the one before."""
    previous_hash, expected_id, count = GENESIS, 1, 0
    for event in _walk(uow):
        count += 1
        if event.id != expected_id:
            return ChainCheck(count, event.id, f"expected event {expected_id} next, found {event.id}")
        if event.prev_hash != previous_hash:
            return ChainCheck(count, event.id, "does not follow the event before it")
        if event_hash(event) != event.hash:
            return ChainCheck(count, event.id, "its contents do not match its hash")
        previous_hash, expected_id = event.hash, expected_id + 1
    return ChainCheck(count)
