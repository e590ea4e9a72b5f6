"""The offline transport: every email becomes an .eml file (open it in any mail program)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from touchsheet.errors import MailError


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise MailError(f"cannot create the outbox folder {self.folder} ({e.strerror})") from None

    def send(self, message: EmailMessage) -> None:
        name = re.sub(r"[^\w@.-]+", "_", str(message["X-Touchsheet-Key"]))
        try:
            (self.folder / f"{name}.eml").write_bytes(bytes(message))
        except OSError as e:
            raise MailError(f"cannot write to the outbox {self.folder} ({e.strerror})") from None

    def close(self) -> None:
        pass
