"""A real SMTP server on 127.0.0.1 for the reminder tests (aiosmtpd, in a thread of the test).

STARTTLS (or TLS from the first byte) with a certificate from a throwaway authority made by
trustme, which the sender is told to trust through ``--ca-file`` or ``SSL_CERT_FILE``, as an
organisation with its own authority would; AUTH with a username and password. The test says
how the server answers the next messages (``answer_next``), may make it stall on one
(``stall_when``), and reads what it received: every message whole, as it came over the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

HOST = "127.0.0.1"
USERNAME = "reminders@org.example"
PASSWORD = "correct horse battery staple"
ACCEPTED = "250 2.0.0 Ok: queued"


@dataclass(frozen=True)
class Certificates:
    """An authority of the test's own and the server's certificate for 127.0.0.1."""

    authority: trustme.CA
    ca_file: Path  # what the sender is told to trust

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.authority.issue_cert(HOST, "localhost").configure_cert(context)
        return context


def make_certificates(folder: Path) -> Certificates:
    authority = trustme.CA()
    ca_file = folder / "organisation-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return Certificates(authority, ca_file)


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes  # as it came over the wire, after the dot-stuffing is undone

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def body(self) -> str:
        """The text, its CR LF line breaks read as line breaks."""
        content = self.message.get_content()
        assert isinstance(content, str)
        return content.replace("\r\n", "\n")


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    stall_when: Callable[[Envelope], bool] | None = None
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        with self.lock:
            answer = self.answers.pop(0) if self.answers else ACCEPTED
        if answer.startswith("2"):
            data = envelope.original_content or b""
            self._keep(Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data))
        if self.stall_when is not None and self.stall_when(envelope):
            # Taken, and then no answer: the sender cannot know whether it went.
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return answer

    def _keep(self, message: Received) -> None:
        with self.lock:
            self.received.append(message)


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


class _Controller(Controller):
    """Listens on a port the system picks: the test never guesses a free one."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """The server, started by ``running``; ``port`` is where it listens."""

    def __init__(self, certificates: Certificates, *, tls: str = "starttls") -> None:
        self.tls = tls
        self.handler = _Handler()
        context = certificates.server_context()
        options: dict[str, Any] = {
            "hostname": HOST,
            "port": 0,
            "authenticator": _authenticate,
            "auth_required": True,
        }
        if tls == "tls":
            options["ssl_context"] = context
            options["auth_require_tls"] = False  # TLS from the first byte: the session is encrypted
        else:
            options["tls_context"] = context
            options["require_starttls"] = True
        self.controller = _Controller(self.handler, **options)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    # --- what it does next ---------------------------------------------------------------

    def answer_next(self, *answers: str) -> None:
        """The answers to the next messages' DATA, in order (then it accepts again)."""
        with self.handler.lock:
            self.handler.answers.extend(answers)

    def stall_when(self, test: Callable[[Envelope], bool]) -> None:
        """Take a message that passes ``test``, then give no answer until ``release``."""
        self.handler.stall_when = test

    @property
    def stalled(self) -> threading.Event:
        return self.handler.stalled

    def release(self) -> None:
        self.handler.release.set()

    # --- what it received ----------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def message_ids(self) -> Counter[str]:
        return Counter(message.message_id for message in self.received)

    def subjects(self) -> Counter[str]:
        return Counter(str(message.message["Subject"]) for message in self.received)


@contextlib.contextmanager
def running(certificates: Certificates, *, tls: str = "starttls") -> Iterator[SmtpServer]:
    server = SmtpServer(certificates, tls=tls)
    server.controller.start()
    try:
        yield server
    finally:
        server.release()
        server.controller.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A port that takes connections and never says a word: the sender times out."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])
