"""Organisation settings: read by everyone, changed by administrators."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casetui.domain.actor import Actor
from casetui.domain.errors import ValidationError
from casetui.domain.models import OrganisationSettings
from casetui.domain.read_models import SettingsView
from casetui.services import audit, policy, validation
from casetui.services.work import Database, reading, writing


@dataclass(frozen=True)
class SettingsChanges:
    lock_days: int | None = None
    time_zone: str | None = None
    weight_low: float | None = None
    weight_medium: float | None = None
    weight_high: float | None = None
    paused_factor: float | None = None


def get_settings(db: Database, actor: Actor) -> SettingsView:
    with reading(db, actor) as work:
        return work.settings


def update_settings(db: Database, actor: Actor, changes: SettingsChanges) -> SettingsView:
    with writing(db, actor) as uow:
        policy.ensure_administrator(actor, "changing organisation settings")
        row = uow.session.get(OrganisationSettings, 1)
        if row is None:
            row = OrganisationSettings(id=1)
            uow.session.add(row)
        before = row.model_dump()
        if changes.lock_days is not None:
            if not 0 < changes.lock_days <= 365:
                raise ValidationError("lock days", "must be between 1 and 365")
            row.lock_days = changes.lock_days
        if changes.time_zone is not None:
            zone = validation.text(
                changes.time_zone, "time zone", max_length=64, required=True, single_line=True
            )
            try:
                ZoneInfo(zone)
            except (
                ZoneInfoNotFoundError,
                ValueError,
                OSError,
            ):  # OSError: a name too long for a file
                raise ValidationError("time zone", f"{zone!r} is not a known time zone") from None
            row.time_zone = zone
        for field in ("weight_low", "weight_medium", "weight_high", "paused_factor"):
            value = getattr(changes, field)
            if value is not None:
                if not 0 <= value <= 100:
                    raise ValidationError(field.replace("_", " "), "must be between 0 and 100")
                setattr(row, field, float(value))
        audit.record(
            uow,
            actor,
            "settings.update",
            "organisation_settings",
            1,
            before=before,
            after=row.model_dump(),
        )
        uow.commit()
        uow.settings_changed()
        return uow.settings
