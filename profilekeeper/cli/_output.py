"""How commands print: text for people, ``--json`` and ``-p/--parsable`` for scripts.

Text is for a reader: colour and emphasis only on a terminal (``--color``), dates in the user's
locale (``LC_TIME``/``LANG``). ``--json`` and ``--parsable`` are for programs: no colour, ISO
dates, and the same fields in the same order — a parsable line is a JSON record's values, tab
separated, one record a line, no header unless ``--header``. Stored text is always passed
through ``printable``: colour comes from the codes below, never from data.

On ``remind``'s path: imports nothing beyond ``os`` and ``sys`` until something is printed.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date

BOLD, DIM, RED, GREEN, YELLOW = "1", "2", "31", "32", "33"
COLOR_CHOICES = ("auto", "always", "never")
LIST_SEPARATOR = ";"
"""Between the items of a list inside one parsable field (``14;3``)."""


def printable(text: str) -> str:
    """``text`` with each unprintable character as a space.

    Stored text is printed as data: a name imported from someone else's file may hold an escape
    sequence that would move the cursor or recolour the terminal. Tabs and newlines are
    unprintable too, so a cleaned value never splits a parsable line.
    """
    if text.isprintable():  # nearly always: one C call instead of one per character
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text)


# -- the flags -----------------------------------------------------------------------------


def output_flags(p: argparse.ArgumentParser, columns: Sequence[str]) -> None:
    """``--json``, ``-p/--parsable`` (with ``columns`` named in the help), ``--header`` and
    ``--color`` for a command that prints records."""
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print JSON for scripts")
    shape.add_argument(
        "-p", "--parsable", "--parseable", action="store_true",
        help="one record a line, tab-separated, ISO dates, lists joined with "
        f"'{LIST_SEPARATOR}', no header; columns: {' '.join(columns)}",
    )  # fmt: skip
    p.add_argument("--header", action="store_true", help="with -p: first a line of column names")
    p.add_argument(
        "--color", "--colour", choices=COLOR_CHOICES, default="auto", metavar="WHEN",
        help="colour the text output: auto (on a terminal, unless NO_COLOR is set or TERM is "
        "dumb), always, never",
    )  # fmt: skip


# -- colour --------------------------------------------------------------------------------


def use_color(choice: str, stream: TextIO | None = None) -> bool:
    """Whether ``--color=choice`` colours ``stream`` (standard output by default).

    ``always`` and ``never`` say it; ``auto`` colours a terminal whose TERM is set and not
    ``dumb``, unless NO_COLOR is set to anything but "" (no-color.org: a flag overrides it).
    """
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM", "dumb") in ("", "dumb"):
        return False
    isatty = getattr(stream or sys.stdout, "isatty", None)
    return bool(isatty and isatty())


class Paint:
    """Wraps text in SGR codes when colour is on; hands it back untouched when it is off.

    Callers pass text already cleaned by ``printable``: the only escapes out are these codes.
    """

    __slots__ = ("on",)

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, *codes: str) -> str:
        if not (self.on and codes and text):
            return text
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"


def paint_for(args: argparse.Namespace) -> Paint:
    return Paint(use_color(getattr(args, "color", "auto")))


# -- dates ---------------------------------------------------------------------------------

_locale_dates: bool | None = None


def locale_dates() -> bool:
    """Take LC_TIME from the environment (LC_ALL, LC_TIME, LANG); whether it names a real
    locale rather than C/POSIX, i.e. whether dates should follow it.

    ``_locale`` is the C module under ``locale``: the setting costs a few microseconds, where
    ``import locale`` would bring in ``re`` and more.
    """
    global _locale_dates
    if _locale_dates is None:
        import _locale

        try:
            name = _locale.setlocale(_locale.LC_TIME, "")
        except _locale.Error:  # type: ignore[attr-defined]  # a locale it lacks: C it is
            name = "C"
        _locale_dates = name not in ("C", "POSIX") and not name.startswith("C.")
    return _locale_dates


def local_date(day: date, *, weekday: bool = False) -> str:
    """``day`` as the user's locale writes it (``%x``), ISO under C/POSIX; ``weekday`` puts the
    day's short name first (``Sun 2026-05-10``, ``So 10.05.2026``)."""
    text = day.strftime("%x") if locale_dates() else day.isoformat()
    return f"{day:%a} {text}" if weekday else text


# -- records -------------------------------------------------------------------------------


def _field(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_field(v) for v in value)
    return printable(str(value))


def print_parsable(
    records: Iterable[Mapping[str, Any]], columns: Sequence[str], *, header: bool = False
) -> None:
    """Each record's ``columns`` on one line, tab-separated; ``header`` first names them."""
    out = sys.stdout.write
    if header:
        out("\t".join(columns) + "\n")
    for record in records:
        out("\t".join(_field(record[c]) for c in columns) + "\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]],
                paint: Paint | None = None) -> None:  # fmt: skip
    """Columns padded to their widest value, the header line in bold when ``paint`` is on."""
    paint = paint or Paint(False)
    cells = [[printable(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print(paint("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
                BOLD))  # fmt: skip
    for line in cells:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
