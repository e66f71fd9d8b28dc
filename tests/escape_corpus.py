"""The markup/escape corpus (#16 §5), one copy for every test of display and export safety.

``CORPUS``: shop text (or text in an imported file) that a terminal, Rich or Textual would act
on, or that hides or reorders what is around it: markup, SGR/OSC 8/OSC 52/cursor escapes, C1,
NUL, tabs and line breaks, bidi controls, zero-width and other format characters, emoji with
combining marks, 10 KB.
``CONTROL`` finds what must never reach a screen or a file raw: C0, DEL, C1 and every Unicode
format character (``Cf``: bidi controls, zero-width ones, the byte-order mark...).
``raw_controls`` finds them in a file's bytes.
"""

from __future__ import annotations

import re

from profilekeeper.plain_text import CONTROLS, FORMAT

CORPUS = {
    "link": "[link=https://x]a[/link]",
    "click": "[@click=app.quit]x[/]",
    "bold": "[bold]b[/bold]",
    "red": "[red]",
    "unbalanced": "u[/]",
    "sgr": "\x1b[31mred\x1b[0m",
    "osc8": "\x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\",
    "osc52": "\x1b]52;c;aGVsbG8=\x07clip",
    "cursor": "\x1b[2J\x1b[H\x1b[10;10Hmoved\x1b[5A",
    "c1": "\x9b31mc1\x9d0;t\x9c",
    "nul": "n\x00ul",
    "breaks": "t\tab\nnew\r\nline\x0bv\x85nel\u2028ls",
    "bidi": "\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069",
    "zero width": "z\u200bw\u200cj\u200dk\ufeff",
    "invisible": "i\u2060n\u2061v\u2062i\u2063s\u2064i\u180eb\u061cl\u00ade\U000e0041\ufff9!",
    "emoji": "\U0001f469\u200d\U0001f469\u200d\U0001f467 e\u0301 Z\u0324\u0354\u0367",
    "10 KB": "long " * 2_000,
}
CONTROL = re.compile(f"[{CONTROLS}{FORMAT}]")
_LINE_ENDS = re.compile(r"\r?\n")


def raw_controls(data: bytes) -> list[str]:
    """The control and format characters in ``data`` (UTF-8: a C1 character is two bytes, a
    bidi control three) but its line ends, each as an escape; ESC is one byte in any case."""
    assert b"\x1b" not in data
    return [ascii(m.group()) for m in CONTROL.finditer(_LINE_ENDS.sub("", data.decode("utf-8")))]
