"""A real SMTP server on loopback (aiosmtpd) that records what it receives and misbehaves on request."""

from __future__ import annotations

import asyncio
import email
import socket
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

USER, PASSWORD = "sales@northwind.example", "app-password-123"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data, policy=default)

    @property
    def key(self) -> str:
        return str(self.message["X-Touchsheet-Key"])


@dataclass
class Recorder:
    """The handler: keeps every accepted message; `refuse`/`defer` recipients; `drop_after_data`
    closes the line once the message is in, without answering (the server did take it);
    `sender_refused` refuses the sending account after `sender_allowed` messages."""

    received: list[Received] = field(default_factory=list)
    connections: int = 0
    logins: int = 0
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    drop_after_data: set[str] = field(default_factory=set)
    delay: float = 0.0  # seconds to take over each message: a slow server
    sender_refused: str = ""  # the answer to MAIL FROM once `sender_allowed` messages are in (a quota)
    sender_allowed: int = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.sender_refused and len(self.received) >= self.sender_allowed:
            return self.sender_refused
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if address in self.defer:
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.delay)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if set(envelope.rcpt_tos) & self.drop_after_data:
            server.transport.close()
        return "250 OK: queued"

    def keys(self) -> list[str]:
        return [r.key for r in self.received]


class _CountingSMTP(SMTP):
    def connection_made(self, transport):
        self.event_handler.connections += 1
        super().connection_made(transport)


class _Controller(Controller):
    def factory(self):
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


def _authenticate(server, session, envelope, mechanism, auth_data):
    login, password = auth_data.login.decode(), auth_data.password.decode()
    ok = (login, password) == (USER, PASSWORD)
    if ok:
        server.event_handler.logins += 1
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself on a wrong password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """Start and stop around a test: `with SmtpServer() as server: ...`."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self._controller = _Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticate,
            auth_require_tls=False,
        )

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        self.recorder.connections = 0  # start() knocks once to see the server is up
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
