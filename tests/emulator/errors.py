"""Errors answered in Google's shape: {"error": {"code": 404, "message": "...", "status": "NOT_FOUND"}}.

>>> not_found().body()
{'error': {'code': 404, 'message': 'Requested entity was not found.', 'status': 'NOT_FOUND'}}
"""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    500: "Internal error encountered.",
    501: "Operation is not implemented, or supported, or enabled.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}


class ApiError(Exception):
    """An HTTP error answer: status code, message and optional details, rendered as Google does."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        details: list[dict[str, Any]] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message or MESSAGES.get(code, "Error")
        self.details = details
        self.errors = errors  # Drive's older shape: an "errors" list instead of status and details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            return {"error": error | {"errors": self.errors}}
        error["status"] = STATUS_NAMES.get(self.code)
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str, field: str | None = None) -> ApiError:
    """A 400 INVALID_ARGUMENT; with a field, Google adds a BadRequest detail naming it."""
    details = None
    if field:
        violation = {"field": field, "description": message}
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}]
    return ApiError(400, message, details)


def not_found() -> ApiError:
    return ApiError(404)


def denied() -> ApiError:
    return ApiError(403)


def unauthenticated(reason: str) -> ApiError:
    """A 401 for a missing or unknown token (reason: CREDENTIALS_MISSING or ACCESS_TOKEN_TYPE_UNSUPPORTED)."""
    message = MESSAGES[401]
    if reason == "CREDENTIALS_MISSING":
        message = message.replace(
            "Request had invalid authentication credentials", "Request is missing required authentication credential"
        )
    info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}
    return ApiError(401, message, [info])


def quota_exceeded(write: bool) -> ApiError:
    """The 429 Sheets answers when the per-minute quota of reads or writes is used up."""
    kind, metric = ("Write", "write_requests") if write else ("Read", "read_requests")
    message = (
        f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
    )
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "RATE_LIMIT_EXCEEDED",
        "domain": "googleapis.com",
        "metadata": {
            "service": "sheets.googleapis.com",
            "quota_metric": f"sheets.googleapis.com/{metric}",
            "quota_limit": f"{kind}RequestsPerMinutePerUser",
            "quota_limit_value": "60",
            "consumer": "projects/000000000000",
            "quota_location": "global",
        },
    }
    help_link = {
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [
            {
                "description": "Request a higher quota limit.",
                "url": "https://cloud.google.com/docs/quotas/help/request_increase",
            }
        ],
    }
    return ApiError(429, message, [info, help_link])


def unimplemented(what: str) -> ApiError:
    """What Google has but this emulator does not: said plainly, so a test shows the gap."""
    return ApiError(501, f"The Sheets emulator does not implement {what}.")
