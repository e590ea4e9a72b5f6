"""The offline transport: every email becomes an .eml file (open it in any mail program)."""

from __future__ import annotations

import hashlib
import re
from email.message import EmailMessage
from pathlib import Path

from touchsheet.errors import MailError
from touchsheet.words import Message


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise MailError(Message("outbox_folder", folder=self.folder, error=e.strerror)) from None

    def send(self, message: EmailMessage) -> None:
        # IDs are any text: `2026/001` and `2026 001` read alike once made a file name, and a pasted
        # paragraph is longer than a file name may be; the key's hash keeps each email its own file.
        key = str(message["X-Touchsheet-Key"])
        name, digest = re.sub(r"[^\w@.-]+", "_", key), hashlib.sha256(key.encode()).hexdigest()[:10]
        path = self.folder / (f"{name}.eml" if len(name) <= 100 else f"{name[:100]}-{digest}.eml")
        if path.exists():
            path = path.with_name(f"{path.stem}-{digest}.eml")
        try:
            path.write_bytes(bytes(message))
        except OSError as e:
            raise MailError(Message("outbox_write", folder=self.folder, error=e.strerror)) from None

    def close(self) -> None:
        pass
