"""The top line of every data screen: where you are, and a clickable way elsewhere."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from profilekeeper import navigation

SECTIONS = tuple((mode.name, f"{mode.key} {mode.title}") for mode in navigation.MODES)


class NavBar(Static):
    """Section links; the current one is highlighted. Our own text, so markup actions are safe."""

    def __init__(self, current: str) -> None:
        super().__init__(id="nav")
        self.current = current

    def on_mount(self) -> None:
        text = Text.assemble(("profilekeeper ", "bold"))
        for mode, label in SECTIONS:
            style = "reverse bold" if mode == self.current else ""
            text.append(f" {label} ", style=style)
            text.append(" ")
        self.update(text)

    async def on_click(self, event: events.Click) -> None:
        x = event.x
        offset = len("profilekeeper ")
        for mode, label in SECTIONS:
            width = len(label) + 3
            if offset <= x < offset + width:
                await self.app.run_action(f"go('{mode}')")
                return
            offset += width
