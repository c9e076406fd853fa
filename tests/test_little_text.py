"""Commentary escaping ("little text", linkedin-api.md 5.2) and the length limit."""

from __future__ import annotations

import re

import pytest

from advocacy.linkedin.errors import Invalid
from advocacy.linkedin.little_text import (
    MAX_COMMENTARY_LENGTH,
    RESERVED_CHARACTERS,
    escape_commentary,
    validate_commentary,
)

ALL_RESERVED = "\\|{}@[]()<>#*_~"


def unescape(sent: str) -> str:
    """What LinkedIn shows for sent commentary: a backslash makes the next character text."""
    return re.sub(r"\\(.)", r"\1", sent, flags=re.DOTALL)


def unescaped_reserved(sent: str) -> list[int]:
    """Positions of reserved characters LinkedIn would read as markup."""
    positions = []
    index = 0
    while index < len(sent):
        if sent[index] == "\\":
            index += 2
            continue
        if sent[index] in RESERVED_CHARACTERS:
            positions.append(index)
        index += 1
    return positions


def test_the_reserved_set_is_the_documented_one() -> None:
    assert frozenset(ALL_RESERVED) == RESERVED_CHARACTERS


@pytest.mark.parametrize("char", list(ALL_RESERVED))
def test_every_reserved_character_is_escaped_alone(char: str) -> None:
    assert escape_commentary(char) == "\\" + char
    assert escape_commentary(f"a{char}b") == f"a\\{char}b"
    assert escape_commentary(f"{char} {char}") == f"\\{char} \\{char}"


@pytest.mark.parametrize("char", list(ALL_RESERVED))
@pytest.mark.parametrize(
    "template",
    ["{c}", "x{c}", "{c}x", "x {c} y", "{c}{c}", "({c})", "#tag{c}", "{c}#tag", "a\n{c}\nb"],
)
def test_round_trip_and_nothing_left_unescaped(char: str, template: str) -> None:
    text = template.format(c=char)
    sent = escape_commentary(text)
    assert unescape(sent) == text
    hashtags = [m.start() for m in re.finditer(r"(?<!\w)#(?=[^\W_]*[^\W\d_])", sent)]
    assert [p for p in unescaped_reserved(sent) if p not in hashtags] == []


def test_plain_text_is_untouched() -> None:
    text = "Proud of the team: 40 new colleagues this year. Ask me anything!"
    assert escape_commentary(text) == text


def test_example_of_the_api_notes() -> None:
    assert escape_commentary("What we learned at the fair (part 1) #events") == (
        "What we learned at the fair \\(part 1\\) #events"
    )


@pytest.mark.parametrize(
    "text",
    ["#events", "Join us #hiring", "#Aarhus2026", "#2026goals", "#æblegrød", "x\n#tag", "(#tag)"],
)
def test_hashtags_stay(text: str) -> None:
    sent = escape_commentary(text)
    assert "#" in sent
    assert "\\#" not in sent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C# developers", "C\\# developers"),
        ("We are #1", "We are \\#1"),
        ("# heading", "\\# heading"),
        ("##double", "\\##double"),
        ("a#b", "a\\#b"),
        ("#", "\\#"),
        ("#_x", "\\#\\_x"),
    ],
)
def test_hash_that_is_not_a_hashtag_is_escaped(text: str, expected: str) -> None:
    assert escape_commentary(text) == expected


def test_hashtag_ends_before_an_underscore() -> None:
    assert escape_commentary("#employee_advocacy") == "#employee\\_advocacy"


@pytest.mark.parametrize(
    "mention",
    [
        "@[Acme A/S](urn:li:organization:2414183)",
        "@[Ann Berg](urn:li:person:kfW51gr4Ja)",
        "@[Ann-Marie Ørsted](urn:li:person:a_b-C9)",
    ],
)
def test_mentions_stay(mention: str) -> None:
    assert escape_commentary(f"Thanks {mention}!") == f"Thanks {mention}!"
    assert escape_commentary(mention) == mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Ann", "\\@Ann"),
        ("@[Ann]", "\\@\\[Ann\\]"),
        ("@[Ann](https://x.example)", "\\@\\[Ann\\]\\(https://x.example\\)"),
        ("@[Ann](urn:li:share:1)", "\\@\\[Ann\\]\\(urn:li:share:1\\)"),
        ("[link](urn:li:person:1)", "\\[link\\]\\(urn:li:person:1\\)"),
        ("ann@acme.example", "ann\\@acme.example"),
    ],
)
def test_what_only_looks_like_a_mention_is_escaped(text: str, expected: str) -> None:
    assert escape_commentary(text) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.example/blog/fair",
        "http://acme.example",
        "https://acme.example/a_b~c/*x*?q=(1)&r=[2]#section",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://acme.example/path_with_underscores",
        "https://acme.example/?utm_source=linkedin&utm_medium=social",
    ],
)
def test_urls_stay_so_they_link(url: str) -> None:
    assert escape_commentary(f"Read {url} today") == f"Read {url} today"
    assert escape_commentary(url) == url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://acme.example/a.", "See https://acme.example/a."),
        ("(see https://acme.example/a)", "\\(see https://acme.example/a\\)"),
        ("(see https://acme.example/a).", "\\(see https://acme.example/a\\)."),
        ("<https://acme.example/a>", "\\<https://acme.example/a\\>"),
        ("https://acme.example/a_b, then #more", "https://acme.example/a_b, then #more"),
        ("https://( not a link", "https://\\( not a link"),
        ("ftp://x.example/a_b", "ftp://x.example/a\\_b"),
        ("Visit www.acme.example/a_b!", "Visit www.acme.example/a_b!"),
        ("HTTPS://ACME.EXAMPLE/A_B", "HTTPS://ACME.EXAMPLE/A_B"),
        ("awww.x_y", "awww.x\\_y"),
    ],
)
def test_url_edges(text: str, expected: str) -> None:
    assert escape_commentary(text) == expected


def test_backslashes_are_text() -> None:
    assert escape_commentary("C:\\Temp") == "C:\\\\Temp"
    assert escape_commentary("\\#tag") == "\\\\#tag"


def test_mixed_post() -> None:
    text = (
        "Great day with @[Acme A/S](urn:li:organization:2414183) *finally* :) "
        "Details: https://acme.example/fair_2026 #events #Hiring {soon} ~ok~ a|b"
    )
    assert escape_commentary(text) == (
        "Great day with @[Acme A/S](urn:li:organization:2414183) \\*finally\\* :\\) "
        "Details: https://acme.example/fair_2026 #events #Hiring \\{soon\\} \\~ok\\~ a\\|b"
    )


def test_empty_and_whitespace() -> None:
    assert escape_commentary("") == ""
    assert escape_commentary(" \n\t") == " \n\t"


def test_many_hand_cases_round_trip() -> None:
    cases = [
        "Hello (world) [x] {y} <z> *b* _i_ ~s~ a|b @c #d \\e",
        "Emoji 🎉 and (parens) #tag",
        "#a#b #c_d e#f",
        "@[Ann Berg](urn:li:person:x)@[Bo](urn:li:person:y)",
        "https://a.example/x_(y)_z) end",
        "100% (!) ***",
    ]
    for text in cases:
        assert unescape(escape_commentary(text)) == text


def test_length_limit_is_the_text_as_written() -> None:
    validate_commentary("x" * MAX_COMMENTARY_LENGTH)
    # Escaping doubles the size on the wire, but the member sees 3,000 characters.
    validate_commentary("(" * MAX_COMMENTARY_LENGTH)
    with pytest.raises(Invalid, match="3,000 characters") as caught:
        validate_commentary("x" * (MAX_COMMENTARY_LENGTH + 1))
    assert "3,001" in str(caught.value)
    assert caught.value.code == "COMMENTARY_TOO_LONG"


def test_limit_is_linkedins() -> None:
    assert MAX_COMMENTARY_LENGTH == 3000
