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
    from casetui.db.uow import Database


def init(args: argparse.Namespace) -> int:
    from casetui.db.health import ensure_reachable
    from casetui.db.migrate import SCHEMA_HEAD, upgrade
    from casetui.services import defaults

    conn = signin.connection(args)
    db = signin.open_database(conn, check=False)
    ensure_reachable(db)
    before, after = upgrade(db.engine)
    with db.uow() as uow:
        if defaults.ensure_defaults(uow):
            from casetui.services import audit

            audit.record(uow, None, "settings.defaults", "organisation_settings", 1)
        uow.commit()
    from casetui.db.maintenance import analyze

    analyze(db.engine)
    what = "created" if before is None else ("upgraded" if before != after else "already current")
    say(f"schema {SCHEMA_HEAD} {what} in {db.url}")
    if args.admin:
        return _first_administrator(db, args)
    return EXIT_OK


def _first_administrator(db: Database, args: argparse.Namespace) -> int:
    """The first account of a new database; after that, only an administrator adds staff."""
    from sqlalchemy import func, select

    from casetui.domain.models import Staff
    from casetui.repositories.staff import find_by_username
    from casetui.services.staff import StaffInput, create_staff

    with db.uow(write=False) as uow:
        existing = find_by_username(uow.session, args.admin)
        anyone = uow.session.execute(select(func.count()).select_from(Staff)).scalar_one()
    if existing is not None:
        say(f"{args.admin} already exists, as {existing.role}")
        return EXIT_OK
    password = os.environ.get(ENV_PASSWORD)
    if anyone:
        # Someone already runs this database: adding an administrator is their decision.
        actor = signin.sign_in(db, signin.username_for(args, signin.connection(args)))
        with db.uow() as uow:
            create_staff(
                uow,
                actor,
                StaffInput(args.admin, args.admin, role="administrator", password=password),
            )
    else:
        if password is None and sys.stdin.isatty():
            import getpass

            password = (
                getpass.getpass(f"Password for {args.admin} (empty: sign in as the OS user only): ")
                or None
            )
        with db.uow() as uow:
            create_staff(
                uow,
                None,
                StaffInput(args.admin, args.admin, role="administrator", password=password),
            )
    say(f"administrator {args.admin} created" + ("" if password else " without a password"))
    return EXIT_OK
