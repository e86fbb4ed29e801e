"""``casetui reminders send`` (once for cron, or ``--watch``), ``password`` and ``settle``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from casetui.cli import signin
from casetui.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED
from casetui.cli.output import err, json_rows, out, say, table

if TYPE_CHECKING:
    from casetui.domain.actor import Actor
    from casetui.domain.reminders import ReminderOutcome, SendingPass
    from casetui.services.mail import MailServer
    from casetui.services.work import Database


def _row(outcome: ReminderOutcome) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "case_number": outcome.case_number,
        "status": outcome.status.value,
        "detail": outcome.detail,
    }


@contextmanager
def _stop_when_asked() -> Iterator[threading.Event]:
    """Ctrl+C or SIGTERM asks the sender to stop: it finishes the reminder in hand (never
    leaving one half-sent) and stops. A second Ctrl+C stops at once."""
    asked = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def ask(signum: int, frame: FrameType | None) -> None:
        if asked.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        asked.set()

    for sig in previous:
        signal.signal(sig, ask)
    try:
        yield asked
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _server(db: Database, actor: Actor, args: argparse.Namespace) -> MailServer:
    from casetui.config import smtp_password
    from casetui.services.mail import mail_server
    from casetui.services.reminders import mail_settings

    settings = mail_settings(db, actor)
    password = None
    if settings.smtp_host and settings.smtp_username:
        password = smtp_password(settings.smtp_host, settings.smtp_username)
    return mail_server(
        settings,
        password=password,
        ca_file=Path(args.ca_file).expanduser() if args.ca_file else None,
        timeout=float(args.timeout),
    )


def _show(done: SendingPass, args: argparse.Namespace, *, heading: str | None = None) -> None:
    from casetui.domain.reminders import SendStatus

    if args.json:
        if args.watch:  # a line a pass: each line one JSON array
            out(json.dumps([_row(o) for o in done.outcomes], ensure_ascii=False))
        else:
            json_rows(_row(o) for o in done.outcomes)
    else:
        counts = ", ".join(f"{done.count(s)} {s.value}" for s in SendStatus)
        if heading:
            say(f"{heading}: {counts}")
        if done.outcomes:
            table(
                ("ID", "CASE", "STATUS", "DETAIL"),
                [(o.id, o.case_number, o.status.value, o.detail) for o in done.outcomes],
            )
        if not heading:
            say(counts if done.outcomes else "no reminders due")
    sys.stdout.flush()
    if done.problem is not None:
        left = f"; {done.left} due reminders left for the next pass" if done.left else ""
        err(f"stopped: {done.problem}{left}")


def reminders_send(args: argparse.Namespace) -> int:
    from casetui.services.reminders import send_due

    db, actor = signin.acting(args)
    if args.watch:
        return _watch(db, actor, args)
    server = _server(db, actor, args)
    with _stop_when_asked() as asked:
        done = send_due(db, actor, server, stop=asked.is_set)
    _show(done, args)
    if asked.is_set():
        return EXIT_INTERRUPTED
    return EXIT_OK if done.problem is None else EXIT_REFUSED


def _watch(db: Database, actor: Actor, args: argparse.Namespace) -> int:
    """A pass every ``--every`` seconds until asked to stop. A pass the mail server or the
    database could not serve is said on stderr, and the next one tries again."""
    from casetui.domain.errors import DatabaseUnavailable
    from casetui.services.mail import MailServerProblem
    from casetui.services.reminders import send_due

    with _stop_when_asked() as asked:
        if not args.json:
            say(f"sending reminders every {args.every} s; Ctrl+C stops")
        while not asked.is_set():
            started = time.monotonic()
            try:
                # The settings again each pass: a corrected mail server is used at once.
                done = send_due(db, actor, _server(db, actor, args), stop=asked.is_set)
            except (MailServerProblem, DatabaseUnavailable) as exc:
                err(f"error: {exc}; trying again in {args.every} s")
            else:
                _show(done, args, heading=time.strftime("%Y-%m-%d %H:%M:%S"))
            asked.wait(max(0.0, args.every - (time.monotonic() - started)))
    if not args.json:
        say("stopped")
    return EXIT_OK


def reminders_password(args: argparse.Namespace) -> int:
    import getpass
    import os

    from casetui.config import ENV_SMTP_PASSWORD, keyring_available, store_smtp_password
    from casetui.domain.errors import ConfigError
    from casetui.services.reminders import mail_settings

    db, actor = signin.acting(args)
    settings = mail_settings(db, actor)
    if not settings.smtp_host or not settings.smtp_username:
        raise ConfigError(
            "set smtp_host and smtp_username first (casetui settings set ...): the password "
            "is kept for that server and account"
        )
    if not keyring_available():
        raise ConfigError(
            f"no system keyring here: give the sender the password in {ENV_SMTP_PASSWORD}"
        )
    password = os.environ.get(ENV_SMTP_PASSWORD)
    if not password:
        if not sys.stdin.isatty():
            raise ConfigError(f"no password: set {ENV_SMTP_PASSWORD} or run this in a terminal")
        password = getpass.getpass(f"Password of {settings.smtp_username}: ")
        if password != getpass.getpass("Again: "):
            raise ConfigError("the two passwords differ; nothing was kept")
    if not password:
        raise ConfigError("an empty password was not kept")
    store_smtp_password(settings.smtp_host, settings.smtp_username, password)
    say(f"password of {settings.smtp_username} at {settings.smtp_host} kept in the system keyring")
    return EXIT_OK


def reminders_settle(args: argparse.Namespace) -> int:
    from casetui.services.reminders import settle

    db, actor = signin.acting(args)
    outcome = settle(db, actor, args.reminder_id, sent=args.sent)
    if args.json:
        json_rows([_row(outcome)])
    else:
        say(f"reminder {outcome.id} on {outcome.case_number}: {outcome.detail}")
    return EXIT_OK
