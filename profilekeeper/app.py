"""The Textual app: modes for each part of the profile, the lock, and the one place errors surface.

Build it with ``make_app`` — the CLI and the tests share that factory (Posting's ``make_posting``).
Locked, only the unlock/first-run screens exist; unlocking switches to the data modes, locking
throws their screens away so nothing personal stays on screen or in widget memory.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar, overload

from textual import events, on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen, ScreenResultCallbackType
from textual.widget import AwaitMount
from textual.worker import Worker, WorkerState

from profilekeeper import navigation
from profilekeeper.commands import ProfileKeeperCommands
from profilekeeper.errors import (
    CorruptedRecord,
    KeyReplaced,
    ProfileKeeperError,
    WrongPassphrase,
)
from profilekeeper.messages import FirstLook, Unlocked, UnlockFailed, VaultReady
from profilekeeper.screens.base import bindings, guarded
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.unlock import UnlockScreen, WelcomeScreen, sentence
from profilekeeper.services import (
    DEFAULT_IDLE_MINUTES,
    THEMES,
    TRY_AGAIN,
    VaultReader,
    home_view,
    set_profile,
    unlock_with_remembered_key,
)

if TYPE_CHECKING:
    from profilekeeper.model import Profile
    from profilekeeper.store.crypto import KdfParams
    from profilekeeper.store.readonly import ChangeWatch, ReadOnlyVault
    from profilekeeper.store.vault import Vault


R = TypeVar("R")


class KeyStore(Protocol):
    """Where a data key may be remembered: ``profilekeeper.store.keys`` or a stand-in."""

    def remember(self, vault_id: str, data_key: bytes) -> None: ...
    def recall(self, vault_id: str) -> bytes | None: ...
    def forget(self, vault_id: str) -> bool: ...


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

READ_MODES = navigation.READ_ONLY_MODES
"""Modes that work on the first look's read-only store (Settings is all writing)."""


class ProfileKeeperApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "profilekeeper"
    COMMANDS = App.COMMANDS | {ProfileKeeperCommands}
    MODES: ClassVar[dict[str, Any]] = {
        "unlock": UnlockScreen,
        "welcome": WelcomeScreen,
        **DATA_MODES,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(mode.key, mode.action, mode.title, id=f"go-{mode.name}", tooltip=mode.tooltip,
                  show=False) for mode in navigation.MODES),
        *bindings("app"),
    ]  # fmt: skip

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
        self.vault_path = vault_path
        self.vault: Vault | None = None
        """The full store: every write goes through it. None until opened (in a worker)."""
        self.reader: VaultReader | None = None
        """What screens read from: the first look's read-only store, then ``vault``."""
        self.kdf = kdf
        self.today = today
        self._keystore = keystore
        self._idle_check_seconds = idle_check_seconds
        self.unlock_hint = unlock_hint
        """Shown on the unlock screen (the demo names its passphrase)."""
        self._last_activity = time.monotonic()
        self._first_look_painted = threading.Event()
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
        """Screens can show data: the full store is unlocked, or the first look's store is."""
        return self.reader is not None

    def data_stamp(self) -> object:
        """Equal to an earlier stamp when what screens show cannot have changed since: no
        commit to the vault file (by this app or any other process), and the same day. (The
        first look's store and the full one read the same file: moving to it changes nothing.)
        """
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
        self.set_interval(self._idle_check_seconds, self._lock_if_idle)
        if not self.vault_path.exists():
            await self.switch_mode("welcome")
            return
        first_look = self._first_look_store()
        self.open_vault(first_look)
        if first_look is None:
            await self.switch_mode("unlock")
        else:
            # The remembered key will most likely open it: build no screen until Home's data
            # is in (building one meanwhile would slow the worker down: one GIL), unless that
            # takes long.
            self.set_timer(FIRST_LOOK_PATIENCE, self._show_gate_while_waiting)

    async def _show_gate_while_waiting(self) -> None:
        if self.current_mode == self.DEFAULT_MODE:
            await self.switch_mode("unlock")

    def _first_look_store(self) -> ReadOnlyVault | None:
        """The read-only store, when its header says a key is remembered; else None.

        Anything unusual (an old schema, a damaged file) is left to the full store, which
        upgrades it or says what went wrong.
        """
        from profilekeeper.store.readonly import ReadOnlyVault

        try:
            store = ReadOnlyVault(self.vault_path)
        except ProfileKeeperError:
            return None
        if not store.remembered:
            store.close()
            return None
        return store

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False, description="open")
    def open_vault(self, first_look: ReadOnlyVault | None = None) -> None:
        """Open the full store; first show Home from ``first_look`` if the remembered key opens it.

        Screens read from the first look's store until the full one has opened.
        """
        key, note = self._remembered_key(first_look) if first_look else (None, "")
        if first_look and key:
            self.post_message(FirstLook(first_look, home_view(first_look, self.today())))
            # Importing SQLAlchemy holds the GIL for ~0.5 s: let Home paint first.
            self._first_look_painted.wait(timeout=2)
        elif first_look:
            first_look.close()
        from profilekeeper.store.vault import Vault

        vault = Vault.open(self.vault_path)
        if not first_look and vault.header.remembered:  # else the keyring was asked already
            key, note = self._remembered_key(vault)
        if key:
            vault.unlock_with_data_key(key)
        self.vault = vault
        self.post_message(VaultReady(vault.is_unlocked, note))

    def _remembered_key(self, store: ReadOnlyVault | Vault) -> tuple[bytes | None, str]:
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
        self.reader = message.store  # reading works now; writing waits for the full store
        if isinstance(self.screen, HomeScreen):
            self.screen.show(message.view)
        self.screen.refresh_bindings()
        self.call_after_refresh(self._first_look_painted.set)

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
        # The first look's store is dropped, not closed: a screen's worker may still read it.
        self.reader = self.vault
        profile = self._profile()
        self._apply_theme(profile.settings.get("theme") if profile else None)
        if self.current_mode not in DATA_MODES:
            await self.switch_mode("home")
        self.screen.refresh_bindings()  # after the first look: writing works now
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

    # -- locking -----------------------------------------------------------------------------

    async def action_lock(self) -> None:
        if not self.unlocked:
            return
        assert self.vault is not None
        self.vault.lock()
        self.reader = None
        await self.switch_mode("unlock")
        # Throw the data screens away: nothing personal stays in widgets while locked.
        for mode, screen in DATA_MODES.items():
            await self.remove_mode(mode)
            self.add_mode(mode, screen)

    def lock_if_key_replaced(self, error: BaseException) -> None:
        """Another program rotated the key: the one held opens nothing, so ask for it again."""
        if isinstance(error, KeyReplaced):
            self.call_later(self.action_lock)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown)):
            self._last_activity = time.monotonic()
        await super().on_event(event)

    def idle_minutes(self) -> float:
        if not self.unlocked:
            return 0
        settings = profile.settings if (profile := self._profile()) else {}
        return float(settings.get("idle_lock_minutes", DEFAULT_IDLE_MINUTES))

    async def _lock_if_idle(self) -> None:
        minutes = self.idle_minutes()
        if minutes <= 0 or time.monotonic() - self._last_activity <= minutes * 60:
            return
        if any(not worker.is_finished for worker in self.workers):
            return  # a key rotation or an export is using the vault: lock once it is done
        await self.action_lock()

    # -- navigation --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return self.readable if parameters and parameters[0] in READ_MODES else self.unlocked
        if action == "lock":
            return self.unlocked
        return True

    async def action_go(self, mode: str, action: str | None = None) -> None:
        """Show a data mode, optionally running one of its screen's actions (palette entries)."""
        if not self.check_action("go", (mode,)):
            return
        await self.switch_mode(mode)
        if action:
            await self.run_action(action, self.screen)

    def action_help(self) -> None:
        from profilekeeper.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @overload
    def push_screen(
        self, screen: Screen[R] | str, callback: ScreenResultCallbackType[R] | None = None,
        wait_for_dismiss: Literal[False] = False, *, mode: str | None = None,
    ) -> AwaitMount: ...

    @overload
    def push_screen(
        self, screen: Screen[R] | str, callback: ScreenResultCallbackType[R] | None = None,
        wait_for_dismiss: Literal[True] = True, *, mode: str | None = None,
    ) -> asyncio.Future[R]: ...

    def push_screen(
        self, screen: Screen[R] | str, callback: ScreenResultCallbackType[R] | None = None,
        wait_for_dismiss: bool = False, *, mode: str | None = None,
    ) -> AwaitMount | asyncio.Future[R]:
        """Push ``screen``, its ``callback`` guarded (see screens.base): what the caller does
        with a dialog's answer runs after the dialog has gone, where no screen's guard reaches."""
        guarded_callback = None if callback is None else guarded(callback, self)
        return super().push_screen(screen, guarded_callback, wait_for_dismiss, mode=mode)  # type: ignore[call-overload, no-any-return]

    def refresh_screen(self) -> None:
        """Ask the current data screen to reload what it shows."""
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()

    # -- the one place failures surface --------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        self.report_worker_failure(event)

    def report_worker_failure(self, event: Worker.StateChanged) -> bool:
        """Tell the user a worker failed, plainly; True when it had failed."""
        if event.state != WorkerState.ERROR or event.worker.error is None:
            return False
        error = event.worker.error
        if isinstance(error, ProfileKeeperError):
            message = str(error)
        else:  # the message of an unexpected error may hold record contents: name the type only
            message = f"Something went wrong ({type(error).__name__})."
        self.notify(message, title="Could not finish", severity="error", timeout=8)
        self.lock_if_key_replaced(error)
        if isinstance(self.screen, (WelcomeScreen, UnlockScreen)):
            self.screen.ready_again()  # an app-level worker failed: let them try again
        return True


def make_app(
    vault_path: Path | None = None,
    *,
    keystore: KeyStore | ModuleType | None = None,
    kdf: KdfParams | None = None,
    today: Callable[[], date] = date.today,
    unlock_hint: str = "",
) -> ProfileKeeperApp:
    """The app on ``vault_path`` (default: the resolved vault path), shared by CLI and tests."""
    from profilekeeper.store.paths import resolve_vault_path

    return ProfileKeeperApp(
        vault_path or resolve_vault_path(),
        keystore=keystore,
        kdf=kdf,
        today=today,
        unlock_hint=unlock_hint,
    )
