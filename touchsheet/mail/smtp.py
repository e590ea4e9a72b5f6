"""Real mail through an SMTP server (Gmail by default).

smtplib holds the connection, with the server's certificate and host name checked (left to itself,
and so through yagmail, it checks neither: the password would go to any impostor). A Gmail OAuth2
file (made by yagmail) is traded for an access token with google-auth, which has a timeout and
says why Google refused (yagmail's own request may wait for ever); yagmail spells the XOAUTH2
login. Its `send()` is not used: it opens a new connection per
message, makes the text part out of the HTML, repeats Message-IDs and answers `False` instead of
raising. So one connection is opened per run and each message (built by render.py) goes through the
SMTP conversation step by step, which also tells "never handed over" (send again) from "handed
over, then the line dropped" (unconfirmed).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import getaddresses, parseaddr
from pathlib import Path

from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from yagmail.oauth2 import generate_oauth2_string

from touchsheet.config import SmtpConfig
from touchsheet.errors import MailError
from touchsheet.mail import Deferred, Refused, Unsure
from touchsheet.words import Message

logger = logging.getLogger(__name__)
OAUTH2_KEYS = ("google_client_id", "google_client_secret", "google_refresh_token")
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


def read_password(settings: SmtpConfig) -> str | None:
    """The password from its file or environment variable; None when OAuth2 (or no login) is used."""
    if settings.oauth2_file is not None or not settings.user:
        return None
    if settings.password_file is not None:
        try:
            return settings.password_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise MailError(Message("password_file", file=settings.password_file, error=e.strerror)) from None
    password = os.environ.get(settings.password_env)
    if not password:
        raise MailError(Message("no_password", variable=settings.password_env))
    return password


def read_oauth2(path: Path) -> dict[str, str]:
    """The three keys of the OAuth2 file yagmail writes (and its `token_uri`, Google's unless the file
    names another). Checked here, as yagmail given no such file (or Google's client_secret.json) asks
    for them on stdin: a worker under cron or systemd has none."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise MailError(Message("oauth2_unreadable", file=path, error=e.strerror)) from None
    except ValueError:
        raise MailError(Message("oauth2_not_json", file=path)) from None
    if not isinstance(info, dict) or not all(isinstance(info.get(key), str) and info[key] for key in OAUTH2_KEYS):
        raise MailError(Message("oauth2_incomplete", file=path, keys=", ".join(OAUTH2_KEYS)))
    return {key: info[key] for key in OAUTH2_KEYS} | {"token_uri": str(info.get("token_uri") or GOOGLE_TOKEN_URI)}


def access_token(oauth2: dict[str, str], path: Path, timeout: float) -> str:
    """The access token Google gives for the OAuth2 file's refresh token."""
    credentials = Credentials(
        None,
        refresh_token=oauth2["google_refresh_token"],
        token_uri=oauth2["token_uri"],
        client_id=oauth2["google_client_id"],
        client_secret=oauth2["google_client_secret"],
    )
    try:
        credentials.refresh(functools.partial(Request(), timeout=timeout))
    except RefreshError as e:  # e.g. "invalid_grant: Token has been expired or revoked."
        raise MailError(Message("oauth2_refused", file=path, reply=e.args[0])) from None
    except TransportError as e:
        raise MailError(Message("oauth2_unreachable", error=e)) from None
    return str(credentials.token)


class Smtp:
    def __init__(self, settings: SmtpConfig, sender: str) -> None:
        self.settings = settings
        self.sender = parseaddr(sender)[1]
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        settings = self.settings
        password = read_password(settings)
        token = None
        if settings.oauth2_file:
            token = access_token(read_oauth2(settings.oauth2_file), settings.oauth2_file, settings.timeout_seconds)
        where = f"{settings.host}:{settings.port_number}"
        try:
            smtp = self._connect()
            if token is not None:
                _login_oauth2(smtp, settings.user or self.sender, token)
            elif settings.user:
                smtp.login(settings.user, password)
        except ssl.SSLCertVerificationError as e:
            self._drop()
            raise MailError(Message("bad_certificate", server=where, error=e.verify_message)) from None
        except smtplib.SMTPAuthenticationError as e:
            self._drop()
            raise MailError(Message("login_refused", user=settings.user, reply=_reason(e))) from None
        except (OSError, smtplib.SMTPException) as e:
            self._drop()
            raise MailError(Message("cannot_connect", server=where, error=e)) from None
        logger.info("connected to %s", where)

    def _connect(self) -> smtplib.SMTP:
        """The run's line, encrypted as config says and greeted with EHLO (kept from the start, so
        that a failure part-way closes it)."""
        settings = self.settings
        # the system's CAs (or those in SSL_CERT_FILE) must vouch for the certificate, issued to this host
        context = ssl.create_default_context()
        if settings.security == "ssl":
            self._smtp = smtplib.SMTP_SSL(
                settings.host, settings.port_number, timeout=settings.timeout_seconds, context=context
            )
        else:
            self._smtp = smtplib.SMTP(settings.host, settings.port_number, timeout=settings.timeout_seconds)
        if settings.security == "starttls":
            self._smtp.starttls(context=context)
        self._smtp.ehlo_or_helo_if_needed()
        return self._smtp

    def send(self, message: EmailMessage) -> None:
        """One SMTP transaction. Until DATA is answered nothing was handed over (MailError: send
        again); a 5xx is Refused; a line that drops during DATA leaves it Unsure."""
        smtp = self._connection()
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        try:
            code, reply = smtp.mail(self.sender)
            if code != 250:  # the sending account (a daily quota, a throttle, a login wanted), not this lead
                self._reset(smtp)
                raise MailError(Message("sender_refused", sender=self.sender, reply=f"{code} {_reason(reply)}"))
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    self._reset(smtp)
                    raise _refusal(code, reply, recipient)
        except (OSError, smtplib.SMTPServerDisconnected) as e:
            self._drop()
            raise Deferred(Message("dropped_before", error=e)) from None
        try:
            code, reply = smtp.data(message.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPDataError as e:
            self._reset(smtp)
            raise _refusal(e.smtp_code, e.smtp_error) from None
        except (OSError, smtplib.SMTPServerDisconnected) as e:  # a timeout is an OSError too
            self._drop()
            raise Unsure(Message("dropped_during", error=e)) from None
        if code != 250:
            self._reset(smtp)
            raise _refusal(code, reply)

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()

    def _connection(self) -> smtplib.SMTP:
        """The run's connection; after a drop, one new one (and MailError if that fails too)."""
        if self._smtp is None:
            self.open()
        assert self._smtp is not None
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
            self._smtp = None

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()


def _login_oauth2(smtp: smtplib.SMTP, user: str, token: str) -> None:
    """Gmail's XOAUTH2 login with an access token."""
    code, reply = smtp.docmd("AUTH", f"XOAUTH2 {generate_oauth2_string(user, token, as_base64=True)}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _refusal(code: int, reply: bytes | str, recipient: str = "") -> Exception:
    """What a refusal of one recipient (or, none named, of the message itself) means for it."""
    text = f"{code} {_reason(reply)}".strip()
    if code == 421:  # the server closing the line (RFC 5321 4.2.5), Gmail's "try again later": not this lead
        return MailError(Message("line_closed", reply=text))
    refused = 500 <= code < 600  # else a 4xx: try again next run
    if recipient:
        message = Message("recipient_refused" if refused else "recipient_deferred", recipient=recipient, reply=text)
    else:
        message = Message("message_refused" if refused else "message_deferred", reply=text)
    return Refused(message) if refused else Deferred(message)


def _reason(value: object) -> str:
    """A server's reply on one line, without control characters: it is quoted in sheet cells."""
    if isinstance(value, smtplib.SMTPResponseException):
        value = value.smtp_error
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
