"""The app's start: from a vault path to an unlocked vault.

``VaultApp`` is the part of ProfileKeeperApp (app.py) that opens the vault: the store opened in
a worker with the remembered key, Home's data read there before any screen is built (the first
look), the unlock and first-run screens' workers, and what follows an unlock. Unlocking itself
follows services' one policy (passphrase, keyring, prompt).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

from profilekeeper import navigation
from profilekeeper.errors import CorruptedRecord, ProfileKeeperError, WrongPassphrase
from profilekeeper.messages import FirstLook, Unlocked, UnlockFailed, VaultReady
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.unlock import UnlockScreen, sentence
from profilekeeper.services import (
    THEMES,
    TRY_AGAIN,
    KeyStore,
    VaultReader,
    home_view,
    set_profile,
    unlock_with_remembered_key,
)

if TYPE_CHECKING:
    from profilekeeper.model import Profile
    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.readonly import ChangeWatch
    from profilekeeper.store.vault import Vault


def _later(screen: str) -> Callable[[], Screen[None]]:
    """A mode's screen (``module:Class``), imported when first shown: start-up imports only
    what Home needs."""
    module, name = screen.split(":")

    def make() -> Screen[None]:
        cls: type[Screen[None]] = getattr(import_module(f"profilekeeper.screens.{module}"), name)
        return cls()

    return make


DATA_MODES: dict[str, Callable[[], Screen[None]]] = {
    mode.name: _later(mode.screen) for mode in navigation.MODES
}
"""Screens that show vault data (navigation.MODES); Sharing and Suggestions slot in there."""

FIRST_LOOK_PATIENCE = 0.5
"""Seconds to wait for Home's data, showing nothing, before showing "Opening your vault…"."""


class ParsedOnce(Stylesheet):
    """Textual's stylesheet, each source parsed again only when it or the variables changed.

    Textual reparses every source from scratch, into a new stylesheet, whenever it refreshes the
    CSS: as each mode's screen first shows (where only a base class's tie-breaker moved), and
    again at the next refresh; and it forgets what it parsed each time the same variables are
    set again. Here a refresh parses in place, through the stylesheet's own cache of rules by
    source, so only new or changed sources are parsed: that took ~0.04 s before the first key
    after start was answered."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self.variables_set = dict(variables or {})
        self.parsed_from: tuple[dict[Any, Any], dict[str, str]] | None = None

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self.variables_set:
            return  # the same: what was parsed with them still holds
        self.variables_set = dict(variables)
        super().set_variables(variables)

    def parse(self) -> None:  # as new sources come (a widget's first use): from its cache
        super().parse()
        self.parsed_from = (dict(self.source), self.variables_set)

    def reparse(self) -> None:
        # parse() keeps the rules it had when a source fails (and raises), as reparse() does.
        if self.parsed_from != (self.source, self.variables_set):
            self.parse()


class VaultApp(App[None]):
    """The app on one vault file, until it is unlocked (ProfileKeeperApp: everything after)."""

    def __init__(
        self,
        vault_path: Path,
        *,
        keystore: KeyStore | ModuleType | None = None,
        kdf: KdfParams | None = None,
        today: Callable[[], date] = date.today,
        idle_check_seconds: float = 5.0,
        unlock_hint: str = "",
    ) -> None:
        super().__init__()
        self.stylesheet = ParsedOnce(variables=self.get_css_variables())  # nothing read yet
        self.vault_path = vault_path
        self.vault: Vault | None = None
        """The full store: every write goes through it. None until opened (in a worker)."""
        self.reader: VaultReader | None = None
        """What screens read from: ``vault``, once Home's first look or an unlock opened it."""
        self.kdf = kdf
        self.today = today
        self._keystore = keystore
        self._idle_check_seconds = idle_check_seconds
        self.unlock_hint = unlock_hint
        """Shown on the unlock screen (the demo names its passphrase)."""
        self._last_activity = time.monotonic()
        self._changes: ChangeWatch | None = None
        self._app_thread: int | None = None
        """The thread the app's messages run on (set as it starts)."""

    @property
    def keystore(self) -> KeyStore:
        if self._keystore is not None:
            return self._keystore
        from profilekeeper.store import keys

        return keys

    @property
    def unlocked(self) -> bool:
        """The full store is open and unlocked: everything, writing included, works."""
        return self.vault is not None and self.vault.is_unlocked

    @property
    def readable(self) -> bool:
        """Screens can show data: the store is unlocked."""
        return self.reader is not None

    @property
    def opening(self) -> bool:
        """The store's opening worker has not finished yet."""
        return any(w.description == "open" and not w.is_finished for w in self.workers)

    def data_stamp(self) -> object:
        """Equal to an earlier stamp when what screens show cannot have changed since: no
        commit to the vault file (by this app or any other process), and the same day."""
        try:
            if self._changes is None:
                from profilekeeper.store.readonly import ChangeWatch

                self._changes = ChangeWatch(self.vault_path)
            version = self._changes.version()
        except sqlite3.Error:
            return object()  # equal to nothing: read again
        return (version, self.today())

    def on_load(self) -> None:
        self._app_thread = threading.get_ident()

    def on_unmount(self) -> None:
        if self._changes is not None:
            self._changes.close()

    # -- start -------------------------------------------------------------------------------

    async def on_mount(self) -> None:
        if not self.vault_path.exists():
            await self.switch_mode("welcome")
            return
        # The remembered key will most likely open it: build no screen until Home's data is in
        # (building one meanwhile would slow the worker down: one GIL), unless that takes long.
        self.open_vault()
        self.set_timer(FIRST_LOOK_PATIENCE, self._show_gate_while_waiting)

    async def _show_gate_while_waiting(self) -> None:
        if self.current_mode == self.DEFAULT_MODE:
            await self.switch_mode("unlock")

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False, description="open")
    def open_vault(self) -> None:
        """Open the store and, if the key remembered on this device opens it, Home's data; else
        the unlock screen, with the reason the remembered key did not do."""
        from profilekeeper.store.vault import Vault

        vault = Vault.open(self.vault_path)
        key, note = self._remembered_key(vault) if vault.header.remembered else (None, "")
        self.vault = vault
        if key:
            self.post_message(FirstLook(vault, home_view(vault, self.today())))
        self.post_message(VaultReady(vault.is_unlocked, note))

    def _remembered_key(self, store: Vault) -> tuple[bytes | None, str]:
        """The key remembered on this device, having unlocked ``store`` with it; or None and
        the unlock policy's warning saying why not."""
        return unlock_with_remembered_key(store, lambda: self._recall(store.vault_id))

    def _recall(self, vault_id: str) -> bytes | None:
        if self._keystore is None:  # the system keyring, asked the quick way first
            from profilekeeper.store import fast_keyring

            return fast_keyring.recall(vault_id)
        return self._keystore.recall(vault_id)

    @on(FirstLook)
    async def _show_first_look(self, message: FirstLook) -> None:
        self._apply_theme(message.view.profile.settings.get("theme"))
        await self.switch_mode("home")  # awaited: its tables are mounted before they are filled
        self.reader = message.store
        if isinstance(self.screen, HomeScreen):
            self.screen.show(message.view)
        self.screen.refresh_bindings()

    @on(VaultReady)
    @on(UnlockFailed)
    async def _to_unlock_screen(self, message: VaultReady | UnlockFailed) -> None:
        if isinstance(message, VaultReady) and message.unlocked:
            self.post_message(Unlocked())
            return
        if self.current_mode != "unlock":  # the remembered key did not open it after all
            await self.switch_mode("unlock")
        if isinstance(self.screen, UnlockScreen):  # workers report to the app; show it there
            self.screen.post_message(message)

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False, description="unlock")
    def unlock(self, passphrase: str) -> None:
        assert self.vault is not None
        try:
            self.vault.unlock(passphrase)
        except WrongPassphrase:
            self.post_message(UnlockFailed(sentence(TRY_AGAIN)))
            return
        except ProfileKeeperError as error:  # a changed key table (exit 5 in the CLI): said
            self.post_message(UnlockFailed(sentence(str(error))))
            return
        self.post_message(Unlocked())

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False, description="create")
    def create_vault(self, passphrase: str, name: str, remember: bool) -> None:
        from profilekeeper.store.vault import Vault

        vault = Vault.create(self.vault_path, passphrase, kdf=self.kdf)
        set_profile(vault, name=name.strip())
        self.vault = vault
        if remember:
            self.remember_key(True)
        self.post_message(Unlocked())

    def remember_key(self, remember: bool) -> str:
        """Keep or drop the keyring copy of the data key; return a sentence saying what happened."""
        from profilekeeper import services  # the CLI's `keyring remember|forget` too

        assert self.vault is not None
        try:
            if remember:
                services.remember_key(self.vault, self.keystore)
            else:
                services.forget_key(self.vault, self.keystore)
        except services.KeyringUnavailable as error:
            self.call_from_thread_safe(self.notify, f"{error}; the passphrase stays the only key.",
                                       severity="warning")
            return str(error)
        return "Remembered on this device." if remember else "Forgotten on this device."

    def call_from_thread_safe(self, callback: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """Call ``callback`` on the app's thread whether we are in a worker thread or not."""
        if threading.get_ident() == self._app_thread:
            callback(*args, **kw)
        else:
            self.call_from_thread(callback, *args, **kw)

    @on(Unlocked)
    async def _after_unlock(self) -> None:
        assert self.vault is not None
        self._last_activity = time.monotonic()
        self.reader = self.vault
        profile = self._profile()
        self._apply_theme(profile.settings.get("theme") if profile else None)
        if self.current_mode not in DATA_MODES:
            await self.switch_mode("home")
        self.screen.refresh_bindings()
        if profile is not None and profile.opted_in is None:
            from profilekeeper.screens.optin import OptInScreen

            self.push_screen(OptInScreen(), self._save_opt_in)

    def _profile(self) -> Profile | None:
        """The owner's profile, or None when it fails authentication (Home says so)."""
        assert self.vault is not None
        try:
            return self.vault.profile()
        except CorruptedRecord:
            return None

    def _apply_theme(self, theme: object) -> None:
        if theme in THEMES:
            self.theme = str(theme)

    def _save_opt_in(self, opted_in: bool | None) -> None:
        if opted_in is None or self.vault is None:
            return
        set_profile(self.vault, opted_in=opted_in)
        self.refresh_screen()

    def refresh_screen(self) -> None:
        """Ask the current data screen to reload what it shows."""
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()
