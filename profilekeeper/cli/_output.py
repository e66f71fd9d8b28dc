"""Printing stored text to a terminal."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with each unprintable character as a space.

    Stored text is printed as data: a name imported from someone else's file may hold an escape
    sequence that would move the cursor or recolour the terminal.
    """
    if text.isprintable():  # nearly always: one C call instead of one per character
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text)
