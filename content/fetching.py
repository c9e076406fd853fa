"""Fetching other people's web pages safely: link previews and feeds.

Whoever adds a link decides where the server connects, so every fetch is guarded against
server-side request forgery:

- only http and https, no credentials in the URL, no IPv6 zone;
- the host name is resolved once, and every address it resolves to must be public (no
  loopback, private, shared, link-local, multicast, reserved or unspecified address, IPv4 or
  IPv6, including IPv4 addresses hidden in IPv6 forms: mapped, NAT64, 6to4, Teredo);
- the connection goes to the address that was checked (the host name is only the Host header
  and the TLS server name), so a second DNS answer cannot swap in another address;
- redirects are followed by hand, at most `max_redirects`, each one checked again;
- the whole fetch has one deadline, enforced by cutting the connection off (a server that
  trickles bytes cannot stretch it), and the body is read up to `max_bytes` after gzip or
  deflate is undone, so a compressed bomb stops there too.

settings.FETCH_ALLOWED_NETWORKS names networks that may be fetched although they are not
public (an intranet blog's feed, say); it is empty unless an operator sets it.

`post()` sends a body (a webhook's delivery) through the same checks, the same pinned
connection and the same deadline; it follows no redirect at all, and by default insists on
https:// except towards the allowed networks.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests.certs
from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 5.0
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
USER_AGENT = "AdvocacyPreview/1.0 (link previews and feeds; +https://github.com/advocacy)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Digits, hex digits, "x" and dots only: what inet_aton may read as an IPv4 address.
_LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+")
# Left as they are in a path: reserved characters, and "%" so escapes are not escaped again.
_SAFE_IN_PATH = "/%:@!$&'()*+,;=~"


class FetchError(Exception):
    """A fetch that did not give a page; `str()` says why in words for the person who asked."""


class FetchRefused(FetchError):
    """The URL or an address it leads to is not one the platform fetches. Nothing was sent."""


class FetchFailed(FetchError):
    """The server could not be reached, was too slow, sent too much or answered an error."""


@dataclass(frozen=True)
class FetchResponse:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _sep, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"')
        return None


@lru_cache(maxsize=8)
def _allowed_networks(configured: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in configured)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """An IPv4 address an IPv6 address stands for, where routers would take it there."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether the address is on the public internet (and so safe to fetch from)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    return not (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        or address.is_private
    )


def is_allowed_address(address: IPAddress) -> bool:
    """Public, or inside a network settings.FETCH_ALLOWED_NETWORKS allows on purpose."""
    return is_public_address(address) or in_allowed_network(address)


def in_allowed_network(address: IPAddress) -> bool:
    """Inside a network settings.FETCH_ALLOWED_NETWORKS names (an intranet, a test's)."""
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    networks = _allowed_networks(tuple(settings.FETCH_ALLOWED_NETWORKS))
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII (IDNA), lower case, no brackets
    port: int
    path: str  # with the query, percent-encoded
    address: IPAddress | None = None  # when the host is an address itself

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchRefused(_("This is not a web address the platform can open.")) from None
    if parts.scheme not in {"http", "https"}:
        raise FetchRefused(_("Only http:// and https:// addresses can be fetched."))
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(_("Addresses with a user name or password in them are not fetched."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(_("The address has no host name."))
    if "%" in host:
        # A zone ("fe80::1%eth0") only ever names a link-local address.
        raise FetchRefused(_("This is not a web address the platform can open."))
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchRefused(_("This is not a web address the platform can open.")) from None
    literal = _address_literal(host)
    if literal is not None and not is_allowed_address(literal):
        raise FetchRefused(_refused_message(host, literal))
    # The request line must be ASCII without spaces; what is already escaped stays as it is.
    path = quote(parts.path or "/", safe=_SAFE_IN_PATH)
    if parts.query:
        path = f"{path}?{quote(parts.query, safe=_SAFE_IN_PATH + '?')}"
    return _Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
        address=literal,
    )


def _address_literal(host: str) -> IPAddress | None:
    """The address a host name that is an address stands for, in any form resolvers read.

    2130706433, 0x7f000001, 017700000001, 0177.0.0.1 and 127.1 all are 127.0.0.1 to
    getaddrinfo and to browsers; reading them here refuses them whatever the resolver does.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _refused_message(host: str, address: IPAddress) -> str:
    return _(
        "%(host)s leads to a private or reserved network address (%(address)s), "
        "which the platform does not fetch."
    ) % {"host": host, "address": address}


def resolve(host: str, port: int) -> IPAddress:
    """The address to connect to: every address the name resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchFailed(
            _("The host name %(host)s could not be found.") % {"host": host}
        ) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 scope ("fe80::1%eth0") is not part of the address.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchFailed(_("The host name %(host)s could not be found.") % {"host": host})
    refused = [address for address in addresses if not is_allowed_address(address)]
    if refused:
        raise FetchRefused(_refused_message(host, refused[0]))
    return addresses[0]


class _Watchdog:
    """Cuts a connection off at the deadline.

    A socket timeout bounds each wait, not their sum: a server sending a byte every few
    seconds would hold the fetch for hours. Shutting the socket down from a timer ends any
    read in progress, in the TLS handshake, the headers or the body.
    """

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        # A duplicate of the descriptor, owned here, so the timer never touches a descriptor
        # number that has been closed and handed to someone else.
        self._sock: socket.socket | None = sock.dup()
        self._lock = threading.Lock()
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._sock is None:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # already closed by the other side
                self._sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=requests.certs.where())


class _Connection(http.client.HTTPConnection):
    """HTTP or HTTPS to the address that was checked, never to what the name resolves to now.

    The host name is only the Host header and, over TLS, the server name the certificate
    must match.
    """

    def __init__(self, target: _Target, address: IPAddress, deadline: float) -> None:
        super().__init__(target.host, target.port, timeout=deadline - time.monotonic())
        self._target = target
        self._address = address
        self._deadline = deadline
        self.watchdog: _Watchdog | None = None

    def connect(self) -> None:
        family = socket.AF_INET6 if self._address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            remaining = self._deadline - time.monotonic()
            sock.settimeout(max(remaining, 0.001))
            self.watchdog = _Watchdog(sock, remaining)
            # A numeric address: no second lookup that a DNS answer could change.
            sock.connect((str(self._address), self._target.port))
            if self._target.scheme == "https":
                sock = _tls_context().wrap_socket(sock, server_hostname=self._target.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    @property
    def cut_off(self) -> bool:
        return self.watchdog is not None and self.watchdog.fired

    def finish(self, response: http.client.HTTPResponse | None) -> None:
        # close() alone is not the end: http.client calls it to hand the socket to a
        # response that reads until the server hangs up, and the deadline still holds then.
        if response is not None:
            response.close()
        self.close()
        if self.watchdog is not None:
            self.watchdog.stop()


class _Decoder:
    """Undoes gzip or deflate, never producing more than the caller still accepts."""

    def __init__(self, content_encoding: str) -> None:
        encoding = content_encoding.strip().lower()
        self._inflater: Any = None
        self._raw_deflate_possible = False
        if encoding in {"gzip", "x-gzip"}:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
            # Some servers send raw deflate under this name; it shows in the first bytes.
            self._raw_deflate_possible = True
        elif encoding not in {"", "identity"}:
            raise FetchFailed(_("The site sent the page in an encoding the platform cannot read."))

    def decode(self, data: bytes, limit: int) -> bytes:
        """What `data` decodes to, cut at `limit` bytes (a bomb stops there, in memory too)."""
        if self._inflater is None:
            return data
        try:
            decoded: bytes = self._inflater.decompress(data, limit)
        except zlib.error:
            if not self._raw_deflate_possible:
                raise FetchFailed(_("The site sent a page the platform could not read.")) from None
            self._raw_deflate_possible = False
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.decode(data, limit)
        self._raw_deflate_possible = False
        return decoded


def _too_large() -> FetchFailed:
    return FetchFailed(_("The page is larger than the platform reads."))


def _read_body(
    response: http.client.HTTPResponse,
    headers: Mapping[str, str],
    max_bytes: int,
    *,
    truncate: bool = False,
) -> bytes:
    if truncate:
        # Only the first bytes matter (a webhook receiver's answer): the rest is not read.
        return response.read(max_bytes)
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large()
    decoder = _Decoder(headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    size = 0
    while raw := response.read(_CHUNK_BYTES):
        # One byte more than allowed is enough to know the body is too large.
        chunk = decoder.decode(raw, max_bytes - size + 1)
        size += len(chunk)
        if size > max_bytes:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _get(
    target: _Target,
    address: IPAddress,
    headers: Mapping[str, str],
    deadline: float,
    max_bytes: int,
) -> FetchResponse:
    return _exchange("GET", target, address, headers, b"", deadline, max_bytes)


def _exchange(
    method: str,
    target: _Target,
    address: IPAddress,
    headers: Mapping[str, str],
    body: bytes,
    deadline: float,
    max_bytes: int,
    *,
    truncate: bool = False,
) -> FetchResponse:
    if deadline - time.monotonic() <= 0:
        raise FetchFailed(_("The site took too long to answer."))
    request_headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
        **headers,
        "Host": target.host_header,
    }
    connection = _Connection(target, address, deadline)
    response: http.client.HTTPResponse | None = None
    try:
        connection.request(method, target.path, body=body or None, headers=request_headers)
        response = connection.getresponse()
        response_headers: dict[str, str] = {}
        for name, value in response.getheaders():
            name = name.lower()
            previous = response_headers.get(name)
            response_headers[name] = value if previous is None else f"{previous}, {value}"
        if response.status in REDIRECT_STATUSES and response_headers.get("location"):
            content = b""  # only the Location matters
        else:
            content = _read_body(response, response_headers, max_bytes, truncate=truncate)
        if connection.cut_off:
            # The cut may look like an ordinary end of a body without a declared length.
            raise FetchFailed(_("The site took too long to answer."))
    except (http.client.HTTPException, OSError) as error:
        # TimeoutError and ssl.SSLError are OSErrors too.
        raise _failure(error, cut_off=connection.cut_off) from None
    finally:
        connection.finish(response)
    return FetchResponse(
        url=f"{target.scheme}://{target.host_header}{target.path}",
        status=response.status,
        headers=response_headers,
        body=content,
    )


def _failure(error: Exception, *, cut_off: bool) -> FetchFailed:
    if cut_off or isinstance(error, TimeoutError):
        return FetchFailed(_("The site took too long to answer."))
    if isinstance(error, ssl.SSLError):
        return FetchFailed(_("The site's secure connection could not be verified."))
    return FetchFailed(_("The site could not be reached."))


def fetch(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
    max_redirects: int = MAX_REDIRECTS,
) -> FetchResponse:
    """GET `url` within the limits above; any status is returned, redirects are followed.

    Raises FetchRefused before anything is sent to an address that is not allowed, and
    FetchFailed when the site cannot be read within the limits.
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(max_redirects + 1):
        target = _target(current)
        address = target.address or resolve(target.host, target.port)
        response = _get(target, address, headers or {}, deadline, max_bytes)
        location = response.headers.get("location", "")
        if response.status not in REDIRECT_STATUSES or not location:
            return FetchResponse(
                url=current, status=response.status, headers=response.headers, body=response.body
            )
        current = urljoin(current, location)
    raise FetchFailed(_("The address redirects too many times."))


def _plain_http_refused(host: str) -> FetchRefused:
    return FetchRefused(
        _(
            "%(host)s is reached over plain http://, which is allowed only inside the networks "
            "the platform's operator allows (FETCH_ALLOWED_NETWORKS). Use an https:// address."
        )
        % {"host": host}
    )


def check_destination(url: str, *, require_https: bool = False) -> None:
    """Whether `url` passes the checks a fetch or a post makes before connecting.

    Raises FetchRefused (or FetchFailed when the name cannot be resolved); sends nothing.
    The address is checked again on every fetch: an answer now is no promise for later.
    """
    target = _target(url)
    address = target.address or resolve(target.host, target.port)
    if require_https and target.scheme != "https" and not in_allowed_network(address):
        raise _plain_http_refused(target.host)


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = 16 * 1024,
    require_https: bool = True,
) -> FetchResponse:
    """POST `body` to `url` once, with the same checks, pinned address and deadline as
    fetch(). Any status is returned; a redirect is returned as it is, never followed. Only
    the first `max_bytes` of the answer are read. With `require_https` (the default), plain
    http:// is refused unless the address is inside settings.FETCH_ALLOWED_NETWORKS.

    Raises FetchRefused before anything is sent to an address that is not allowed, and
    FetchFailed when the server cannot be reached or answer within the deadline.
    """
    deadline = time.monotonic() + timeout
    target = _target(url)
    address = target.address or resolve(target.host, target.port)
    if require_https and target.scheme != "https" and not in_allowed_network(address):
        raise _plain_http_refused(target.host)
    return _exchange(
        "POST", target, address, headers or {}, body, deadline, max_bytes, truncate=True
    )
