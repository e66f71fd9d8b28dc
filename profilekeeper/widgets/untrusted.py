"""Text a shop sent (names, terms, reasons, echoes): shown literally, never as markup.

A ``rich.text.Text`` is never parsed for markup, but it keeps escape sequences and control
characters, which Textual writes to the terminal as they are: strip them first.
"""

from __future__ import annotations

import re

from rich.text import Text

_UNSAFE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI sequences (colours, cursor moves)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC sequences (titles, hyperlinks)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"  # controls, ESC, bidi
)


def clean(value: object, *, limit: int = 2000) -> str:
    """``value`` as plain text: no escape sequence, control or bidi character; at most
    ``limit`` characters."""
    text = _UNSAFE.sub("", "" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shop_text(value: object, style: str = "", *, limit: int = 2000) -> Text:
    """A shop's text, cleaned, as a Text: shown exactly as written, never interpreted."""
    return Text(clean(value, limit=limit), style=style)
