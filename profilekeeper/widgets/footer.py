"""Textual's footer, composed again only when what it shows changes, and without restyling each
key twice as it mounts: the footers of Home and People cost ~0.1 s of the first key after start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import Reactive
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class KeysFooter(Footer):
    """Looks and acts as Textual's Footer."""

    composed_from: object = None
    """What the keys on show were composed from (None: no key composed yet)."""

    def shown_from(self) -> object:
        """What compose() makes the keys from: the screen's bindings and whether each is on."""
        return (self.compact, self.show_command_palette,
                tuple((b.key, b.action, b.description, b.show, b.key_display, enabled, tip)
                      for _, b, enabled, tip in self.screen.active_bindings.values()))  # fmt: skip

    def compose(self) -> ComposeResult:
        shown_from, self.composed_from = self.shown_from(), None
        for widget in super().compose():
            self.composed_from = shown_from  # a key composed: the bindings were ready
            # A key (not the palette's, which stays compact) is born compact, then takes the
            # footer's as it mounts: each flip restyles it. It gets the footer's from the start.
            compact = getattr(type(widget), "compact", None)
            if isinstance(compact, Reactive) and not widget.has_class("-command-palette"):
                widget.set_reactive(compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        same = self.composed_from is not None and self.shown_from() == self.composed_from
        if same and screen is self.screen:
            return  # bindings refreshed, but the same keys, each as enabled as before
        super().bindings_changed(screen)
