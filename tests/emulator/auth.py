"""Service accounts and the OAuth token endpoint, as google-auth meets them at Google.

The emulator makes a service account (a real RSA key pair), hands out its JSON key file, checks the
RS256-signed JWT google-auth posts to /token, and issues short-lived bearer tokens.

>>> accounts = Accounts()
>>> info = accounts.create("bot@demo.iam.gserviceaccount.com", "http://127.0.0.1:1/token")
>>> info["type"], info["token_uri"]
('service_account', 'http://127.0.0.1:1/token')
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import ApiError, unauthenticated

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # the audience google-auth always signs for
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_SECONDS = 3600
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
SHEETS_SCOPES = {"spreadsheets", "drive", "drive.file"}
DRIVE_SCOPES = {"drive", "drive.file"}
READ_ONLY = {"spreadsheets.readonly", "drive.readonly"}


class GrantError(Exception):
    """A refused token request: (OAuth error code, description)."""


@dataclass
class Account:
    email: str
    key_id: str
    public_key: rsa.RSAPublicKey
    info: dict[str, str]


@dataclass
class Token:
    email: str
    scopes: frozenset[str]
    expires: float


@dataclass
class Accounts:
    """Service accounts by email and the tokens issued to them."""

    accounts: dict[str, Account] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)

    def create(self, email: str, token_uri: str) -> dict[str, str]:
        """A service-account key file (the JSON Google lets you download), made once per email."""
        account = self.accounts.get(email.lower())
        if account is None:
            account = _new_account(email, token_uri)
            self.accounts[email.lower()] = account
        return dict(account.info)

    def grant(self, form: dict[str, str], token_uri: str) -> dict[str, Any]:
        """The answer to a JWT-bearer grant, or GrantError as Google words it."""
        if form.get("grant_type") != JWT_BEARER:
            raise GrantError("unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type', '')}")
        email, scopes = self._verify(form.get("assertion", ""), token_uri)
        if not scopes:
            raise GrantError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        self.tokens[token] = Token(email, frozenset(scopes), time.time() + TOKEN_SECONDS)
        return {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "Bearer"}

    def _verify(self, assertion: str, token_uri: str) -> tuple[str, list[str]]:
        try:
            head, body, signature = assertion.split(".")
            header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            raise GrantError("invalid_grant", "Invalid JWT: malformed assertion.") from None
        account = self.accounts.get(str(claims.get("iss", "")).lower())
        if account is None or header.get("kid", account.key_id) != account.key_id:
            raise GrantError("invalid_grant", "Invalid grant: account not found")
        try:
            account.public_key.verify(_unb64(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            raise GrantError("invalid_grant", "Invalid JWT Signature.") from None
        if header.get("alg") != "RS256" or claims.get("aud") not in (GOOGLE_TOKEN_URI, token_uri):
            raise GrantError("invalid_grant", "Invalid JWT: Failed audience check.")
        now = time.time()
        issued, expires = claims.get("iat", 0), claims.get("exp", 0)
        if not (issued - 300 <= now < expires and expires - issued <= TOKEN_SECONDS + 300):
            raise GrantError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                "Check your iat and exp values in the JWT claim.",
            )
        scopes = [s.removeprefix(SCOPE_PREFIX) for s in str(claims.get("scope", "")).split()]
        return account.email, scopes

    def caller(self, authorization: str | None, drive: bool, write: bool) -> str:
        """The email behind a request's bearer token; Google's 401 or 403 when it cannot pass."""
        if not authorization:
            raise unauthenticated("CREDENTIALS_MISSING")
        kind, _, token = authorization.partition(" ")
        issued = self.tokens.get(token) if kind.lower() == "bearer" else None
        if issued is None or issued.expires <= time.time():
            raise unauthenticated("ACCESS_TOKEN_TYPE_UNSUPPORTED")
        enough = DRIVE_SCOPES if drive else SHEETS_SCOPES
        if not issued.scopes & (enough if write else enough | READ_ONLY):
            raise ApiError(403, "Request had insufficient authentication scopes.", [_scope_detail()])
        return issued.email

    def expire(self) -> None:
        """Make every issued token expired, as an hour passing would."""
        for token in self.tokens.values():
            token.expires = 0


def _scope_detail() -> dict[str, str]:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com",
    }


def _new_account(email: str, token_uri: str) -> Account:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    key_id = secrets.token_hex(20)
    project = email.split("@")[1].split(".")[0] if "@" in email else "emulator"
    client_id = str(100000000000000000000 + secrets.randbelow(10**20))
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": key_id,
        "private_key": pem.decode(),
        "client_email": email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    return Account(email, key_id, key.public_key(), info)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
