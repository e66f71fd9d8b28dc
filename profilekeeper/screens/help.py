"""The help screen (``?``): what each key does, where you are and everywhere."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

GENERAL = [
    ("1 2 3 4", "Home, Me, People, Settings (or click the names on the top line)"),
    ("ctrl+p", "Command palette: every action by name"),
    ("ctrl+l", "Lock now (also happens by itself after the idle time in Settings)"),
    ("enter", "Open or edit the selected line"),
    ("tab", "Next field or list; the mouse works everywhere"),
    ("escape", "Close a dialog, back from a person"),
    ("ctrl+q", "Quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help-close",
                tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label("Keys", classes="title")
            yield Static(self._table(), id="keys")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, what in GENERAL:
            table.add_row(key, what)
        below = next((s for s in reversed(self.app.screen_stack) if s is not self), None)
        if below is not None:
            table.add_row("", "")
            table.add_row(Text("On this screen", style="underline"), "")
            for binding in below._bindings.key_to_bindings.values():
                for b in binding:
                    if b.description and b.id:  # ours, not Textual's built-ins
                        table.add_row(self.app.get_key_display(b), b.tooltip or b.description)
        return table

    def action_close(self) -> None:
        self.dismiss()
