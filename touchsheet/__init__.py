"""touchsheet: a sales team's Google Sheet (or local .xlsx) run like a disciplined CRM."""

__version__ = "0.1.0"
