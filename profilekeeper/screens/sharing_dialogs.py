"""The Sharing screen's dialogs: connect a shop by its URL, when a grant ends, the owner's
minimum terms, what a shop holds."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker

from profilekeeper import services
from profilekeeper.errors import ProfileKeeperError
from profilekeeper.screens.dialogs import Dialog, ok_or_cancel
from profilekeeper.screens.unlock import sentence
from profilekeeper.widgets.untrusted import shop_text

if TYPE_CHECKING:
    from profilekeeper.app import ProfileKeeperApp
    from profilekeeper.store.vault import Vault


class ConnectDialog(Dialog[services.Connected | None]):
    """Two steps: Look (a shop's URL: its terms and the verdict against the owner's minimum,
    nothing linked), then Connect (offered only when they meet it; a name if its own will not
    do). A refusal or a failure, with its reasons, stays on the dialog."""

    def __init__(self, vault: Vault) -> None:
        super().__init__()
        self.vault = vault
        self.looked: services.ShopLook | None = None
        """The last look, while the URL is the one looked at."""

    def compose(self) -> ComposeResult:
        minimum = services.minimum_terms(self.vault)
        with Vertical(classes="dialog form"):
            yield Label("Connect a shop", classes="title")
            yield Static(f"Linked only if it keeps data at most {minimum.max_retention_days} "
                         f"days, for {', '.join(minimum.allowed_purposes)}. "
                         f"{services.GPC_NOTE} Nothing is shared until you grant slices.",
                         classes="hint")
            yield Input(placeholder="https://shop.example", id="url", compact=True)
            yield Input(placeholder="name (optional: the shop's own)", id="name", compact=True)
            terms = Static("", id="terms")
            terms.display = False  # until looked at
            yield terms
            yield Static("", id="status", classes="hint")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Look", id="look", variant="primary")
                yield Button("Connect", id="ok", variant="success", disabled=True)
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        # Enter connects what was looked at (and meets the minimum); else it looks.
        if self.looked is not None and not self.looked.unmet:
            self._ok()
        else:
            self._look()

    @on(Input.Changed, "#url")
    def _url_changed(self) -> None:
        # Another address is another shop: its terms are not the ones shown.
        self.looked = None
        self.query_one("#ok", Button).disabled = True
        self.query_one("#terms", Static).display = False

    @on(Button.Pressed, "#look")
    def _look(self) -> None:
        url = self.query_one("#url", Input).value.strip()
        if not url:
            self._error("Enter the shop's URL.")
            return
        self._busy("Asking the shop for its terms…")
        self._fetch_look(url)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        if self.looked is None or self.looked.unmet:
            return
        self._busy("Linking…")
        self._connect(self.looked.url, self.query_one("#name", Input).value.strip() or None)

    def _busy(self, status: str) -> None:
        self._error("")
        self.query_one("#status", Static).update(status)
        self.query_one("#look", Button).disabled = True
        self.query_one("#ok", Button).disabled = True

    def _idle(self) -> None:
        self.query_one("#status", Static).update("")
        self.query_one("#look", Button).disabled = False
        self.query_one("#ok", Button).disabled = self.looked is None or bool(self.looked.unmet)

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False, description="look")
    def _fetch_look(self, url: str) -> None:
        try:
            look = asyncio.run(services.look_at_shop(self.vault, url))
        except ProfileKeeperError as error:  # a bad URL, a shop that fails: said here
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(self._shown, look)

    def _shown(self, look: services.ShopLook) -> None:
        if not self.is_current:
            return
        self.looked = look
        terms = Text("\n").join([
            shop_text(look.name, "bold", limit=200),
            *(Text("  ") + shop_text(line, limit=300) for line in look.terms),
            Text("  Accepts: ") + shop_text(", ".join(look.slices) or "nothing", limit=300),
        ])  # fmt: skip
        self.query_one("#terms", Static).update(terms)
        self.query_one("#terms", Static).display = True
        self._idle()
        if look.unmet:
            self._error("Below your minimum terms, so it cannot be connected: "
                        + "; ".join(look.unmet) + ".")
        else:
            self.query_one("#status", Static).update("It meets your minimum terms.")
            self.query_one("#ok", Button).focus()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False, description="connect")
    def _connect(self, url: str, name: str | None) -> None:
        try:
            connected = asyncio.run(services.connect_shop(self.vault, url, name=name))
        except services.TermsRefused as error:
            # The shop's own 409 after a look that passed: its terms are not what it showed,
            # so Connect waits for another look rather than asking again to be refused.
            self.app.call_from_thread(self._refused, error, forget_look=True)
            return
        except ProfileKeeperError as error:  # a shop that fails: said here, Connect again
            self.app.call_from_thread(self._refused, error)
            return
        self.app.call_from_thread(self._connected, connected)

    def _connected(self, connected: services.Connected) -> None:
        if self.is_current:  # not cancelled meanwhile (the shop is linked either way)
            self.dismiss(connected)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        # Not a shop's refusal but a bug: the app says it (plainly), the dialog stays usable.
        if cast("ProfileKeeperApp", self.app).report_worker_failure(event):
            self._idle()

    def _refused(self, error: ProfileKeeperError, *, forget_look: bool = False) -> None:
        if not self.is_current:
            return
        if forget_look:
            self.looked = None
        self._idle()
        self._error(sentence(str(error)))

    def _error(self, text: str) -> None:
        if text:
            self.query_one("#status", Static).update("")
        # The error may quote the shop (its reasons, its name): cleaned, never markup.
        self.query_one("#error", Static).update(shop_text(text, limit=1000))


class UntilDialog(Dialog[tuple[datetime | None] | None]):
    """Until when a slice stays granted: a day, or empty for no end. (A 1-tuple, so "no end"
    and "cancelled" differ.)"""

    def __init__(self, about: Text, current: datetime | None, now: datetime) -> None:
        super().__init__()
        self.about = about
        self.current = current
        self.now = now

    def compose(self) -> ComposeResult:
        # A grant holds through the day typed: its ``until`` is the start of the next one.
        last_day = None if self.current is None else self.current - timedelta(days=1)
        shown = "" if last_day is None else last_day.date().isoformat()
        with Vertical(classes="dialog form"):
            yield Label("Granted until", classes="title")
            yield Static(self.about, classes="question")
            yield Input(shown, placeholder="YYYY-MM-DD, empty: until you revoke it", id="until",
                        compact=True)
            yield Static("", id="error", classes="error", markup=False)
            yield ok_or_cancel("Save")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#until", Input).value.strip()
        try:
            until = services.parse_until(text, self.now) if text else None
        except ProfileKeeperError as error:  # worded for the CLI's --until
            self.query_one("#error", Static).update(
                sentence(str(error).replace("--until", "the last day")))
            return
        self.dismiss((until,))


class MinimumTermsDialog(Dialog[bool | None]):
    """The least the owner accepts from a shop (as ``shop terms``): saved here, so a refusal
    shows inline and the dialog stays open. True once saved."""

    def __init__(self, vault: Vault) -> None:
        super().__init__()
        self.vault = vault

    def compose(self) -> ComposeResult:
        terms = services.minimum_terms(self.vault)
        with Vertical(classes="dialog form"):
            yield Label("Your minimum terms", classes="title")
            yield Static("A shop is connected only if it promises these; linked shops whose "
                         f"terms fall below them get nothing more. {services.GPC_NOTE}",
                         classes="hint")
            with Grid(classes="fields"):
                yield Label("Max days kept")
                yield Input(str(terms.max_retention_days), id="retention", type="integer",
                            compact=True)
                yield Label("For purposes")
                yield Input(" ".join(terms.allowed_purposes), id="purposes", compact=True,
                            placeholder="recommendations gift_ideas offers")
            yield Static("", id="error", classes="error", markup=False)
            yield ok_or_cancel("Save")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        days = self.query_one("#retention", Input).value.strip()
        purposes = self.query_one("#purposes", Input).value.replace(",", " ").split()
        try:
            terms = services.minimum_terms_from(int(days) if days.isdigit() else 0, purposes)
            services.set_minimum_terms(self.vault, terms)
        except ProfileKeeperError as error:
            self.query_one("#error", Static).update(sentence(str(error)))
            return
        self.dismiss(True)


class HoldsDialog(Dialog[None]):
    """What a shop says it holds about the owner, as it answered just now (its own words:
    shown as data, never markup)."""

    def __init__(self, title: Text, held: Text) -> None:
        super().__init__()
        self.title_text = title
        self.held = held

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form holds"):
            yield Label(self.title_text, classes="title")
            with VerticalScroll():
                yield Static(self.held, id="held")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
