"""``casetui reminders send`` (once, and ``--watch``), ``password`` and ``settle``: what they
print, where the mail server's password and trusted authority come from, how they refuse,
and how they stop (Ctrl+C or SIGTERM finishes the reminder in hand).

Against a real SMTP server on 127.0.0.1 (tests/mail), on a SQLite file per test: the
delivery rules themselves are tested on both databases in tests/services. Reminders are
scheduled as a caseworker schedules them, with ``casetui comms add --send-on``; the whole
journey, from that to the case showing it sent, runs on PostgreSQL too.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from casetui.cli import main
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.domain.models import Communication
from casetui.domain.timeline import COMMUNICATION
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import settings as settings_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.timeline import load_timeline
from casetui.services.work import writing
from tests.mail.smtp_server import (
    PASSWORD as SMTP_PASSWORD,  # the mail server's account, not a staff member's
)
from tests.mail.smtp_server import USERNAME as SMTP_USERNAME
from tests.mail.smtp_server import Certificates, SmtpServer, make_certificates, running

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password"
ROW_KEYS = {"id", "case_number", "status", "detail"}


@dataclass
class Org:
    url: str
    db: Database
    cases: list[str]

    def actor(self, username: str) -> Any:
        with self.db.uow(write=False) as uow:
            return actor_from(find_by_username(uow.session, username))  # type: ignore[arg-type]

    def remind(self, case_number: str, subject: str = "Your appointment") -> int:
        """A reminder due today, scheduled as a caseworker schedules one: ``casetui comms add``
        with a send date."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            status = main(
                ["comms", "add", "--case", case_number, "--type", "reminder", "--direction",
                 "out", "--subject", subject, "--body", "See you soon.", "--send-on", "today",
                 "--json", "--db", self.url, "--user", "ana"]
            )  # fmt: skip
        assert status == 0, err.getvalue()
        written = json.loads(out.getvalue())
        assert (written["type"], written["status"]) == ("reminder", "scheduled")
        return int(written["id"])

    def state(self, reminder_id: int) -> str | None:
        with self.db.uow(write=False) as uow:
            row = uow.session.get(Communication, reminder_id)
            assert row is not None
            return row.reminder_state


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture
def smtp(certificates: Certificates) -> Iterator[SmtpServer]:
    with running(certificates) as server:
        yield server


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, unless a test asks for PostgreSQL too (``indirect`` parametrisation)."""
    if getattr(request, "param", "sqlite") == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'casetui.db'}"


BOTH_DATABASES = pytest.mark.parametrize(
    "database",
    ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)


@pytest.fixture
def org(database: str, smtp: SmtpServer) -> Iterator[Org]:
    db = Database(make_engine(database))
    upgrade(db.engine)
    with writing(db, None) as work:
        ensure_defaults(work)
        work.commit()
    staff_service.create_staff(
        db,
        None,
        staff_service.StaffInput("admin", "Admin", role="administrator", password=PASSWORD),
    )
    with db.uow(write=False) as uow:
        admin = actor_from(find_by_username(uow.session, "admin"))  # type: ignore[arg-type]
    staff_service.create_staff(
        db, admin, staff_service.StaffInput("ana", "Ana", role="caseworker", team="North",
                                            password=PASSWORD),
    )  # fmt: skip
    with db.uow(write=False) as uow:
        ana = actor_from(find_by_username(uow.session, "ana"))  # type: ignore[arg-type]
    cases = []
    for name, email in (("Amal Haddad", "amal@example.org"), ("Bruno Keller", "bruno@example.org")):
        client_id = client_service.register_client(
            db, ana, client_service.ClientInput(name=name, email=email)
        )
        cases.append(
            case_service.open_case(db, ana, case_service.CaseInput(client_id=client_id)).case_number
        )
    for key, value in (("smtp_host", "127.0.0.1"), ("smtp_port", str(smtp.port)),
                       ("smtp_tls", "starttls"), ("smtp_username", SMTP_USERNAME),
                       ("smtp_sender", "reminders@org.example")):  # fmt: skip
        settings_service.set_setting(db, admin, key, value)
    try:
        yield Org(database, db, cases)
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CASETUI_DATABASE_URL", "CASETUI_PROFILE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASETUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("CASETUI_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@dataclass
class Done:
    status: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(org: Org, capsys: pytest.CaptureFixture[str], certificates: Certificates) -> Any:
    def run(*args: str, user: str = "admin", trust: bool = True) -> Done:
        capsys.readouterr()
        extra = ["--ca-file", str(certificates.ca_file)] if trust and args[:2] == (
            "reminders", "send",
        ) else []  # fmt: skip
        try:
            status = main([*args, *extra, "--db", org.url, "--user", user])
        except SystemExit as exit_:  # argparse's usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Done(status, captured.out, captured.err)

    return run


def test_send_json_prints_one_row_a_reminder(org: Org, cli: Any, smtp: SmtpServer) -> None:
    first, second = org.remind(org.cases[0], "One"), org.remind(org.cases[1], "Two")
    smtp.answer_next("250 2.0.0 Ok", "452 4.2.2 Mailbox full")

    done = cli("reminders", "send", "--json")

    assert done.status == 0, done.stderr
    rows = json.loads(done.stdout)
    assert all(set(row) == ROW_KEYS for row in rows)
    assert [(r["id"], r["case_number"], r["status"]) for r in rows] == [
        (first, org.cases[0], "sent"),
        (second, org.cases[1], "retry"),
    ]
    assert rows[0]["detail"].startswith("sent as <") and "452 4.2.2" in rows[1]["detail"]
    assert done.stderr == ""
    assert [m.recipients for m in smtp.received] == [("amal@example.org",)]


@BOTH_DATABASES
def test_a_caseworkers_reminder_goes_out_and_shows_as_sent(
    org: Org, cli: Any, smtp: SmtpServer
) -> None:
    """End to end, as the two people do it: a caseworker schedules a reminder from the command
    line, the administrator's cron line sends it, and the case shows it sent."""
    number = org.cases[0]
    written = cli(
        "comms", "add", "--case", number, "--type", "reminder", "--direction", "out",
        "--subject", "Your appointment on Friday", "--body", "Dear Amal,\nsee you at 10:00.",
        "--send-on", "today", "--json", user="ana",
    )  # fmt: skip
    assert written.status == 0, written.stderr
    reminder = json.loads(written.stdout)
    assert (reminder["status"], reminder["message_id"], reminder["sent_at"]) == (
        "scheduled", None, None,
    )  # fmt: skip

    sent = cli("reminders", "send", "--json")

    assert sent.status == 0, sent.stderr
    [row] = json.loads(sent.stdout)
    assert (row["id"], row["case_number"], row["status"]) == (reminder["id"], number, "sent")
    [received] = smtp.received
    assert received.recipients == ("amal@example.org",)
    assert received.message["Subject"] == "Your appointment on Friday"
    assert received.body == "Dear Amal,\nsee you at 10:00.\n"
    listed = cli("comms", "list", "--case", number, "--json", user="ana")
    assert listed.status == 0, listed.stderr
    [shown] = json.loads(listed.stdout)
    assert (shown["id"], shown["status"], shown["message_id"]) == (
        reminder["id"], "sent", received.message_id,
    )  # fmt: skip
    assert shown["sent_at"] is not None and shown["detail"].startswith("250")
    assert row["detail"] == f"sent as {received.message_id}"
    ana = org.actor("ana")
    case_id = case_service.show_case(org.db, ana, number).id
    entries = load_timeline(org.db, ana, case_id).entries
    [on_the_timeline] = [e for e in entries if e.kind == COMMUNICATION]
    assert (on_the_timeline.id, on_the_timeline.status) == (reminder["id"], "sent")


def test_send_without_json_prints_a_table_and_the_counts(
    org: Org, cli: Any, smtp: SmtpServer
) -> None:
    assert cli("reminders", "send").stdout == "no reminders due\n"
    reminder_id = org.remind(org.cases[0])
    done = cli("reminders", "send")
    assert done.status == 0
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ID", "CASE", "STATUS", "DETAIL"]
    assert lines[1].split()[:3] == [str(reminder_id), org.cases[0], "sent"]
    assert lines[-1] == "1 sent, 0 failed, 0 retry, 0 skipped"
    assert cli("reminders", "send", "--json").stdout.strip() == "[]"


def test_only_administrators_send(org: Org, cli: Any, smtp: SmtpServer) -> None:
    org.remind(org.cases[0])
    done = cli("reminders", "send", user="ana")
    assert (done.status, done.stdout) == (1, "")
    assert done.stderr == "refused: sending reminders is for administrators\n"
    assert smtp.received == []


def test_without_the_password_nothing_is_sent(
    org: Org, cli: Any, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminder_id = org.remind(org.cases[0])
    monkeypatch.delenv("CASETUI_SMTP_PASSWORD")
    done = cli("reminders", "send", "--json")
    assert (done.status, done.stdout) == (1, "")
    assert "CASETUI_SMTP_PASSWORD" in done.stderr and done.stderr.startswith("error: the mail")
    assert org.state(reminder_id) == "scheduled"


def test_a_refused_sign_in_changes_nothing_and_shows_no_password(
    org: Org, cli: Any, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminder_id = org.remind(org.cases[0])
    monkeypatch.setenv("CASETUI_SMTP_PASSWORD", "a-wrong-secret-Qx9")
    done = cli("reminders", "send", "--json")
    assert (done.status, done.stdout) == (1, "")
    assert "refused the sign-in: 535" in done.stderr
    assert org.state(reminder_id) == "scheduled" and smtp.received == []
    with org.db.engine.connect() as conn:
        stored = " ".join(
            str(row) for table in ("audit_event", "organisation_settings", "communication")
            for row in conn.exec_driver_sql(f"SELECT * FROM {table}")
        )  # fmt: skip
    for secret in ("a-wrong-secret-Qx9", SMTP_PASSWORD):
        assert secret not in done.stderr and secret not in stored


def test_the_certificate_is_verified_against_what_the_admin_trusts(
    org: Org,
    cli: Any,
    smtp: SmtpServer,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reminder_id = org.remind(org.cases[0])
    untrusted = cli("reminders", "send", trust=False)
    assert untrusted.status == 1 and "could not be verified" in untrusted.stderr
    assert org.state(reminder_id) == "scheduled" and smtp.received == []
    # OpenSSL's own variable, as any program on the machine would honour it.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    assert cli("reminders", "send", trust=False).status == 0
    assert org.state(reminder_id) == "sent"


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


def test_the_password_can_be_kept_in_the_system_keyring(
    org: Org, cli: Any, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = keyring.get_keyring()
    memory = _MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        assert cli("reminders", "password", user="ana").status == 1  # administrators only
        done = cli("reminders", "password")
        assert done.status == 0, done.stderr
        assert memory.kept == {("casetui", f"smtp:{SMTP_USERNAME}@127.0.0.1"): SMTP_PASSWORD}
        monkeypatch.delenv("CASETUI_SMTP_PASSWORD")
        reminder_id = org.remind(org.cases[0])
        assert cli("reminders", "send").status == 0
        assert org.state(reminder_id) == "sent"
    finally:
        keyring.set_keyring(previous)


def test_no_keyring_says_to_use_the_environment(org: Org, cli: Any) -> None:
    done = cli("reminders", "password")
    assert done.status == 1 and "CASETUI_SMTP_PASSWORD" in done.stderr


def test_settle_a_reminder_left_sending(org: Org, cli: Any, smtp: SmtpServer) -> None:
    reminder_id = org.remind(org.cases[0])
    # As a sender killed mid-send leaves it: only a crash gets there, so it is written here.
    with org.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE communication SET reminder_state = 'sending', message_id = '<m@org.example>',"
            " claimed_at = '2026-11-01 09:00:00.000000' WHERE id = ?",
            (reminder_id,),
        )
    reported = json.loads(cli("reminders", "send", "--json").stdout)
    assert [(r["id"], r["status"]) for r in reported] == [(reminder_id, "skipped")]
    assert "<m@org.example>" in reported[0]["detail"]
    assert cli("reminders", "settle", str(reminder_id)).status == 2  # --sent or --send-again
    assert cli("reminders", "settle", str(reminder_id), "--sent", "--send-again").status == 2
    done = cli("reminders", "settle", str(reminder_id), "--send-again", "--json")
    assert json.loads(done.stdout)[0]["status"] == "retry"
    assert json.loads(cli("reminders", "send", "--json").stdout)[0]["status"] == "sent"
    again = cli("reminders", "settle", str(reminder_id), "--sent")
    assert again.status == 1 and "not sending" in again.stderr


# --- in a process of its own: --watch, and stopping -----------------------------------------


def _sender(org: Org, certificates: Certificates, *options: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "casetui", "--db", org.url, "--user", "admin", "reminders",
         "send", "--ca-file", str(certificates.ca_file), *options],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_for(test: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_watch_keeps_sending_until_stopped(
    org: Org, smtp: SmtpServer, certificates: Certificates, sig: signal.Signals
) -> None:
    first = org.remind(org.cases[0], "First")
    sender = _sender(org, certificates, "--watch", "--every", "1", "--json")
    try:
        _wait_for(lambda: org.state(first) == "sent")
        second = org.remind(org.cases[1], "Second")  # arrives while it watches
        _wait_for(lambda: org.state(second) == "sent")
        sender.send_signal(sig)
        stdout, stderr = sender.communicate(timeout=30)
    finally:
        if sender.poll() is None:
            sender.kill()
    assert sender.returncode == 0, stderr
    passes = [json.loads(line) for line in stdout.splitlines()]
    sent = [(row["id"], row["status"]) for done in passes for row in done]
    assert sent == [(first, "sent"), (second, "sent")]
    assert smtp.subjects() == {"First": 1, "Second": 1}


def test_sigterm_mid_send_finishes_the_reminder_in_hand(
    org: Org, smtp: SmtpServer, certificates: Certificates
) -> None:
    ids = [org.remind(org.cases[0], f"Batch {n}") for n in range(3)]
    smtp.stall_when(lambda envelope: b"Batch 0" in (envelope.original_content or b""))
    sender = _sender(org, certificates, "--json")
    try:
        assert smtp.stalled.wait(60)
        sender.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert sender.poll() is None  # still waiting for the server's answer
        smtp.release()
        stdout, stderr = sender.communicate(timeout=30)
    finally:
        if sender.poll() is None:
            sender.kill()
    assert sender.returncode == 130
    assert [(r["id"], r["status"]) for r in json.loads(stdout)] == [(ids[0], "sent")]
    assert "stopped: stopped when asked; 2 due reminders left for the next pass" in stderr
    assert [org.state(i) for i in ids] == ["sent", "scheduled", "scheduled"]
