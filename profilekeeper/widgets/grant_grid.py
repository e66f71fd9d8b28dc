"""The Sharing screen's grid: one row per slice the owner could grant, one column per shop."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from profilekeeper.widgets.untrusted import shop_text

if TYPE_CHECKING:
    from profilekeeper.services.sharing_views import Cell, SharingGrid, SliceRow

SLICE_COLUMN = "slice"
SHOP_WIDTH = 14
"""Columns a shop's name gets in the header (the shops table above has it in full)."""
LABEL_WIDTH = 30


def cell_text(cell: Cell) -> Text:
    """What a cell reads, without colour too: ✔ granted (and until when), · not, – never sent."""
    if not cell.accepted:
        return Text("–", style="dim")
    if not cell.granted:
        return Text("·", style="dim")
    if cell.until is not None:  # its last day: ``until`` itself is not granted
        return Text(f"✔ to {cell.until - timedelta(microseconds=1):%m-%d}", style="bold green")
    return Text("✔", style="bold green")


class GrantGrid(DataTable[Text]):
    """Row keys are ``SliceRow.key``; column keys are shop ids (and ``slice`` for the names)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.grid: SharingGrid | None = None

    def fill(self, grid: SharingGrid) -> None:
        """Show ``grid``, the cursor kept on the same slice and shop when they are still there."""
        keep = self.selected_keys()
        self.grid = grid
        self.clear(columns=True)
        # Widths given, not measured: they are known, and stay put while rows are added.
        labels = [Text(row.label[:LABEL_WIDTH]) for row in grid.rows]
        self.add_column("Slice", key=SLICE_COLUMN,
                        width=max((label.cell_len for label in labels), default=5))
        for shop in grid.shops:
            self.add_column(shop_text(shop.name, limit=SHOP_WIDTH), key=shop.id,
                            width=SHOP_WIDTH)
        for row, label in zip(grid.rows, labels, strict=True):
            self.add_row(label, *(cell_text(row.cells[s.id]) for s in grid.shops), key=row.key)
        if keep is not None:
            with suppress(RowDoesNotExist, CellDoesNotExist, KeyError):
                self.cursor_coordinate = self.get_cell_coordinate(*keep)
        if grid.shops and self.cursor_column == 0:
            self.cursor_coordinate = Coordinate(self.cursor_row, 1)  # on a shop, not a name

    def selected_keys(self) -> tuple[str, str] | None:
        """(row key, column key) under the cursor."""
        if self.row_count == 0:
            return None
        try:
            row, column = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return (row.value or "", column.value or "")

    def selected(self) -> tuple[SliceRow, str] | None:
        """The slice and the shop id under the cursor; None on a slice's name."""
        keys = self.selected_keys()
        if keys is None or self.grid is None or keys[1] == SLICE_COLUMN:
            return None
        row = next((r for r in self.grid.rows if r.key == keys[0]), None)
        return (row, keys[1]) if row is not None else None

    def shop_under_cursor(self) -> str | None:
        keys = self.selected_keys()
        return keys[1] if keys and keys[1] != SLICE_COLUMN else None
