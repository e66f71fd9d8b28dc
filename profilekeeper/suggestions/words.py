"""How names are compared: case and spacing ignored, titles as runs of words."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def norm(text: str) -> str:
    """``text`` for comparing: case folded, spaces folded (``"Velvet  static"`` →
    ``"velvet static"``)."""
    return " ".join(text.casefold().split())


def words(text: str) -> tuple[str, ...]:
    """The words of ``text``, case folded, punctuation dropped: what a title is matched on."""
    folded = text.casefold()
    parts = folded.split()
    # ``\w`` is what ``str.isalnum`` holds for, and "_": text of such characters and spaces
    # alone (most titles) splits on its spaces into the same words, without the pattern.
    if "".join(parts).isalnum():
        return tuple(parts)
    return tuple(_WORD.findall(folded))


def has_run(title: tuple[str, ...], run: tuple[str, ...]) -> bool:
    """``run`` appears in ``title`` as consecutive words."""
    n = len(run)
    if n == 1:
        return run[0] in title
    first, at = run[0], -1
    try:
        while True:  # each place the first word is at (title.index: in C)
            at = title.index(first, at + 1)
            if title[at:at + n] == run:
                return True
    except ValueError:
        return False
