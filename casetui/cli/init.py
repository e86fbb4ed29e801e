"""``casetui init``: create or upgrade the schema, and the first administrator."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_OK
from casetui.cli.output import say
from casetui.config import ENV_PASSWORD

if TYPE_CHECKING:
    # Not at run time: the app starts before SQLAlchemy is imported, so it paints sooner.
    from casetui.services.work import Database


def init(args: argparse.Namespace) -> int:
    from casetui.services import setup

    conn = signin.connection(args)
    db = signin.open_database(conn, check=False)
    report = setup.initialise(db)
    say(f"schema {report.head} {report.what} in {db.url}")
    if args.admin:
        return _first_administrator(db, args)
    return EXIT_OK


def _first_administrator(db: Database, args: argparse.Namespace) -> int:
    """The first account of a new database; after that, only an administrator adds staff."""
    from casetui.services import setup

    accounts = setup.accounts(db, args.admin)
    if accounts.existing_role is not None:
        say(f"{args.admin} already exists, as {accounts.existing_role}")
        return EXIT_OK
    password = os.environ.get(ENV_PASSWORD)
    if accounts.anyone:
        # Someone already runs this database: adding an administrator is their decision.
        actor = signin.sign_in(db, signin.username_for(args, signin.connection(args)))
        setup.add_administrator(db, actor, args.admin, password)
    else:
        password = password or _new_password(db, args.admin)
        setup.add_administrator(db, None, args.admin, password)
    say(f"administrator {args.admin} created" + ("" if password else " without a password"))
    return EXIT_OK


def _new_password(db: Database, name: str) -> str | None:
    """The first administrator's password, typed twice. None only where the account can sign
    in without one (the OS user on their own local file); with no way to ask, refused."""
    from casetui.domain.errors import ValidationError
    from casetui.services.auth import os_user_may_skip_password

    may_skip = os_user_may_skip_password(db, name)
    if not sys.stdin.isatty():
        if may_skip:
            return None
        raise ValidationError(
            "password",
            f"no password for {name} and no terminal to ask for one: set {ENV_PASSWORD} "
            "or run casetui init in a terminal; the account was not created",
        )
    import getpass

    hint = " (empty: sign in as the OS user only)" if may_skip else ""
    first = getpass.getpass(f"Password for {name}{hint}: ")
    if not first:
        if may_skip:
            return None
        raise ValidationError(
            "password", f"{name} needs a password to sign in; the account was not created"
        )
    if getpass.getpass(f"Password for {name} again: ") != first:
        raise ValidationError("password", "the two passwords differ; the account was not created")
    return first
