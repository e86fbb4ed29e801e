"""``casetui profile add`` and ``list``: named database profiles."""

from __future__ import annotations

import argparse
import sys

from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import out, say, table
from casetui.config import Connection


def profile_add(args: argparse.Namespace) -> int:
    import getpass

    from casetui.config import Profile, keyring_available, save_profile, store_database_password
    from casetui.startup import is_local_file

    path = save_profile(Profile(args.name, args.url, args.default_user))
    say(f"profile {args.name} saved in {path}")
    if is_local_file(args.url) or not sys.stdin.isatty():
        return EXIT_OK
    if not keyring_available():
        out("no system keyring here: set CASETUI_DB_PASSWORD, or casetui will ask for the password")
        return EXIT_OK
    password = getpass.getpass("Database password (kept in the system keyring; empty for none): ")
    if password:
        store_database_password(Connection(url=args.url, profile=args.name), password)
        out("password stored in the system keyring")
    return EXIT_OK


def profile_list(args: argparse.Namespace) -> int:
    from casetui.config import load_profiles

    profiles = load_profiles()
    table(("NAME", "URL", "USER"), [(p.name, p.url, p.user) for p in profiles.values()])
    return EXIT_OK
