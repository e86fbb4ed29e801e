"""How a supportive service and a case's service totals read on screen: amounts with the
organisation's currency, every user string shown literally."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text

from casetui.domain.money import format_money
from casetui.domain.read_models.supportive_services import ServiceTotals, ServiceView
from casetui.tui.widgets.case_text import long_date
from casetui.tui.widgets.timeline_list import visible


def given_on(service: ServiceView) -> str:
    day = service.provided_on
    return f"{day:%a} {day.day} {day:%b %Y}"


def service_lines(service: ServiceView, currency: str, zone: ZoneInfo) -> list[Text]:
    """A service opened on the timeline: what, when, from whom, how much, from which grant,
    why, and who recorded it."""
    head = Text()
    head.append(visible(service.service_type), style="bold")
    head.append(f" · {format_money(service.amount, currency)}", style="bold")
    given = f"Given {given_on(service)} by {service.provider}"
    grant = f"Paid from {service.grant}" if service.grant else "Paid from no grant"
    recorded = f"Recorded by {service.author_name} ({service.author}) {long_date(service.created_at, zone)}"
    if service.version > 1:
        recorded += f" · changed {long_date(service.updated_at, zone)}"
    return [
        head,
        Text(visible(given)),
        Text(visible(grant)),
        Text(visible(f"Justification: {service.justification}", keep_newlines=True)),
        Text(visible(recorded), style="dim"),
    ]


def totals_text(totals: ServiceTotals, currency: str) -> Text:
    """``Total £42.50 · 3 services`` and a line per grant."""
    count = f"{totals.services} service{'' if totals.services == 1 else 's'}"
    text = Text()
    text.append(f"Total {format_money(totals.amount, currency)}", style="bold")
    text.append(f" · {count}")
    for grant in totals.by_grant:
        name = visible(grant.grant) if grant.grant else "No grant"
        each = f"{grant.services} service{'' if grant.services == 1 else 's'}"
        text.append(f"\n  {name}: {format_money(grant.amount, currency)} ({each})")
    return text
