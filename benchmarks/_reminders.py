"""The reminder figure: ``casetui reminders send`` delivering 1,000 due reminders to a mail
server on 127.0.0.1, through the real command in a process of its own; none may arrive twice.

The server is aiosmtpd in a thread of this process, as an organisation's would be set up:
STARTTLS with a certificate from a throwaway authority (trustme; the sender is given it with
``--ca-file``) and AUTH with a username and password (``CASETUI_SMTP_PASSWORD``). It counts
every Message-ID it accepts.

Test-data preparation: the reminders are written with bulk inserts into the cached demo
database, one each on open cases whose clients have an email address and an Active record
(a few each on a database too small to have enough), the demo's own scheduled reminders are
held back (their send dates come round while the cache is kept), and the organisation's mail
server settings are pointed at this server. All are put back
afterwards (the reminders and what they left, such as their next occurrences, taken out;
the settings as they were), so the cache stays as built; the audit events stay, as audit
events do.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from benchmarks.databases import BENCH_USER, BenchDatabase, connect_url, size_label
from benchmarks.report import Figure

REMINDERS = 1_000
QUICK_REMINDERS = 200
SECONDS = 30.0  # SPEC.md, "Performance, part two"
HOST = "127.0.0.1"
SMTP_USER, SMTP_PASSWORD = "reminders@bench.example", "bench-mail-password"
SMTP_COLUMNS = ("smtp_host", "smtp_port", "smtp_tls", "smtp_username", "smtp_sender")


class _Counting:
    """Accepts every message and counts its Message-ID."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        headers = BytesHeaderParser().parsebytes(envelope.original_content or b"")
        with self.lock:
            self.ids[str(headers["Message-ID"])] += 1
        return "250 2.0.0 Ok: queued"


def _server(folder: Path) -> tuple[Any, _Counting, Path]:
    """The mail server, started; its handler; the authority's certificate file."""
    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Started(Controller):
        def _trigger_server(self) -> None:  # listen on a port the system picks
            assert self.server is not None
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(), SMTP_PASSWORD.encode(),
        )  # fmt: skip
        return AuthResult(success=ok, handled=False)

    authority = trustme.CA()
    ca_file = folder / "bench-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(HOST).configure_cert(context)
    handler = _Counting()
    controller = Started(
        handler, hostname=HOST, port=0, tls_context=context, require_starttls=True,
        auth_required=True, authenticator=authenticate,
    )  # fmt: skip
    controller.start()
    return controller, handler, ca_file


@dataclass(frozen=True)
class _Prepared:
    after_id: int  # every communication above this id is the run's
    ids: frozenset[int]
    settings: dict[str, Any]
    # The demo's own scheduled reminders, held back for the run (their send dates come round
    # while the cache is kept): id and the retry time to put back.
    held: tuple[tuple[int, Any], ...] = ()


# Held back until then: never due during a run.
HELD_UNTIL = datetime(9999, 1, 1, tzinfo=UTC)


def _prepare(url: str, count: int, port: int) -> _Prepared:
    from sqlalchemy import insert, select, text, update
    from sqlmodel import col

    from casetui.domain.models import Communication
    from casetui.startup import open_database

    db = open_database(url)
    try:
        with db.engine.begin() as connection:
            after = connection.execute(text("SELECT coalesce(max(id), 0) FROM communication"))
            after_id = int(after.scalar() or 0)
            columns = ", ".join(SMTP_COLUMNS)
            row = connection.execute(
                text(f"SELECT {columns} FROM organisation_settings WHERE id = 1")
            ).one()
            settings = dict(zip(SMTP_COLUMNS, row, strict=True))
            author = connection.execute(
                text("SELECT id FROM staff WHERE username = :u"), {"u": BENCH_USER}
            ).scalar_one()
            cases = list(
                connection.execute(
                    text(
                        "SELECT c.id FROM cases c JOIN client cl ON cl.id = c.client_id "
                        "WHERE c.deleted_at IS NULL AND cl.deleted_at IS NULL "
                        "AND c.status = 'Open' AND cl.record_status = 'Active' "
                        "AND cl.email IS NOT NULL AND cl.email <> '' ORDER BY c.id LIMIT :n"
                    ),
                    {"n": count},
                ).scalars()
            )
            if not cases:
                raise RuntimeError("no open case has a client with an email address")
            scheduled = (col(Communication.reminder_state) == "scheduled") & (
                col(Communication.id) <= after_id
            )
            held = tuple(
                (row[0], row[1])
                for row in connection.execute(
                    select(col(Communication.id), col(Communication.next_attempt_at)).where(
                        scheduled
                    )
                )
            )
            connection.execute(
                update(Communication).where(scheduled).values(next_attempt_at=HELD_UNTIL)
            )
            now = db.clock()
            send_on = date.today() - timedelta(days=2)  # due in any time zone
            # Through the table's own types, as the services write them.
            connection.execute(
                insert(Communication),
                [
                    {
                        "case_id": case_id, "author_id": author, "kind": "reminder",
                        "direction": "out", "occurred_at": now, "send_on": send_on,
                        "subject": f"Your appointment ({n + 1})",
                        "body": "A reminder of your appointment on Tuesday at 10:00.\n"
                        "Bring your tenancy agreement.\n",
                        "repeats": "none", "reminder_state": "scheduled", "attempts": 0,
                        "created_at": now, "updated_at": now, "version": 1,
                    }
                    # A case each while there are enough (the small databases have fewer).
                    for n, case_id in enumerate(cases[n % len(cases)] for n in range(count))
                ],
            )  # fmt: skip
            ids = frozenset(
                connection.execute(
                    text("SELECT id FROM communication WHERE id > :after"), {"after": after_id}
                ).scalars()
            )
            connection.execute(
                text(
                    "UPDATE organisation_settings SET smtp_host = :host, smtp_port = :port, "
                    "smtp_tls = 'starttls', smtp_username = :user, smtp_sender = :sender "
                    "WHERE id = 1"
                ),
                {"host": HOST, "port": port, "user": SMTP_USER, "sender": SMTP_USER},
            )
            return _Prepared(after_id, ids, settings, held)
    finally:
        db.dispose()


def _take_out(url: str, prepared: _Prepared) -> None:
    """The run's reminders (and notifications of any that failed) out; the demo's reminders
    and the settings back."""
    from sqlalchemy import bindparam, text, update
    from sqlmodel import col

    from casetui.domain.models import Communication
    from casetui.startup import open_database

    db = open_database(url)
    try:
        with db.engine.begin() as connection:
            keys = [f"reminder-failed:{i}" for i in prepared.ids]
            for start in range(0, len(keys), 500):
                connection.execute(
                    text("DELETE FROM notification WHERE event_key IN :keys").bindparams(
                        _expanding("keys")
                    ),
                    {"keys": keys[start : start + 500]},
                )
            # Next occurrences point at the run's reminders: newest first.
            connection.execute(
                text("UPDATE communication SET previous_id = NULL WHERE id > :after"),
                {"after": prepared.after_id},
            )
            connection.execute(
                text("DELETE FROM communication WHERE id > :after"), {"after": prepared.after_id}
            )
            if prepared.held:
                connection.execute(
                    update(Communication)
                    .where(col(Communication.id) == bindparam("held_id"))
                    .values(next_attempt_at=bindparam("again")),
                    [{"held_id": i, "again": again} for i, again in prepared.held],
                )
            assignments = ", ".join(f"{c} = :{c}" for c in SMTP_COLUMNS)
            connection.execute(
                text(f"UPDATE organisation_settings SET {assignments} WHERE id = 1"),
                prepared.settings,
            )
    finally:
        db.dispose()


def _expanding(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


@dataclass(frozen=True)
class SendRun:
    seconds: float
    cpu_seconds: float
    maxrss_kb: int
    sent: int
    delivered: int  # distinct Message-IDs the server accepted
    twice: int  # Message-IDs accepted more than once


def run_send(database: BenchDatabase, env: dict[str, str], folder: Path, count: int) -> SendRun:
    url = connect_url(database)
    controller, handler, ca_file = _server(folder)
    try:
        prepared = _prepare(url, count, int(controller.port))
        try:
            argv = [sys.executable, "-m", "casetui", "--db", url, "--user", BENCH_USER,
                    "reminders", "send", "--json", "--ca-file", str(ca_file)]  # fmt: skip
            child = {**env, "CASETUI_SMTP_PASSWORD": SMTP_PASSWORD}
            out, err = folder / "reminders.out", folder / "reminders.err"
            started = time.perf_counter()
            with out.open("w") as stdout, err.open("w") as stderr:
                process = subprocess.Popen(
                    argv, env=child, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
                )
                _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            code = os.waitstatus_to_exitcode(status)
        finally:
            _take_out(url, prepared)
    finally:
        controller.stop()
    said = err.read_text(errors="replace").strip()
    if code != 0:
        raise RuntimeError(f"reminders send exited {code}: {said[-500:]}")
    rows = json.loads(out.read_text())
    sent = {row["id"] for row in rows if row["status"] == "sent"}
    if not prepared.ids <= sent:
        missing = sorted(prepared.ids - sent)
        raise RuntimeError(f"{len(missing)} reminders not sent, e.g. {missing[:5]}: {said[-300:]}")
    twice = sum(1 for seen in handler.ids.values() if seen > 1)
    if twice or len(handler.ids) != len(sent):
        raise RuntimeError(
            f"the server got {sum(handler.ids.values())} messages, {len(handler.ids)} distinct, "
            f"for {len(sent)} reminders sent: {twice} twice"
        )
    cpu = usage.ru_utime + usage.ru_stime
    return SendRun(seconds, cpu, usage.ru_maxrss, len(sent), len(handler.ids), twice)


def figures(
    database: BenchDatabase, env: dict[str, str], folder: Path, *, quick: bool
) -> list[Figure]:
    """The time ``reminders send`` takes for the due reminders, with SPEC.md's target."""
    count = QUICK_REMINDERS if quick else REMINDERS
    place = f"{database.backend} {size_label(database.cases)}"
    label = f"`reminders send`, {count:,} due reminders to 127.0.0.1, none twice"
    try:
        run = run_send(database, env, folder, count)
    except Exception as error:  # noqa: BLE001 - shown in the table
        message = f"{type(error).__name__}: {error}"
        print(f"[bench] reminders on {place} failed: {message}", file=sys.stderr, flush=True)
        return [Figure("reminders_seconds", label, place, None, "s", error=message)]
    # SPEC.md's targets are SQLite's unless it says otherwise; PostgreSQL's figure is shown
    # beside it, as the import's is.
    full, sqlite = count == REMINDERS, database.backend == "sqlite"
    figure = Figure(
        "reminders_seconds", label, place, run.seconds, "s", SECONDS if full and sqlite else None,
        f"≤ {SECONDS:g} s" + ("" if full else f" at {REMINDERS:,}") if sqlite else "",
        samples=[round(run.seconds, 3)],
    )  # fmt: skip
    figure.detail = {
        "cpu_seconds": round(run.cpu_seconds, 1), "sent": run.sent,
        "delivered": run.delivered, "twice": run.twice, "maxrss_kb": run.maxrss_kb,
    }  # fmt: skip
    return [figure]


if __name__ == "__main__":  # one figure on a cached database: python -m benchmarks._reminders
    from benchmarks import measure
    from benchmarks.databases import default_cache, sqlite_database

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    bench = sqlite_database(size, default_cache())
    scratch = measure.scratch_dir()
    for found in figures(bench, measure.child_env(scratch), scratch, quick=False):
        print(json.dumps(found.to_json(), indent=2))
