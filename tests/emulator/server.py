"""The HTTP side: a threaded server on 127.0.0.1 handing each request to the emulator's dispatcher.

>>> app = lambda request: Response(200, b'{"ok": true}')
>>> server = Server(app); server.start(); server.url.startswith("http://127.0.0.1:")
True
>>> server.stop()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """What arrived: method, path as sent (still percent-encoded), query, lower-cased headers, body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"


DROPPED = Response(0)  # no answer at all: the line drops, as a network failing mid-request does


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends and requests' sessions use
    disable_nagle_algorithm = True  # headers and body go out as written, not 40 ms apart (delayed ACKs)
    server: _HTTPServer

    def _handle(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            self.command,
            url.path,
            parse_qs(url.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()},
            self.rfile.read(length) if length else b"",
        )
        response = self.server.app(request)
        if response is DROPPED:
            self.close_connection = True
            return
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read emu.calls instead of a log."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not hold up stop()
    app: Callable[[Request], Response]


class Server:
    """Serves app(Request) -> Response on a free port of 127.0.0.1 from a background thread."""

    def __init__(self, app: Callable[[Request], Response]) -> None:
        self.app = app
        self._http: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._http is not None, "start() first"
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.app = self.app
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._http is not None and self._thread is not None:
            self._http.shutdown()
            self._http.server_close()
            self._thread.join()
            self._http = self._thread = None
