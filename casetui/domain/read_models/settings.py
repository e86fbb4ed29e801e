"""The agency's settings and the items of its lists."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingsView:
    name: str
    lock_days: int
    time_zone: str
    weight_low: float
    weight_medium: float
    weight_high: float
    paused_factor: float
    case_number_prefix: str
    activity_types: tuple[str, ...]
    client_types: tuple[str, ...]
    warning_indicators: tuple[str, ...]
    pathways: tuple[str, ...]
    contact_types: tuple[str, ...]
    groups: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ()
    funding_grants: tuple[str, ...] = ()
    outcome_stages: tuple[str, ...] = ()
    audit_criteria: tuple[str, ...] = ()
    stale_days: int = 30
    notify_closed_clients: bool = False
    date_order: str = "dmy"
    currency: str = "GBP"
    attachment_limit_mb: int = 10
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_username: str | None = None
    smtp_sender: str | None = None
    confidentiality_notice: str = ""  # at the foot of every printed page
    version: int = 1
    # Activity types whose new notes go to a supervisor for sign-off as they are saved.
    signoff_activity_types: tuple[str, ...] = ()

    def weight(self, concern: str) -> float:
        return {"Low": self.weight_low, "Medium": self.weight_medium, "High": self.weight_high}[
            concern
        ]


@dataclass(frozen=True)
class ListItemView:
    """One entry of an organisation list; a retired one stays for the records that use it."""

    id: int
    kind: str  # a ListKind value
    value: str
    position: int
    retired: bool
    version: int
    requires_signoff: bool = False  # activity types: new notes of it go for sign-off


@dataclass(frozen=True)
class SettingsResult:
    """Settings after a change, with what the change means for records already written."""

    settings: SettingsView
    notices: tuple[str, ...] = ()
