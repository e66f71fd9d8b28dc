"""The help screen (``?``): what each key does, where you are and everywhere."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from profilekeeper import navigation

GENERAL = navigation.general_keys()


def declared_bindings(screen: Screen[Any]) -> list[Binding]:
    """The bindings ``screen``'s classes declare in ``BINDINGS``, merged as Textual merges them:
    base classes first, a subclass's binding for a key taking the place of its base's."""
    by_key: dict[str, list[Binding]] = {}
    for cls in reversed(type(screen).__mro__):
        declared: dict[str, list[Binding]] = {}
        for binding in Binding.make_bindings(vars(cls).get("BINDINGS", ())):
            declared.setdefault(binding.key, []).append(binding)
        by_key.update(declared)
    return [binding for bindings in by_key.values() for binding in bindings]


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
            for b in declared_bindings(below):
                if b.description and b.id:  # ours, not Textual's built-ins
                    table.add_row(self.app.get_key_display(b), b.tooltip or b.description)
        return table

    def action_close(self) -> None:
        self.dismiss()
