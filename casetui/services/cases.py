"""Cases: open one, change status or concern, reassign, tags, case number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Concern, Grant, Role
from casetui.domain.errors import Conflict, ValidationError
from casetui.domain.limits import CASE_NUMBER_MAX
from casetui.domain.models import (
    NAME_MAX,
    TAG_MAX,
    Case,
    CaseEvent,
    CaseNavigator,
    CaseTag,
    Client,
    Staff,
)
from casetui.domain.read_models import CaseDetail, StaffView
from casetui.domain.storable import storable_id
from casetui.repositories.scope import visible_cases
from casetui.repositories.staff import find_by_username
from casetui.services import audit, policy, validation
from casetui.services.access import holds_work, worker_refusal, writable_case_by_number
from casetui.services.records import save_versioned, saved_id, snapshot
from casetui.services.work import Database, Work, reading, writing

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


def _worker(work: Work, actor: Actor, username: str | None) -> Staff:
    name = username or actor.username
    staff = find_by_username(work.session, name)
    if staff is None:
        raise ValidationError("case worker", f"no active staff member {name[:64]!r}")
    refusal = worker_refusal(actor, staff)
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
    settings = work.settings
    year = work.today().year
    stem = f"{settings.case_number_prefix}-{year}-"
    highest = work.session.execute(
        select(func.max(Case.case_number)).where(col(Case.case_number).like(f"{stem}%"))
    ).scalar_one_or_none()
    sequence = (
        int(highest.rsplit("-", 1)[-1]) + 1
        if highest and highest.rsplit("-", 1)[-1].isdigit()
        else 1
    )
    return f"{stem}{sequence:06d}"


def _event(work: Work, actor: Actor, case: Case, kind: str, before: object, after: object) -> None:
    work.session.add(
        CaseEvent(case_id=saved_id(case), actor_id=actor.id, at=work.now(), kind=kind,
                  before=None if before is None else str(before)[:NAME_MAX],
                  after=None if after is None else str(after)[:NAME_MAX])
    )  # fmt: skip


def _client_for_new_case(work: Work, actor: Actor, client_id: int) -> Client:
    client = work.session.get(Client, client_id) if storable_id(client_id) else None
    if client is not None and actor.role is not Role.ADMINISTRATOR:
        # A client already served by cases out of the actor's sight is not theirs to see.
        cases_of_client = select(col(Case.id)).where(col(Case.client_id) == client.id)
        visible = cases_of_client.where(visible_cases(actor))
        if (
            work.session.execute(cases_of_client.limit(1)).first()
            and not work.session.execute(visible.limit(1)).first()
        ):
            client = None
    if client is None or client.deleted_at is not None:
        raise ValidationError("client", f"no client {client_id} that you can see")
    return client


def open_case(db: Database, actor: Actor, case: CaseInput) -> CaseDetail:
    policy.ensure_writer(actor)
    with writing(db, actor) as work:
        client = _client_for_new_case(work, actor, case.client_id)
        status = validation.one_of(case.status, "status", [s.value for s in CaseStatus])
        concern = validation.one_of(case.concern, "concern", [c.value for c in Concern])
        pathway = (
            validation.one_of(case.pathway, "pathway", work.settings.pathways)
            if case.pathway
            else None
        )
        worker = _worker(work, actor, case.worker)
        if case.case_number:
            policy.ensure_grant(actor, Grant.CASE_NUMBERS, "choosing a case number")
            number = validation.text(
                case.case_number, "case number", max_length=CASE_NUMBER_MAX, required=True,
                single_line=True,
            )  # fmt: skip
        else:
            number = _next_case_number(work)
        if work.cases.case_number_taken(number):
            raise Conflict(f"case number {number} is already in use")
        today = work.today()
        row = Case(
            case_number=number, client_id=saved_id(client), status=status, concern=concern,
            primary_worker_id=worker.id, team_id=worker.team_id, pathway=pathway, opened_on=today,
            closed_on=today if status == CaseStatus.CLOSED.value else None, created_at=work.now(),
        )  # fmt: skip
        taken = f"case number {number} was taken by someone else just now; try again"
        work.session.add(row)
        try:
            work.session.flush()
        except IntegrityError as exc:
            raise Conflict(taken) from exc
        assert row.id is not None
        work.session.add_all(CaseTag(case_id=row.id, tag=t) for t in _tags(case.tags))
        audit.record(work, actor, "case.open", "case", row.id, case_id=row.id, after=snapshot(row))
        try:
            work.commit()
        except IntegrityError as exc:
            raise Conflict(taken) from exc
        return work.cases.detail(row.id)


def _change(
    db: Database,
    actor: Actor,
    case_number: str,
    expected_version: int | None,
    change: Callable[[Work, Case], tuple[str, str, object, object, dict[str, object]]],
) -> CaseDetail:
    """One change of a case: ``change`` checks it and says (action, event kind, old, new,
    values); the case is saved from the version the person saw, with its event and audit."""
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        assert case.id is not None
        action, kind, old, new, values = change(work, case)
        before = snapshot(case)
        save_versioned(work, case, expected_version, values)
        _event(work, actor, case, kind, old, new)
        audit.record(
            work, actor, action, "case", case.id, case_id=case.id, before=before,
            after=snapshot(case),
        )  # fmt: skip
        work.commit()
        return work.cases.detail(case.id)


def change_status(
    db: Database,
    actor: Actor,
    case_number: str,
    status: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    def change(work: Work, case: Case) -> tuple[str, str, object, object, dict[str, object]]:
        new = validation.one_of(status, "status", [s.value for s in CaseStatus])
        if new == case.status:
            raise ValidationError("status", f"case {case_number} is already {new}")
        closed_on: date | None = work.today() if new == CaseStatus.CLOSED.value else None
        return "case.status", "status", case.status, new, {"status": new, "closed_on": closed_on}

    return _change(db, actor, case_number, expected_version, change)


def change_concern(
    db: Database,
    actor: Actor,
    case_number: str,
    concern: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    def change(work: Work, case: Case) -> tuple[str, str, object, object, dict[str, object]]:
        new = validation.one_of(concern, "concern", [c.value for c in Concern])
        if new == case.concern:
            raise ValidationError("concern", f"case {case_number} is already {new}")
        return "case.concern", "concern", case.concern, new, {"concern": new}

    return _change(db, actor, case_number, expected_version, change)


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

    def change(work: Work, case: Case) -> tuple[str, str, object, object, dict[str, object]]:
        staff = _worker(work, actor, worker)
        if staff.id == case.primary_worker_id:
            raise ValidationError(
                "case worker", f"{worker} is already the case worker of {case_number}"
            )
        old = work.session.get(Staff, case.primary_worker_id) if case.primary_worker_id else None
        # The new worker no longer needs a separate navigator entry for the same case.
        work.session.execute(
            delete(CaseNavigator).where(
                col(CaseNavigator.case_id) == case.id, col(CaseNavigator.staff_id) == staff.id
            )
        )
        values: dict[str, object] = {"primary_worker_id": staff.id, "team_id": staff.team_id}
        return "case.reassign", "worker", old.username if old else None, staff.username, values

    return _change(db, actor, case_number, expected_version, change)


def change_case_number(
    db: Database,
    actor: Actor,
    case_number: str,
    new_number: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    policy.ensure_grant(actor, Grant.CASE_NUMBERS, "changing a case number")

    def change(work: Work, case: Case) -> tuple[str, str, object, object, dict[str, object]]:
        number = validation.text(
            new_number, "case number", max_length=CASE_NUMBER_MAX, required=True, single_line=True
        )
        if work.cases.case_number_taken(number):
            raise Conflict(f"case number {number} is already in use")
        return "case.number", "case_number", case.case_number, number, {"case_number": number}

    try:
        return _change(db, actor, case_number, expected_version, change)
    except IntegrityError as exc:
        raise Conflict(f"case number {new_number.strip()} is already in use") from exc


def set_tags(db: Database, actor: Actor, case_number: str, tags: list[str]) -> CaseDetail:
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        assert case.id is not None
        before = work.cases.tags_for([case.id]).get(case.id, [])
        new = _tags(tags)
        work.session.execute(delete(CaseTag).where(col(CaseTag.case_id) == case.id))
        work.session.add_all(CaseTag(case_id=case.id, tag=t) for t in new)
        audit.record(
            work, actor, "case.tags", "case", case.id, case_id=case.id, before={"tags": before},
            after={"tags": new},
        )  # fmt: skip
        work.commit()
        return work.cases.detail(case.id)
