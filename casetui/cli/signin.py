"""How a command gets its database and its signed-in staff member.

The database comes from --db, --profile, CASETUI_DATABASE_URL or the local file; the staff
member from --user, the profile's default user or the OS user, with the password from
CASETUI_PASSWORD, else a prompt when a terminal is there to ask.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from casetui.config import ENV_PASSWORD, Connection, resolve

if TYPE_CHECKING:
    # Not at run time: the app starts before SQLAlchemy is imported, so it paints sooner.
    from casetui.domain.actor import Actor
    from casetui.services.work import Database


def connection(args: argparse.Namespace) -> Connection:
    return resolve(getattr(args, "db", None), getattr(args, "profile", None))


def open_database(conn: Connection, *, check: bool = True) -> Database:
    from casetui.config import database_password
    from casetui.services import setup
    from casetui.startup import open_database as open_url
    from casetui.startup import password_for

    db = open_url(conn.url, password=password_for(conn.url, lambda: database_password(conn)))
    if check:
        setup.check(db)
    return db


def username_for(args: argparse.Namespace, conn: Connection) -> str | None:
    return getattr(args, "user", None) or conn.default_user


def sign_in(db: Database, username: str | None) -> Actor:
    from casetui.services.auth import PasswordNeeded
    from casetui.services.auth import sign_in as service_sign_in

    password = os.environ.get(ENV_PASSWORD)
    try:
        return service_sign_in(db, username, password)
    except PasswordNeeded:
        if not sys.stdin.isatty():
            raise
        import getpass

        return service_sign_in(db, username, getpass.getpass(f"Password for {username}: "))


def acting(args: argparse.Namespace) -> tuple[Database, Actor]:
    """The checked database and the staff member signed in to it, as most commands need."""
    conn = connection(args)
    db = open_database(conn)
    return db, sign_in(db, username_for(args, conn))
