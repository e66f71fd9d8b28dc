"""The first-visit moment: what personalization offers, and the choice to opt out."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

EXPLANATION = (
    "Shops you link can use parts of this profile to suggest things you might like: new "
    "releases by artists you love, concerts in your city, gift ideas before a birthday.\n\n"
    "You choose, slice by slice and shop by shop, what each may see. Opted out, a shop gets "
    "your first name at most (\"Welcome back!\") and nothing else.\n\n"
    "You can change this at any time in Settings."
)


class OptInScreen(ModalScreen[bool]):
    """Answers True (personalize) or False (greeting only)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Personalization", classes="title")
            yield Static(EXPLANATION, classes="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes, personalize", id="opt-in", variant="primary")
                yield Button("No, greeting only", id="opt-out")

    @on(Button.Pressed)
    def _choice(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "opt-in")
