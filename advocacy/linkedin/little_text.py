"""Post commentary in LinkedIn's "little text" format (linkedin-api.md section 5.2).

LinkedIn treats `\\ | { } @ [ ] ( ) < > # * _ ~` as markup. An unescaped one that is not valid
markup can make LinkedIn cut the post short at that character while still answering 201, so
every reserved character is escaped with a backslash, except where it is markup the employee
meant and LinkedIn must see raw:
- hashtags: `#` at the start of a word, followed by letters and digits (at least one letter);
  `#1` or `C#` are text. The tag stops at the first character that is not a letter or digit
  (an underscore is escaped, not part of the tag).
- mentions: `@[Name](urn:li:person:ID)` and `@[Name](urn:li:organization:ID)`, left whole.
- web addresses starting with `http://`, `https://` or (at a word start) `www.`, up to the
  next white space, so that LinkedIn links them; trailing punctuation (`.`, `,`, a `)`
  without its `(`, ...) is not part of the address.

Length: LinkedIn allows MAX_COMMENTARY_LENGTH characters. The limit applies to the text as
the employee wrote and sees it, that is before escaping: the backslashes added here are not
shown by LinkedIn and are not counted. This is the one place that decides it; the content
app's caption limit (content.models.MAX_COMMENTARY_LENGTH, the same number, kept separately
because this app must not import content) counts the same way, so a caption that fits there
fits here. Characters are Unicode code points, as Django's max_length counts them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .errors import Invalid

# LinkedIn's limit for a post's commentary (longer text is reported truncated silently).
MAX_COMMENTARY_LENGTH = 3000

RESERVED_CHARACTERS = frozenset("\\|{}@[]()<>#*_~")

_MENTION = r"@\[[^\[\]\n]+\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]+\)"
# An address starts with a letter or digit after `//`, so `https://(` is text.
_URL = r"(?i:https?://|(?<!\w)www\.)[^\W_][^\s]*"
# `(?<!\w)`: a hashtag starts a word. `[^\W_]` is a letter or digit in any script; the
# lookahead asks for at least one letter so that `#1` stays text.
_HASHTAG = r"(?<!\w)#(?=[^\W_]*[^\W\d_])[^\W_]+"
_MARKUP = re.compile(f"(?P<mention>{_MENTION})|(?P<url>{_URL})|(?P<hashtag>{_HASHTAG})")

_TRAILING_PUNCTUATION = ".,;:!?'\""
_BRACKETS = {")": "(", "]": "[", "}": "{", ">": "<"}


def _url_length(candidate: str) -> int:
    """How much of a white-space-delimited `http...` run is the address.

    Sentence punctuation after an address, and a closing bracket whose opening one is outside
    it ("(see https://x.example/a)"), belong to the text around it.
    """
    end = len(candidate)
    while end:
        last = candidate[end - 1]
        unbalanced = last in _BRACKETS and (
            candidate[:end].count(last) > candidate[:end].count(_BRACKETS[last])
        )
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        end -= 1
    return end


def _escape_plain(text: str) -> str:
    return "".join(f"\\{char}" if char in RESERVED_CHARACTERS else char for char in text)


def escape_commentary(text: str) -> str:
    """The commentary to send for `text` as the employee wrote it (see the module docstring)."""
    parts: list[str] = []
    position = 0
    for match in _MARKUP.finditer(text):
        start, end = match.span()
        if match.lastgroup == "url":
            end = start + _url_length(match.group())
        parts.append(_escape_plain(text[position:start]))
        parts.append(text[start:end])
        position = end
    parts.append(_escape_plain(text[position:]))
    return "".join(parts)


def validate_commentary(text: str) -> None:
    """Raise Invalid when `text` is longer than LinkedIn allows (counted before escaping)."""
    if len(text) > MAX_COMMENTARY_LENGTH:
        raise Invalid(
            _(
                "The post text has %(length)s characters; LinkedIn allows at most "
                "%(limit)s characters."
            )
            % {"length": f"{len(text):,}", "limit": f"{MAX_COMMENTARY_LENGTH:,}"},
            code="COMMENTARY_TOO_LONG",
        )
