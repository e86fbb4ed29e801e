"""Cases: open one, change status or concern, reassign, tags, case number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from casetui.db.uow import UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.enums import CaseStatus, Concern, Grant, Role
from casetui.domain.errors import Conflict, ValidationError
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
from casetui.domain.read_models import CaseDetail
from casetui.domain.storable import storable_id
from casetui.repositories.cases import CaseRepository
from casetui.repositories.scope import visible_cases
from casetui.repositories.staff import find_by_username
from casetui.services import audit, context, policy, stale, validation

CASE_NUMBER_MAX = 40
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


def case_snapshot(case: Case) -> dict[str, object]:
    return {
        "case_number": case.case_number,
        "status": case.status,
        "concern": case.concern,
        "primary_worker_id": case.primary_worker_id,
        "team_id": case.team_id,
        "pathway": case.pathway,
        "closed_on": case.closed_on,
        "version": case.version,
    }


def _worker(uow: UnitOfWork, actor: Actor, username: str | None) -> Staff:
    name = username or actor.username
    staff = find_by_username(uow.session, name)
    if staff is None or not staff.active:
        raise ValidationError("case worker", f"no active staff member {name[:64]!r}")
    if staff.role == Role.AUDITOR.value:
        raise ValidationError("case worker", f"{name} is an auditor and cannot hold cases")
    if actor.role is Role.CASEWORKER and staff.id != actor.id:
        raise policy.PermissionDenied(
            "caseworkers open cases for themselves; a supervisor can assign others"
        )
    if actor.role is Role.SUPERVISOR and staff.team_id != actor.team_id:
        raise policy.PermissionDenied(f"{name} is not in your team")
    return staff


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


def _next_case_number(uow: UnitOfWork) -> str:
    settings = context.settings(uow)
    year = context.today(uow).year
    stem = f"{settings.case_number_prefix}-{year}-"
    highest = uow.session.execute(
        select(func.max(Case.case_number)).where(Case.case_number.like(f"{stem}%"))  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    sequence = (
        int(highest.rsplit("-", 1)[-1]) + 1
        if highest and highest.rsplit("-", 1)[-1].isdigit()
        else 1
    )
    return f"{stem}{sequence:06d}"


def _event(
    uow: UnitOfWork, actor: Actor, case: Case, kind: str, before: object, after: object
) -> None:
    uow.session.add(
        CaseEvent(case_id=case.id, actor_id=actor.id, at=uow.now(), kind=kind,  # type: ignore[arg-type]
                  before=None if before is None else str(before)[:NAME_MAX],
                  after=None if after is None else str(after)[:NAME_MAX])
    )  # fmt: skip


def open_case(uow: UnitOfWork, actor: Actor, case: CaseInput) -> CaseDetail:
    policy.ensure_writer(actor)
    client = uow.session.get(Client, case.client_id) if storable_id(case.client_id) else None
    if client is not None and actor.role is not Role.ADMINISTRATOR:
        # A client already served by cases out of the actor's sight is not theirs to see.
        cases_of_client = select(Case.id).where(Case.client_id == client.id)
        visible = cases_of_client.where(visible_cases(actor))
        if (
            uow.session.execute(cases_of_client.limit(1)).first()
            and not uow.session.execute(visible.limit(1)).first()
        ):
            client = None
    if client is None or client.deleted_at is not None:
        raise ValidationError("client", f"no client {case.client_id} that you can see")
    status = validation.one_of(case.status, "status", [s.value for s in CaseStatus])
    concern = validation.one_of(case.concern, "concern", [c.value for c in Concern])
    pathway = (
        validation.one_of(case.pathway, "pathway", context.settings(uow).pathways)
        if case.pathway
        else None
    )
    worker = _worker(uow, actor, case.worker)
    if case.case_number:
        policy.ensure_grant(actor, Grant.CASE_NUMBERS, "choosing a case number")
        number = validation.text(
            case.case_number,
            "case number",
            max_length=CASE_NUMBER_MAX,
            required=True,
            single_line=True,
        )
    else:
        number = _next_case_number(uow)
    if CaseRepository(uow.session, actor).case_number_taken(number):
        raise Conflict(f"case number {number} is already in use")
    today = context.today(uow)
    row = Case(
        case_number=number, client_id=client.id, status=status, concern=concern,  # type: ignore[arg-type]
        primary_worker_id=worker.id, team_id=worker.team_id, pathway=pathway, opened_on=today,
        closed_on=today if status == CaseStatus.CLOSED.value else None, created_at=uow.now(),
    )  # fmt: skip
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"case number {number} was taken by someone else just now; try again"
        ) from exc
    uow.session.add_all(CaseTag(case_id=row.id, tag=t) for t in _tags(case.tags))  # type: ignore[arg-type]
    audit.record(uow, actor, "case.open", "case", row.id, case_id=row.id, after=case_snapshot(row))
    try:
        uow.commit()
    except IntegrityError as exc:
        raise Conflict(
            f"case number {number} was taken by someone else just now; try again"
        ) from exc
    return CaseRepository(uow.session, actor).detail(row.id)  # type: ignore[arg-type]


def _writable_case(uow: UnitOfWork, actor: Actor, case_number: str) -> Case:
    cases = CaseRepository(uow.session, actor)
    case = cases.get_by_number(case_number)
    policy.ensure_case_writer(actor, case, assigned=cases.is_assigned(case.id))  # type: ignore[arg-type]
    return case


def _save(
    uow: UnitOfWork,
    actor: Actor,
    case: Case,
    expected_version: int | None,
    values: dict[str, object],
) -> None:
    version = case.version if expected_version is None else expected_version
    result = uow.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == version)
        .values(**values, version=version + 1)  # type: ignore[arg-type]
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now = uow.session.execute(
            select(Case.version).where(Case.id == case.id)
        ).scalar_one_or_none()  # type: ignore[call-overload]
        raise stale.case_refused(uow, actor, case.id, case.case_number, now=now)  # type: ignore[arg-type]
    uow.session.refresh(case)


def change_status(
    uow: UnitOfWork,
    actor: Actor,
    case_number: str,
    status: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    case = _writable_case(uow, actor, case_number)
    new = validation.one_of(status, "status", [s.value for s in CaseStatus])
    if new == case.status:
        raise ValidationError("status", f"case {case_number} is already {new}")
    before = case_snapshot(case)
    closed_on: date | None = context.today(uow) if new == CaseStatus.CLOSED.value else None
    _save(uow, actor, case, expected_version, {"status": new, "closed_on": closed_on})
    _event(uow, actor, case, "status", before["status"], new)
    audit.record(
        uow,
        actor,
        "case.status",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=case_snapshot(case),
    )
    uow.commit()
    return CaseRepository(uow.session, actor).detail(case.id)  # type: ignore[arg-type]


def change_concern(
    uow: UnitOfWork,
    actor: Actor,
    case_number: str,
    concern: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    case = _writable_case(uow, actor, case_number)
    new = validation.one_of(concern, "concern", [c.value for c in Concern])
    if new == case.concern:
        raise ValidationError("concern", f"case {case_number} is already {new}")
    before = case_snapshot(case)
    _save(uow, actor, case, expected_version, {"concern": new})
    _event(uow, actor, case, "concern", before["concern"], new)
    audit.record(
        uow,
        actor,
        "case.concern",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=case_snapshot(case),
    )
    uow.commit()
    return CaseRepository(uow.session, actor).detail(case.id)  # type: ignore[arg-type]


def reassign(
    uow: UnitOfWork,
    actor: Actor,
    case_number: str,
    worker: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    """A new primary worker; the case moves to that worker's team."""
    policy.ensure_reassigner(actor)
    case = _writable_case(uow, actor, case_number)
    staff = _worker(uow, actor, worker)
    if staff.id == case.primary_worker_id:
        raise ValidationError(
            "case worker", f"{worker} is already the case worker of {case_number}"
        )
    before = case_snapshot(case)
    old = uow.session.get(Staff, case.primary_worker_id) if case.primary_worker_id else None
    _save(
        uow,
        actor,
        case,
        expected_version,
        {"primary_worker_id": staff.id, "team_id": staff.team_id},
    )
    # The new worker no longer needs a separate navigator entry for the same case.
    uow.session.execute(CaseNavigator.__table__.delete().where(  # type: ignore[attr-defined]
        CaseNavigator.case_id == case.id, CaseNavigator.staff_id == staff.id))  # fmt: skip
    _event(uow, actor, case, "worker", old.username if old else None, staff.username)
    audit.record(
        uow,
        actor,
        "case.reassign",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=case_snapshot(case),
    )
    uow.commit()
    return CaseRepository(uow.session, actor).detail(case.id)  # type: ignore[arg-type]


def set_tags(uow: UnitOfWork, actor: Actor, case_number: str, tags: list[str]) -> CaseDetail:
    case = _writable_case(uow, actor, case_number)
    cases = CaseRepository(uow.session, actor)
    before = cases.tags_for([case.id]).get(case.id, [])  # type: ignore[list-item,arg-type]
    new = _tags(tags)
    uow.session.execute(CaseTag.__table__.delete().where(CaseTag.case_id == case.id))  # type: ignore[attr-defined]
    uow.session.add_all(CaseTag(case_id=case.id, tag=t) for t in new)  # type: ignore[arg-type]
    audit.record(
        uow,
        actor,
        "case.tags",
        "case",
        case.id,
        case_id=case.id,
        before={"tags": before},
        after={"tags": new},
    )
    uow.commit()
    return cases.detail(case.id)  # type: ignore[arg-type]


def change_case_number(
    uow: UnitOfWork,
    actor: Actor,
    case_number: str,
    new_number: str,
    *,
    expected_version: int | None = None,
) -> CaseDetail:
    policy.ensure_grant(actor, Grant.CASE_NUMBERS, "changing a case number")
    case = _writable_case(uow, actor, case_number)
    number = validation.text(
        new_number, "case number", max_length=CASE_NUMBER_MAX, required=True, single_line=True
    )
    if CaseRepository(uow.session, actor).case_number_taken(number):
        raise Conflict(f"case number {number} is already in use")
    before = case_snapshot(case)
    try:
        _save(uow, actor, case, expected_version, {"case_number": number})
    except IntegrityError as exc:
        raise Conflict(f"case number {number} is already in use") from exc
    _event(uow, actor, case, "case_number", before["case_number"], number)
    audit.record(
        uow,
        actor,
        "case.number",
        "case",
        case.id,
        case_id=case.id,
        before=before,
        after=case_snapshot(case),
    )
    uow.commit()
    return CaseRepository(uow.session, actor).detail(case.id)  # type: ignore[arg-type]
