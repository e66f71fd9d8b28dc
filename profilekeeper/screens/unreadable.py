"""Marked rows: every list in the app shows a record it cannot open as a row of its own, in
place of the record (the rest listed as ever), and says once how many there are.

``services.views.unreadable`` finds them in what a screen read (each ``Listing`` reports the
records that failed authentication); ``fill`` puts them after the records, keyed by their id,
so the cursor can rest on one and an action on it says plainly that it cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual.widget import Widget

from profilekeeper.services.views import Unreadable, unreadable_notice
from profilekeeper.widgets.table import RecordTable

STYLE = "bold red"


def _marks(marks: Sequence[object]) -> list[Unreadable]:
    # ``suggestions.Result`` holds them as objects: the domain does not know the services.
    return [m for m in marks if isinstance(m, Unreadable)]


def marked_rows(marks: Sequence[object], columns: int) -> list[tuple[str, tuple[Any, ...]]]:
    """One row of ``columns`` cells for each mark (plain text, styled: never markup)."""
    return [(m.record_id, tuple(Text(cell, style=STYLE) for cell in m.cells(columns)))
            for m in _marks(marks)]  # fmt: skip


def fill(table: RecordTable, rows: Iterable[tuple[str, Iterable[object]]],
         marks: Sequence[Unreadable], *, first: int | None = None) -> None:  # fmt: skip
    """``table.fill(rows)``, then a marked row for each record that could not be read."""
    table.fill([*rows, *marked_rows(marks, len(table.columns))], first=first)


def say(node: Widget, marks: Sequence[object]) -> None:
    """Tell, once per set of marks a screen shows, that some rows are marked (reloads that
    find the same ones say nothing again)."""
    found = _marks(marks)
    seen = frozenset(found)
    if found and getattr(node, "_marks_said", None) != seen:
        node.notify(unreadable_notice(found), title="Unreadable records", severity="error",
                    timeout=20, markup=False)  # fmt: skip
    node._marks_said = seen  # type: ignore[attr-defined]
