"""Text a shop sent (names, terms, reasons, echoes) on screen: shown literally, never as markup.

A ``rich.text.Text`` is never parsed for markup, but it keeps escape sequences and control
characters, which Textual writes to the terminal as they are: ``sync.sanitize`` strips them.
"""

from __future__ import annotations

import re

from rich.text import Text

from profilekeeper.sync.sanitize import clean_text

_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean(value: object, *, limit: int = 2000) -> str:
    """``value`` as one line of plain text, at most ``limit`` characters (cut with "…")."""
    text = clean_text("" if value is None else str(value), limit=limit + 1)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shop_text(value: object, style: str = "", *, limit: int = 2000) -> Text:
    """A shop's text, cleaned, as a Text: shown exactly as written, never interpreted."""
    return Text(clean(value, limit=limit), style=style)


def visible(text: str) -> str:
    """``text`` (JSON) with each control or bidi character written as its ``\\uXXXX`` escape:
    the same JSON string, and nothing the terminal would act on."""
    return _INVISIBLE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
