"""``casetui settings show`` and ``settings set KEY VALUE`` (administrators)."""

from __future__ import annotations

import argparse

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import json_object, say


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def settings_show(args: argparse.Namespace) -> int:
    from casetui.services.settings import setting_values, show_settings

    db, actor = signin.acting(args)
    values = setting_values(show_settings(db, actor, export=args.json))
    if args.json:
        json_object(values)
        return EXIT_OK
    for key, value in values.items():
        say(f"{key:<22} {_shown(value)}".rstrip())
    return EXIT_OK


def settings_set(args: argparse.Namespace) -> int:
    from casetui.services.settings import set_setting, setting_values

    db, actor = signin.acting(args)
    result = set_setting(db, actor, args.key, args.value)
    say(f"{args.key} is {_shown(setting_values(result.settings)[args.key]) or '(none)'}")
    for notice in result.notices:
        say(notice)
    return EXIT_OK
