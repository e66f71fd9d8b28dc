"""Shop text made plain: no control characters, no terminal escape sequences, no bidi tricks.

Everything a shop sends is untrusted. ``clean_text`` leaves one line of plain text; it does
not escape markup, so whoever shows it must show it as text (Rich ``Text``, ``markup=False``),
never as markup. Plain Python: the protocol package and the client both use it.
"""

from __future__ import annotations

import re

from profilekeeper.plain_text import CONTROLS, FORMAT, SURROGATES

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"              # CSI: colours, cursor moves, erasing
    r"|\x9b[0-?]*[ -/]*[@-~]"               # the same, as a C1 character
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    # ^ OSC (titles, hyperlinks, clipboard), DCS, SOS, PM, APC: up to their terminator or the end
    r"|\x1b[ -/]*[0-~]?"                    # any other escape and what it introduces
)
_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")
_INVISIBLE = re.compile(f"[{CONTROLS}{FORMAT}{SURROGATES}]")
"""C0, DEL, C1; every format character (bidi controls, zero-width ones, the byte-order mark:
``plain_text.FORMAT`` says why all); lone surrogates (JSON's "\\udfff"), which are not text."""


def clean_text(value: str, *, limit: int) -> str:
    """``value`` as one line of plain text of at most ``limit`` characters.

    Escape sequences go whole (their parameters with them); line breaks and tabs become one
    space; every other control character, format character (bidi controls, zero-width
    characters, the byte-order mark) and lone surrogate (which UTF-8, and so the vault, cannot
    hold) goes; the result is stripped and cut to ``limit``.
    """
    text = _ESCAPES.sub("", value)
    text = _BREAKS.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return text.strip()[:limit]
