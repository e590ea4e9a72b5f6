"""One exception tree; only the CLI turns these into messages and exit codes."""


class TouchsheetError(Exception):
    """Something the person running touchsheet can fix; the message says how."""


class ConfigError(TouchsheetError):
    """config.yaml is missing, unreadable or has a bad key or value."""


class SheetError(TouchsheetError):
    """The workbook or spreadsheet cannot be read or written as it is."""


class MailError(TouchsheetError):
    """Mail cannot be sent at all this run (server down, login refused)."""
