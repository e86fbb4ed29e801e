"""Organisation settings by their command-line names: every key set and refused by name,
versioned and audited, and what a change of lock days or time zone means for notes already
written. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from casetui.domain.errors import StaleEdit, ValidationError
from casetui.services import notes as note_service
from casetui.services import settings as settings_service
from casetui.services.settings import SETTING_KEYS

from .conftest import World

GOOD = {
    "name": ("Riverside Advice", "Riverside Advice"),
    "lock_days": ("2", 2),
    "time_zone": ("America/New_York", "America/New_York"),
    "weight_low": ("0.5", 0.5),
    "weight_medium": ("3", 3.0),
    "weight_high": ("6.25", 6.25),
    "paused_factor": ("0", 0.0),
    "case_number_prefix": ("RA", "RA"),
    "stale_days": ("45", 45),
    "notify_closed_clients": ("yes", True),
    "date_order": ("MDY", "mdy"),
    "currency": ("eur", "EUR"),
    "attachment_limit_mb": ("1024", 1024),
    "smtp_host": ("mail.example.org", "mail.example.org"),
    "smtp_port": ("465", 465),
    "smtp_tls": ("tls", "tls"),
    "smtp_username": ("reminders", "reminders"),
    "smtp_sender": ("reminders@example.org", "reminders@example.org"),
    "confidentiality_notice": ("  For the named worker only.  ", "For the named worker only."),
}
BAD = {
    "name": "",
    "lock_days": "0",
    "time_zone": "Mars/Olympus",
    "weight_low": "-1",
    "weight_medium": "lots",
    "weight_high": "nan",
    "paused_factor": "1.5",
    "case_number_prefix": "C_%",
    "stale_days": "0",
    "notify_closed_clients": "maybe",
    "date_order": "dym",
    "currency": "EURO",
    "attachment_limit_mb": "1025",
    "smtp_host": "mail server",
    "smtp_port": "70000",
    "smtp_tls": "ssl",
    "smtp_username": "two\nlines",
    "smtp_sender": "not an address",
    "confidentiality_notice": "",
}


def test_every_key_has_a_good_and_a_bad_example() -> None:
    assert list(GOOD) == list(BAD) == list(SETTING_KEYS)


@pytest.mark.parametrize("key", SETTING_KEYS)
def test_each_setting_is_set_by_its_name(world: World, key: str) -> None:
    typed, stored = GOOD[key]
    result = world.run(settings_service.set_setting, world.admin, key, typed)
    assert settings_service.setting_values(result.settings)[key] == stored
    shown = world.run(settings_service.show_settings, world.admin)
    assert getattr(shown, key) == stored
    event = world.audit_events()[-1]
    assert (event.action, event.entity) == ("settings.update", "organisation_settings")
    assert json.loads(event.after or "{}")[key] == stored


@pytest.mark.parametrize("key", SETTING_KEYS)
def test_each_bad_value_is_refused_naming_its_field(world: World, key: str) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(settings_service.set_setting, world.admin, key, BAD[key])
    assert refused.value.field == key.replace("_", " ")
    assert world.dump() == before


def test_show_gives_numbers_as_numbers_and_yes_no_as_booleans(world: World) -> None:
    values = settings_service.setting_values(world.run(settings_service.show_settings, world.admin))
    assert list(values) == list(SETTING_KEYS)
    assert values["notify_closed_clients"] is False
    assert isinstance(values["lock_days"], int) and isinstance(values["weight_low"], float)
    assert values["smtp_host"] is None


def test_the_mail_server_fields_are_cleared_with_nothing(world: World) -> None:
    world.run(settings_service.set_setting, world.admin, "smtp_host", "mail.example.org")
    result = world.run(settings_service.set_setting, world.admin, "smtp_host", "")
    assert result.settings.smtp_host is None


def test_several_settings_are_saved_together_or_not_at_all(world: World) -> None:
    before = world.dump()
    with pytest.raises(ValidationError) as refused:
        world.run(
            settings_service.set_settings, world.admin,
            {"name": "Riverside", "lock_days": "400", "currency": "pounds"},
        )  # fmt: skip
    assert "lock days" in str(refused.value) and "currency" in str(refused.value)
    assert world.dump() == before
    with pytest.raises(ValidationError, match="'colour' is not one of") as unknown:
        world.run(settings_service.set_settings, world.admin, {"colour": "blue"})
    assert unknown.value.field == "setting"


def test_a_change_from_an_old_version_is_refused(world: World) -> None:
    seen = world.run(settings_service.show_settings, world.admin)
    world.run(settings_service.set_setting, world.admin, "stale_days", "10")
    with pytest.raises(StaleEdit, match="settings were changed by Admin"):
        world.run(
            settings_service.set_settings, world.admin, {"stale_days": "20"},
            expected_version=seen.version,
        )  # fmt: skip
    assert world.run(settings_service.show_settings, world.admin).stale_days == 10


def test_shorter_lock_days_say_how_many_more_notes_are_locked(world: World) -> None:
    for days_ago in (1, 3, 5, 20):  # written that many days ago
        world.clock.set(world.clock() - timedelta(days=days_ago))
        world.note(world.ana, world.ana_case, f"{days_ago} days ago")
        world.clock.set(world.clock() + timedelta(days=days_ago))
    world.clock.set(world.clock() - timedelta(days=4))
    gone = world.note(world.ana, world.ana_case, "Deleted: not counted")
    world.run(note_service.delete_note, world.ana, gone.id)
    world.clock.set(world.clock() + timedelta(days=4))

    shorter = world.run(settings_service.set_setting, world.admin, "lock_days", "2")
    assert shorter.notices == (
        "notes written before 2 days ago are now locked: 2 more notes locked",
        "new notes may be dated at most 2 days back",
    )
    longer = world.run(settings_service.set_setting, world.admin, "lock_days", "30")
    assert longer.notices[0] == (
        "notes written in the last 30 days can be edited again: 3 notes unlocked "
        "(imported notes stay locked)"
    )


def test_a_new_time_zone_says_stored_times_do_not_change(world: World) -> None:
    result = world.run(settings_service.set_setting, world.admin, "time_zone", "Asia/Tokyo")
    assert result.notices == (
        "contact times and dates are shown in Asia/Tokyo from now on; stored times do not change",
    )
    unchanged = world.run(settings_service.set_setting, world.admin, "time_zone", "Asia/Tokyo")
    assert unchanged.notices == ()
