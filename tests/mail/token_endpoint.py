"""Google's OAuth2 token endpoint on loopback, for the refresh-token grant a Gmail OAuth2 file makes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from tests.mail.server import ACCESS_TOKEN

REVOKED = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


class TokenEndpoint:
    """Answers POST /token as Google does: an access token for a known refresh token; 400
    invalid_grant for any other (revoked). `stall` seconds before answering: a request with no timeout
    waits them out and gets its token."""

    def __init__(self, refresh_token: str = "r1", stall: float = 0.0) -> None:
        self.refresh_token, self.stall = refresh_token, stall
        self.asked: list[str] = []  # the refresh tokens traded, in order
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}/token"

    def __enter__(self) -> TokenEndpoint:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                endpoint.asked.append(form["refresh_token"][0])
                endpoint._released.wait(endpoint.stall)
                if form["grant_type"] == ["refresh_token"] and form["refresh_token"] == [endpoint.refresh_token]:
                    status, answer = 200, {"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}
                else:
                    status, answer = 400, REVOKED
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
