"""A real SMTP server on loopback (aiosmtpd) that records what it receives and misbehaves on request."""

from __future__ import annotations

import asyncio
import base64
import email
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "sales@northwind.example", "app-password-123"
ACCESS_TOKEN = "ya29.access-token"  # what Google gives for an OAuth2 file's refresh token


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
    """The handler: keeps every accepted message; `refuse`/`defer` recipients; `close_at` recipients
    get Gmail's "421 try again later" and the line closes; `drop_after_data` closes the line once the
    message is in, without answering (the server did take it); `sender_refused` refuses the sending
    account after `sender_allowed` messages (a 421 closing the line as well)."""

    received: list[Received] = field(default_factory=list)
    connections: int = 0
    logins: int = 0
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    close_at: set[str] = field(default_factory=set)
    drop_after_data: set[str] = field(default_factory=set)
    delay: float = 0.0  # seconds to take over each message: a slow server
    sender_refused: str = ""  # the answer to MAIL FROM once `sender_allowed` messages are in (a quota)
    sender_allowed: int = 0

    async def auth_XOAUTH2(self, server, args):  # noqa: N802 (aiosmtpd's name)
        """Gmail's OAuth2 login: base64 of "user=<login>^Aauth=Bearer <access token>^A^A"."""
        ok = base64.b64decode(args[1]) == f"user={USER}\x01auth=Bearer {ACCESS_TOKEN}\x01\x01".encode()
        self.logins += ok
        return AuthResult(success=ok, handled=False)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.sender_refused and len(self.received) >= self.sender_allowed:
            return await _answer(server, self.sender_refused)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if address in self.defer:
            return "451 4.7.1 Greylisted, try again later"
        if address in self.close_at:
            return await _answer(server, "421 4.7.0 Try again later, closing connection")
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


async def _answer(server, answer: str) -> str:
    if answer.startswith("421"):  # RFC 5321 4.2.5: the server closes the line once it has said so
        await server.push(answer)
        server.transport.close()
    return answer


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


def certificate(folder: Path, host: str) -> ssl.SSLContext:
    """A server's TLS context with a certificate for `host` from a throwaway CA, whose own certificate
    is written to folder/ca.pem (point SSL_CERT_FILE at it to trust it)."""
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Throwaway test CA")])
    ca = (
        _signed(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_SIGNS_CERTIFICATES, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    san = x509.IPAddress(ipaddress.ip_address(host)) if host[0].isdigit() else x509.DNSName(host)
    server = (
        _signed(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]), ca_name, key.public_key(), now)
        .add_extension(x509.SubjectAlternativeName([san]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain, secret = folder / f"{host}.pem", folder / f"{host}.key"
    chain.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    pem = serialization.PrivateFormat.TraditionalOpenSSL
    secret.write_bytes(key.private_bytes(serialization.Encoding.PEM, pem, serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain, secret)
    return context


_SIGNS_CERTIFICATES = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _signed(subject: x509.Name, issuer: x509.Name, public_key, now: datetime) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
    )


class SmtpServer:
    """Start and stop around a test: `with SmtpServer() as server: ...`. With a TLS context it speaks
    `security: ssl` (TLS from the first byte) or `starttls`, as `security` says."""

    def __init__(self, security: str = "none", context: ssl.SSLContext | None = None) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.security = security
        tls = {"ssl": {"ssl_context": context}, "starttls": {"tls_context": context}}.get(security, {})
        self._controller = _Controller(
            self.recorder,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticate,
            auth_require_tls=False,
            **tls,
        )

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        self.recorder.connections = 0  # start() knocks once to see the server is up
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
