"""The guarded fetcher: what it refuses before connecting, and the limits it keeps.

All over real HTTP to servers on loopback addresses. Loopback is not public, so the tests
that need an answer let 127.0.0.1 through with FETCH_ALLOWED_NETWORKS, as an operator would
for an intranet; 127.0.0.2 stays refused and plays the private network behind it.
"""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from content.fetching import FetchFailed, FetchRefused, fetch

from .http_servers import Servers, ipv6_loopback_available, page, redirect, servers

SHORT = 2.0  # seconds: a loopback answer takes milliseconds


@pytest.fixture
def net() -> Iterator[Servers]:
    with servers() as opened:
        yield opened


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


class FakeDNS:
    """Answers for made-up names under .test; every lookup is recorded, real ones included."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []

    def answer(self, name: str, *addresses: str) -> None:
        """The next lookup of `name` gets `addresses`; the last answer given repeats."""
        self.answers.setdefault(name, []).append(list(addresses))


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        fake.asked.append(host)
        queue = fake.answers.get(host)
        if queue:
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
                if ":" in address
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in addresses
            ]
        if isinstance(host, str) and host.endswith(".test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


# --- Refused without a connection ---------------------------------------------------------


def test_tripwire_notices_a_connection(net: Servers):
    # The assertions below that nothing connected mean something only if this one holds.
    wire = net.tripwire()
    assert not wire.touched
    with socket.create_connection(("127.0.0.1", wire.port), timeout=SHORT):
        assert wire.touched


LOOPBACK_FORMS = {
    "127.0.0.1": "http://127.0.0.1:{port}/",
    "localhost": "http://localhost:{port}/",
    "localhost with a trailing dot": "http://localhost.:{port}/latest",
    "upper case": "http://LOCALHOST:{port}/",
    "https": "https://127.0.0.1:{port}/",
    "decimal": "http://2130706433:{port}/",
    "hex": "http://0x7f000001:{port}/",
    "octal": "http://017700000001:{port}/",
    "dotted octal": "http://0177.0.0.1:{port}/",
    "dotted hex": "http://0x7f.1:{port}/",
    "short": "http://127.1:{port}/",
    "IPv4-mapped IPv6": "http://[::ffff:127.0.0.1]:{port}/",
    "IPv4-mapped IPv6 in hex": "http://[::ffff:7f00:1]:{port}/",
    "6to4 of loopback": "http://[2002:7f00:1::]:{port}/",
    "NAT64 of loopback": "http://[64:ff9b::7f00:1]:{port}/",
    "the unspecified 0.0.0.0": "http://0.0.0.0:{port}/",
    "credentials": "http://user:secret@127.0.0.1:{port}/",
    "a user name only": "http://user@127.0.0.1:{port}/",
    "gopher": "gopher://127.0.0.1:{port}/_GET",
    "ftp": "ftp://127.0.0.1:{port}/",
}


@pytest.mark.parametrize("form", list(LOOPBACK_FORMS.values()), ids=list(LOOPBACK_FORMS))
def test_loopback_in_any_form_is_refused_without_a_connection(net: Servers, form: str):
    wire = net.tripwire("127.0.0.1")
    if ipv6_loopback_available():
        # "localhost" may also resolve to ::1; a second wire on the same port catches that.
        try:
            wire6 = net.tripwire("::1", wire.port)
        except OSError:
            wire6 = None
    else:
        wire6 = None
    with pytest.raises(FetchRefused) as refused:
        fetch(form.format(port=wire.port), timeout=SHORT)
    assert str(refused.value)
    assert not wire.touched
    assert wire6 is None or not wire6.touched


IPV6_LOOPBACK_FORMS = {
    "::1": "http://[::1]:{port}/",
    "::1 written out": "http://[0:0:0:0:0:0:0:1]:{port}/",
    "the unspecified ::": "http://[::]:{port}/",
}


@pytest.mark.skipif(not ipv6_loopback_available(), reason="this machine has no IPv6 loopback (::1)")
@pytest.mark.parametrize("form", list(IPV6_LOOPBACK_FORMS.values()), ids=list(IPV6_LOOPBACK_FORMS))
def test_ipv6_loopback_is_refused_without_a_connection(net: Servers, form: str):
    wire = net.tripwire("::1")
    with pytest.raises(FetchRefused):
        fetch(form.format(port=wire.port), timeout=SHORT)
    assert not wire.touched


REFUSED = {
    "10/8": "http://10.0.0.1/",
    "172.16/12 start": "http://172.16.0.1/",
    "172.16/12 end": "http://172.31.255.254/",
    "192.168/16": "http://192.168.1.1/admin",
    "shared address space": "http://100.64.0.1/",
    "cloud metadata": "http://169.254.169.254/latest/meta-data/",
    "cloud metadata, decimal": "http://2852039166/latest/meta-data/",
    "link-local IPv6": "http://[fe80::1]/",
    "link-local IPv6 with a zone": "http://[fe80::1%25eth0]/",
    "unique-local IPv6": "http://[fd00::1]/",
    "site-local IPv6": "http://[fec0::1]/",
    "IPv4-mapped private": "http://[::ffff:10.0.0.1]/",
    "IPv4-mapped metadata": "http://[::ffff:169.254.169.254]/",
    "NAT64 of metadata": "http://[64:ff9b::a9fe:a9fe]/",
    "multicast": "http://224.0.0.1/",
    "multicast IPv6": "http://[ff02::1]/",
    "broadcast": "http://255.255.255.255/",
    "reserved": "http://240.0.0.1/",
    "documentation": "http://192.0.2.10/",
    "ftp": "ftp://example.com/file",
    "file": "file:///etc/passwd",
    "gopher": "gopher://example.com/",
    "javascript": "javascript:alert(1)",
    "data": "data:text/html,<h1>hi</h1>",
    "no scheme": "//example.com/",
    "credentials": "http://user:secret@example.com/",
    "no host": "http:///path",
    "bad port": "http://example.com:99999/",
}


@pytest.mark.parametrize("url", list(REFUSED.values()), ids=list(REFUSED))
def test_addresses_that_are_not_public_are_refused_before_any_lookup(dns: FakeDNS, url: str):
    with pytest.raises(FetchRefused) as refused:
        fetch(url, timeout=SHORT)
    assert str(refused.value)
    # An address needs no lookup, and a refused scheme or credential is refused before one.
    assert dns.asked == []


def test_refusal_names_the_address(dns: FakeDNS):
    dns.answer("intranet.test", "10.1.2.3")
    with pytest.raises(FetchRefused) as refused:
        fetch("http://intranet.test/", timeout=SHORT)
    assert "10.1.2.3" in str(refused.value)
    assert "private" in str(refused.value)


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    net: Servers, dns: FakeDNS, allow_loopback: None
):
    site = net.site("127.0.0.1")
    site.routes["/"] = page("hello")
    dns.answer("mixed.test", "127.0.0.1", "10.0.0.7")
    with pytest.raises(FetchRefused):
        fetch(f"http://mixed.test:{site.port}/", timeout=SHORT)
    assert site.connections == 0


def test_allowed_network_is_fetched_and_nothing_else_is(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    site.routes["/"] = page("<p>intranet</p>")
    response = fetch(site.url("/"), timeout=SHORT)
    assert (response.status, response.body) == (200, b"<p>intranet</p>")
    assert response.content_type == "text/html"
    assert response.charset == "utf-8"

    neighbour = net.site("127.0.0.2")
    with pytest.raises(FetchRefused):
        fetch(neighbour.url("/"), timeout=SHORT)
    assert neighbour.connections == 0


# --- Redirects ------------------------------------------------------------------------------


def test_redirect_to_a_private_address_is_refused_unsent(net: Servers, allow_loopback: None):
    inside = net.site("127.0.0.2")
    inside.routes["/secret"] = page("the keys")
    outside = net.site("127.0.0.1")
    outside.routes["/start"] = redirect(inside.url("/secret"))
    with pytest.raises(FetchRefused):
        fetch(outside.url("/start"), timeout=SHORT)
    assert outside.paths == ["/start"]
    assert inside.connections == 0


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http://user:secret@127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.2]/",
        "http://2130706434/",
    ],
)
def test_redirect_to_what_is_refused_is_refused(net: Servers, allow_loopback: None, location: str):
    site = net.site("127.0.0.1")
    site.routes["/"] = redirect(location)
    with pytest.raises(FetchRefused):
        fetch(site.url("/"), timeout=SHORT)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_relative_redirects_are_followed(net: Servers, allow_loopback: None, status: int):
    site = net.site("127.0.0.1")
    site.routes["/articles/old"] = redirect("new?from=old", status=status)
    site.routes["/articles/new"] = page("moved here")
    response = fetch(site.url("/articles/old"), timeout=SHORT)
    assert response.body == b"moved here"
    assert response.url == site.url("/articles/new?from=old")
    assert site.paths == ["/articles/old", "/articles/new?from=old"]


def test_five_redirects_are_followed_and_a_sixth_is_not(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    for hop in range(6):
        site.routes[f"/{hop}"] = redirect(f"/{hop + 1}")
    site.routes["/5"] = page("five hops")  # /0 -> /5 is five redirects
    assert fetch(site.url("/0"), timeout=SHORT).body == b"five hops"

    site.routes["/5"] = redirect("/6")
    site.routes["/6"] = page("six hops")
    site.paths.clear()
    with pytest.raises(FetchFailed) as failed:
        fetch(site.url("/0"), timeout=SHORT)
    assert "redirects" in str(failed.value)
    assert "/6" not in site.paths


def test_redirect_loop_fails(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    site.routes["/loop"] = redirect("/loop")
    with pytest.raises(FetchFailed):
        fetch(site.url("/loop"), timeout=SHORT)
    assert len(site.paths) == 6


def test_redirect_without_location_is_the_answer(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    site.routes["/"] = page("no location", status=302)
    response = fetch(site.url("/"), timeout=SHORT)
    assert (response.status, response.body) == (302, b"no location")


# --- DNS: one lookup per hop, and the connection goes to what was checked --------------------


def test_connection_goes_to_the_checked_address_not_a_second_answer(
    net: Servers, dns: FakeDNS, allow_loopback: None
):
    public = net.site("127.0.0.1")
    public.routes["/"] = page("the page that was checked")
    try:
        private = net.site("127.0.0.2", public.port)
    except OSError:
        pytest.skip(f"port {public.port} is taken on 127.0.0.2")
    private.routes["/"] = page("the internal service")
    # DNS rebinding: the first answer passes the check; any later one points inside.
    dns.answer("rebind.test", "127.0.0.1")
    dns.answer("rebind.test", "127.0.0.2")

    response = fetch(f"http://rebind.test:{public.port}/", timeout=SHORT)

    assert response.body == b"the page that was checked"
    assert dns.asked == ["rebind.test"]
    assert private.connections == 0
    # The name stays the Host header, as the site expects.
    assert public.request_headers[0]["Host"] == f"rebind.test:{public.port}"


def test_every_hop_is_looked_up_once_and_checked(net: Servers, dns: FakeDNS, allow_loopback: None):
    site = net.site("127.0.0.1")
    inside = net.site("127.0.0.2")
    dns.answer("hop.test", "127.0.0.1")
    dns.answer("other.test", "127.0.0.2")
    site.routes["/1"] = redirect(f"http://hop.test:{site.port}/2")
    site.routes["/2"] = redirect("/3")
    site.routes["/3"] = redirect(f"http://other.test:{inside.port}/4")
    with pytest.raises(FetchRefused):
        fetch(f"http://hop.test:{site.port}/1", timeout=SHORT)
    assert dns.asked == ["hop.test", "hop.test", "hop.test", "other.test"]
    assert site.paths == ["/1", "/2", "/3"]
    assert inside.connections == 0


def test_international_names_are_looked_up_in_ascii(
    net: Servers, dns: FakeDNS, allow_loopback: None
):
    site = net.site("127.0.0.1")
    site.routes["/caf%C3%A9"] = page("ok")
    dns.answer("xn--bcher-kva.test", "127.0.0.1")
    response = fetch(f"http://bücher.test:{site.port}/café?q=a b", timeout=SHORT)
    assert response.body == b"ok"
    assert dns.asked == ["xn--bcher-kva.test"]
    assert site.paths == ["/caf%C3%A9?q=a%20b"]


def test_unknown_name_fails_with_a_reason(dns: FakeDNS):
    with pytest.raises(FetchFailed) as failed:
        fetch("https://nowhere.test/", timeout=SHORT)
    assert "nowhere.test" in str(failed.value)


# --- Size ---------------------------------------------------------------------------------


def chunked(body: bytes, size: int = 1000) -> Any:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        handler.wfile.write(head)
        for start in range(0, len(body), size):
            part = body[start : start + size]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        handler.wfile.write(b"0\r\n\r\n")
        handler.close_connection = True

    return answer


@pytest.mark.parametrize(
    "answer",
    [
        page(b"x" * 5000),
        page(b"x" * 5000, declare_length=False),
        chunked(b"x" * 5000),
    ],
    ids=["declared length", "undeclared length", "chunked"],
)
def test_body_over_the_limit_fails(net: Servers, allow_loopback: None, answer: Any):
    site = net.site("127.0.0.1")
    site.routes["/"] = answer
    with pytest.raises(FetchFailed) as failed:
        fetch(site.url("/"), max_bytes=1000, timeout=SHORT)
    assert "larger" in str(failed.value)


@pytest.mark.parametrize(
    "answer",
    [page(b"x" * 1000), page(b"x" * 1000, declare_length=False), chunked(b"x" * 1000, 300)],
    ids=["declared length", "undeclared length", "chunked"],
)
def test_body_at_the_limit_is_read_whole(net: Servers, allow_loopback: None, answer: Any):
    site = net.site("127.0.0.1")
    site.routes["/"] = answer
    assert fetch(site.url("/"), max_bytes=1000, timeout=SHORT).body == b"x" * 1000


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
    ],
    ids=["gzip", "deflate", "raw deflate"],
)
def test_compressed_pages_are_decoded(
    net: Servers, allow_loopback: None, encoding: str, compress: Any
):
    site = net.site("127.0.0.1")
    html = b"<title>Squeezed</title>" + b" " * 10_000
    site.routes["/"] = page(compress(html), headers={"Content-Encoding": encoding})
    response = fetch(site.url("/"), timeout=SHORT)
    assert response.body == html
    assert site.request_headers[0]["Accept-Encoding"] == "gzip, deflate"


def test_compressed_bomb_stops_at_the_limit(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    bomb = gzip.compress(b"\0" * 20_000_000)
    assert len(bomb) < 100_000  # small on the wire: the decoded size is what must be caught
    site.routes["/"] = page(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchFailed) as failed:
        fetch(site.url("/"), max_bytes=100_000, timeout=SHORT)
    assert "larger" in str(failed.value)


@pytest.mark.parametrize(
    ("encoding", "body"), [("br", b"\x0b\x02\x80hello\x03"), ("gzip", b"not gzip at all")]
)
def test_undecodable_bodies_fail(net: Servers, allow_loopback: None, encoding: str, body: bytes):
    site = net.site("127.0.0.1")
    site.routes["/"] = page(body, headers={"Content-Encoding": encoding})
    with pytest.raises(FetchFailed):
        fetch(site.url("/"), timeout=SHORT)


# --- Time -----------------------------------------------------------------------------------


def slow(seconds: float) -> Any:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        page("finally")(handler)

    return answer


def trickle(*, head: bytes, body: bytes, pause: float) -> Any:
    """Sends `head` at once, then `body` a byte at a time: every wait is short, the sum long."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(head)
        for byte in body:
            time.sleep(pause)
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    return answer


def assert_fails_quickly(url: str, timeout: float) -> FetchFailed:
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failed:
        fetch(url, timeout=timeout)
    elapsed = time.monotonic() - started
    assert elapsed < timeout + 1.5, f"the fetch took {elapsed:.1f} s with a {timeout} s timeout"
    assert "too long" in str(failed.value)
    return failed.value


def test_slow_server_fails_at_the_timeout(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    site.routes["/"] = slow(5)
    assert_fails_quickly(site.url("/"), timeout=0.3)


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: 400\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n",
    ],
    ids=["declared length", "undeclared length"],
)
def test_server_trickling_a_body_fails_at_the_timeout(
    net: Servers, allow_loopback: None, head: bytes
):
    site = net.site("127.0.0.1")
    site.routes["/"] = trickle(head=head, body=b"y" * 400, pause=0.05)
    assert_fails_quickly(site.url("/"), timeout=0.5)


def test_server_trickling_headers_fails_at_the_timeout(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    site.routes["/"] = trickle(
        head=b"HTTP/1.0 200 OK\r\n", body=b"X-Filler: " + b"z" * 400, pause=0.05
    )
    assert_fails_quickly(site.url("/"), timeout=0.5)


def test_one_deadline_covers_every_redirect(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")

    def slow_redirect(target: str) -> Any:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            time.sleep(0.25)
            redirect(target)(handler)

        return answer

    for hop in range(5):
        site.routes[f"/{hop}"] = slow_redirect(f"/{hop + 1}")
    site.routes["/5"] = page("late")
    assert_fails_quickly(site.url("/0"), timeout=0.6)


def test_closed_port_fails_as_unreachable(allow_loopback: None):
    port = free_port()
    with pytest.raises(FetchFailed) as failed:
        fetch(f"http://127.0.0.1:{port}/", timeout=SHORT)
    assert "could not be reached" in str(failed.value)


def test_https_to_a_plain_http_server_fails_as_unverifiable(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    site.routes["/"] = page("plain")
    with pytest.raises(FetchFailed) as failed:
        fetch(f"https://127.0.0.1:{site.port}/", timeout=SHORT)
    assert "secure connection" in str(failed.value)


def test_error_statuses_are_answers(net: Servers, allow_loopback: None):
    site = net.site("127.0.0.1")
    response = fetch(site.url("/missing"), timeout=SHORT)
    assert response.status == 404
    assert site.request_headers[0]["User-Agent"].startswith("AdvocacyPreview/")
