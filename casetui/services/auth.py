"""Signing in: a password everywhere, except the OS user on their own local SQLite file."""

from __future__ import annotations

import getpass
import hashlib
import os
import time
from pathlib import Path

from sqlalchemy import func, select, update
from sqlmodel import col

from casetui.db.uow import Database, UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.errors import SignInFailed, ValidationError
from casetui.domain.limits import PASSWORD_MAX, USERNAME_MAX
from casetui.domain.models import AuditEvent, Staff
from casetui.domain.storable import printable
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import audit
from casetui.services.passwords import hash_password, password_problem, verify_password

PASSWORD_ENV = "CASETUI_PASSWORD"  # as the command line reads it (casetui.config)

# After this many failures in a row, each further attempt waits longer (capped).
FREE_ATTEMPTS = 5
MAX_DELAY_SECONDS = 30.0
# Failed sign-ins under a name no account has are audited against this entity, keyed by a
# digest of the name, so they can be counted through an index like an account's failures.
UNKNOWN_NAME = "sign_in_name"
_COUNTED = FREE_ATTEMPTS + 8  # enough failures to reach the longest wait
_sleep = time.sleep  # replaced in tests


class PasswordNeeded(SignInFailed):
    """The account needs a password and none was given: ask for one."""


class PasswordChangeNeeded(SignInFailed):
    """The password was right but temporary: it signs in only to choose a new one."""

    def __init__(self, username: str) -> None:
        super().__init__(
            f"the password of {username} is temporary: choose your own first, with "
            "`casetui staff password` (or by signing in to the app)"
        )
        self.username = username


def os_username() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def local_file_owned_by_me(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def os_user_may_skip_password(db: Database, username: str) -> bool:
    """The OS user signs in without a password on a local SQLite file they own."""
    return db.is_sqlite and username == os_username() and local_file_owned_by_me(db.sqlite_file)


def failure_delay(failures: int) -> float:
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(2.0 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


def sign_in(db: Database, username: str | None, password: str | None) -> Actor:
    """Return the signed-in actor or raise SignInFailed; every attempt is audited.

    An unknown name costs what a wrong password costs: the same hash work, and the same
    growing wait after repeated failures, so neither the answer nor its timing tells a
    guesser which names are accounts. The one exception: with no name and no password given,
    the OS user's name is tried, and its being no account is said (to someone already able
    to open the database), with how to choose one.
    """
    name = (username or os_username()).strip()
    lookup = name if len(name) <= USERNAME_MAX else ""
    may_skip = os_user_may_skip_password(db, name)
    checked: tuple[str | None, bool] | None = None  # the hash checked, and whether it matched
    if password is not None:
        with db.uow(write=False) as uow:
            staff = find_by_username(uow.session, lookup) if lookup else None
            failures = _failures(uow, name, staff)
            stored = staff.password_hash if staff is not None else None
        # The wait and the hash work both happen before any write starts: a slow attempt never
        # holds the write lock (on SQLite, every other writer would wait for it).
        _sleep(failure_delay(failures))
        if not may_skip:
            checked = (stored, verify_password(password[:PASSWORD_MAX], stored))
    with db.uow() as uow:
        staff = find_by_username(uow.session, lookup) if lookup else None
        if staff is not None and staff.active and may_skip:
            actor = actor_from(staff)
            audit.record(uow, actor, "sign_in", "staff", actor.id, after={"method": "os_user"})
            uow.commit()
            return actor
        if password is None:
            if username is None and staff is None:
                # Nobody named an account: the OS user's name was tried. Saying it is not an
                # account tells only someone already able to open the database.
                raise SignInFailed(
                    f"there is no staff account named {printable(name[:USERNAME_MAX])!r} (your "
                    "OS user name); choose one with --user NAME, or a profile's --default-user"
                )
            if staff is not None and staff.password_hash is None:
                raise SignInFailed(
                    f"the account {name!r} has no password; it can sign in only as the matching "
                    "OS user on a local database file"
                )
            raise PasswordNeeded(
                f"a password is needed for {printable(name[:USERNAME_MAX])!r} "
                "(set CASETUI_PASSWORD or sign in)"
            )
        # Always verified, even for unknown users, so the answer takes the same time; again
        # only if the password was changed in the moment since it was checked.
        stored = staff.password_hash if staff else None
        if checked is not None and checked[0] == stored:
            ok = checked[1]
        else:
            ok = verify_password(password[:PASSWORD_MAX], stored)
        if staff is None or not ok or not staff.active:
            _record_failure(uow, name, staff)
            raise SignInFailed("sign-in failed: unknown user or wrong password")
        staff.failed_sign_ins = 0
        actor = actor_from(staff)
        if staff.must_change_password:
            # Signed in only to change it: no actor leaves here, so nothing else can be done.
            audit.record(
                uow, actor, "sign_in.temporary", "staff", actor.id, after={"method": "password"}
            )
            uow.commit()
            raise PasswordChangeNeeded(staff.username)
        audit.record(uow, actor, "sign_in", "staff", actor.id, after={"method": "password"})
        uow.commit()
        return actor


def change_own_password(db: Database, username: str | None, current: str | None, new: str) -> None:
    """Anyone's own password, from the current one (a temporary one included); every attempt
    is checked and counted as a sign-in is. The OS user on their own local file needs no
    current password, as they need none to sign in."""
    name = (username or os_username()).strip()
    lookup = name if len(name) <= USERNAME_MAX else ""
    if not isinstance(new, str):
        raise ValidationError("new password", "must be text")
    problem = password_problem(new, "")  # the username is checked once it is known to be right
    if problem:
        raise ValidationError("new password", problem)
    if current is not None:
        with db.uow(write=False) as uow:
            staff = find_by_username(uow.session, lookup) if lookup else None
            failures = _failures(uow, name, staff)
        _sleep(failure_delay(failures))
    with db.uow() as uow:
        staff = find_by_username(uow.session, lookup) if lookup else None
        if current is None:
            if staff is None or not staff.active or not os_user_may_skip_password(db, name):
                raise PasswordNeeded(
                    f"your current password is needed to change it (set {PASSWORD_ENV} or "
                    "type it when asked)"
                )
        else:
            ok = verify_password(current[:PASSWORD_MAX], staff.password_hash if staff else None)
            if staff is None or not ok or not staff.active:
                _record_failure(uow, name, staff)
                raise SignInFailed("password not changed: unknown user or wrong password")
        assert staff is not None and staff.id is not None
        problem = password_problem(new, staff.username)
        if problem is None and current is not None and new == current:
            problem = "must differ from the current one"
        if problem:
            raise ValidationError("new password", problem)
        uow.session.execute(
            update(Staff)
            .where(col(Staff.id) == staff.id)
            .values(
                password_hash=hash_password(new),
                must_change_password=False,
                failed_sign_ins=0,
                version=col(Staff.version) + 1,
            )
        )
        actor = actor_from(staff)
        audit.record(
            uow, actor, "staff.password", "staff", staff.id,
            after={"username": staff.username, "temporary": False},
        )  # fmt: skip
        uow.commit()


def _name_key(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _failures(uow: UnitOfWork, name: str, staff: Staff | None) -> int:
    """Failed sign-ins in a row: an account's own count, or those audited under the name."""
    if staff is not None:
        return staff.failed_sign_ins
    audited = (
        select(col(AuditEvent.id))
        .where(
            col(AuditEvent.entity_id) == _name_key(name),
            col(AuditEvent.entity) == UNKNOWN_NAME,
            col(AuditEvent.action) == "sign_in.failed",
        )
        .limit(_COUNTED)
        .subquery()
    )
    return int(uow.session.execute(select(func.count()).select_from(audited)).scalar_one())


def _record_failure(uow: UnitOfWork, name: str, staff: Staff | None) -> None:
    # As typed, but storable and harmless to show: NUL, controls and surrogates escaped.
    shown = printable(name[:USERNAME_MAX])[:USERNAME_MAX] or "?"
    if staff is not None:
        # In SQL, so two failures at once both count.
        uow.session.execute(
            update(Staff)
            .where(col(Staff.id) == staff.id)
            .values(failed_sign_ins=col(Staff.failed_sign_ins) + 1)
        )
        audit.record(uow, None, "sign_in.failed", "staff", staff.id, username=shown)
    else:
        audit.record(uow, None, "sign_in.failed", UNKNOWN_NAME, _name_key(name), username=shown)
    uow.commit()
