"""Characters that never reach a terminal or a file raw, and text written without them.

Three sets, as character-class bodies for ``re``:

- ``CONTROLS``: C0, DEL and C1 (Unicode ``Cc``): ESC and CSI start escape sequences, OSC 8
  makes links, OSC 52 writes the clipboard; NUL ends strings in other programs;
- ``FORMAT``: every Unicode ``Cf`` character: the bidi marks, embeddings,
  overrides and isolates (U+061C, U+200E-200F, U+202A-202E, U+2066-2069), zero-width space,
  non-joiner and joiner (U+200B-200D), word joiner and invisible operators (U+2060-2064),
  the Mongolian vowel separator (U+180E), the byte-order mark (U+FEFF), soft hyphen, tag
  characters and the rest. None of them shows: they reorder what is around them, or hide a
  difference between two strings that look the same ("Velvet\\u200bStatic" passes a filter on
  "VelvetStatic"). No exception is kept, not even ZWJ in an emoji sequence: a terminal draws a
  joined sequence as one glyph or as several, and Rich counts its width one way, so the columns
  after it shift; without the joiner each emoji still shows, at a width everyone agrees on;
- ``SURROGATES``: lone surrogates, which no UTF-8 file (and so no vault) can hold.

``one_line`` removes them for formats with no escape of their own (iCalendar, vCard);
``json_dumps`` writes JSON whose strings keep every character but show each one ``str.isprintable``
refuses as a ``\\u`` escape, so the text round-trips exactly and no byte of the file is a control.
Plain Python, no imports beyond ``re`` and ``json`` (the latter when used).
"""

from __future__ import annotations

import re
from typing import Any

CONTROLS = "\x00-\x1f\x7f-\x9f"
FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
"""Unicode's ``Cf`` as of Unicode 15 (U+2065, unassigned amid them, goes too); a test checks
it against ``unicodedata``."""
SURROGATES = "\ud800-\udfff"

_CONTROL_RUNS = re.compile(f"[{CONTROLS}]+")
_INVISIBLE = re.compile(f"[{FORMAT}{SURROGATES}]+")


def one_line(text: str) -> str:
    """``text`` with each run of control characters as one space and every format character
    and lone surrogate removed, stripped: what a vCard or calendar line may hold."""
    if text.isprintable():  # nearly always
        return text.strip()
    return _INVISIBLE.sub("", _CONTROL_RUNS.sub(" ", text)).strip()


def json_dumps(data: Any, **options: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, **options)``, with every character of a string
    that is not printable (``str.isprintable``: controls, format characters, separators but the
    space, surrogates, private use, unassigned) written as a ``\\u`` escape.

    ``json.dumps`` escapes C0 only; DEL, C1, bidi controls and the rest would be written raw.
    Outside strings JSON holds only printable characters and the line breaks of ``indent``,
    which strings never hold raw, so each line is escaped as a whole.
    """
    import json

    text = json.dumps(data, ensure_ascii=False, **options)
    return "\n".join(line if line.isprintable() else "".join(map(_escaped, line))
                     for line in text.split("\n"))  # fmt: skip


def _escaped(ch: str) -> str:
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: as JSON writes it, a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
