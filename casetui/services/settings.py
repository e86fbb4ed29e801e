"""Organisation settings: read by everyone (the forms need them), changed and shown in full by
administrators.

A change is versioned and audited, and says what it means for what is already written:
shorter lock days lock more notes at once, a new time zone moves how times are shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from casetui.domain.actor import Actor
from casetui.domain.errors import ValidationError
from casetui.domain.limits import NAME_MAX, NOTICE_MAX
from casetui.domain.models import OrganisationSettings
from casetui.domain.read_models.settings import SettingsResult, SettingsView
from casetui.domain.storable import printable
from casetui.repositories.settings import notes_created_between
from casetui.services import audit, policy, validation
from casetui.services.exports import exported
from casetui.services.records import save_versioned, snapshot, stale
from casetui.services.work import Database, Work, reading, writing

# The names ``settings show`` and ``settings set`` use, in the order they are shown.
SETTING_KEYS = (
    "name", "lock_days", "time_zone", "weight_low", "weight_medium", "weight_high",
    "paused_factor", "case_number_prefix", "stale_days", "notify_closed_clients", "date_order",
    "currency", "attachment_limit_mb", "smtp_host", "smtp_port", "smtp_tls", "smtp_username",
    "smtp_sender", "confidentiality_notice",
)  # fmt: skip
DATE_ORDERS = ("dmy", "mdy", "ymd")
SMTP_TLS_MODES = ("none", "starttls", "tls")
YES = ("yes", "y", "true", "on", "1")
NO = ("no", "n", "false", "off", "0")
WEIGHT_MAX = 168.0  # hours a week
ADDRESS_MAX = 254
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HOST = re.compile(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]")
MANAGING = "changing organisation settings"


@dataclass(frozen=True)
class SettingsChanges:
    """None leaves a setting as it is; for the optional mail server fields "" clears one."""

    lock_days: int | None = None
    time_zone: str | None = None
    weight_low: float | None = None
    weight_medium: float | None = None
    weight_high: float | None = None
    paused_factor: float | None = None
    name: str | None = None
    case_number_prefix: str | None = None
    stale_days: int | None = None
    notify_closed_clients: bool | None = None
    date_order: str | None = None
    currency: str | None = None
    attachment_limit_mb: int | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_tls: str | None = None
    smtp_username: str | None = None
    smtp_sender: str | None = None
    confidentiality_notice: str | None = None


def field_name(key: str) -> str:
    """How a refusal names a setting: ``lock_days`` is "lock days"."""
    return key.replace("_", " ")


# --- reading ---------------------------------------------------------------------------------


def get_settings(db: Database, actor: Actor) -> SettingsView:
    with reading(db, actor) as work:
        return work.settings


def show_settings(db: Database, actor: Actor, *, export: bool = False) -> SettingsView:
    """Every setting, mail server included: administrators."""
    policy.ensure_administrator(actor, "the organisation's settings")
    view = get_settings(db, actor)
    if export:
        exported(db, actor, "settings", 1)
    return view


def setting_values(view: SettingsView) -> dict[str, object]:
    """The settings by their ``settings set`` names: numbers as numbers, yes/no as booleans."""
    return {key: getattr(view, key) for key in SETTING_KEYS}


# --- each setting, checked -------------------------------------------------------------------


def _whole(value: object, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field_name(key), f"must be a whole number from {low} to {high:,}")
    return value


def _number(value: object, key: str, low: float, high: float, unit: str = "") -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ValidationError(field_name(key), f"must be between {low:g} and {high:g}{unit}")
    return float(value)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zones() -> list[str]:
    """Every IANA time zone name this machine knows, for the settings form's suggestions."""
    return sorted(_known_zones())


def _zone(value: str) -> str:
    zone = validation.text(value, "time zone", max_length=64, required=True, single_line=True)
    known = _known_zones()
    if known and zone not in known:
        raise ValidationError("time zone", f"{zone!r} is not a known time zone")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ValidationError("time zone", f"{zone!r} is not a known time zone") from None
    return zone


def _one_of(value: str, key: str, allowed: tuple[str, ...]) -> str:
    cleaned = validation.text(value, field_name(key), max_length=20, single_line=True).lower()
    if cleaned not in allowed:
        raise ValidationError(field_name(key), f"must be one of: {', '.join(allowed)}")
    return cleaned


def _prefix(value: str) -> str:
    prefix = validation.text(
        value, "case number prefix", max_length=10, required=True, single_line=True
    )
    if not (prefix.isascii() and prefix.isalnum()):
        # Numbers are found by prefix; "%" or "_" would match other series.
        raise ValidationError("case number prefix", "use letters and digits only")
    return prefix


def _currency(value: str) -> str:
    code = validation.text(value, "currency", max_length=3, required=True, single_line=True)
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValidationError("currency", "must be a 3-letter code such as GBP, EUR or USD")
    return code.upper()


def _host(value: str) -> str | None:
    host = validation.optional_text(value, "smtp host", max_length=253)
    if host and not _HOST.fullmatch(host):
        raise ValidationError("smtp host", f"{host[:60]!r} is not a host name or address")
    return host


def _sender(value: str) -> str | None:
    sender = validation.optional_text(value, "smtp sender", max_length=ADDRESS_MAX)
    if sender and not _EMAIL.fullmatch(sender):
        raise ValidationError("smtp sender", f"{sender[:60]!r} is not an email address")
    return sender


def _checked(changes: SettingsChanges) -> dict[str, object]:
    """The changed settings as they will be stored; every refusal gathered, each named."""
    check = validation.Fields()
    values: dict[str, object] = {}

    def put(key: str, checker: object, *args: object) -> None:
        value = getattr(changes, key)
        if value is not None:
            values[key] = check.check(checker, value, *args)  # type: ignore[arg-type]

    put("name", lambda v: validation.text(v, "name", max_length=NAME_MAX, required=True,
                                          single_line=True))  # fmt: skip
    put("lock_days", _whole, "lock_days", 1, 365)
    put("time_zone", _zone)
    for key in ("weight_low", "weight_medium", "weight_high"):
        put(key, _number, key, 0.0, WEIGHT_MAX, " hours a week")
    put("paused_factor", _number, "paused_factor", 0.0, 1.0)
    put("case_number_prefix", _prefix)
    put("stale_days", _whole, "stale_days", 1, 3650)
    if changes.notify_closed_clients is not None:
        if not isinstance(changes.notify_closed_clients, bool):
            check.errors.append(ValidationError("notify closed clients", "must be yes or no"))
        else:
            values["notify_closed_clients"] = changes.notify_closed_clients
    put("date_order", _one_of, "date_order", DATE_ORDERS)
    put("currency", _currency)
    put("attachment_limit_mb", _whole, "attachment_limit_mb", 1, 1024)
    put("smtp_host", _host)
    put("smtp_port", _whole, "smtp_port", 1, 65535)
    put("smtp_tls", _one_of, "smtp_tls", SMTP_TLS_MODES)
    put("smtp_username", lambda v: validation.optional_text(v, "smtp username",
                                                            max_length=ADDRESS_MAX))  # fmt: skip
    put("smtp_sender", _sender)
    put("confidentiality_notice", lambda v: validation.text(v, "confidentiality notice",
        max_length=NOTICE_MAX, required=True, single_line=True))  # fmt: skip
    check.done()
    return values


# --- settings as typed (the command line, the app's form) ------------------------------------


def _typed(key: str, text: str) -> object:
    """A setting typed as text, as the type it is kept in; refused naming the field."""
    field = field_name(key)
    if not isinstance(text, str):
        raise ValidationError(field, "must be text")
    if key in ("lock_days", "stale_days", "attachment_limit_mb", "smtp_port"):
        try:
            return int(text.strip())
        except ValueError:
            raise ValidationError(field, f"{text.strip()[:40]!r} is not a whole number") from None
    if key in ("weight_low", "weight_medium", "weight_high", "paused_factor"):
        try:
            return float(text.strip())
        except ValueError:
            raise ValidationError(field, f"{text.strip()[:40]!r} is not a number") from None
    if key == "notify_closed_clients":
        word = text.strip().lower()
        if word in YES or word in NO:
            return word in YES
        raise ValidationError(field, "must be yes or no")
    return text


def changes_from_text(values: Mapping[str, str]) -> SettingsChanges:
    """``{"lock_days": "7", ...}`` as changes; an unknown name or a bad value is refused."""
    check = validation.Fields()
    typed: dict[str, Any] = {}
    for key, text in values.items():
        if key not in SETTING_KEYS:
            shown = printable(str(key)[:40])
            check.errors.append(
                ValidationError("setting", f"{shown!r} is not one of: {', '.join(SETTING_KEYS)}")
            )
            continue
        typed[key] = check.check(_typed, key, text)
    check.done()
    return replace(SettingsChanges(), **typed)


def set_settings(
    db: Database,
    actor: Actor,
    values: Mapping[str, str],
    *,
    expected_version: int | None = None,
) -> SettingsResult:
    """Settings as typed, by their ``settings set`` names: all of them saved, or none."""
    policy.ensure_administrator(actor, MANAGING)
    return change_settings(db, actor, changes_from_text(values), expected_version=expected_version)


def set_setting(db: Database, actor: Actor, key: str, value: str) -> SettingsResult:
    return set_settings(db, actor, {key: value})


# --- changing ----------------------------------------------------------------------------------


def update_settings(
    db: Database,
    actor: Actor,
    changes: SettingsChanges,
    *,
    expected_version: int | None = None,
) -> SettingsView:
    return change_settings(db, actor, changes, expected_version=expected_version).settings


def change_settings(
    db: Database,
    actor: Actor,
    changes: SettingsChanges,
    *,
    expected_version: int | None = None,
) -> SettingsResult:
    """Save the changed settings from the version the administrator saw, audited before and
    after; the result says what the change means for notes and times already written."""
    policy.ensure_administrator(actor, MANAGING)
    with writing(db, actor, alone=True) as work:
        row = work.session.get(OrganisationSettings, 1)
        if row is None:
            row = OrganisationSettings(id=1)
            work.session.add(row)
            work.session.flush()
        values = _checked(changes)
        values = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not values:
            if expected_version is not None and expected_version != row.version:
                raise stale(work, row, yours=expected_version, now=row.version)
            return SettingsResult(work.settings)
        before = snapshot(row)
        old_lock_days = row.lock_days
        save_versioned(work, row, expected_version, values)
        audit.record(
            work, actor, "settings.update", "organisation_settings", 1, before=before,
            after=snapshot(row),
        )  # fmt: skip
        work.commit()
        work.settings_changed()
        settings = work.settings
    notices = _notices(db, actor, values, old_lock_days)
    return SettingsResult(settings, notices)


def _notices(
    db: Database, actor: Actor, values: dict[str, object], old_lock_days: int
) -> tuple[str, ...]:
    """What a change means for records already written; counted after the write, in a read
    of its own, so the write lock is never held for a count over every note."""
    notices: list[str] = []
    if "lock_days" in values:
        with reading(db, actor) as work:
            notices.extend(_lock_notices(work, old_lock_days, int(str(values["lock_days"]))))
    if "time_zone" in values:
        notices.append(
            f"contact times and dates are shown in {values['time_zone']} from now on; "
            "stored times do not change"
        )
    if any(k in values for k in ("weight_low", "weight_medium", "weight_high", "paused_factor")):
        notices.append("the workload's allocated hours use the new weights at once")
    if "confidentiality_notice" in values:
        notices.append(
            "case files printed from now on carry the new notice; those printed before keep theirs"
        )
    if "case_number_prefix" in values:
        notices.append(
            f"new cases are numbered {values['case_number_prefix']}-…; existing case numbers "
            "stay as they are"
        )
    return tuple(notices)


def _lock_notices(work: Work, old: int, new: int) -> list[str]:
    now = work.now()
    if new < old:
        count = notes_created_between(
            work.session, now - timedelta(days=old), now - timedelta(days=new)
        )
        first = (
            f"notes written before {new} days ago are now locked: {count:,} more "
            f"{'note' if count == 1 else 'notes'} locked"
        )
    else:
        count = notes_created_between(
            work.session, now - timedelta(days=new), now - timedelta(days=old)
        )
        first = (
            f"notes written in the last {new} days can be edited again: {count:,} "
            f"{'note' if count == 1 else 'notes'} unlocked (imported notes stay locked)"
        )
    return [first, f"new notes may be dated at most {new} days back"]


__all__ = [
    "SETTING_KEYS",
    "SettingsChanges",
    "change_settings",
    "changes_from_text",
    "field_name",
    "get_settings",
    "set_setting",
    "set_settings",
    "setting_values",
    "show_settings",
    "time_zones",
    "update_settings",
]
