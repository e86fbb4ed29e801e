"""Cases: open one, show one, change status, concern, pathway, worker, navigators, tags and
case number, one at a time or several in one edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.dates import parse_date
from casetui.domain.enums import CaseStatus, Concern, Grant
from casetui.domain.errors import Conflict, NotFound, ValidationError
from casetui.domain.limits import CASE_NUMBER_MAX
from casetui.domain.models import (
    NAME_MAX,
    TAG_MAX,
    Case,
    CaseEvent,
    CaseNavigator,
    CaseTag,
    Client,
    FormerCaseNumber,
    Staff,
)
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.people import StaffView
from casetui.repositories.row_locks import lock_case_numbering
from casetui.repositories.staff import find_by_username
from casetui.services import audit, policy, validation
from casetui.services.access import holders, holds_work, worker_refusal, writable_case_by_number
from casetui.services.notifications import tell_assigned
from casetui.services.pathway_tasks import tasks_for_new_case
from casetui.services.records import save_versioned, saved_id, snapshot
from casetui.services.tasks import insert_tasks
from casetui.services.work import Database, Work, reading, retry_collisions, writing

TAGS_MAX = 20


@dataclass(frozen=True)
class CaseInput:
    client_id: int
    concern: str = Concern.LOW.value
    status: str = CaseStatus.OPEN.value
    worker: str | None = None  # username; None means the actor
    pathway: str | None = None
    tags: tuple[str, ...] = ()
    case_number: str | None = None  # None: the next number in the organisation's series
    opened_on: str | date | None = None  # None: today; an earlier day for a case brought in


@dataclass(frozen=True, slots=True)
class ValidCase:
    """A new case's fields, checked; ``case_number`` as typed (whether it is free is asked
    when it is written), None for the next in the organisation's series."""

    status: str
    concern: str
    pathway: str | None
    worker: Staff
    tags: tuple[str, ...]
    case_number: str | None
    opened_on: date | None


@dataclass(frozen=True)
class CaseChanges:
    """Several changes to one case, made in one transaction: all of them or none.

    None leaves a field as it is; an empty ``pathway`` clears it. ``number`` is a new case
    number (the old one is kept as a former number)."""

    status: str | None = None
    concern: str | None = None
    pathway: str | None = None
    worker: str | None = None  # username of the new primary worker
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    add_navigators: tuple[str, ...] = ()  # usernames
    remove_navigators: tuple[str, ...] = ()
    number: str | None = None


def case_worker(
    work: Work, actor: Actor, username: str | None, field: str = "case worker"
) -> Staff:
    """The staff member ``username`` (None: the actor), if ``actor`` may make them a case's
    worker (or navigator: ``field``); else refused naming why."""
    name = username or actor.username
    staff = find_by_username(work.session, name)
    if staff is None:
        raise ValidationError(field, f"no active staff member {name[:64]!r}")
    refusal = worker_refusal(actor, staff, field)
    if refusal is not None:
        raise refusal
    return staff


def worker_choices(db: Database, actor: Actor, case_number: str) -> list[StaffView]:
    """Who ``actor`` may make the new worker of a case: the reassign picker's list."""
    with reading(db, actor) as work:
        current = work.cases.get_by_number(case_number).primary_worker_id
        return [
            s
            for s in work.staff.list()
            if s.id != current and holds_work(s) and worker_refusal(actor, s) is None
        ]


def opening_workers(db: Database, actor: Actor) -> list[StaffView]:
    """Who ``actor`` may open a new case for: themselves (caseworkers), their team
    (supervisors), anyone who holds cases (administrators); nobody for read-only roles."""
    if not policy.can(policy.ensure_writer, actor):
        return []
    with reading(db, actor) as work:
        return [s for s in holders(work) if worker_refusal(actor, s) is None]


def navigator_choices(db: Database, actor: Actor, case_number: str) -> list[StaffView]:
    """Who ``actor`` may add as a further navigator on the case: people they may assign,
    other than the primary worker and the navigators already there."""
    with reading(db, actor) as work:
        case = work.cases.get_by_number(case_number)
        if not policy.can(policy.ensure_reassigner, actor):
            return []
        taken = set(_navigator_ids(work, saved_id(case))) | {case.primary_worker_id}
        return [s for s in holders(work) if s.id not in taken and worker_refusal(actor, s) is None]


def _tags(raw: tuple[str, ...] | list[str]) -> list[str]:
    # Lower-cased before the length check: some letters grow ("İ" is two characters lower-cased).
    tags = [
        validation.text(
            t.lower() if isinstance(t, str) else t, "tag", max_length=TAG_MAX, single_line=True
        )
        for t in raw
    ]
    tags = list(dict.fromkeys(t for t in tags if t))
    if len(tags) > TAGS_MAX:
        raise ValidationError("tags", f"{len(tags)} tags; the limit is {TAGS_MAX}")
    return tags


def _next_case_number(work: Work) -> str:
    stem, sequence = next_in_series(work)
    return f"{stem}{sequence:06d}"


def next_in_series(work: Work) -> tuple[str, int]:
    """The stem of this year's case numbers and the next number in the series."""
    settings = work.settings
    year = work.today().year
    stem = f"{settings.case_number_prefix}-{year}-"
    # Former numbers count too: a number a case had before is never given out again.
    highest = max(
        (
            work.session.execute(
                select(func.max(column)).where(column.like(f"{stem}%"))
            ).scalar_one_or_none()
            or ""
            for column in (col(Case.case_number), col(FormerCaseNumber.case_number))
        ),
        key=lambda number: (len(number), number),
    )
    sequence = (
        int(highest.rsplit("-", 1)[-1]) + 1
        if highest and highest.rsplit("-", 1)[-1].isdigit()
        else 1
    )
    return stem, sequence


def _typed_number(raw: str) -> str:
    return validation.text(
        raw, "case number", max_length=CASE_NUMBER_MAX, required=True, single_line=True
    )


def number_in_use(number: str) -> Conflict:
    """The refusal of a case number some case has now or had before."""
    return Conflict(f"case number {number} is already in use (now or before)")


def _case_number(work: Work, raw: str) -> str:
    """A typed case number, checked and free: no case has it now or had it before."""
    number = _typed_number(raw)
    if work.cases.case_number_taken(number):
        raise number_in_use(number)
    return number


def _opened_on(work: Work, raw: str | date | None) -> date | None:
    """The day a case was opened, when it was not today: never after today."""
    if raw is None or raw == "":
        return None
    today = work.today()
    day = raw if isinstance(raw, date) else parse_date(raw, today, field="opened date")
    if day > today:
        raise ValidationError("opened date", f"{day.isoformat()} is in the future")
    return day


def _event(work: Work, actor: Actor, case: Case, kind: str, before: object, after: object) -> None:
    work.session.add(
        CaseEvent(case_id=saved_id(case), actor_id=actor.id, at=work.now(), kind=kind,
                  before=None if before is None else str(before)[:NAME_MAX],
                  after=None if after is None else str(after)[:NAME_MAX])
    )  # fmt: skip


def _client_for_new_case(work: Work, client_id: int) -> Client:
    try:
        return work.clients.get(client_id)
    except NotFound:
        raise ValidationError("client", f"no client {client_id} that you can see") from None


def _pathway(work: Work, raw: str | None) -> str | None:
    return validation.one_of(raw, "pathway", work.settings.pathways) if raw else None


def check_case(
    work: Work, actor: Actor, case: CaseInput, *, worker: Staff | None = None
) -> ValidCase:
    """A new case's fields checked, every refusal of a field named at once; ``worker``: the
    primary worker already looked up and allowed (``case_worker``), else ``case.worker``'s."""
    fields = validation.Fields()
    status = fields.check(validation.one_of, case.status, "status", [s.value for s in CaseStatus])
    concern = fields.check(validation.one_of, case.concern, "concern", [c.value for c in Concern])
    pathway = fields.check(_pathway, work, case.pathway)
    staff = worker if worker is not None else fields.check(case_worker, work, actor, case.worker)
    tags = fields.check(_tags, case.tags)
    opened_on = fields.check(_opened_on, work, case.opened_on)
    number = None
    if case.case_number:
        policy.ensure_grant(actor, Grant.CASE_NUMBERS, "choosing a case number")
        number = fields.check(_typed_number, case.case_number)
    fields.done()
    return ValidCase(status, concern, pathway, staff, tuple(tags), number, opened_on)


def insert_case(work: Work, actor: Actor, case: CaseInput, client: Client) -> Case:
    """A new case for ``client``, checked and written in the caller's unit of work."""
    valid = check_case(work, actor, case)
    # New cases are numbered one at a time (to COMMIT): two opened at once never pick the
    # same next number.
    lock_case_numbering(work.session)
    if valid.case_number:
        number = _case_number(work, valid.case_number)
    else:
        number = _next_case_number(work)
        if work.cases.case_number_taken(number):
            raise Conflict(f"case number {number} is already in use")
    today = work.today()
    worker = valid.worker
    row = Case(
        case_number=number, client_id=saved_id(client), status=valid.status,
        concern=valid.concern, primary_worker_id=worker.id, team_id=worker.team_id,
        pathway=valid.pathway, opened_on=valid.opened_on or today,
        closed_on=today if valid.status == CaseStatus.CLOSED.value else None,
        created_at=work.now(),
    )  # fmt: skip
    work.session.add(row)
    try:
        work.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"case number {number} was taken by someone else just now; try again"
        ) from exc
    work.session.add_all(CaseTag(case_id=saved_id(row), tag=t) for t in valid.tags)
    audit.record(work, actor, "case.open", "case", row.id, case_id=row.id, after=snapshot(row))
    # The pathway's tasks, in the same transaction: the case never stands without them.
    made = tasks_for_new_case(work, row.pathway, row.opened_on, saved_id(worker))
    if made and row.status != CaseStatus.CLOSED.value:
        insert_tasks(work, actor, [(saved_id(row), task, None) for task in made])
    tell_assigned(work, saved_id(row), saved_id(worker), "primary worker", row.version)
    return row


def open_case(db: Database, actor: Actor, case: CaseInput) -> CaseDetail:
    policy.ensure_writer(actor)
    with writing(db, actor) as work:
        client = _client_for_new_case(work, case.client_id)
        row = insert_case(work, actor, case, client)
        try:
            work.commit()
        except IntegrityError as exc:
            raise Conflict(
                f"case number {row.case_number} was taken by someone else just now; try again"
            ) from exc
        return work.cases.detail(saved_id(row))


def show_case(db: Database, actor: Actor, number: str) -> CaseDetail:
    """One case by its number, current or former, with its navigators and former numbers."""
    with reading(db, actor) as work:
        return work.cases.detail(saved_id(work.cases.get_by_number(number.strip())))


# --- changes: each checks, saves from the version the person saw, and leaves an event and an
# --- audit event; the public functions below run one, ``edit_case`` several, in one unit of work


def _save(
    work: Work,
    case: Case,
    expected_version: int | None,
    action: str,
    kind: str,
    old: object,
    new: object,
    values: dict[str, object],
    navigators: tuple[list[str], list[str]] | None = None,
) -> None:
    """Save ``values`` from the version the person saw, with the timeline's event and the audit
    event; ``navigators`` (before, after) go into the audit event's pictures of the case."""
    extra_before = {} if navigators is None else {"navigators": navigators[0]}
    extra_after = {} if navigators is None else {"navigators": navigators[1]}
    before = snapshot(case, **extra_before)
    save_versioned(work, case, expected_version, values)
    _event(work, work.actor, case, kind, old, new)
    audit.record(
        work, work.actor, action, "case", case.id, case_id=case.id, before=before,
        after=snapshot(case, **extra_after),
    )  # fmt: skip


def _set_status(work: Work, case: Case, status: str, expected_version: int | None) -> None:
    new = validation.one_of(status, "status", [s.value for s in CaseStatus])
    if new == case.status:
        raise ValidationError("status", f"case {case.case_number} is already {new}")
    closed_on: date | None = work.today() if new == CaseStatus.CLOSED.value else None
    _save(work, case, expected_version, "case.status", "status", case.status, new,
          {"status": new, "closed_on": closed_on})  # fmt: skip


def _set_concern(work: Work, case: Case, concern: str, expected_version: int | None) -> None:
    new = validation.one_of(concern, "concern", [c.value for c in Concern])
    if new == case.concern:
        raise ValidationError("concern", f"case {case.case_number} is already {new}")
    _save(work, case, expected_version, "case.concern", "concern", case.concern, new,
          {"concern": new})  # fmt: skip


def _set_pathway(work: Work, case: Case, pathway: str, expected_version: int | None) -> None:
    new = validation.one_of(pathway, "pathway", work.settings.pathways) if pathway else None
    if new == case.pathway:
        shown = f"on {new}" if new else "without a pathway"
        raise ValidationError("pathway", f"case {case.case_number} is already {shown}")
    _save(work, case, expected_version, "case.pathway", "pathway", case.pathway, new,
          {"pathway": new})  # fmt: skip


def _set_worker(work: Work, case: Case, worker: str, expected_version: int | None) -> None:
    """A new primary worker; the case moves to that worker's team."""
    policy.ensure_reassigner(work.actor)
    staff = case_worker(work, work.actor, worker)
    if staff.id == case.primary_worker_id:
        raise ValidationError(
            "case worker", f"{staff.username} is already the case worker of {case.case_number}"
        )
    old = work.session.get(Staff, case.primary_worker_id) if case.primary_worker_id else None
    # The new worker no longer needs a separate navigator entry for the same case.
    work.session.execute(
        delete(CaseNavigator).where(
            col(CaseNavigator.case_id) == case.id, col(CaseNavigator.staff_id) == staff.id
        )
    )
    _save(work, case, expected_version, "case.reassign", "worker",
          old.username if old else None, staff.username,
          {"primary_worker_id": staff.id, "team_id": staff.team_id})  # fmt: skip
    tell_assigned(work, saved_id(case), saved_id(staff), "primary worker", case.version)


def reassign_in(work: Work, case_number: str, worker: str, expected_version: int | None) -> Case:
    """One reassignment in the caller's unit of work, checked, versioned, audited and told
    exactly as ``reassign`` does: a caseload transfer and a what-if sketch make theirs here."""
    case = writable_case_by_number(work, case_number)
    _set_worker(work, case, worker, expected_version)
    return case


def _set_number(work: Work, case: Case, new_number: str, expected_version: int | None) -> None:
    policy.ensure_grant(work.actor, Grant.CASE_NUMBERS, "changing a case number")
    number = _case_number(work, new_number)
    old = case.case_number
    _save(work, case, expected_version, "case.number", "case_number", old, number,
          {"case_number": number})  # fmt: skip
    # The old number stays the case's: search, ``cases show`` and every by-number look-up
    # still find it, and it is never given to another case.
    work.session.add(
        FormerCaseNumber(case_id=saved_id(case), case_number=old, changed_at=work.now())
    )


def _navigator_ids(work: Work, case_id: int) -> list[int]:
    return list(
        work.session.execute(
            select(col(CaseNavigator.staff_id)).where(col(CaseNavigator.case_id) == case_id)
        ).scalars()
    )


def _navigator_names(work: Work, case_id: int) -> list[str]:
    return list(
        work.session.execute(
            select(col(Staff.username))
            .join(CaseNavigator, col(CaseNavigator.staff_id) == Staff.id)
            .where(col(CaseNavigator.case_id) == case_id)
            .order_by(col(Staff.username))
        ).scalars()
    )


def _add_navigator(work: Work, case: Case, username: str, expected_version: int | None) -> None:
    """A further navigator: chosen by those who may reassign, among those they may assign."""
    policy.ensure_reassigner(work.actor)
    name = validation.text(username, "navigator", max_length=64, required=True, single_line=True)
    staff = case_worker(work, work.actor, name, field="navigator")
    case_id = saved_id(case)
    if staff.id == case.primary_worker_id:
        raise ValidationError(
            "navigator", f"{staff.username} is the case worker of {case.case_number}"
        )
    before = _navigator_names(work, case_id)
    if staff.username in before:
        raise ValidationError(
            "navigator", f"{staff.username} is already a navigator on {case.case_number}"
        )
    work.session.add(CaseNavigator(case_id=case_id, staff_id=saved_id(staff)))
    work.session.flush()
    _save(work, case, expected_version, "case.navigator_assign", "navigator", None,
          staff.username, {}, navigators=(before, _navigator_names(work, case_id)))  # fmt: skip
    tell_assigned(work, case_id, saved_id(staff), "navigator", case.version)


def _remove_navigator(work: Work, case: Case, username: str, expected_version: int | None) -> None:
    policy.ensure_reassigner(work.actor)
    case_id = saved_id(case)
    before = _navigator_names(work, case_id)
    name = username.strip()
    if name not in before:
        raise ValidationError(
            "navigator", f"{name[:64]!r} is not a navigator on {case.case_number}"
        )
    staff = find_by_username(work.session, name)
    assert staff is not None  # a navigator of the case is a staff member
    work.session.execute(
        delete(CaseNavigator).where(
            col(CaseNavigator.case_id) == case_id, col(CaseNavigator.staff_id) == staff.id
        )
    )
    _save(work, case, expected_version, "case.navigator_unassign", "navigator", name, None,
          {}, navigators=(before, _navigator_names(work, case_id)))  # fmt: skip


def _write_tags(work: Work, case: Case, tags: list[str] | tuple[str, ...]) -> None:
    case_id = saved_id(case)
    before = work.cases.tags_for([case_id]).get(case_id, [])
    new = _tags(tags)
    work.session.execute(delete(CaseTag).where(col(CaseTag.case_id) == case_id))
    work.session.add_all(CaseTag(case_id=case_id, tag=t) for t in new)
    audit.record(
        work, work.actor, "case.tags", "case", case_id, case_id=case_id, before={"tags": before},
        after={"tags": new},
    )  # fmt: skip


Change = Callable[[Work, Case], None]


@retry_collisions
def _change(db: Database, actor: Actor, case_number: str, change: Change) -> CaseDetail:
    """One change of the case with this number, in a unit of work of its own."""
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        change(work, case)
        work.commit()
        return work.cases.detail(saved_id(case))


def change_status(
    db: Database,
    actor: Actor,
    case_number: str,
    status: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    return _change(db, actor, case_number, lambda w, c: _set_status(w, c, status, expected_version))


def change_concern(
    db: Database,
    actor: Actor,
    case_number: str,
    concern: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    return _change(
        db, actor, case_number, lambda w, c: _set_concern(w, c, concern, expected_version)
    )


def reassign(
    db: Database,
    actor: Actor,
    case_number: str,
    worker: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    """A new primary worker; the case moves to that worker's team."""
    policy.ensure_reassigner(actor)
    return _change(db, actor, case_number, lambda w, c: _set_worker(w, c, worker, expected_version))


def change_case_number(
    db: Database,
    actor: Actor,
    case_number: str,
    new_number: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    """A new number; the old one is kept as a former number of the case."""
    policy.ensure_grant(actor, Grant.CASE_NUMBERS, "changing a case number")
    try:
        return _change(
            db, actor, case_number, lambda w, c: _set_number(w, c, new_number, expected_version)
        )
    except IntegrityError as exc:
        raise Conflict(f"case number {new_number.strip()} is already in use") from exc


def assign_navigator(
    db: Database,
    actor: Actor,
    number: str,
    username: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    policy.ensure_reassigner(actor)
    return _change(db, actor, number, lambda w, c: _add_navigator(w, c, username, expected_version))


def unassign_navigator(
    db: Database,
    actor: Actor,
    number: str,
    username: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    policy.ensure_reassigner(actor)
    return _change(
        db, actor, number, lambda w, c: _remove_navigator(w, c, username, expected_version)
    )


def set_tags(db: Database, actor: Actor, case_number: str, tags: list[str]) -> CaseDetail:
    return _change(db, actor, case_number, lambda w, c: _write_tags(w, c, tags))


def _changed_tags(work: Work, case: Case, changes: CaseChanges) -> list[str]:
    current = work.cases.tags_for([saved_id(case)]).get(saved_id(case), [])
    removing = _tags(changes.remove_tags)
    missing = [t for t in removing if t not in current]
    if missing:
        raise ValidationError("tag", f"{missing[0]!r} is not a tag of case {case.case_number}")
    return [t for t in current if t not in removing] + _tags(changes.add_tags)


@retry_collisions
def edit_case(db: Database, actor: Actor, number: str, changes: CaseChanges) -> CaseDetail:
    """Every change asked for, in one transaction: if any is refused, none is made."""
    if changes.worker is not None or changes.add_navigators or changes.remove_navigators:
        policy.ensure_reassigner(actor)
    if changes.number is not None:
        policy.ensure_grant(actor, Grant.CASE_NUMBERS, "changing a case number")
    with writing(db, actor) as work:
        case = writable_case_by_number(work, number)
        if changes.status is not None:
            _set_status(work, case, changes.status, None)
        if changes.concern is not None:
            _set_concern(work, case, changes.concern, None)
        if changes.pathway is not None:
            _set_pathway(work, case, changes.pathway, None)
        if changes.worker is not None:
            _set_worker(work, case, changes.worker, None)
        for username in dict.fromkeys(changes.remove_navigators):
            _remove_navigator(work, case, username, None)
        for username in dict.fromkeys(changes.add_navigators):
            _add_navigator(work, case, username, None)
        if changes.add_tags or changes.remove_tags:
            _write_tags(work, case, _changed_tags(work, case, changes))
        if changes.number is not None:
            _set_number(work, case, changes.number, None)
        try:
            work.commit()
        except IntegrityError as exc:
            raise Conflict(f"case number {case.case_number} is already in use") from exc
        return work.cases.detail(saved_id(case))
