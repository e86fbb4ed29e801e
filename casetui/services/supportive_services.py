"""Supportive services on a case: what was given, when, by which provider, for how much, from
which grant, and why.

Anyone who may write the case records one; whoever recorded it, a supervisor or an
administrator may edit or delete it (the rule notes follow). Services are not locked: the
lock protects what was written about a person, while a service is a payment that is put
right when the receipt comes in. Every change is audited with its before and after, and saved
only from the version the editor saw, so two people correcting one service never overwrite
each other unseen. Deleting is soft: the service leaves the case and its totals, and stays in
the database and the audit trail.

Amounts are exact decimals (``domain/money.py``), totals are added up by the database
(``repositories/supportive_services.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from casetui.domain.actor import Actor
from casetui.domain.dates import parse_date
from casetui.domain.enums import Role
from casetui.domain.errors import NotFound, PermissionDenied, ValidationError
from casetui.domain.limits import DETAILS_MAX, NAME_MAX
from casetui.domain.models import Case, SupportiveService
from casetui.domain.money import parse_amount
from casetui.domain.read_models.cases import CaseDetail
from casetui.domain.read_models.supportive_services import ServiceTotals, ServiceView
from casetui.domain.timeline import SERVICE, TimelineEntry
from casetui.services import audit, policy, validation
from casetui.services.access import (
    CaseAccess,
    case_access,
    writable_case_by_number,
    writable_case_of,
)
from casetui.services.exports import record_export
from casetui.services.records import save_versioned, saved_id, snapshot
from casetui.services.work import Database, Work, reading, retry_collisions, writing

__all__ = [
    "CaseServices", "ServiceChanges", "ServiceEditorContext", "ServiceInput", "add_service",
    "case_services", "delete_service", "edit_service", "list_services", "may_add_service",
    "may_change_service", "open_service", "service_editor_context", "service_totals",
]  # fmt: skip


@dataclass(frozen=True)
class ServiceInput:
    """A new service as typed: the date as people write dates, the amount as text."""

    service_type: str
    provided_on: str | date
    provider: str
    amount: str | Decimal
    justification: str
    grant: str | None = None  # None or "": paid from no grant


@dataclass(frozen=True)
class ServiceChanges:
    """An edit: only the fields given change; ``grant=""`` takes the grant off."""

    service_type: str | None = None
    provided_on: str | date | None = None
    provider: str | None = None
    amount: str | Decimal | None = None
    grant: str | None = None
    justification: str | None = None


@dataclass(frozen=True)
class ValidService:
    service_type: str
    provided_on: date
    provider: str
    amount: Decimal
    grant: str | None
    justification: str


# --- who may ---------------------------------------------------------------------------------


class RecordedService(Protocol):
    """What the rule reads of a service: a table row or a timeline entry will do."""

    @property
    def id(self) -> int | None: ...
    @property
    def author_id(self) -> int | None: ...


def ensure_may_change_service(actor: Actor, service: RecordedService) -> None:
    """Someone else's service is changed by supervisors and administrators only, as notes are."""
    if actor.role in (Role.SUPERVISOR, Role.ADMINISTRATOR) or service.author_id == actor.id:
        return
    raise PermissionDenied(
        f"supportive service {service.id} was recorded by someone else; only whoever recorded "
        "it, a supervisor or an administrator may change it"
    )


def may_add_service(access: CaseAccess) -> bool:
    return access.write


def may_change_service(access: CaseAccess, entry: TimelineEntry | ServiceView | None) -> bool:
    """Edit or delete this service: the screens ask this rather than keep a copy of it."""
    if entry is None or not access.write:
        return False
    if isinstance(entry, TimelineEntry) and entry.kind != SERVICE:
        return False
    return policy.can(ensure_may_change_service, access.actor, entry)


# --- the fields ------------------------------------------------------------------------------


def _from_list(value: str | None, field: str, offered: tuple[str, ...], kind: str) -> str:
    if not offered:
        raise ValidationError(
            field,
            f"the organisation has no {kind.replace('_', ' ')} yet; an administrator adds them "
            f"(Administration, Lists, or casetui lists add {kind} VALUE)",
        )
    return validation.one_of(value, field, offered)


def _service_type(work: Work, value: str | None, keep: str | None = None) -> str:
    """One of the organisation's service types; a retired one only as the record had it."""
    if keep is not None and (value or "").strip().casefold() == keep.casefold():
        return keep
    return _from_list(value, "service type", work.settings.service_types, "service_types")


def _grant(work: Work, value: str | None, keep: str | None = None) -> str | None:
    """None for no grant, else one of the organisation's grants (a retired one only as kept)."""
    if value is None or not value.strip():
        return None
    if keep is not None and value.strip().casefold() == keep.casefold():
        return keep
    return _from_list(value, "grant", work.settings.funding_grants, "grants")


def _provided_on(work: Work, value: str | date | None) -> date:
    today = work.today()
    day = (
        value
        if isinstance(value, date)
        else parse_date(value or "", today, prefer="past", field="date")
    )
    if day > today:
        raise ValidationError(
            "date", f"{day.isoformat()} is in the future; record a service once it is given"
        )
    return day


def _provider(value: str | None) -> str:
    return validation.text(value, "provider", max_length=NAME_MAX, required=True, single_line=True)


def _justification(value: str | None) -> str:
    return validation.text(value, "justification", max_length=DETAILS_MAX, required=True)


def validate_service(work: Work, service: ServiceInput) -> ValidService:
    """Every field of a new service checked, every refusal named at once."""
    fields = validation.Fields()
    valid = ValidService(
        service_type=fields.check(_service_type, work, service.service_type),
        provided_on=fields.check(_provided_on, work, service.provided_on),
        provider=fields.check(_provider, service.provider),
        amount=fields.check(parse_amount, service.amount, work.settings.currency),
        grant=fields.check(_grant, work, service.grant),
        justification=fields.check(_justification, service.justification),
    )
    fields.done()
    return valid


# --- writing ---------------------------------------------------------------------------------


def _view(work: Work, service_id: int) -> ServiceView:
    return work.supportive_services.views(service_ids=[service_id], include_deleted=True)[0]


@retry_collisions
def add_service(db: Database, actor: Actor, case_number: str, service: ServiceInput) -> ServiceView:
    """One supportive service on one case."""
    with writing(db, actor) as work:
        case = writable_case_by_number(work, case_number)
        assert case.id is not None
        valid = validate_service(work, service)
        now = work.now()
        row = SupportiveService(
            case_id=case.id,
            author_id=actor.id,
            service_type=valid.service_type,
            provided_on=valid.provided_on,
            provider=valid.provider,
            amount=valid.amount,
            grant=valid.grant,
            justification=valid.justification,
            created_at=now,
            updated_at=now,
        )
        work.session.add(row)
        work.session.flush()
        audit.record(
            work, actor, "service.add", "supportive_service", row.id, case_id=case.id,
            after=snapshot(row),
        )  # fmt: skip
        work.commit()
        return _view(work, saved_id(row))


def _changeable(work: Work, actor: Actor, service_id: int) -> tuple[SupportiveService, Case]:
    service = work.supportive_services.get(service_id)
    case = writable_case_of(work, service)
    ensure_may_change_service(actor, service)
    return service, case


def _save(
    work: Work,
    service: SupportiveService,
    case: Case,
    expected_version: int | None,
    values: dict[str, object],
    action: str,
) -> ServiceView:
    before = snapshot(service)
    save_versioned(work, service, expected_version, {**values, "updated_at": work.now()})
    audit.record(
        work, work.actor, f"service.{action}", "supportive_service", service.id,
        case_id=case.id, before=before, after=snapshot(service),
    )  # fmt: skip
    work.commit()
    return _view(work, saved_id(service))


def edit_service(
    db: Database,
    actor: Actor,
    service_id: int,
    changes: ServiceChanges,
    *,
    expected_version: int | None = None,
) -> ServiceView:
    """Change the fields given, from the version the person saw; audited before and after."""
    with writing(db, actor) as work:
        service, case = _changeable(work, actor, service_id)
        fields = validation.Fields()
        values: dict[str, object] = {}
        if changes.service_type is not None:
            values["service_type"] = fields.check(
                _service_type, work, changes.service_type, service.service_type
            )
        if changes.provided_on is not None:
            values["provided_on"] = fields.check(_provided_on, work, changes.provided_on)
        if changes.provider is not None:
            values["provider"] = fields.check(_provider, changes.provider)
        if changes.amount is not None:
            values["amount"] = fields.check(parse_amount, changes.amount, work.settings.currency)
        if changes.grant is not None:
            values["grant"] = fields.check(_grant, work, changes.grant, service.grant)
        if changes.justification is not None:
            values["justification"] = fields.check(_justification, changes.justification)
        fields.done()
        current = snapshot(service)
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            raise ValidationError("supportive service", "nothing to change")
        return _save(work, service, case, expected_version, changed, "edit")


def delete_service(
    db: Database, actor: Actor, service_id: int, *, expected_version: int | None = None
) -> ServiceView:
    """Soft delete: gone from the case and its totals, kept in the database and the trail."""
    with writing(db, actor) as work:
        service, case = _changeable(work, actor, service_id)
        return _save(work, service, case, expected_version, {"deleted_at": work.now()}, "delete")


# --- reading ---------------------------------------------------------------------------------


def list_services(
    db: Database, actor: Actor, case_number: str, *, export: bool = False
) -> list[ServiceView]:
    """A case's services, the latest given first; ``export`` records the list as an export."""
    with reading(db, actor) as work:
        case = work.cases.get_by_number(case_number)
        assert case.id is not None
        case_id = case.id
        views = work.supportive_services.views(case_id=case_id)
    if export:
        with writing(db, actor) as work:
            record_export(
                work, actor, "services", len(views), {"case": case_number}, case_id=case_id
            )
            work.commit()
    return views


def service_totals(db: Database, actor: Actor, case_number: str) -> ServiceTotals:
    """What a case's services add up to, overall and per grant."""
    with reading(db, actor) as work:
        case = work.cases.get_by_number(case_number)
        assert case.id is not None
        return work.supportive_services.totals(case.id)


def open_service(db: Database, actor: Actor, service_id: int) -> ServiceView:
    with reading(db, actor) as work:
        service = work.supportive_services.get(service_id)
        return _view(work, saved_id(service))


@dataclass(frozen=True)
class CaseServices:
    """The services panel: the case, its services, their totals, and what the actor may do."""

    case: CaseDetail
    services: list[ServiceView]
    totals: ServiceTotals
    currency: str
    access: CaseAccess


def case_services(db: Database, actor: Actor, case_id: int) -> CaseServices:
    with reading(db, actor) as work:
        return CaseServices(
            case=work.cases.detail(case_id),
            services=work.supportive_services.views(case_id=case_id),
            totals=work.supportive_services.totals(case_id),
            currency=work.settings.currency,
            access=case_access(work, case_id),
        )


@dataclass(frozen=True)
class ServiceEditorContext:
    """What the service editor offers before the first keystroke."""

    case: CaseDetail
    service_types: tuple[str, ...]  # the active ones, and a retired one the service has
    grants: tuple[str, ...]
    currency: str
    today: date
    now: datetime
    access: CaseAccess
    service: ServiceView | None


def service_editor_context(
    db: Database, actor: Actor, case_id: int, service_id: int | None = None
) -> ServiceEditorContext:
    with reading(db, actor) as work:
        service = None
        if service_id is not None:
            found = work.supportive_services.views(service_ids=[service_id])
            if not found or found[0].case_id != case_id:
                raise NotFound(f"no supportive service {service_id} on this case")
            service = found[0]
        types, grants = work.settings.service_types, work.settings.funding_grants
        if service is not None and service.service_type not in types:
            types = (*types, service.service_type)  # retired since: still shown as it is
        if service is not None and service.grant and service.grant not in grants:
            grants = (*grants, service.grant)
        return ServiceEditorContext(
            case=work.cases.detail(case_id),
            service_types=types,
            grants=grants,
            currency=work.settings.currency,
            today=work.today(),
            now=work.now(),
            access=case_access(work, case_id),
            service=service,
        )
