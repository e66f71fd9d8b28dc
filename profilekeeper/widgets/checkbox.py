"""A checkbox whose state reads without colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class StateCheckbox(Checkbox):
    """A checkbox whose state reads without colour, in every theme: ✔ when on, empty when off.

    Textual's own shows the same X either way and only recolours it.
    """

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✔" if self.value else " "
        super().watch_value()
