"""What every data screen shares: the vault, reload-on-show, worker failures to the app."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker

from profilekeeper import services
from profilekeeper.errors import ProfileKeeperError
from profilekeeper.messages import DataChanged
from profilekeeper.widgets.nav import NavBar

if TYPE_CHECKING:
    from profilekeeper.app import ProfileKeeperApp
    from profilekeeper.reminders import Due
    from profilekeeper.store.vault import Vault


class VaultScreen(Screen[None]):
    """A screen showing vault data. Subclasses set ``MODE`` and implement ``compose_body``."""

    MODE = ""

    @property
    def pk(self) -> ProfileKeeperApp:
        return cast("ProfileKeeperApp", self.app)

    @property
    def vault(self) -> Vault:
        assert self.pk.vault is not None
        return self.pk.vault

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_screen_resume(self) -> None:
        if self.pk.unlocked:
            self.safe_reload()

    def safe_reload(self) -> None:
        """Reload, saying plainly (never crashing) when a record fails authentication."""
        try:
            self.reload()
        except ProfileKeeperError as error:
            self.notify(str(error), title="Could not read", severity="error", timeout=8)

    def reload(self) -> None:
        """Read what the screen shows from the vault again."""

    def act_on_reminder(self, item: Due, verb: str) -> None:
        """Dismiss or mark bought ``item``, or snooze it until a day the user picks; say so."""
        today = self.pk.today()
        if verb != "snooze":
            services.act_on_reminder(self.vault, item, verb, today)
            done = "Dismissed" if verb == "dismiss" else "Marked bought"
            self.notify(f"{done} for {item.on.year}.")
            self.safe_reload()
            return
        default = services.snooze_default(item, today)
        if default is None:
            self.notify("The day is too close to snooze: dismiss it, or mark the gift bought.",
                        severity="warning")
            return

        def snoozed(until: date | None) -> None:
            if until is not None:  # the dialog has saved it
                self.notify(f"Snoozed until {until.isoformat()}.")
                self.safe_reload()

        from profilekeeper.screens.dialogs import SnoozeDialog  # dialogs use this module

        self.app.push_screen(SnoozeDialog(self.vault, item, today, default), snoozed)

    @on(DataChanged)
    def _data_changed(self) -> None:
        self.safe_reload()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: hand failures to the app's single reporter.
        if self.pk.report_worker_failure(event):
            self.worker_failed()

    def worker_failed(self) -> None:
        """Tidy up after a failed worker (the app has told the user already)."""
