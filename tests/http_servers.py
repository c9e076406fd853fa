"""Web servers on loopback addresses, for the tests of everything that fetches other sites.

Real HTTP over real sockets: each `Site` is a ThreadingHTTPServer in a thread that answers
the paths it is given and counts the connections that reached it. A `Tripwire` is a socket
that listens and never answers, so a test can prove that nothing tried to connect to it.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[BaseHTTPRequestHandler], None]


def ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def page(
    body: bytes | str,
    *,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    headers: dict[str, str] | None = None,
    declare_length: bool = True,
) -> Answer:
    """An answer with this body; without a declared length it ends when the server hangs up."""
    content = body.encode() if isinstance(body, str) else body

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        if declare_length:
            handler.send_header("Content-Length", str(len(content)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(content)

    return answer


def redirect(location: str, *, status: int = 302) -> Answer:
    return page(b"", content_type="", status=status, headers={"Location": location})


def in_turn(*answers: Answer) -> Answer:
    """Each request gets the next answer; the last one repeats."""
    queue = list(answers)

    def answer(handler: BaseHTTPRequestHandler) -> None:
        current = queue.pop(0) if len(queue) > 1 else queue[0]
        current(handler)

    return answer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers.items())))
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(self.rfile.read(length))
        self.server.requests.append((self.path, dict(self.headers.items())))
        self._answer()

    def _answer(self) -> None:
        answer = self.server.routes.get(self.path.split("?", 1)[0])
        if answer is None:
            page("not here", status=404, content_type="text/plain")(self)
        else:
            answer(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the tests say what they expect; request logs would only be noise


class _Server(ThreadingHTTPServer):
    def __init__(self, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.routes: dict[str, Answer] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bodies: list[bytes] = []  # of POST requests, in order
        self.connections = 0

    def get_request(self) -> tuple[socket.socket, Any]:
        request = super().get_request()
        self.connections += 1  # only the serving thread accepts
        return request

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up mid-answer (a test of limits) is expected


class Site:
    """A web server on `host` (a loopback address) answering `routes` by path."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._server = _Server(host, port)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def routes(self) -> dict[str, Answer]:
        return self._server.routes

    @property
    def connections(self) -> int:
        return self._server.connections

    @property
    def paths(self) -> list[str]:
        return [path for path, _headers in self._server.requests]

    @property
    def request_headers(self) -> list[dict[str, str]]:
        return [headers for _path, headers in self._server.requests]

    @property
    def bodies(self) -> list[bytes]:
        return list(self._server.bodies)

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        host = host or self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class Tripwire:
    """A listening socket nothing should connect to.

    The kernel completes a connection into the backlog although nobody accepts it, so
    `touched` sees any attempt, even one that sent nothing.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(16)
        self.host = host
        self.port: int = self._sock.getsockname()[1]

    @property
    def touched(self) -> bool:
        readable, _writable, _errors = select.select([self._sock], [], [], 0.05)
        return bool(readable)

    def close(self) -> None:
        self._sock.close()


class Servers:
    """Starts sites and tripwires for one test and closes them all afterwards."""

    def __init__(self) -> None:
        self._open: list[Site | Tripwire] = []

    def site(self, host: str = "127.0.0.1", port: int = 0) -> Site:
        site = Site(host, port)
        self._open.append(site)
        return site

    def tripwire(self, host: str = "127.0.0.1", port: int = 0) -> Tripwire:
        wire = Tripwire(host, port)
        self._open.append(wire)
        return wire

    def close(self) -> None:
        for server in reversed(self._open):
            server.close()


@contextmanager
def servers() -> Iterator[Servers]:
    opened = Servers()
    try:
        yield opened
    finally:
        opened.close()
