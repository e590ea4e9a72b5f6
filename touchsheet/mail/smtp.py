"""Real mail through an SMTP server (Gmail by default), with yagmail for the connection and login.

yagmail is kept for what it does well (SSL/STARTTLS, password or OAuth2 login) and bypassed where
it would hurt: its `send()` opens a new connection per message, makes the text part out of the
HTML, repeats Message-IDs and answers `False` instead of raising. So one connection is opened per
run and each message (built by render.py) goes through the SMTP conversation step by step, which
also tells "never handed over" (send again) from "handed over, then the line dropped" (unconfirmed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import getaddresses, parseaddr

import yagmail

from touchsheet.config import SmtpConfig
from touchsheet.errors import MailError
from touchsheet.mail import Deferred, Refused, Unsure

logger = logging.getLogger(__name__)


def read_password(settings: SmtpConfig) -> str | None:
    """The password from its file or environment variable; None when OAuth2 (or no login) is used."""
    if settings.oauth2_file is not None or not settings.user:
        return None
    if settings.password_file is not None:
        try:
            return settings.password_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise MailError(f"cannot read the SMTP password file {settings.password_file} ({e.strerror})") from None
    password = os.environ.get(settings.password_env)
    if not password:
        raise MailError(
            f"no SMTP password: set the environment variable {settings.password_env} "
            "(for Gmail, an app password: see README, 'Sending real email')"
        )
    return password


class Smtp:
    def __init__(self, settings: SmtpConfig, sender: str) -> None:
        self.settings = settings
        self.sender = parseaddr(sender)[1]
        self._client: yagmail.SMTP | None = None

    def open(self) -> None:
        settings = self.settings
        password = read_password(settings)
        try:
            self._client = yagmail.SMTP(
                user=settings.user or self.sender,
                password=password,
                host=settings.host,
                port=settings.port_number,
                smtp_ssl=settings.security == "ssl",
                smtp_starttls=settings.security == "starttls",
                smtp_skip_login=not settings.user,
                oauth2_file=str(settings.oauth2_file) if settings.oauth2_file else None,
                soft_email_validation=False,
                timeout=settings.timeout_seconds,
            )
            self._client.set_logging(None)  # keep yagmail quiet: our log says what happened
            self._client.login()
            self._client.smtp.ehlo_or_helo_if_needed()  # without a login yagmail never says EHLO
        except smtplib.SMTPAuthenticationError as e:
            raise MailError(f"the mail server refused the login for {settings.user}: {_reason(e)}") from None
        except (OSError, smtplib.SMTPException) as e:
            raise MailError(f"cannot connect to {settings.host}:{settings.port_number} ({e})") from None
        logger.info("connected to %s:%s", settings.host, settings.port_number)

    def send(self, message: EmailMessage) -> None:
        """One SMTP transaction. Until DATA is answered nothing was handed over (MailError: send
        again); a 5xx is Refused; a line that drops during DATA leaves it Unsure."""
        smtp = self._connection()
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        try:
            code, reply = smtp.mail(self.sender)
            if 500 <= code < 600:  # the sending account (a daily quota, a login wanted), not this lead
                self._reset(smtp)
                raise MailError(f"the mail server refused the sender {self.sender}: {code} {_reason(reply)}")
            if code != 250:
                self._reset(smtp)
                raise _refusal(code, reply, "sender")
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    self._reset(smtp)
                    raise _refusal(code, reply, recipient)
        except (OSError, smtplib.SMTPServerDisconnected) as e:
            self._drop()
            raise Deferred(f"the mail server dropped the line before the message ({e})") from None
        try:
            code, reply = smtp.data(message.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPDataError as e:
            self._reset(smtp)
            raise _refusal(e.smtp_code, e.smtp_error, "message") from None
        except (OSError, smtplib.SMTPServerDisconnected) as e:  # a timeout is an OSError too
            self._drop()
            raise Unsure(f"the line dropped while the message was being handed over ({e})") from None
        if code != 250:
            self._reset(smtp)
            raise _refusal(code, reply, "message")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _connection(self) -> smtplib.SMTP:
        """The run's connection; after a drop, one new one (and MailError if that fails too)."""
        if self._client is None or self._client.smtp is None:
            self.open()
        assert self._client is not None
        return self._client.smtp

    def _drop(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.smtp.close()
            self._client.smtp = None

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()


def _refusal(code: int, reply: bytes | str, what: str) -> Exception:
    text = f"{code} {_reason(reply)}".strip()
    if 500 <= code < 600:
        return Refused(f"{what}: {text}")
    return Deferred(f"the mail server deferred the {what}: {text}")  # 4xx: try again next run


def _reason(value: object) -> str:
    """A server's reply on one line, without control characters: it is quoted in sheet cells."""
    if isinstance(value, smtplib.SMTPResponseException):
        value = value.smtp_error
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
