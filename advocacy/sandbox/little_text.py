"""What LinkedIn keeps of a post's commentary ("little" text format).

LinkedIn reserves `\\ | { } @ [ ] ( ) < > # * _ ~`: each must be escaped with a backslash unless
it is markup. An unescaped one makes LinkedIn silently cut the post at that character while
still answering 201 (linkedin-api.md 5.2). Markup is not a cut: `#tag` hashtags (letters and
digits after the #), the hashtag template `{hashtag|\\#|tag}`, mentions
`@[Name](urn:li:person:ID)` or `@[Name](urn:li:organization:ID)`, and URLs (`http://`,
`https://`, `www.`) that run to the next whitespace.
"""

from __future__ import annotations

import re

RESERVED = frozenset("\\|{}@[]()<>#*_~")
MAX_LENGTH = 3000

_MENTION = re.compile(r"@\[[^\[\]\n]+\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]+\)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|[^{}|\s]+\}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def kept_commentary(text: str) -> str:
    """The commentary as LinkedIn stores it, escapes as sent: cut before the first unescaped
    reserved character that is not markup, and after MAX_LENGTH characters as shown (an
    escape and its character count as one)."""
    position = 0
    shown = 0
    while position < len(text) and shown < MAX_LENGTH:
        char = text[position]
        if char == "\\":
            if position + 1 < len(text) and text[position + 1] in RESERVED:
                position += 2
                shown += 1
                continue
            return text[:position]
        markup = _markup_length(text, position)
        if markup:
            markup = min(markup, MAX_LENGTH - shown)
            position += markup
            shown += markup
            continue
        if char in RESERVED:
            return text[:position]
        position += 1
        shown += 1
    return text[:position]


def _markup_length(text: str, position: int) -> int:
    """The length of the markup starting at `position`, or 0 if none starts there."""
    char = text[position]
    if char == "#":
        end = position + 1
        while end < len(text) and text[end].isalnum():
            end += 1
        return end - position if end > position + 1 else 0
    if char == "@":
        match = _MENTION.match(text, position)
        return match.end() - position if match else 0
    if char == "{":
        match = _HASHTAG_TEMPLATE.match(text, position)
        return match.end() - position if match else 0
    if char in "hHwW" and (position == 0 or not text[position - 1].isalnum()):
        match = _URL.match(text, position)
        return match.end() - position if match else 0
    return 0
