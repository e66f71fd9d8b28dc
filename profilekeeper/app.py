"""The Textual app: modes for each part of the profile, the lock, and the one place errors surface.

Build it with ``make_app`` — the CLI and the tests share that factory (Posting's ``make_posting``).
Locked, only the unlock/first-run screens exist; unlocking (app_start.py) switches to the data
modes, locking throws their screens away so nothing personal stays on screen or in widget memory.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, overload

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen, ScreenResultCallbackType
from textual.widget import AwaitMount
from textual.worker import Worker, WorkerState

from profilekeeper import navigation
from profilekeeper.app_start import DATA_MODES, VaultApp
from profilekeeper.commands import ProfileKeeperCommands
from profilekeeper.errors import KeyReplaced, ProfileKeeperError
from profilekeeper.screens.base import bindings, guarded
from profilekeeper.screens.unlock import UnlockScreen, WelcomeScreen
from profilekeeper.services import DEFAULT_IDLE_MINUTES, KeyStore

if TYPE_CHECKING:
    from profilekeeper.store.crypto import KdfParams


R = TypeVar("R")
SWITCH_DELAY = 1 / 60
"""Seconds Textual holds the screen still as a mode switches (its own: 0.05): one frame."""

class ProfileKeeperApp(VaultApp):
    """Opened and unlocked as VaultApp (app_start.py) does it; then the modes, navigation, the
    lock, and the one place failures surface."""

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

    async def on_mount(self) -> None:  # then VaultApp's: Textual calls each class's handler
        self.set_interval(self._idle_check_seconds, self._lock_if_idle)

    # -- locking -----------------------------------------------------------------------------

    async def action_lock(self) -> None:
        if not self.unlocked:
            return
        assert self.vault is not None
        # The suggestion pipeline is imported by the first read, not at start (~0.01 s).
        from profilekeeper.services.suggestions import forget_reads

        self.vault.lock()
        self.reader = None
        forget_reads(self.vault)  # what reading suggestions kept, decrypted
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
        if action in ("go", "lock"):
            return self.unlocked
        return True

    def delay_update(self, delay: float = 0.05) -> None:
        # Textual holds every paint for 0.05 s as a mode switches, to hide the new screen
        # being built: ours are built in ~0.02 s, and the key that switched waited on the rest.
        super().delay_update(min(delay, SWITCH_DELAY))

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
        elif self.current_mode == self.DEFAULT_MODE:  # the store failed to open: no screen yet
            self.call_later(self.switch_mode, "unlock")
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
