"""Organisation settings and lists: the same for everyone in the organisation."""

from __future__ import annotations

from sqlmodel import Session, col, select

from casetui.domain.enums import ContactType, ListKind
from casetui.domain.models import OrganisationListItem, OrganisationSettings
from casetui.domain.read_models import SettingsView


def load_settings(session: Session) -> SettingsView:
    row = session.get(OrganisationSettings, 1) or OrganisationSettings(id=1)
    lists: dict[str, list[str]] = {kind.value: [] for kind in ListKind}
    items = session.exec(
        select(OrganisationListItem)
        .where(OrganisationListItem.active == True)  # noqa: E712
        .order_by(col(OrganisationListItem.kind), col(OrganisationListItem.position))
    )
    for item in items:
        lists.setdefault(item.kind, []).append(item.value)
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
        version=row.version,
        contact_types=tuple(c.value for c in ContactType),
    )
