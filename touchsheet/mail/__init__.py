"""Mail transports behind one small interface: open once per run, send each message, close.

`outbox` writes .eml files (the offline default and dry runs); `smtp` sends through a real server.
What went wrong (these exceptions, and MailError) is said by `e.args[0]`, a words.Message the Touch
log's Note says in the sheet's language (`str(e)` is the English text alone).
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class Refused(Exception):
    """The server refused this one message for good (5xx): it is not retried."""


class Deferred(Exception):
    """This one message was not handed over (a 4xx, or the line dropped before it): send it again."""


class Unsure(Exception):
    """The connection broke after the message was handed over: it may or may not have gone out."""


class Transport(Protocol):
    def open(self) -> None:
        """Connect (once per run). MailError when the server cannot be reached or refuses the login."""
        ...

    def send(self, message: EmailMessage) -> None:
        """Hand one message over. Refused (for good), Deferred (send again), Unsure (may have gone),
        or MailError (the server is unreachable, refuses the sender or closes the line: nothing more
        goes out this run)."""
        ...

    def close(self) -> None: ...
