"""Organisation settings and lists: the same for everyone in the organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from casetui.domain.enums import ContactType, ListKind
from casetui.domain.models import CaseNote, OrganisationListItem, OrganisationSettings
from casetui.domain.read_models.settings import ListItemView, SettingsView


def load_settings(session: Session) -> SettingsView:
    row = session.get(OrganisationSettings, 1) or OrganisationSettings(id=1)
    lists: dict[str, list[str]] = {kind.value: [] for kind in ListKind}
    # Read in every unit of work that needs a setting: the three columns used, as plain rows,
    # not a hundred list items built as ORM objects and tracked by the session.
    items = session.execute(
        select(
            col(OrganisationListItem.kind),
            col(OrganisationListItem.value),
            col(OrganisationListItem.requires_signoff),
        )
        .where(OrganisationListItem.active == True)  # noqa: E712
        .order_by(col(OrganisationListItem.kind), col(OrganisationListItem.position))
    )
    signoff: list[str] = []
    for kind, value, requires_signoff in items:
        lists.setdefault(kind, []).append(value)
        if kind == ListKind.ACTIVITY_TYPE.value and requires_signoff:
            signoff.append(value)
    return SettingsView(
        name=row.name,
        lock_days=row.lock_days,
        time_zone=row.time_zone,
        weight_low=row.weight_low,
        weight_medium=row.weight_medium,
        weight_high=row.weight_high,
        paused_factor=row.paused_factor,
        case_number_prefix=row.case_number_prefix,
        activity_types=tuple(lists[ListKind.ACTIVITY_TYPE.value]),
        client_types=tuple(lists[ListKind.CLIENT_TYPE.value]),
        warning_indicators=tuple(lists[ListKind.WARNING_INDICATOR.value]),
        pathways=tuple(lists[ListKind.PATHWAY.value]),
        groups=tuple(lists[ListKind.GROUP.value]),
        service_types=tuple(lists[ListKind.SERVICE_TYPE.value]),
        funding_grants=tuple(lists[ListKind.FUNDING_GRANT.value]),
        outcome_stages=tuple(lists[ListKind.OUTCOME_STAGE.value]),
        audit_criteria=tuple(lists[ListKind.AUDIT_CRITERION.value]),
        stale_days=row.stale_days,
        notify_closed_clients=row.notify_closed_clients,
        date_order=row.date_order,
        currency=row.currency,
        attachment_limit_mb=row.attachment_limit_mb,
        smtp_host=row.smtp_host,
        smtp_port=row.smtp_port,
        smtp_tls=row.smtp_tls,
        smtp_username=row.smtp_username,
        smtp_sender=row.smtp_sender,
        confidentiality_notice=row.confidentiality_notice,
        version=row.version,
        contact_types=tuple(c.value for c in ContactType),
        signoff_activity_types=tuple(signoff),
    )


def item_view(item: OrganisationListItem) -> ListItemView:
    assert item.id is not None
    return ListItemView(
        id=item.id,
        kind=item.kind,
        value=item.value,
        position=item.position,
        retired=not item.active,
        version=item.version,
        requires_signoff=bool(item.requires_signoff),
    )


def list_items(session: Session, kind: ListKind | None = None) -> list[OrganisationListItem]:
    """Every item, retired ones too, in each list's order."""
    query = select(OrganisationListItem)
    if kind is not None:
        query = query.where(col(OrganisationListItem.kind) == kind.value)
    order = (col(OrganisationListItem.kind), col(OrganisationListItem.position))
    return list(session.exec(query.order_by(*order, col(OrganisationListItem.id))))


def find_item(session: Session, kind: ListKind, value: str) -> OrganisationListItem | None:
    """The item of ``kind`` spelt ``value`` however its letters are cased."""
    wanted = value.casefold()
    return next((i for i in list_items(session, kind) if i.value.casefold() == wanted), None)


def notes_created_between(session: Session, after: datetime, until: datetime) -> int:
    """Notes (not deleted, not imported) created after ``after`` up to ``until``: those whose
    lock a change of lock days moves from one side of now to the other."""
    return int(
        session.execute(
            select(func.count())
            .select_from(CaseNote)
            .where(
                col(CaseNote.created_at) > after,
                col(CaseNote.created_at) <= until,
                col(CaseNote.deleted_at).is_(None),
                col(CaseNote.imported) == False,  # noqa: E712 - imported notes lock at once
            )
        ).scalar_one()
    )
