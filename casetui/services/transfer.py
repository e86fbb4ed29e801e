"""Moving cases in numbers: a leaver's whole caseload shared among colleagues, and the workload
screen's what-if sketch. Each move is a reassignment (``cases.reassign_in``), checked,
versioned, audited and told as one; all of a transfer's or a sketch's moves are committed in
one transaction, or none when any is refused."""

from __future__ import annotations

from collections.abc import Sequence

from casetui.domain.actor import Actor
from casetui.domain.enums import Role
from casetui.domain.errors import Conflict, PermissionDenied, StaleEdit, ValidationError
from casetui.domain.filters import ACTIVE_STATUSES, CaseFilter
from casetui.domain.models import Staff
from casetui.domain.read_models.people import WorkloadRow
from casetui.domain.transfer import (
    CaseMove,
    HeldCase,
    SketchMove,
    TransferDone,
    TransferPlan,
    WhatIf,
    balance,
    case_hours,
    loads,
    moved_rows,
)
from casetui.repositories.row_locks import lock_cases
from casetui.services import audit, policy
from casetui.services.access import holds_work, worker_refusal
from casetui.services.cases import case_worker, reassign_in
from casetui.services.records import saved_id
from casetui.services.work import Database, Work, reading, retry_collisions, writing

# A caseload is read whole: past any real person's, within what both databases count in.
ALL_CASES = 1_000_000


def _source(work: Work, actor: Actor, username: str) -> Staff:
    """The person whose cases are moved: anyone for administrators, the team for supervisors;
    a deactivated leaver too."""
    policy.ensure_reassigner(actor)
    source = work.staff.by_username(username.strip())
    if actor.role is Role.SUPERVISOR and source.team_id != actor.team_id:
        raise PermissionDenied(f"{source.username} is not in your team")
    return source


def _targets(work: Work, actor: Actor, source: Staff, usernames: Sequence[str]) -> list[Staff]:
    """Who receives the cases, each someone the actor may make a case's worker."""
    names = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    if not names:
        raise ValidationError("to", "name at least one person to move the cases to")
    if source.username in names:
        raise ValidationError(
            "to", f"the cases cannot move to {source.username}, who holds them now"
        )
    return [case_worker(work, actor, name, field="to") for name in names]


def _held(work: Work, source: Staff) -> list[HeldCase]:
    """The source's open and paused cases the actor sees, with their hours and versions."""
    rows = work.cases.rows(
        CaseFilter(worker_ids=(saved_id(source),), statuses=ACTIVE_STATUSES, sort="case_number"),
        limit=ALL_CASES,
    )
    settings = work.settings
    return [
        HeldCase(
            case_id=r.id,
            case_number=r.case_number,
            client_name=r.client_name,
            concern=r.concern,
            status=r.status,
            hours=case_hours(r.concern, r.status, settings),
            version=r.version,
        )  # fmt: skip
        for r in rows
    ]


def _rows(work: Work, people: Sequence[Staff]) -> list[WorkloadRow]:
    return work.workload.rows(
        work.settings, staff_ids=[saved_id(p) for p in people], inactive_too=True
    )


def recipients(db: Database, actor: Actor, username: str) -> list[WorkloadRow]:
    """Who may receive ``username``'s cases from ``actor``, least loaded first: the transfer
    picker's list."""
    with reading(db, actor) as work:
        source = _source(work, actor, username)
        people = [
            s
            for s in work.staff.list()
            if s.id != source.id and holds_work(s) and worker_refusal(actor, s) is None
        ]
        rows = work.workload.rows(work.settings, staff_ids=[p.id for p in people])
    return sorted(rows, key=lambda r: (r.utilisation, r.display_name, r.username))


def plan_transfer(db: Database, actor: Actor, source: str, targets: Sequence[str]) -> TransferPlan:
    """The preview: each of ``source``'s open and paused cases with whom it would go to,
    balanced by allocated hours, and everyone's utilisation before and after. Writes nothing."""
    with reading(db, actor) as work:
        return _plan(work, actor, source, targets)


def _plan(work: Work, actor: Actor, username: str, usernames: Sequence[str]) -> TransferPlan:
    source = _source(work, actor, username)
    targets = _targets(work, actor, source, usernames)
    rows = _rows(work, [source, *targets])
    by_name = {r.username: r for r in rows}
    held = _held(work, source)
    moves = tuple(
        CaseMove(
            case_id=case.case_id,
            case_number=case.case_number,
            client_name=case.client_name,
            concern=case.concern,
            status=case.status,
            hours=case.hours,
            from_username=source.username,
            to_username=to,
            version=case.version,
        )  # fmt: skip
        for case, to in balance(held, [by_name[t.username] for t in targets])
    )
    order = [source.username, *(t.username for t in targets)]
    return TransferPlan(
        source=source.username,
        targets=tuple(order[1:]),
        moves=moves,
        people=loads(rows, moves, order),
    )


@retry_collisions
def commit_transfer(db: Database, actor: Actor, plan: TransferPlan) -> TransferDone:
    """The preview's moves, in one transaction: each a reassignment from the version the
    preview saw. A case changed since, or given to the leaver since, refuses the whole
    transfer, naming it; nothing moves."""
    policy.ensure_reassigner(actor)
    with writing(db, actor) as work:
        # Every case it moves, locked at once in case-id order: two transfers over the same
        # cases queue rather than deadlock.
        lock_cases(work.session, [m.case_id for m in plan.moves])
        source = _source(work, actor, plan.source)
        _targets(work, actor, source, plan.targets)
        planned = {m.case_id for m in plan.moves}
        since = [c.case_number for c in _held(work, source) if c.case_id not in planned]
        if since:
            raise Conflict(
                f"case {since[0]} came to {source.username} after the preview; "
                "nothing was moved: preview the transfer again"
            )
        if not plan.moves:
            raise ValidationError("from", f"{source.username} holds no open or paused cases")
        _move(work, plan.moves)
        audit.record(
            work, actor, "caseload.transfer", "staff", source.id,
            after={"from": source.username, "to": list(plan.targets),
                   "cases": [m.case_number for m in plan.moves]},
        )  # fmt: skip
        work.commit()
    return TransferDone(moves=plan.moves)


def _move(work: Work, moves: Sequence[CaseMove] | Sequence[SketchMove]) -> None:
    for move in moves:
        try:
            reassign_in(work, move.case_number, move.to_username, move.version)
        except StaleEdit as stale:
            raise StaleEdit(
                f"{stale.args[0]}; nothing was moved",
                changed_by=stale.changed_by,
                changed_at=stale.changed_at,
                current_version=stale.current_version,
            ) from stale


# --- what-if: a sketch of moves on the workload screen -------------------------------------------


def what_if(db: Database, actor: Actor, sketch: Sequence[SketchMove]) -> WhatIf:
    """The workload the actor sees with the sketch's moves applied, in the workload's own
    order; each case's hours are its hours now. Writes nothing."""
    policy.ensure_reassigner(actor)
    with reading(db, actor) as work:
        settings = work.settings
        rows = work.workload.rows(settings)
        moves = []
        for move in sketch:
            case = work.cases.get_by_number(move.case_number)
            moves.append(
                CaseMove(
                    case_id=saved_id(case),
                    case_number=case.case_number,
                    client_name=_client_name(work, case.client_id),
                    concern=case.concern,
                    status=case.status,
                    hours=case_hours(case.concern, case.status, settings),
                    from_username=move.from_username,
                    to_username=move.to_username,
                    version=move.version,
                )  # fmt: skip
            )
    return WhatIf(rows=tuple(moved_rows(rows, moves)), moves=tuple(moves))


def _client_name(work: Work, client_id: int) -> str:
    return work.clients.get(client_id).name


@retry_collisions
def commit_sketch(db: Database, actor: Actor, sketch: Sequence[SketchMove]) -> TransferDone:
    """Every move of the sketch in one transaction, each checked as a reassignment from the
    version seen when it was sketched; a stale case refuses them all, naming it."""
    policy.ensure_reassigner(actor)
    if not sketch:
        raise ValidationError("sketch", "no moves to commit")
    numbers = [m.case_number for m in sketch]
    if len(set(numbers)) != len(numbers):
        raise ValidationError("sketch", "a case is moved twice; sketch it once")
    with writing(db, actor) as work:
        found = work.cases.get_many_by_number(numbers)
        lock_cases(work.session, [case.id for case in found.values()])  # in case-id order
        _move(work, sketch)
        done = tuple(
            CaseMove(
                case_id=case.id,
                case_number=case.case_number,
                client_name=_client_name(work, case.client_id),
                concern=case.concern,
                status=case.status,
                hours=case_hours(case.concern, case.status, work.settings),
                from_username=m.from_username,
                to_username=m.to_username,
                version=case.version,
            )  # fmt: skip
            for m in sketch
            for case in [work.cases.get_by_number(m.case_number)]
            if case.id is not None
        )
        work.commit()
    return TransferDone(moves=done)


__all__ = [
    "commit_sketch",
    "commit_transfer",
    "plan_transfer",
    "recipients",
    "what_if",
]
