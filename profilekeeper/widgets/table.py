"""A DataTable whose cells are always plain text (names may come from imported contacts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


def plain(value: object) -> Text:
    """A cell that shows ``value`` literally: never parsed as Rich markup."""
    return value if isinstance(value, Text) else Text("" if value is None else str(value))


REST = 500
"""Rows added a frame after ``fill``'s first: ~0.025 s of the table's time each, keys between."""


class RecordTable(DataTable[Text]):
    """Row keys are record ids; ``selected_id`` is the id under the cursor, if any."""

    def __init__(self, *columns: str, id: str | None = None,  # noqa: A002
                 widths: Sequence[int] = ()) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns
        self._widths = widths
        """Fixed widths, column by column (else measured as rows come: after a repaint)."""
        self._rest: list[tuple[str, Iterable[object]]] = []
        """Rows still to add once the screen has painted the first (``fill``)."""

    def on_mount(self) -> None:
        if not self._widths:
            self.add_columns(*self._columns)
            return
        for label, width in zip(self._columns, self._widths, strict=True):
            self.add_column(label, width=width)

    def fill(self, rows: Iterable[tuple[str, Iterable[object]]], *, first: int | None = None,
             cursor_on: str | None = None) -> None:
        """Replace the rows, the cursor on ``cursor_on`` or else on the record it was on, when
        that is there (else it stays where it fell).

        ``first``: that many rows now, the rest once the screen has painted them, ``REST`` a
        frame. Each row costs the table ~0.05 ms to add and measure, all before the next paint,
        and only a screenful is seen at once: the key that opened a list of 1,000 waited ~0.05 s
        for rows below the fold, and 10,000 held every key for ~0.5 s. The record for the
        cursor is among the first, or all come now."""
        rows = list(rows)
        keep = cursor_on or self.selected_id
        if first is not None and keep is not None and keep not in {k for k, _ in rows[:first]}:
            first = None
        self._rest = rows[first:] if first is not None else []  # replaces any still to come
        self.clear()
        self._add(rows[:first])
        if keep is not None:
            with suppress(RowDoesNotExist):
                self.move_cursor(row=self.get_row_index(keep))
        if self._rest:
            self._after_paint()

    def _after_paint(self) -> None:
        # The table measures new rows when idle, then asks for this layout: the screen paints,
        # then says it laid out (the signal), and more come.
        self.refresh(layout=True)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._add_rest)

    def _add_rest(self, _screen: object) -> None:
        if self.virtual_size.height < self.row_count:
            return  # a layout before the last rows were measured: they are not painted yet
        self._add_next(REST)
        if self._rest:
            self._after_paint()

    def _add_next(self, count: int) -> None:
        self.screen.screen_layout_refresh_signal.unsubscribe(self)
        more, self._rest = self._rest[:count], self._rest[count:]
        self._add(more)

    def _add_all_now(self) -> None:
        """The rest at once: the user asked for what lies past the rows in so far."""
        if self._rest:
            self._add_next(len(self._rest))

    def action_scroll_bottom(self) -> None:  # ctrl+end: the true last row, not the last in yet
        self._add_all_now()
        super().action_scroll_bottom()

    def action_page_down(self) -> None:
        if self._rest and self.cursor_row + self.size.height >= self.row_count:
            self._add_all_now()
        super().action_page_down()

    def action_cursor_down(self) -> None:
        if self._rest and self.cursor_row + 1 >= self.row_count:
            self._add_all_now()
        super().action_cursor_down()

    def _add(self, rows: Iterable[tuple[str, Iterable[object]]]) -> None:
        for key, cells in rows:
            self.add_row(*(plain(c) for c in cells), key=key)

    @property
    def selected_id(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return key.value
