"""The contract test: linkedin-api.md's examples against the client and against the sandbox.

The examples are data (tests/contract/linkedin_examples.py), each held up to four ways:
- `test_client_builds`: the client's request builders (LinkedInClient.prepare, the oauth
  module's URL and form builders), on LinkedIn's real hosts and without sending, give exactly
  the documented method, URL, headers and body.
- `test_client_sends`: what the client's operations (publishing, uploading, the statistics)
  sent to the sandbox, from `client.last_request`, is the documented request; bodies only an
  operation builds are held here.
- `test_sandbox_answers`: the documented request, replayed over real HTTP against the sandbox,
  gets the documented answer: status, headers, the JSON shape and the values the document fixes.
- `test_client_reads`: answers the sandbox does not give (locale as a string) and a few others
  are served as documented from a loopback server, and the client reads them.

Everything against the sandbox happens once per module, in the `live` fixture: one scenario,
one live server of its own, one pass over the steps below (their order matters: a post created
is then duplicated, reshared, deleted). The tests then only compare, so each example is a test
of its own without a database of its own. `test_every_example_is_checked` keeps the data, the
builders and the steps in step.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import jwt
import pytest
import requests
import time_machine
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from advocacy.linkedin import oauth
from advocacy.linkedin.client import (
    DEFAULT_PAGE_SIZE,
    Aggregation,
    DailyFollowerGain,
    LinkedInClient,
    PostMetric,
    get_session,
    post_entity,
)
from advocacy.linkedin.errors import DuplicatePost, LinkedInError, PermissionDenied
from advocacy.linkedin.restli import build_path, date_range, time_intervals
from advocacy.sandbox.models import AccessToken, Image, Member
from advocacy.sandbox.scenario import load_scenario, parse_scenario
from advocacy.sandbox.services import issue_code, mint_tokens, upload_url

from .contract.linkedin_examples import (
    API,
    BY_ID,
    EXAMPLES,
    MEMBER_URN,
    WWW,
    Absent,
    Between,
    Check,
    Contains,
    Equals,
    Example,
    Kind,
    Length,
    Matches,
    MayLack,
    OneOf,
    Plus,
    Request,
    Response,
    ScopeList,
    StartsWith,
)

# The test database is set up for marked tests only; the live pass writes to it.
pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
VERSION = "202609"
CLIENT_ID = "contract-client"
CLIENT_SECRET = "contract-secret"
REDIRECT_URI = "https://platform.example/linkedin/callback"
SUB = "kfW51gr4Ja"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# What the client adds to every finder it pages through (7: `start`, `count`).
PAGING_QUERY = f"&start=0&count={DEFAULT_PAGE_SIZE}"
SELF_SERVE = ["openid", "profile", "email", "w_member_social"]
# A member who is also the page's administrator, with every product (2).
API_SCOPES = [
    *SELF_SERVE,
    "r_member_social",
    "r_member_postAnalytics",
    "r_member_profileAnalytics",
    "r_basicprofile",
    "r_1st_connections_size",
    "rw_organization_admin",
    "r_organization_social",
]

# The people and page of linkedin-api.md's examples.
SCENARIO: dict[str, Any] = {
    "name": "contract",
    "today": NOW.date().isoformat(),
    "seed": 7,
    "pages": [
        {
            "id": "2414183",
            "name": "Acme A/S",
            "vanity": "acme",
            "website": "https://www.acme.example",
            "admins": [SUB],
            "followers": {"2026-01-01": 1000, "2026-03-31": 1140, "2026-11-01": 1300},
        }
    ],
    "members": [
        {
            "sub": SUB,
            "given_name": "Ann",
            "family_name": "Berg",
            "email": "ann@acme.example",
            "locale": "da_DK",
            "headline": "Sales lead",
            "vanity": "ann-berg",
            "connections": 500,
            "followers": {"2026-01-01": 500, "2026-02-01": 540, "2026-03-31": 605},
        }
    ],
    "posts": [
        {
            "id": "7301",
            "author": SUB,
            "published": "2026-01-05T09:00:00Z",
            "commentary": "What we learned at the fair",
            "metrics": {
                "2026-01-06": {
                    "impressions": 1204,
                    "members_reached": 900,
                    "reactions": 40,
                    "comments": 5,
                    "reshares": 2,
                },
                "2026-01-10": {"impressions": 2000, "reactions": 60},
            },
        },
        {
            "id": "7302",
            "type": "ugcPost",
            "author": SUB,
            "published": "2026-11-20T08:00:00Z",
            "commentary": "Pictures from the fair",
        },
        {
            "id": "1",
            "author": "2414183",
            "published": "2026-11-10T09:00:00Z",
            "commentary": "The page's own post",
            "metrics": {
                "2026-11-11": {
                    "impressions": 400,
                    "members_reached": 300,
                    "reactions": 12,
                    "comments": 2,
                    "reshares": 1,
                    "clicks": 8,
                }
            },
        },
    ],
}


# -- filling in an example's request ----------------------------------------------------------

_NAME = re.compile(r"<([a-z_]+)>")


def substitute(text: str, values: Mapping[str, str], *, escape: bool = False) -> str:
    """`<name>` → the live value (regex-escaped inside a pattern)."""

    def value(match: re.Match[str]) -> str:
        found = values[match[1]]
        return re.escape(found) if escape else found

    return _NAME.sub(value, text)


def rebase(text: str, base: str | None) -> str:
    """A URL on LinkedIn's hosts, on the sandbox (its prefix stands for both)."""
    if base is None:
        return text
    for host in (API, WWW):
        if text.startswith(host):
            return base + text[len(host) :]
    return text


def _set(document: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        document = document[int(key)] if isinstance(document, list) else document[key]
    document[last] = value


def _leftovers(value: Any, path: str) -> list[str]:
    """The document's elisions still in a request: it was not filled in completely."""
    if isinstance(value, str):
        unfilled = value == ".." or "..." in value or _NAME.search(value) or "{" in value
        return [f"{path}: {value!r} was not filled in"] if unfilled else []
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _leftovers(sub, f"{path}.{key}")]
    if isinstance(value, list):
        return [item for n, sub in enumerate(value) for item in _leftovers(sub, f"{path}.{n}")]
    return []


@dataclass(frozen=True)
class Filled:
    """An example's request with the live values in: what is to be sent, or was."""

    method: str
    url: str
    headers: dict[str, str | None]
    form: dict[str, str] | None
    json: Any
    raw: bytes | None


def fill(
    request: Request,
    *,
    values: Mapping[str, str],
    fills: Mapping[str, Any] | None = None,
    base: str | None = None,
) -> Filled:
    """Fill in a documented request.

    `fills` by path: `url` (the whole URL), `path.<name>` (a `{name}` of the URL),
    `query.<name>` (one query parameter), `form.<name>`, `json.<path>`, `raw` (the bytes).
    """
    fills = dict(fills or {})
    url = str(fills.pop("url", request.url))
    for key in [key for key in fills if key.startswith("path.")]:
        url = url.replace("{" + key.removeprefix("path.") + "}", str(fills.pop(key)))
    query_fills = {
        key.removeprefix("query."): str(fills.pop(key))
        for key in list(fills)
        if key.startswith("query.")
    }
    if query_fills:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.update(query_fills)
        url = urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
    form = dict(request.form) if request.form is not None else None
    body = copy.deepcopy(request.json)
    raw = fills.pop("raw", None)
    for key, value in fills.items():
        kind, _, path = key.partition(".")
        if kind == "form" and form is not None:
            form[path] = value
        elif kind == "json" and body is not None:
            _set(body, path, value)
        else:
            raise KeyError(f"Cannot fill {key!r} into this request")
    headers = {
        name: None if value is None else substitute(value, values)
        for name, value in request.headers.items()
    }
    return Filled(
        method=request.method,
        url=rebase(substitute(url, values), base),
        headers=headers,
        form={k: substitute(v, values) for k, v in form.items()} if form is not None else None,
        json=body,
        raw=raw if request.raw else None,
    )


def leftovers(filled: Filled) -> list[str]:
    return [
        *_leftovers(filled.url, "url"),
        *_leftovers({k: v for k, v in filled.headers.items() if v is not None}, "headers"),
        *_leftovers(filled.form or {}, "form"),
        *_leftovers(filled.json, "json"),
    ]


# -- comparing --------------------------------------------------------------------------------


def json_type(value: Any) -> str:
    # bool before int: True is an int in Python, not in JSON.
    for kind, name in (
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (dict, "object"),
        (list, "array"),
        (type(None), "null"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON: 1, 1.0 and true are three different values."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_open(path: str, open_paths: tuple[str, ...]) -> bool:
    segments = path.split(".") if path else []
    for pattern in open_paths:
        wanted = pattern.split(".") if pattern else []
        if len(wanted) == len(segments) and all(
            w in ("*", s) for w, s in zip(wanted, segments, strict=True)
        ):
            return True
    return False


def shape_problems(actual: Any, shape: Any, path: str, open_paths: tuple[str, ...]) -> list[str]:
    """Where `actual` is not of the documented shape: keys, and JSON types at every level."""
    where = path or "the answer"
    if isinstance(shape, OneOf):
        tried = [shape_problems(actual, option, path, open_paths) for option in shape.shapes]
        if any(not problems for problems in tried):
            return []
        return [f"{where}: none of the documented shapes ({'; '.join(tried[0])})"]
    if isinstance(shape, MayLack):
        return shape_problems(actual, shape.shape, path, open_paths)
    if isinstance(shape, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {json_type(actual)} where the document has an object"]
        problems = []
        for key, sub in shape.items():
            if key in actual:
                problems += shape_problems(actual[key], sub, _join(path, key), open_paths)
            elif not isinstance(sub, MayLack):
                problems.append(f"{_join(path, key)}: missing")
        extra = sorted(set(actual) - set(shape))
        if extra and not _is_open(path, open_paths):
            problems.append(f"{where}: keys the document does not have: {extra}")
        return problems
    if isinstance(shape, list):
        if not isinstance(actual, list):
            return [f"{where}: {json_type(actual)} where the document has an array"]
        if not shape:
            return []
        return [
            problem
            for n, item in enumerate(actual)
            for problem in shape_problems(item, shape[0], _join(path, str(n)), open_paths)
        ]
    if json_type(actual) != json_type(shape):
        return [f"{where}: {json_type(actual)} {actual!r} where the document has {shape!r}"]
    return []


MISSING = object()


def resolve(document: Any, path: str) -> list[tuple[str, Any]]:
    """The values at a path; `*` stands for every item of a list."""
    found: list[tuple[str, Any]] = [("", document)]
    for key in path.split("."):
        following = []
        for where, value in found:
            if key == "*" and isinstance(value, list):
                following += [(_join(where, str(n)), item) for n, item in enumerate(value)]
            elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                following.append((_join(where, key), value[int(key)]))
            elif isinstance(value, dict) and key in value:
                following.append((_join(where, key), value[key]))
            else:
                following.append((_join(where, key), MISSING))
        found = following
    return found


def _expected(value: Any, values: Mapping[str, str], base: str | None) -> Any:
    if isinstance(value, str):
        return rebase(substitute(value, values), base)
    if isinstance(value, dict):
        return {key: _expected(item, values, base) for key, item in value.items()}
    if isinstance(value, list):
        return [_expected(item, values, base) for item in value]
    return value


def check_problem(
    value: Any, check: Check, document: Any, values: Mapping[str, str], base: str | None
) -> str | None:
    """Why `value` fails a check the document fixes, or None."""
    if isinstance(check, Absent):
        return None if value is MISSING else f"is {value!r}, which the document leaves out"
    if value is MISSING:
        return "missing"
    if isinstance(check, Equals):
        expected = _expected(check.value, values, base)
        return None if same_json(value, expected) else f"{value!r}, not {expected!r}"
    if isinstance(check, Matches):
        pattern = substitute(check.pattern, values, escape=True)
        matched = isinstance(value, str) and re.fullmatch(pattern, value)
        return None if matched else f"{value!r} does not match {pattern!r}"
    if isinstance(check, StartsWith):
        prefix = _expected(check.prefix, values, base)
        started = isinstance(value, str) and value.startswith(prefix)
        return None if started else f"{value!r} does not start with {prefix!r}"
    if isinstance(check, Between):
        number = json_type(value) in {"integer", "number"}
        inside = number and check.low <= value <= check.high
        return None if inside else f"{value!r} is not within [{check.low}, {check.high}]"
    if isinstance(check, Length):
        fits = isinstance(value, list) and len(value) == check.count
        size = len(value) if isinstance(value, list) else json_type(value)
        return None if fits else f"{size} items, not {check.count}"
    if isinstance(check, Contains):
        return None if isinstance(value, list) and check.item in value else f"lacks {check.item!r}"
    if isinstance(check, ScopeList):
        listed = isinstance(value, str) and re.fullmatch(r"[A-Za-z_]+(,[A-Za-z_]+)*", value)
        if not listed or set(value.split(",")) != check.scopes:
            return f"{value!r} is not the comma-separated {sorted(check.scopes)}"
        return None
    if isinstance(check, Plus):
        ((_, other),) = resolve(document, check.path)
        fits = other is not MISSING and same_json(value, other + check.amount)
        return None if fits else f"{value!r} is not {check.path} + {check.amount}"
    raise TypeError(f"Unknown check {check!r}")


def checks_problems(
    document: Any, checks: Mapping[str, Check], values: Mapping[str, str], base: str | None
) -> list[str]:
    problems = []
    for path, check in checks.items():
        for where, value in resolve(document, path):
            problem = check_problem(value, check, document, values, base)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


def header_problems(
    headers: Mapping[str, Any],
    expected: Mapping[str, str | Check | None],
    values: Mapping[str, str],
    base: str | None,
) -> list[str]:
    problems = []
    for name, wanted in expected.items():
        actual = headers.get(name)
        if wanted is None:
            if actual is not None:
                problems.append(f"header {name}: {actual!r}, which the document does not send")
        elif actual is None:
            problems.append(f"header {name}: missing")
        elif isinstance(wanted, str):
            if actual != substitute(wanted, values):
                problems.append(f"header {name}: {actual!r}, not {wanted!r}")
        else:
            problem = check_problem(actual, wanted, {}, values, base)
            if problem:
                problems.append(f"header {name}: {problem}")
    return problems


def request_problems(sent: requests.PreparedRequest, expected: Filled, *, paged: bool) -> list[str]:
    """Where a request the client built differs from the documented one."""
    problems = leftovers(expected)
    if sent.method != expected.method:
        problems.append(f"method {sent.method}, not {expected.method}")
    url = expected.url + (PAGING_QUERY if paged else "")
    if sent.url != url:
        problems.append(f"URL\n  {sent.url}\nnot\n  {url}")
    problems += header_problems(sent.headers, expected.headers, {}, None)
    body = sent.body if isinstance(sent.body, bytes) else str(sent.body or "").encode()
    if expected.form is not None:
        form = sorted(parse_qsl(body.decode(), keep_blank_values=True))
        if form != sorted(expected.form.items()):
            problems.append(f"form {form}, not {sorted(expected.form.items())}")
    elif expected.json is not None:
        if not same_json(json.loads(body or b"null"), expected.json):
            problems.append(f"JSON body {body!r}, not {json.dumps(expected.json)}")
    elif expected.raw is not None:
        if body != expected.raw:
            problems.append("the body is not the file's bytes")
    elif body:
        problems.append(f"a body the document does not have: {body!r}")
    return problems


# -- what the sandbox answered ----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int | None
    headers: Mapping[str, str]
    content: bytes = b""
    # A value that is no HTTP answer (a decoded id_token).
    value: Any = None

    @classmethod
    def of(cls, response: requests.Response) -> Answer:
        return cls(response.status_code, response.headers, response.content)

    def document(self, kind: Kind) -> Any:
        if kind is Kind.CLAIMS:
            return self.value
        if kind is Kind.REDIRECT:
            pairs = parse_qsl(urlsplit(self.headers.get("Location", "")).query)
            return dict(pairs)
        if kind is Kind.EMPTY:
            return None
        return json.loads(self.content)


def answer_problems(
    response: Response, answer: Answer, values: Mapping[str, str], base: str
) -> list[str]:
    """Where the sandbox's answer differs from the documented one."""
    problems = []
    if response.status is not None and answer.status != response.status:
        problems.append(f"HTTP {answer.status}, not {response.status}: {answer.content[:300]!r}")
    problems += header_problems(answer.headers, response.headers, values, base)
    if response.kind is Kind.EMPTY:
        if answer.content:
            problems.append(f"a body where the document has none: {answer.content[:300]!r}")
        return problems
    try:
        document = answer.document(response.kind)
    except ValueError:
        return [*problems, f"not JSON: {answer.content[:300]!r}"]
    problems += shape_problems(document, response.json, "", response.open)
    problems += checks_problems(document, response.checks, values, base)
    return problems


# -- the steps against the live sandbox -------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """A request the client built, with what the documented one is to be filled with."""

    request: requests.PreparedRequest
    values: Mapping[str, str]
    fills: Mapping[str, Any]
    base: str
    paged: bool


@dataclass
class Run:
    """One pass over the steps: the sandbox's answers and the client's requests, by example."""

    base: str
    values: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    sent: dict[str, list[Sent]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    http: requests.Session = field(default_factory=requests.Session)
    _step: Step | None = None

    def token(self, scopes: list[str]) -> str:
        tokens = mint_tokens(
            member=Member.objects.get(sub=SUB),
            scopes=scopes,
            client_id=CLIENT_ID,
            now=datetime.now(tz=UTC),
            with_refresh=False,
        )
        return tokens.access.token

    def code(self) -> str:
        return issue_code(
            member=Member.objects.get(sub=SUB),
            client_id=CLIENT_ID,
            redirect_uri=REDIRECT_URI,
            scopes=SELF_SERVE,
            now=datetime.now(tz=UTC),
        ).code

    def client(self, token: str) -> LinkedInClient:
        return LinkedInClient(token, member_key=f"contract-{uuid.uuid4().hex}", max_quota_wait=0)

    def send(
        self,
        example_id: str,
        *,
        token: str = "",
        version: str = VERSION,
        fills: Mapping[str, Any] | None = None,
        without: tuple[str, ...] = (),
        url: str | None = None,
        session: requests.Session | None = None,
    ) -> requests.Response:
        """Send an example's documented request to the sandbox, filled in."""
        request = BY_ID[example_id].request
        assert request is not None, example_id
        all_fills = {**(fills or {}), **({"url": url} if url is not None else {})}
        filled = fill(request, values={"token": token, "version": version}, fills=all_fills)
        problems = leftovers(filled)
        assert not problems, problems
        headers = {
            name: value
            for name, value in filled.headers.items()
            if value is not None and name not in without
        }
        return (session or self.http).request(
            filled.method,
            rebase(filled.url, self.base),
            headers=headers,
            data=filled.form if filled.form is not None else filled.raw,
            json=filled.json,
            allow_redirects=False,
            timeout=10,
        )

    def answer(self, example_id: str, answer: requests.Response | Answer) -> None:
        assert self._step is not None
        assert example_id in self._step.answers, example_id
        self.answers[example_id] = answer if isinstance(answer, Answer) else Answer.of(answer)

    def built(
        self,
        example_id: str,
        client: LinkedInClient,
        *,
        fills: Mapping[str, Any] | None = None,
        paged: bool = False,
    ) -> None:
        """Keep the request an operation of the client just sent."""
        assert self._step is not None
        assert example_id in self._step.builds, example_id
        assert client.last_request is not None, example_id
        sent = Sent(
            client.last_request,
            {"token": client.access_token, "version": VERSION},
            dict(fills or {}),
            self.base,
            paged,
        )
        self.sent.setdefault(example_id, []).append(sent)


@dataclass(frozen=True)
class Step:
    function: Callable[[Run], None]
    answers: tuple[str, ...]
    builds: tuple[str, ...]


STEPS: list[Step] = []


def step(
    *, answers: tuple[str, ...] = (), builds: tuple[str, ...] = ()
) -> Callable[[Callable[[Run], None]], Callable[[Run], None]]:
    """A step of the live pass: which examples it replays and whose requests it captures."""

    def register(function: Callable[[Run], None]) -> Callable[[Run], None]:
        STEPS.append(Step(function, answers, builds))
        return function

    return register


def _consent(run: Run, decision: str, **query: str) -> requests.Response:
    """The browser at the consent screen: the authorize URL, then the member's decision."""
    fills = {"query.client_id": CLIENT_ID, "query.redirect_uri": REDIRECT_URI}
    fills.update({f"query.{name}": value for name, value in query.items()})
    with requests.Session() as browser:
        page = run.send("3.1-authorize", fills=fills, session=browser)
        if page.status_code != 200:
            return page
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf, page.text
        return browser.post(
            page.url,
            data={"csrfmiddlewaretoken": csrf[1], "decision": decision, "member": SUB},
            allow_redirects=False,
            timeout=10,
        )


@step(answers=("3.1-authorize", "3.1-cancelled", "3.1-unauthorized-scope"))
def authorize(run: Run) -> None:
    allowed = _consent(run, "allow")
    run.answer("3.1-authorize", allowed)
    run.values["code"] = dict(parse_qsl(urlsplit(allowed.headers["Location"]).query))["code"]
    run.answer("3.1-cancelled", _consent(run, "cancel"))
    # A scope of the old Sign In: no application holds it any more.
    run.answer("3.1-unauthorized-scope", _consent(run, "allow", scope="r_liteprofile"))


def _token_form(code: str) -> dict[str, str]:
    return {
        "form.code": code,
        "form.client_id": CLIENT_ID,
        "form.client_secret": CLIENT_SECRET,
        "form.redirect_uri": REDIRECT_URI,
    }


@step(
    answers=(
        "3.2-token-exchange",
        "3.2-code-refused",
        "3.2-client-refused",
        "3.1-code-verifier-refused",
    )
)
def token_exchange(run: Run) -> None:
    exchanged = run.send("3.2-token-exchange", fills=_token_form(run.values["code"]))
    run.answer("3.2-token-exchange", exchanged)
    tokens = exchanged.json()
    run.values.update(
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        id_token=tokens["id_token"],
    )
    run.answer(
        "3.2-code-refused", run.send("3.2-token-exchange", fills=_token_form(run.values["code"]))
    )
    wrong_secret = {**_token_form(run.code()), "form.client_secret": "not-the-secret"}
    run.answer("3.2-client-refused", run.send("3.2-token-exchange", fills=wrong_secret))
    verifier = {**_token_form(run.code()), "form.code_verifier": "v" * 43}
    run.answer("3.1-code-verifier-refused", run.send("3.2-token-exchange", fills=verifier))


@step(answers=("3.3-refresh",))
def refresh(run: Run) -> None:
    fills = {
        "form.refresh_token": run.values["refresh_token"],
        "form.client_id": CLIENT_ID,
        "form.client_secret": CLIENT_SECRET,
    }
    run.answer("3.3-refresh", run.send("3.3-refresh", fills=fills))


@step(answers=("3.4-introspection", "3.4-introspection-unknown-token"))
def introspection(run: Run) -> None:
    credentials = {"form.client_id": CLIENT_ID, "form.client_secret": CLIENT_SECRET}
    known = {**credentials, "form.token": run.values["access_token"]}
    run.answer("3.4-introspection", run.send("3.4-introspection", fills=known))
    unknown = {**credentials, "form.token": "AQXnever-issued"}
    run.answer("3.4-introspection-unknown-token", run.send("3.4-introspection", fills=unknown))


@step(answers=("4-discovery", "4-jwks", "4-id-token"))
def openid_connect(run: Run) -> None:
    run.answer("4-discovery", run.send("4-discovery"))
    run.answer("4-jwks", run.send("4-jwks"))
    id_token = run.values["id_token"]
    try:
        oauth.verify_id_token(id_token)
        verifies = True
    except LinkedInError:
        verifies = False
    decoded = {
        "header": jwt.get_unverified_header(id_token),
        "claims": jwt.decode(id_token, options={"verify_signature": False}),
        "signature_verifies": verifies,
    }
    run.answer("4-id-token", Answer(None, {}, value=decoded))


@step(
    answers=("4-userinfo", "4-userinfo-without-openid", "4-me", "4-me-oidc-only"),
    builds=("4-userinfo",),
)
def identity(run: Run) -> None:
    oidc_token = run.values["access_token"]
    run.answer("4-userinfo", run.send("4-userinfo", token=oidc_token))
    without_openid = run.token(["w_member_social"])
    run.answer("4-userinfo-without-openid", run.send("4-userinfo", token=without_openid))
    run.answer("4-me", run.send("4-me", token=run.values["api_token"]))
    run.answer("4-me-oidc-only", run.send("4-me", token=oidc_token))
    client = run.client(oidc_token)
    client.userinfo()
    run.built("4-userinfo", client)


@step(answers=("3.6-invalid-token", "3.6-revoked-token", "3.6-expired-token", "3.6-empty-token"))
def unusable_tokens(run: Run) -> None:
    run.answer("3.6-invalid-token", run.send("4-userinfo", token="AQXnever-issued"))
    revoked = run.token(SELF_SERVE)
    AccessToken.objects.filter(token=revoked).update(revoked_at=datetime.now(tz=UTC))
    run.answer("3.6-revoked-token", run.send("4-userinfo", token=revoked))
    expired = run.token(SELF_SERVE)
    AccessToken.objects.filter(token=expired).update(
        expires_at=datetime.now(tz=UTC) - timedelta(seconds=1)
    )
    run.answer("3.6-expired-token", run.send("4-userinfo", token=expired))
    run.answer("3.6-empty-token", run.send("4-userinfo", without=("Authorization",)))


@step(
    answers=("5.4-initialize-upload", "5.4-upload", "5.4-get-image"),
    builds=("5.4-initialize-upload", "5.4-upload"),
)
def image_upload(run: Run) -> None:
    token = run.values["api_token"]
    owner = {"json.initializeUploadRequest.owner": MEMBER_URN}
    initialized = run.send("5.4-initialize-upload", token=token, fills=owner)
    run.answer("5.4-initialize-upload", initialized)
    value = initialized.json()["value"]
    run.values["image_urn"] = value["image"]
    uploaded = run.send("5.4-upload", token=token, fills={"url": value["uploadUrl"], "raw": PNG})
    run.answer("5.4-upload", uploaded)
    path = {"path.urn": quote(value["image"], safe="")}
    run.answer("5.4-get-image", run.send("5.4-get-image", token=token, fills=path))

    # The client uploads in two calls and keeps the last. A token without w_member_social
    # stops it after the first, which is the request 5.4-initialize-upload is about.
    refused = run.client(run.token(["openid", "profile"]))
    with pytest.raises(PermissionDenied):
        refused.upload_image(MEMBER_URN, PNG, "image/png")
    run.built("5.4-initialize-upload", refused, fills=owner)
    client = run.client(token)
    run.values["client_image_urn"] = client.upload_image(MEMBER_URN, PNG, "image/png")
    handed_out = upload_url(Image.objects.get(urn=run.values["client_image_urn"]))
    run.built("5.4-upload", client, fills={"url": handed_out, "raw": PNG})


@step(
    answers=(
        "5.1-create-article",
        "5.1-duplicate",
        "5.1-reshare",
        "5.3-get-post",
        "5.3-find-posts",
    ),
    builds=("5.1-create-article", "5.1-reshare"),
)
def posts(run: Run) -> None:
    token = run.values["api_token"]
    client = run.client(token)
    thumbnail = run.values["client_image_urn"]
    published = client.create_article_post(
        MEMBER_URN,
        "What we learned at the fair (part 1) #events",
        source="https://acme.example/blog/fair",
        title="Fair recap",
        description="Five lessons",
        thumbnail_urn=thumbnail,
    )
    run.built("5.1-create-article", client, fills={"json.content.article.thumbnail": thumbnail})
    # Deleted posts are no duplicates: the documented body may now be created afresh.
    client.delete_post(published.urn)

    article = {"json.content.article.thumbnail": run.values["image_urn"]}
    created = run.send("5.1-create-article", token=token, fills=article)
    run.answer("5.1-create-article", created)
    run.values["created_urn"] = created.headers.get("x-restli-id", "")
    run.answer("5.1-duplicate", run.send("5.1-create-article", token=token, fills=article))
    parent = {"json.reshareContext.parent": run.values["created_urn"]}
    run.answer("5.1-reshare", run.send("5.1-reshare", token=token, fills=parent))
    client.create_reshare(MEMBER_URN, run.values["created_urn"])
    run.built("5.1-reshare", client, fills=parent)

    run.answer("5.3-get-post", run.send("5.3-get-post", token=token))
    run.answer("5.3-find-posts", run.send("5.3-find-posts", token=token))


@step(
    answers=(
        "6.1-post-analytics-share",
        "6.1-post-analytics-ugc",
        "6.1-post-analytics-me-daily",
        "6.1-metric-type-before-202605",
        "6.1-no-data",
        "7-raw-colon-in-a-record",
    ),
    builds=("6.1-post-analytics-share", "6.1-post-analytics-ugc", "6.1-post-analytics-me-daily"),
)
def post_analytics(run: Run) -> None:
    token = run.values["api_token"]
    share = BY_ID["6.1-post-analytics-share"].request
    assert share is not None
    for example_id in (
        "6.1-post-analytics-share",
        "6.1-post-analytics-ugc",
        "6.1-post-analytics-me-daily",
    ):
        run.answer(example_id, run.send(example_id, token=token))
    run.answer(
        "6.1-metric-type-before-202605",
        run.send("6.1-post-analytics-share", token=token, version="202604"),
    )
    unknown_post = share.url.replace("share%3A7301", "share%3A999")
    run.answer("6.1-no-data", run.send("6.1-post-analytics-share", token=token, url=unknown_post))
    raw_colon = share.url.replace("urn%3Ali%3Ashare%3A7301", "urn:li:share:7301")
    run.answer(
        "7-raw-colon-in-a-record", run.send("6.1-post-analytics-share", token=token, url=raw_colon)
    )

    client = run.client(token)
    client.post_analytics("urn:li:share:7301", PostMetric.IMPRESSION, Aggregation.TOTAL)
    run.built("6.1-post-analytics-share", client, paged=True)
    client.post_analytics("urn:li:ugcPost:7302", PostMetric.IMPRESSION, Aggregation.TOTAL)
    run.built("6.1-post-analytics-ugc", client, paged=True)
    client.all_posts_analytics(
        PostMetric.REACTION, date(2026, 3, 1), date(2026, 3, 31), Aggregation.DAILY
    )
    run.built("6.1-post-analytics-me-daily", client, paged=True)


@step(
    answers=(
        "6.2-followers-me",
        "6.2-followers-date-range",
        "6.2-connections",
        "7-tunnelled-query",
        "8-access-denied",
        "8-version-not-active",
        "10-version-missing",
        "10-version-with-day",
    ),
    builds=("6.2-followers-me", "6.2-followers-date-range"),
)
def member_followers(run: Run) -> None:
    token = run.values["api_token"]
    for example_id in (
        "6.2-followers-me",
        "6.2-followers-date-range",
        "6.2-connections",
        "7-tunnelled-query",
    ):
        run.answer(example_id, run.send(example_id, token=token))
    no_analytics = run.token(["openid", "profile"])
    run.answer("8-access-denied", run.send("6.2-followers-me", token=no_analytics))
    run.answer(
        "8-version-not-active", run.send("6.2-followers-me", token=token, version="20250401")
    )
    run.answer(
        "10-version-missing",
        run.send("6.2-followers-me", token=token, without=("LinkedIn-Version",)),
    )
    run.answer("10-version-with-day", run.send("6.2-followers-me", token=token, version="20260901"))

    client = run.client(token)
    client.member_followers_count()
    run.built("6.2-followers-me", client)
    client.member_followers_by_day(date(2026, 3, 1), date(2026, 3, 8))
    run.built("6.2-followers-date-range", client, paged=True)


@step(
    answers=(
        "6.3-network-size",
        "6.3-follower-statistics-lifetime",
        "6.3-follower-statistics-time-bound",
        "6.3-share-statistics",
        "6.3-share-statistics-of-posts",
        "7-double-encoded-urn",
    ),
    builds=("6.3-network-size", "6.3-follower-statistics-time-bound", "6.3-share-statistics"),
)
def page_statistics(run: Run) -> None:
    token = run.values["api_token"]
    for example_id in (
        "6.3-network-size",
        "6.3-follower-statistics-lifetime",
        "6.3-follower-statistics-time-bound",
        "6.3-share-statistics",
        "6.3-share-statistics-of-posts",
    ):
        run.answer(example_id, run.send(example_id, token=token))
    network_size = BY_ID["6.3-network-size"].request
    assert network_size is not None
    twice = network_size.url.replace("%3A", "%253A")
    run.answer("7-double-encoded-urn", run.send("6.3-network-size", token=token, url=twice))

    client = run.client(token)
    organization = "urn:li:organization:2414183"
    client.page_follower_count(organization)
    run.built("6.3-network-size", client)
    client.page_follower_gains(organization, date(2026, 1, 1), date(2026, 1, 8))
    run.built("6.3-follower-statistics-time-bound", client, paged=True)
    client.page_share_statistics(organization)
    run.built("6.3-share-statistics", client, paged=True)


@step(answers=("5.3-delete-post", "5.3-delete-again"), builds=("5.3-delete-post",))
def delete_post(run: Run) -> None:
    token = run.values["api_token"]
    run.answer("5.3-delete-post", run.send("5.3-delete-post", token=token))
    run.answer("5.3-delete-again", run.send("5.3-delete-post", token=token))
    client = run.client(token)
    client.delete_post("urn:li:share:7301")
    run.built("5.3-delete-post", client)


@step(answers=("3.5-revocation",))
def revocation(run: Run) -> None:
    fills = {
        "form.client_id": CLIENT_ID,
        "form.client_secret": CLIENT_SECRET,
        "form.token": run.values["access_token"],
    }
    run.answer("3.5-revocation", run.send("3.5-revocation", fills=fills))


def _budget_prefix() -> str:
    # Daily budgets of their own, so that no other test's calls pause these.
    return f"linkedin:ratelimit:contract-{uuid.uuid4().hex}"


def _forget_sandbox() -> None:
    """Empty the sandbox's tables: this module wrote them outside any test's transaction."""
    for model in apps.get_app_config("sandbox").get_models():
        model._default_manager.all().delete()


@pytest.fixture(scope="module")
def live(django_db_setup: None, django_db_blocker: Any) -> Iterator[Run]:
    """Load the scenario once, start a live server of this module's own, run every step.

    Not pytest-django's `live_server`: a test using it gets a database flushed after it, and
    the examples are compared long after the sandbox answered them.
    """
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        server = LiveServer("localhost")
        base = f"{server.url}/{django_settings.LINKEDIN_SANDBOX_PREFIX}"
        run = Run(base=base)
        try:
            with (
                time_machine.travel(NOW, tick=True),
                override_settings(
                    SITE_URL=server.url,
                    LINKEDIN_WWW_URL=base,
                    LINKEDIN_API_URL=base,
                    LINKEDIN_CLIENT_ID=CLIENT_ID,
                    LINKEDIN_CLIENT_SECRET=CLIENT_SECRET,
                    LINKEDIN_VERSION=VERSION,
                    LINKEDIN_RETRY_ATTEMPTS=1,
                    LINKEDIN_RATE_LIMIT_KEY_PREFIX=_budget_prefix(),
                ),
            ):
                _run_steps(run)
                oauth.forget_oidc_configuration()
        finally:
            # Hang up first: the server's threads then finish with the shared connection
            # before the server lets go of it.
            run.http.close()
            get_session().close()
            _forget_sandbox()
    try:
        yield run
    finally:
        server.stop()


def _run_steps(run: Run) -> None:
    load_scenario(parse_scenario(copy.deepcopy(SCENARIO)))
    run.values.update(
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        member_sub=SUB,
        api_token=run.token(API_SCOPES),
    )
    for each in STEPS:
        run._step = each
        try:
            each.function(run)
        except Exception:
            # Recorded, not raised: the examples of the other steps are still compared.
            for example_id in (*each.answers, *each.builds):
                run.failures.setdefault(example_id, traceback.format_exc())
    run._step = None


# -- answers served as documented, for the client to read -------------------------------------


def documented_json(shape: Any) -> Any:
    """The document's example itself, from its shape."""
    if isinstance(shape, OneOf):
        return documented_json(shape.shapes[0])
    if isinstance(shape, MayLack):
        return documented_json(shape.shape)
    if isinstance(shape, dict):
        return {key: documented_json(value) for key, value in shape.items()}
    if isinstance(shape, list):
        return [documented_json(value) for value in shape]
    return shape


class _DocumentedAnswer(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body = self.server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def documented_server() -> Iterator[ThreadingHTTPServer]:
    """A loopback server that answers every request with one documented answer."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DocumentedAnswer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


READS: dict[str, Callable[[LinkedInClient], None]] = {}


def reads(example_id: str) -> Callable[[Callable[[LinkedInClient], None]], None]:
    def register(function: Callable[[LinkedInClient], None]) -> None:
        READS[example_id] = function

    return register


@reads("3.2-token-exchange")
def _read_tokens(client: LinkedInClient) -> None:
    tokens = oauth.exchange_code("AQ-code", REDIRECT_URI)
    assert tokens.scopes == ["email", "openid", "profile", "w_member_social"]
    assert (tokens.expires_in, tokens.refresh_token_expires_in) == (5183999, 31535999)
    assert (tokens.refresh_token, tokens.id_token) == ("AQW...", "eyJ...")


@reads("4-userinfo")
def _read_userinfo(client: LinkedInClient) -> None:
    info = client.userinfo()
    assert (info.sub, info.name, info.locale) == (SUB, "Ann Berg", "da-DK")
    assert info.email_verified
    assert info.member_urn == MEMBER_URN


@reads("4-userinfo-locale-string")
def _read_userinfo_locale_string(client: LinkedInClient) -> None:
    assert client.userinfo().locale == "en-US"


@reads("4-userinfo-without-openid")
def _read_forbidden_userinfo(client: LinkedInClient) -> None:
    with pytest.raises(PermissionDenied, match=r"userinfo\.GET\.NO_VERSION"):
        client.userinfo()


@reads("5.1-duplicate")
def _read_duplicate(client: LinkedInClient) -> None:
    with pytest.raises(DuplicatePost) as caught:
        client.create_text_post(MEMBER_URN, "What we learned at the fair")
    assert caught.value.existing_urn == "urn:li:share:714"


@reads("6.1-post-analytics-share")
def _read_post_analytics(client: LinkedInClient) -> None:
    counts = client.post_analytics("urn:li:share:7301", PostMetric.IMPRESSION)
    assert (counts.metric, counts.total) == ("IMPRESSION", 1204)


@reads("6.1-metric-type-before-202605")
def _read_wrapped_metric_type(client: LinkedInClient) -> None:
    counts = client.post_analytics("urn:li:share:7301", PostMetric.IMPRESSION)
    assert (counts.metric, counts.total) == ("IMPRESSION", 1204)


@reads("6.1-no-data")
def _read_no_data(client: LinkedInClient) -> None:
    assert client.post_analytics("urn:li:share:7301", PostMetric.IMPRESSION).total is None


@reads("6.2-followers-me")
def _read_member_followers(client: LinkedInClient) -> None:
    assert client.member_followers_count() == 961


@reads("6.3-network-size")
def _read_page_followers(client: LinkedInClient) -> None:
    assert client.page_follower_count("urn:li:organization:2414183") == 1140


@reads("6.3-follower-statistics-time-bound")
def _read_follower_gains(client: LinkedInClient) -> None:
    gains = client.page_follower_gains(
        "urn:li:organization:2414183", date(2026, 1, 1), date(2026, 1, 8)
    )
    assert gains == [DailyFollowerGain(date(2026, 1, 1), 5, 0)]


# -- the request builders, on LinkedIn's hosts and without sending ----------------------------


@dataclass(frozen=True)
class Built:
    request: requests.PreparedRequest
    fills: Mapping[str, Any] = field(default_factory=dict)


TOKEN = "AQX-contract-token"
BUILDERS: dict[str, Callable[[LinkedInClient], Built]] = {}


def builds(example_id: str) -> Callable[[Callable[[LinkedInClient], Built]], None]:
    def register(function: Callable[[LinkedInClient], Built]) -> None:
        BUILDERS[example_id] = function

    return register


def _credentials() -> dict[str, str]:
    return {"form.client_id": "ID", "form.client_secret": "SECRET"}


@builds("3.1-authorize")
def _build_authorize(client: LinkedInClient) -> Built:
    url = oauth.authorization_url(
        state="S", redirect_uri="URI", scopes=["openid", "profile", "email", "w_member_social"]
    )
    return Built(requests.Request("GET", url).prepare())


@builds("3.2-token-exchange")
def _build_token_exchange(client: LinkedInClient) -> Built:
    fills = {**_credentials(), "form.code": "AQ-code", "form.redirect_uri": REDIRECT_URI}
    return Built(oauth.exchange_request("AQ-code", REDIRECT_URI), fills)


@builds("3.3-refresh")
def _build_refresh(client: LinkedInClient) -> Built:
    fills = {**_credentials(), "form.refresh_token": "AQW-refresh"}
    return Built(oauth.refresh_request("AQW-refresh"), fills)


@builds("3.4-introspection")
def _build_introspection(client: LinkedInClient) -> Built:
    return Built(oauth.introspection_request(TOKEN), {**_credentials(), "form.token": TOKEN})


@builds("3.5-revocation")
def _build_revocation(client: LinkedInClient) -> Built:
    return Built(oauth.revocation_request(TOKEN), {**_credentials(), "form.token": TOKEN})


@builds("4-discovery")
def _build_discovery(client: LinkedInClient) -> Built:
    return Built(requests.Request("GET", oauth.discovery_url()).prepare())


@builds("4-userinfo")
def _build_userinfo(client: LinkedInClient) -> Built:
    return Built(client.prepare("GET", client.api_url("/v2/userinfo")))


@builds("4-me")
def _build_me(client: LinkedInClient) -> Built:
    return Built(client.prepare("GET", client.api_url("/v2/me")))


@builds("5.3-get-post")
def _build_get_post(client: LinkedInClient) -> Built:
    path = build_path("rest", "posts", key="urn:li:share:7301")
    return Built(client.prepare("GET", client.api_url(path)))


@builds("5.3-find-posts")
def _build_find_posts(client: LinkedInClient) -> Built:
    params = {"q": "author", "author": MEMBER_URN, "count": 10, "start": 0}
    return _finder(client, "/rest/posts", params)


@builds("5.4-get-image")
def _build_get_image(client: LinkedInClient) -> Built:
    urn = "urn:li:image:D4D10AQH"
    path = build_path("rest", "images", key=urn)
    return Built(client.prepare("GET", client.api_url(path)), {"path.urn": quote(urn, safe="")})


@builds("5.3-delete-post")
def _build_delete(client: LinkedInClient) -> Built:
    path = build_path("rest", "posts", key="urn:li:share:7301")
    return Built(client.prepare("DELETE", client.api_url(path), restli_method="DELETE"))


def _finder(client: LinkedInClient, path: str, params: Mapping[str, Any]) -> Built:
    # As the client's finders send it: `q` makes it a FINDER.
    return Built(client.prepare("GET", client.api_url(path), params=params, restli_method="FINDER"))


@builds("6.1-post-analytics-share")
def _build_share_analytics(client: LinkedInClient) -> Built:
    params = {
        "q": "entity",
        "entity": post_entity("urn:li:share:7301"),
        "queryType": PostMetric.IMPRESSION,
        "aggregation": Aggregation.TOTAL,
    }
    return _finder(client, "/rest/memberCreatorPostAnalytics", params)


@builds("6.1-post-analytics-ugc")
def _build_ugc_analytics(client: LinkedInClient) -> Built:
    params = {
        "q": "entity",
        "entity": post_entity("urn:li:ugcPost:7302"),
        "queryType": PostMetric.IMPRESSION,
        "aggregation": Aggregation.TOTAL,
    }
    return _finder(client, "/rest/memberCreatorPostAnalytics", params)


@builds("6.1-post-analytics-me-daily")
def _build_all_posts_analytics(client: LinkedInClient) -> Built:
    params = {
        "q": "me",
        "queryType": PostMetric.REACTION,
        "aggregation": Aggregation.DAILY,
        "dateRange": date_range(date(2026, 3, 1), date(2026, 3, 31)),
    }
    return _finder(client, "/rest/memberCreatorPostAnalytics", params)


@builds("6.2-followers-me")
def _build_member_followers(client: LinkedInClient) -> Built:
    return _finder(client, "/rest/memberFollowersCount", {"q": "me"})


@builds("6.2-followers-date-range")
def _build_member_followers_by_day(client: LinkedInClient) -> Built:
    params = {
        "q": "dateRange",
        "dateRange": date_range(date(2026, 3, 1), date(2026, 3, 8), year_first=True),
    }
    return _finder(client, "/rest/memberFollowersCount", params)


@builds("6.3-network-size")
def _build_network_size(client: LinkedInClient) -> Built:
    path = build_path("rest", "networkSizes", key="urn:li:organization:2414183")
    url = client.api_url(path)
    return Built(client.prepare("GET", url, params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"}))


@builds("6.3-follower-statistics-lifetime")
def _build_lifetime_followers(client: LinkedInClient) -> Built:
    params = {"q": "organizationalEntity", "organizationalEntity": "urn:li:organization:2414183"}
    return _finder(client, "/rest/organizationalEntityFollowerStatistics", params)


@builds("6.3-follower-statistics-time-bound")
def _build_follower_gains(client: LinkedInClient) -> Built:
    params = {
        "q": "organizationalEntity",
        "organizationalEntity": "urn:li:organization:2414183",
        "timeIntervals": time_intervals(date(2026, 1, 1), date(2026, 1, 8), "DAY"),
    }
    return _finder(client, "/rest/organizationalEntityFollowerStatistics", params)


@builds("6.3-share-statistics")
def _build_share_statistics(client: LinkedInClient) -> Built:
    params = {"q": "organizationalEntity", "organizationalEntity": "urn:li:organization:2414183"}
    return _finder(client, "/rest/organizationalEntityShareStatistics", params)


@builds("6.3-share-statistics-of-posts")
def _build_share_statistics_of_posts(client: LinkedInClient) -> Built:
    params = {
        "q": "organizationalEntity",
        "organizationalEntity": "urn:li:organization:2414183",
        "shares": ["urn:li:share:1"],
    }
    return _finder(client, "/rest/organizationalEntityShareStatistics", params)


# -- the tests --------------------------------------------------------------------------------

REPLAYED = {example_id for each in STEPS for example_id in each.answers}
CAPTURED = {example_id for each in STEPS for example_id in each.builds}
ORDER = [example.id for example in EXAMPLES]
ANSWERED = [e.id for e in EXAMPLES if e.response is not None and not e.not_replayed]


def test_every_example_is_checked() -> None:
    ids = [example.id for example in EXAMPLES]
    assert len(ids) == len(set(ids)), "an example id is used twice"
    known = set(ids)
    for name, registry in (
        ("replay", REPLAYED),
        ("capture", CAPTURED),
        ("builder", set(BUILDERS)),
        ("read", set(READS)),
    ):
        assert registry <= known, f"a {name} of no example: {sorted(registry - known)}"
    example: Example
    for example in EXAMPLES:
        assert example.request is not None or example.response is not None, example.id
        assert example.request is None or example.request.url.startswith((API, WWW)), example.id
        if example.request is not None and not example.not_built:
            assert example.id in BUILDERS or example.id in CAPTURED, (
                f"{example.id}: no builder holds its request against the document"
            )
        if example.not_built:
            assert example.id not in BUILDERS, example.id
            assert example.id not in CAPTURED, example.id
        if example.response is not None and not example.not_replayed:
            assert example.id in REPLAYED, f"{example.id}: no step replays it against the sandbox"
        if example.not_replayed:
            assert example.id not in REPLAYED, example.id
            assert example.id in READS, f"{example.id}: neither the sandbox nor the client reads it"


@pytest.mark.parametrize("example_id", sorted(BUILDERS, key=ORDER.index))
def test_client_builds(example_id: str, settings: Any) -> None:
    request = BY_ID[example_id].request
    assert request is not None
    settings.LINKEDIN_API_URL = API
    settings.LINKEDIN_WWW_URL = WWW
    settings.LINKEDIN_CLIENT_ID = "ID"
    settings.LINKEDIN_CLIENT_SECRET = "SECRET"
    settings.LINKEDIN_VERSION = VERSION
    built = BUILDERS[example_id](LinkedInClient(TOKEN))
    expected = fill(request, values={"token": TOKEN, "version": VERSION}, fills=built.fills)
    problems = request_problems(built.request, expected, paged=False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("example_id", sorted(CAPTURED, key=ORDER.index))
def test_client_sends(example_id: str, live: Run) -> None:
    request = BY_ID[example_id].request
    assert request is not None
    assert example_id not in live.failures, live.failures[example_id]
    assert live.sent.get(example_id), f"{example_id}: the step kept no request"
    problems = []
    for sent in live.sent[example_id]:
        expected = fill(request, values=sent.values, fills=sent.fills, base=sent.base)
        problems += request_problems(sent.request, expected, paged=sent.paged)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("example_id", ANSWERED)
def test_sandbox_answers(example_id: str, live: Run) -> None:
    example = BY_ID[example_id]
    assert example.response is not None
    assert example_id not in live.failures, live.failures[example_id]
    assert example_id in live.answers, f"{example_id}: the step recorded no answer"
    problems = answer_problems(example.response, live.answers[example_id], live.values, live.base)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("example_id", sorted(READS, key=ORDER.index))
def test_client_reads(
    example_id: str, settings: Any, documented_server: ThreadingHTTPServer
) -> None:
    response = BY_ID[example_id].response
    assert response is not None
    assert response.status is not None
    host, port = documented_server.server_address[:2]
    settings.LINKEDIN_API_URL = settings.LINKEDIN_WWW_URL = f"http://{host!s}:{port}"
    settings.LINKEDIN_RETRY_ATTEMPTS = 1
    settings.LINKEDIN_RATE_LIMIT_KEY_PREFIX = _budget_prefix()
    documented_server.answer = (  # type: ignore[attr-defined]
        response.status,
        json.dumps(documented_json(response.json)).encode(),
    )
    client = LinkedInClient(TOKEN, member_key=f"contract-{uuid.uuid4().hex}", max_quota_wait=0)
    READS[example_id](client)
