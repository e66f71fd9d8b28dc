"""The top line of every data screen: where you are, and a clickable way elsewhere."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from profilekeeper import navigation

SECTIONS = tuple((mode.name, f"{mode.key} {mode.title}") for mode in navigation.MODES)
BRAND = "profilekeeper "
LINKS = sum(len(label) + 2 for _, label in SECTIONS)
"""The links' width: seven of them fit 80 columns only without the brand before them."""


class NavBar(Static):
    """Section links; the current one is highlighted. Our own text, so markup actions are safe."""

    def __init__(self, current: str) -> None:
        super().__init__(id="nav")
        self.current = current

    @property
    def _brand(self) -> str:
        return BRAND if self.size.width >= len(BRAND) + LINKS else ""

    def on_resize(self) -> None:
        text = Text(self._brand, style="bold")
        for mode, label in SECTIONS:
            text.append(f" {label} ", style="reverse bold" if mode == self.current else "")
        self.update(text)

    async def on_click(self, event: events.Click) -> None:
        offset = len(self._brand)
        for mode, label in SECTIONS:
            width = len(label) + 2
            if offset <= event.x < offset + width:
                await self.app.run_action(f"go('{mode}')")
                return
            offset += width
