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


class RecordTable(DataTable[Text]):
    """Row keys are record ids; ``selected_id`` is the id under the cursor, if any."""

    def __init__(self, *columns: str, id: str | None = None,  # noqa: A002
                 widths: Sequence[int] = ()) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns
        self._widths = widths
        """Fixed widths, column by column (else measured as rows come: after a repaint)."""

    def on_mount(self) -> None:
        if not self._widths:
            self.add_columns(*self._columns)
            return
        for label, width in zip(self._columns, self._widths, strict=True):
            self.add_column(label, width=width)

    def fill(self, rows: Iterable[tuple[str, Iterable[object]]]) -> None:
        """Replace the rows, keeping the cursor on the same record when it is still there."""
        keep = self.selected_id
        self.clear()
        for key, cells in rows:
            self.add_row(*(plain(c) for c in cells), key=key)
        if keep is not None:
            # When the record went away the cursor stays where it fell.
            with suppress(RowDoesNotExist):
                self.move_cursor(row=self.get_row_index(keep))

    @property
    def selected_id(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return key.value
