"""Getting in: unlocking an existing vault, or creating one on the first run."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Static
from textual.worker import Worker

from profilekeeper.errors import InvalidInput
from profilekeeper.messages import UnlockFailed, VaultReady
from profilekeeper.services import check_new_passphrase, passphrase_hint
from profilekeeper.widgets.checkbox import StateCheckbox

if TYPE_CHECKING:
    from profilekeeper.app import ProfileKeeperApp


def sentence(message: str) -> str:
    """A service's message (lower case, no stop, as the CLI prints it) as a sentence."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class _GateScreen(Screen[None]):
    @property
    def pk(self) -> ProfileKeeperApp:
        return cast("ProfileKeeperApp", self.app)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        self.pk.report_worker_failure(event)

    def ready_again(self) -> None:
        """Re-enable the form after a failure reported elsewhere."""


class UnlockScreen(_GateScreen):
    """The passphrase prompt. A wrong passphrase is said in place; the field stays for a retry."""

    AUTO_FOCUS = "#passphrase"

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="gate"):
            yield Label("profilekeeper", classes="title")
            yield Static("Opening your vault…", id="status", markup=False)
            yield Input(password=True, placeholder="passphrase", id="passphrase")
            yield Static("", id="error", classes="error")
            yield Button("Unlock", id="unlock", variant="primary")

    def on_mount(self) -> None:
        if self.pk.vault is None and not self.pk.opening:  # opening it failed, and was said
            self.ready_again()
        else:
            self._set_busy(self.pk.vault is None)

    def _set_busy(self, busy: bool, status: str = "", *, note: str = "") -> None:
        """``status`` in place of the usual line; ``note`` above it (why it has to ask)."""
        self.query_one("#passphrase", Input).disabled = busy
        self.query_one("#unlock", Button).disabled = busy
        self.query_one("#status", Static).update(
            status
            or (f"{sentence(note)}\n" if note else "")
            + ("Opening your vault…" if busy else "Enter your passphrase to unlock.")
            + (f"\n{self.pk.unlock_hint}" if self.pk.unlock_hint and not busy else "")
        )
        if not busy:
            self.query_one("#passphrase", Input).focus()

    def on_screen_resume(self) -> None:
        if self.pk.vault is not None and not self.pk.unlocked:
            self.query_one("#passphrase", Input).value = ""
            self._set_busy(False)

    def ready_again(self) -> None:
        if self.pk.vault is not None:
            self._set_busy(False)
        else:
            self.query_one("#status", Static).update("The vault could not be opened.")

    @on(VaultReady)
    def _ready(self, message: VaultReady) -> None:
        if not message.unlocked:  # the note: why the remembered key did not open it
            self._set_busy(False, note=message.note)

    @on(Input.Submitted)
    @on(Button.Pressed, "#unlock")
    def _unlock(self) -> None:
        passphrase = self.query_one("#passphrase", Input).value
        if not passphrase:
            self.query_one("#error", Static).update("Enter your passphrase.")
            return
        self.query_one("#error", Static).update("")
        self._set_busy(True, "Unlocking…")
        self.pk.unlock(passphrase)

    @on(UnlockFailed)
    def _failed(self, message: UnlockFailed) -> None:
        self._set_busy(False)
        self.query_one("#error", Static).update(message.reason)
        self.query_one("#passphrase", Input).value = ""


class WelcomeScreen(_GateScreen):
    """First run: your name, a passphrase with a strength hint and a confirmation, remember?"""

    AUTO_FOCUS = "#name"

    def compose(self) -> ComposeResult:
        with Center(), Vertical(classes="gate"):
            yield Label("Welcome to profilekeeper", classes="title")
            yield Static(
                "Your profile stays on this computer, encrypted with a passphrase only you "
                "know. There is no way to recover it if you forget it.",
                classes="hint",
            )
            yield Input(placeholder="your first name (for greetings)", id="name", compact=True)
            yield Input(password=True, placeholder="new passphrase", id="new", compact=True)
            yield Static(passphrase_hint("")[1], id="strength", classes="hint")
            yield Input(password=True, placeholder="the passphrase again", id="again",
                        compact=True)
            yield StateCheckbox("Remember on this device (system keyring)", id="remember",
                           compact=True)
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Create my vault", id="create", variant="primary")

    @on(Input.Changed, "#new")
    def _strength(self, event: Input.Changed) -> None:
        self.query_one("#strength", Static).update(passphrase_hint(event.value)[1])

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        new = self.query_one("#new", Input).value
        again = self.query_one("#again", Input).value
        error = ""
        try:
            check_new_passphrase(new)
        except InvalidInput as refused:
            error = sentence(str(refused))
        if not error and new != again:
            error = "The two passphrases differ."
        self.query_one("#error", Static).update(error)
        if error:
            return
        self.query_one("#create", Button).disabled = True
        self.query_one("#error", Static).update("Creating your vault…")
        self.pk.create_vault(
            new,
            self.query_one("#name", Input).value,
            self.query_one("#remember", Checkbox).value,
        )

    def ready_again(self) -> None:
        self.query_one("#create", Button).disabled = False
        self.query_one("#error", Static).update("")
