"""What the actor may do on a case, asked once: by the write services, and by the screens to
offer keys (``CaseAccess``), so no screen keeps a copy of a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import Grant, Role, SignoffState, TaskStatus
from casetui.domain.errors import (
    BulkRefused,
    PermissionDenied,
    Refusal,
    RuleError,
    ValidationError,
)
from casetui.domain.locking import NoteLock
from casetui.domain.models import Case, Client
from casetui.domain.read_models.people import StaffView
from casetui.domain.timeline import NOTE, TASK, TimelineEntry
from casetui.repositories.row_locks import lock_cases
from casetui.repositories.scope import assigned_to
from casetui.services import policy
from casetui.services.note_rules import lock_state
from casetui.services.work import Work


def writable_case(work: Work, case_id: int) -> Case:
    """The case, if the actor may see it (else NotFound) and write on it (else refused);
    locked until the write commits, so the case's other writers wait for it."""
    lock_cases(work.session, [case_id])
    case = work.cases.get(case_id)
    policy.ensure_case_writer(work.actor, case, assigned=work.cases.is_assigned(case_id))
    return case


class OnACase(Protocol):
    """A record kept on a case: a note, a task, a communication, a service, an attachment."""

    case_id: int


def writable_case_of(work: Work, row: OnACase) -> Case:
    """``writable_case`` for the case ``row`` is kept on, and ``row`` read again once the case
    is locked: a write on it may have waited for the case's last writer."""
    case = writable_case(work, row.case_id)
    if work.dialect == "postgresql":
        work.session.refresh(row)
    return case


def writable_case_by_number(work: Work, case_number: str) -> Case:
    case = work.cases.get_by_number(case_number)
    assert case.id is not None
    lock_cases(work.session, [case.id])  # and read again, as its last writer left it
    policy.ensure_case_writer(work.actor, case, assigned=work.cases.is_assigned(case.id))
    return case


def ensure_client_writer(work: Work, client: Client) -> None:
    """Edit a client's record: writers who may write one of the client's cases, and any
    writer while nobody holds a case for the client. ``client`` must come from the actor's
    scoped repository (``work.clients``), so visibility is settled."""
    actor = work.actor
    policy.ensure_writer(actor)
    assert client.id is not None
    cases = work.clients.cases(client.id)
    if not cases and not work.clients.has_cases(client.id):
        return
    for case in cases:
        assert case.id is not None
        assigned = work.cases.is_assigned(case.id)
        if policy.can(policy.ensure_case_writer, actor, case, assigned=assigned):
            return
    raise PermissionDenied(f"you may not write any case of client {client.id}")


def writable_client(work: Work, client_id: int) -> Client:
    """The client, if the actor may see them (else NotFound) and edit their record (else
    refused)."""
    client = work.clients.get(client_id)
    ensure_client_writer(work, client)
    return client


class StaffMember(Protocol):
    """What the worker rule reads of a person: a table row or a read model will do."""

    @property
    def id(self) -> int | None: ...
    @property
    def username(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def role(self) -> str: ...
    @property
    def team_id(self) -> int | None: ...


def worker_refusal(
    actor: Actor, staff: StaffMember, field: str = "case worker"
) -> RuleError | None:
    """Why ``staff`` may not be made a case's worker (or navigator: ``field``) by ``actor``;
    None when they may."""
    if not staff.active:
        return ValidationError(field, f"no active staff member {staff.username[:64]!r}")
    if Role(staff.role) is Role.AUDITOR:
        return ValidationError(field, f"{staff.username} is an auditor and cannot hold cases")
    if actor.role is Role.CASEWORKER and staff.id != actor.id:
        return PermissionDenied(
            "caseworkers open cases for themselves; a supervisor can assign others"
        )
    if actor.role is Role.SUPERVISOR and staff.team_id != actor.team_id:
        return PermissionDenied(f"{staff.username} is not in your team")
    return None


def holds_work(staff: StaffView) -> bool:
    """Cases and tasks are held by active staff who are not auditors (auditors only read)."""
    return staff.active and staff.role is not Role.AUDITOR


def holders(work: Work) -> list[StaffView]:
    """The staff the actor sees who may hold cases and tasks: the pickers' people."""
    return [s for s in work.staff.list() if holds_work(s)]


@dataclass(frozen=True)
class _NoteAuthor:
    id: int | None
    author_id: int


@dataclass(frozen=True)
class CaseAccess:
    """What the actor may do on one case, as the services would answer."""

    write: bool
    reassign: bool
    lock_days: int
    actor: Actor
    change_number: bool = False  # needs the case_numbers grant
    navigators: bool = False  # assign and unassign: those who may reassign
    decide_signoff: bool = False  # approve or return its notes: its team's supervisors, admins

    def may_change_note(self, entry: TimelineEntry) -> bool:
        """Edit or delete this note, lock aside."""
        if not self.write or entry.kind != NOTE:
            return False
        # The rule reads only who wrote which note, so the timeline entry's fields suffice.
        note = _NoteAuthor(entry.id, entry.author_id or 0)
        return policy.can(policy.ensure_may_change_note, self.actor, note)

    def may_change_written(self, entry: TimelineEntry) -> bool:
        """Edit or delete this entry (a note, a communication) as its author, a supervisor or
        an administrator may, lock aside."""
        if not self.write:
            return False
        written = _NoteAuthor(entry.id, entry.author_id or 0)
        return policy.can(policy.ensure_may_change_written, self.actor, written, entry.kind)

    def may_signoff(self, entry: TimelineEntry) -> bool:
        """Send this note for sign-off, or approve or return it: as ``signoff.choices`` answers."""
        if entry.kind != NOTE:
            return False
        state = entry.signoff
        if state is None or state == SignoffState.RETURNED.value:
            return self.write
        if state == SignoffState.REQUESTED.value:
            return self.decide_signoff and entry.author_id != self.actor.id
        return False

    def may_complete(self, entry: TimelineEntry) -> bool:
        return self.write and entry.kind == TASK and entry.status == TaskStatus.OPEN.value

    def note_lock(
        self, created_at: datetime, now: datetime, imported: bool = False, signed_off: bool = False
    ) -> NoteLock:
        """Open, locked but this person may override it with a reason, or locked to them; a
        signed-off note is locked from its sign-off."""
        return lock_state(
            self.actor, created_at, self.lock_days, now, imported, signed_off=signed_off
        )


def case_access(work: Work, case_id: int) -> CaseAccess:
    actor = work.actor
    case = work.cases.get(case_id)
    write = policy.can(
        policy.ensure_case_writer, actor, case, assigned=work.cases.is_assigned(case_id)
    )
    reassign = write and policy.can(policy.ensure_reassigner, actor)
    return CaseAccess(
        write=write,
        reassign=reassign,
        lock_days=work.settings.lock_days,
        actor=actor,
        change_number=write and actor.has(Grant.CASE_NUMBERS),
        navigators=reassign,
        decide_signoff=policy.can(policy.ensure_signoff_decider, actor, case),
    )


def writable_cases(
    work: Work, numbers: list[str], outcome: str = "bulk note not written"
) -> list[Case]:
    """The cases with these numbers, in the order given, each writable by the actor; else
    BulkRefused naming every one that refuses (a bulk note, joining a group)."""
    actor = work.actor
    found = work.cases.get_many_by_number(numbers)
    # Locked in one statement, in id order (and read again): two bulk writes over the same
    # cases queue, whatever order their cases were chosen in.
    lock_cases(work.session, [case.id for case in found.values()])
    # Whom the actor is assigned to, in one query: a bulk write holds the write lock, and a
    # look-up per case kept everyone else waiting 50 s for 5,000 cases on SQLite.
    ids = [case.id for case in found.values()]
    assigned = set(
        work.session.execute(
            select(col(Case.id)).where(col(Case.id).in_(ids), assigned_to(actor))
        ).scalars()
    )
    refusals: list[Refusal] = []
    cases: list[Case] = []
    for number in numbers:
        case = found.get(number)
        if case is None:
            refusals.append(Refusal(number, "no such case that you can see"))
            continue
        try:
            policy.ensure_case_writer(actor, case, assigned=case.id in assigned)
        except PermissionDenied as refused:
            refusals.append(Refusal(number, refused.args[0]))
            continue
        cases.append(case)
    if refusals:
        raise BulkRefused(refusals, outcome)
    return cases
