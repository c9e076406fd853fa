"""Fetching other people's web pages safely: link previews and feeds.

Whoever adds a link decides where the server connects, so every fetch is guarded against
server-side request forgery:

- only http and https, no credentials in the URL;
- the host name is resolved once, and every address it resolves to must be public (no
  loopback, private, shared, link-local, multicast, reserved or unspecified address, IPv4 or
  IPv6, including IPv4 addresses hidden in IPv6 forms: mapped, NAT64, 6to4, Teredo);
- the connection goes to the address that was checked (the host name is only the Host header
  and the TLS server name), so a second DNS answer cannot swap in another address;
- redirects are followed by hand, at most `max_redirects`, each one checked again;
- the whole fetch has one deadline, and the body is read up to `max_bytes`.

settings.FETCH_ALLOWED_NETWORKS names networks that may be fetched although they are not
public (an intranet blog's feed, say); it is empty unless an operator sets it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import requests.certs
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import HTTPError as Urllib3Error

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 5.0
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "AdvocacyPreview/1.0 (link previews and feeds; +https://github.com/advocacy)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


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
        or address.is_private
    )


def is_allowed_address(address: IPAddress) -> bool:
    """Public, or inside a network settings.FETCH_ALLOWED_NETWORKS allows on purpose."""
    if is_public_address(address):
        return True
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
    host: str
    port: int
    path: str  # with the query

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
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


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
        raise FetchRefused(
            _(
                "%(host)s leads to a private or reserved network address (%(address)s), "
                "which the platform does not fetch."
            )
            % {"host": host, "address": refused[0]}
        )
    return addresses[0]


def _get(
    target: _Target,
    address: IPAddress,
    headers: Mapping[str, str],
    deadline: float,
    max_bytes: int,
) -> FetchResponse:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed(_("The site took too long to answer."))
    timeout = urllib3.Timeout(connect=remaining, read=remaining)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            host=str(address),
            port=target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            # The certificate must be the host name's, though we connect to an address.
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=requests.certs.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            host=str(address), port=target.port, timeout=timeout, retries=False, maxsize=1
        )
    request_headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        **headers,
        "Host": target.host_header,
    }
    url = f"{target.scheme}://{target.host_header}{target.path}"
    try:
        response = pool.urlopen(
            "GET",
            target.path,
            headers=request_headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            response_headers = {name.lower(): value for name, value in response.headers.items()}
            declared = response_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed(_("The page is larger than the platform reads."))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.stream(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(_("The page is larger than the platform reads."))
                if time.monotonic() > deadline:
                    raise FetchFailed(_("The site took too long to answer."))
                chunks.append(chunk)
        finally:
            response.release_conn()
    except (TimeoutError, urllib3.exceptions.TimeoutError):
        raise FetchFailed(_("The site took too long to answer.")) from None
    except urllib3.exceptions.SSLError:
        raise FetchFailed(_("The site's secure connection could not be verified.")) from None
    except (Urllib3Error, OSError):
        raise FetchFailed(_("The site could not be reached.")) from None
    finally:
        pool.close()
    return FetchResponse(
        url=url, status=response.status, headers=response_headers, body=b"".join(chunks)
    )


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
        address = resolve(target.host, target.port)
        response = _get(target, address, headers or {}, deadline, max_bytes)
        location = response.headers.get("location", "")
        if response.status not in REDIRECT_STATUSES or not location:
            return FetchResponse(
                url=current, status=response.status, headers=response.headers, body=response.body
            )
        current = urljoin(current, location)
    raise FetchFailed(_("The address redirects too many times."))
