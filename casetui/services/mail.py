"""Email to clients through the organisation's mail server, with the standard library's smtplib.

The connection is encrypted (STARTTLS or TLS from the first byte) and the server's certificate
is verified against the system's trusted authorities (``ssl.create_default_context``: also
``SSL_CERT_FILE``), plus an organisation's own authority when one is given. A password is sent
only over an encrypted connection.

What the server answers decides what happens to a reminder: ``Answered.DELIVERED`` (2xx),
``TEMPORARY`` (4xx, refused, timed out, dropped before the message was handed over),
``PERMANENT`` (5xx) or ``UNKNOWN``: the message was handed over and no answer came, so it may
or may not have gone, and only a person can find out.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email import errors as email_errors
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from casetui.domain.errors import CasetuiError
from casetui.domain.read_models.settings import SettingsView

if TYPE_CHECKING:
    from typing_extensions import Buffer  # the bytes-like type smtplib's stubs name

TLS_MODES = ("none", "starttls", "tls")
DEFAULT_TIMEOUT = 30.0  # seconds for each exchange with the server
ANSWER_MAX = 500  # characters of a server's answer kept with a reminder
# Line breaks and other control characters: never inside a header (a CR/LF there would start
# a header of the sender's choosing, such as a Bcc).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class MailServerProblem(CasetuiError):
    """The mail server cannot be used as it is set up (or refused to work with us at all):
    nothing was sent, and nothing about any reminder was changed."""

    def __str__(self) -> str:
        return f"the mail server: {self.args[0]}" if self.args else "the mail server"


class MailServerUnreachable(Exception):
    """The server could not be reached, or said to try later, before any message went."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LetterRefused(Exception):
    """A message that cannot be written to this client, whatever the server: the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MailServer:
    """The organisation's mail server, as ``settings`` set it up, and how to reach it."""

    host: str
    port: int
    tls: str  # none, starttls, tls
    sender: str
    organisation: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None  # an authority trusted besides the system's
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.tls})"


def mail_server(
    settings: SettingsView,
    *,
    password: str | None,
    ca_file: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> MailServer:
    """The mail server from the organisation's settings; refused, naming the setting, when it
    is not set up well enough to send anything."""
    if not settings.smtp_host:
        raise MailServerProblem("no smtp_host is set (casetui settings set smtp_host HOST)")
    if not settings.smtp_sender:
        raise MailServerProblem(
            "no smtp_sender is set: the address reminders come from "
            "(casetui settings set smtp_sender ADDRESS)"
        )
    if settings.smtp_tls not in TLS_MODES:
        raise MailServerProblem(f"smtp_tls must be one of: {', '.join(TLS_MODES)}")
    if settings.smtp_username:
        if settings.smtp_tls == "none":
            raise MailServerProblem(
                "a password is never sent unencrypted: set smtp_tls to starttls or tls, "
                "or clear smtp_username"
            )
        if not password:
            raise MailServerProblem(
                f"no password for {settings.smtp_username}: set CASETUI_SMTP_PASSWORD, or "
                "keep it in the system keyring with casetui reminders password"
            )
        if not password.isascii():
            # smtplib sends a password as ASCII: anything else would fail at every sign-in.
            raise MailServerProblem(
                "the password has characters outside ASCII, which smtplib cannot send; "
                "choose another for the mail server account"
            )
    if ca_file is not None and not ca_file.is_file():
        raise MailServerProblem(f"the certificate authority file {ca_file} is not there")
    return MailServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        tls=settings.smtp_tls,
        sender=settings.smtp_sender,
        organisation=settings.name,
        username=settings.smtp_username or None,
        password=password if settings.smtp_username else None,
        ca_file=ca_file,
        timeout=timeout,
    )


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificates verified, host names checked: the system's authorities, and ``ca_file``."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise MailServerProblem(
                f"the certificate authority file {ca_file} could not be read: {exc}"
            ) from None
    return context


# --- the message ---------------------------------------------------------------------------


def one_line(text: str) -> str:
    """Header text: line breaks and other control characters become a space."""
    return _CONTROLS.sub(" ", text).strip()


def body_text(text: str) -> str:
    """The body with its line breaks as one kind (sent as the standard CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Letter:
    """A message ready for the server, and the one address it goes to."""

    recipient: str
    message_id: str
    message: EmailMessage = field(repr=False)
    # A subject holding "=?": written as encoded words here (see ``write_letter``).
    encoded_subject: str | None = None

    @property
    def international(self) -> bool:
        """An address outside ASCII: only a server offering SMTPUTF8 can take it."""
        return not (self.recipient.isascii() and str(self.message["From"]).isascii())

    def data(self) -> bytes:
        """The message as it goes over the wire. Written here rather than by smtplib's
        send_message, which would turn a body line starting "From " into ">From "."""
        data = self.message.as_bytes(policy=policy.SMTPUTF8 if self.international else policy.SMTP)
        if self.encoded_subject is None:
            return data
        return b"Subject: " + self.encoded_subject.encode("ascii") + b"\r\n" + data


def write_letter(
    server: MailServer,
    *,
    client_name: str,
    email: str,
    subject: str,
    body: str,
    at: datetime,
) -> Letter:
    """A plain-text UTF-8 message from the organisation to the client. Refused (LetterRefused)
    when the client's address is not one a mail server takes."""
    address = email.strip()
    if not address or _CONTROLS.search(address) or " " in address or "@" not in address:
        raise LetterRefused(f"the client's email address {address[:80]!r} is not one mail can use")
    try:
        to = Address(display_name=one_line(client_name), addr_spec=address)
        sender = Address(display_name=one_line(server.organisation), addr_spec=server.sender)
    except (ValueError, IndexError, email_errors.HeaderParseError):
        raise LetterRefused(
            f"the client's email address {address[:80]!r} is not one mail can use"
        ) from None
    if not to.domain or not to.username:
        raise LetterRefused(f"the client's email address {address[:80]!r} has no domain")
    message = EmailMessage(policy=policy.SMTP)
    message_id = make_msgid(domain=sender.domain or "localhost")
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    message["From"] = sender
    message["To"] = to
    subject_line = one_line(subject)
    encoded_subject = None
    if "=?" in subject_line:
        # The email library would send text that looks like an encoded word as it is, and
        # the client's mail program would decode it into something else: encoded whole here.
        header = Header(subject_line, "utf-8", header_name="Subject")
        encoded_subject = header.encode(linesep="\r\n")
    else:
        message["Subject"] = subject_line
    # An automatic message (RFC 3834): out-of-office replies are not sent back to it.
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable: 7-bit clean through any server, long lines wrapped and unwrapped.
    message.set_content(body_text(body), subtype="plain", charset="utf-8", cte="quoted-printable")
    return Letter(address, message_id, message, encoded_subject)


# --- the connection ------------------------------------------------------------------------


class _Watched(smtplib.SMTP):
    """Notes the server's last answer, and whether this message's text was handed over: a
    failure after that, before the answer, leaves unknown whether the server took it."""

    last_code: int = 0
    last_text: bytes = b""
    handed_over: bool = False

    def getreply(self) -> tuple[int, bytes]:
        code, text = super().getreply()
        self.last_code, self.last_text = code, text
        return code, text

    def send(self, s: Buffer | str) -> None:
        if self.last_code == 354:  # "go ahead": what is sent now is the message itself
            self.handed_over = True
        super().send(s)


class _WatchedTLS(_Watched, smtplib.SMTP_SSL):
    pass


class Answered(StrEnum):
    DELIVERED = "delivered"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Answer:
    outcome: Answered
    text: str  # the server's words (code first), or what went wrong on the way


def _answer_text(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return one_line(f"{code} {' '.join(words.split())}")[:ANSWER_MAX]


def _by_code(code: int, text: bytes | str) -> Answer:
    outcome = Answered.TEMPORARY if 400 <= code < 500 else Answered.PERMANENT
    if code < 400:  # a reply no command expected: the exchange went wrong, try again later
        outcome = Answered.TEMPORARY
    return Answer(outcome, _answer_text(code, text))


def _network_words(exc: BaseException, server: MailServer) -> str:
    # smtplib reports a read that timed out as the connection closing; the cause says more.
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, OSError):
        exc = exc.__context__
    if isinstance(exc, ConnectionRefusedError):
        return f"{server.describe()} refused the connection"
    if isinstance(exc, TimeoutError):
        return f"{server.describe()} did not answer within {server.timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"the host name {server.host} could not be looked up ({exc.strerror})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{server.describe()} closed the connection"
    words = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return one_line(f"{server.describe()}: {words or type(exc).__name__}")[:ANSWER_MAX]


class Outbox:
    """One connection to the mail server for a sending pass, opened when first needed and
    opened again after the server drops it."""

    def __init__(self, server: MailServer) -> None:
        self.server = server
        self._context: ssl.SSLContext | None = None
        self._client: _Watched | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._client is not None

    def open(self) -> None:
        """Connect, encrypt and sign in. MailServerUnreachable: try again later;
        MailServerProblem: the server will not work with us as set up."""
        if self._client is not None:
            return
        server = self.server
        if self._context is None and server.tls != "none":
            self._context = tls_context(server.ca_file)
        client: _Watched | None = None
        try:
            # The host is given here, not to connect(): TLS checks the certificate against it.
            client = (
                _WatchedTLS(server.host, server.port, context=self._context, timeout=server.timeout)
                if server.tls == "tls"
                else _Watched(server.host, server.port, timeout=server.timeout)
            )
            client.ehlo()
            if server.tls == "starttls":
                client.starttls(context=self._context)
                client.ehlo()
            if server.username:
                client.login(server.username, server.password or "")
        except BaseException as exc:
            if client is not None:
                client.close()
            raise _setup_failure(exc, server) from None
        self._client = client

    def send(self, letter: Letter) -> Answer:
        """Hand one message to the server; what it answered. The connection is opened first
        if it is not (its failures are raised as ``open`` raises them)."""
        for last_try in (False, True):
            self.open()
            client = self._client
            assert client is not None
            client.last_code, client.handed_over = 0, False
            try:
                options: list[str] = []
                if letter.international:
                    client.ehlo_or_helo_if_needed()
                    if not client.has_extn("smtputf8"):
                        return Answer(
                            Answered.PERMANENT,
                            f"{self.server.describe()} does not take addresses outside ASCII "
                            "(no SMTPUTF8)",
                        )
                    options = ["SMTPUTF8", "BODY=8BITMIME"]
                client.sendmail(self.server.sender, [letter.recipient], letter.data(), options)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                return _by_code(code, text)
            except smtplib.SMTPResponseException as exc:  # sender or message refused
                if exc.smtp_code == 421:  # the server is closing: smtplib has closed too
                    self._drop()
                return _by_code(exc.smtp_code, exc.smtp_error)
            except smtplib.SMTPNotSupportedError as exc:
                return Answer(Answered.PERMANENT, one_line(f"{exc}")[:ANSWER_MAX])
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                if client.handed_over and client.last_code == 354:
                    words = _network_words(exc, self.server)
                    return Answer(
                        Answered.UNKNOWN,
                        f"handed over, then no answer ({words}): it may or may not have gone",
                    )
                if client.last_code == 0 and not last_try:
                    continue  # the connection had gone before this message began: once more
                return Answer(Answered.TEMPORARY, _network_words(exc, self.server))
            return Answer(Answered.DELIVERED, _answer_text(client.last_code, client.last_text))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def _setup_failure(exc: BaseException, server: MailServer) -> Exception:
    """Why connecting, encrypting or signing in failed, as ``open`` raises it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailServerProblem(
            f"the certificate of {server.describe()} could not be verified "
            f"({exc.verify_message}); if the organisation has its own certificate authority, "
            "give it with --ca-file or SSL_CERT_FILE"
        )
    if isinstance(exc, ssl.SSLError):
        return MailServerProblem(f"TLS with {server.describe()} failed: {exc.reason or exc}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        what = "STARTTLS" if server.tls == "starttls" and "STARTTLS" in str(exc) else "that"
        return MailServerProblem(f"{server.describe()} does not offer {what}: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        answer = _answer_text(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            return MailServerUnreachable(f"{server.describe()} said to try later: {answer}")
        doing = "sign-in" if isinstance(exc, smtplib.SMTPAuthenticationError) else "connection"
        return MailServerProblem(f"{server.describe()} refused the {doing}: {answer}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailServerUnreachable(_network_words(exc, server))
    if isinstance(exc, smtplib.SMTPException):  # e.g. no sign-in method both sides know
        return MailServerProblem(f"{server.describe()}: {exc}")
    if isinstance(exc, OSError):  # refused, timed out, no such host
        return MailServerUnreachable(_network_words(exc, server))
    if isinstance(exc, Exception):
        return exc
    raise exc  # KeyboardInterrupt and the like go on as they are
