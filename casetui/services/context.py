"""What most service calls need first: the settings, and today in the organisation's zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from casetui.db.uow import UnitOfWork
from casetui.domain.read_models import SettingsView
from casetui.repositories.settings import load_settings


def settings(uow: UnitOfWork) -> SettingsView:
    cached = getattr(uow, "_settings", None)
    if cached is None:
        cached = load_settings(uow.session)
        uow._settings = cached  # type: ignore[attr-defined]
    return cached


def zone(uow: UnitOfWork) -> ZoneInfo:
    return ZoneInfo(settings(uow).time_zone)


def local_now(uow: UnitOfWork) -> datetime:
    return uow.now().astimezone(zone(uow))


def today(uow: UnitOfWork) -> date:
    return local_now(uow).date()


def to_utc(uow: UnitOfWork, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=zone(uow)).astimezone(ZoneInfo("UTC"))
