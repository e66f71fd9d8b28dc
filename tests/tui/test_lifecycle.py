"""Start-up and locking: the first look at Home, a stale remembered key, idle lock vs. work.

The full store's import and open are held back with an event, so the test sees the moment in
between that a user sees for ~0.4 s: Home with its data, its actions greyed out, nothing lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from profilekeeper.model import Occasion
from profilekeeper.screens.home import HomeScreen
from profilekeeper.store import keys
from profilekeeper.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.tui.test_flows import SIZE, _sam_with_birthday, remember, settle

REAL_OPEN = Vault.open


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """``Vault.open`` waits until the test sets the event (the full store "still importing")."""
    release = threading.Event()

    def slow_open(path: Path, **kwargs: object) -> Vault:
        assert release.wait(timeout=30), "the test never let the full store open"
        return REAL_OPEN(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Vault, "open", staticmethod(slow_open))
    yield release
    release.set()


def reopened(path: Path) -> Vault:
    vault = REAL_OPEN(path)
    vault.unlock(PASSPHRASE)
    return vault


async def until_home(pilot: Pilot[None]) -> HomeScreen:
    for _ in range(200):
        screen = pilot.app.screen
        if isinstance(screen, HomeScreen) and screen.query_one("#due").row_count:
            return screen
        await pilot.pause(0.02)
    raise AssertionError("Home never showed its reminders")


async def test_home_shows_before_the_full_store_and_its_actions_wait(
    make, vault, vault_path, held_open
) -> None:
    remember(vault)
    _, birthday = _sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        home = await until_home(pilot)
        greeting = str(home.query_one("#greeting", Static).render())
        assert "Welcome back, Ann!" in greeting
        assert "Sam turns 40" in str(home.query_one("#due").get_row_at(0)[1])
        assert app.vault is None and not app.unlocked  # the full store is not open yet

        home.query_one("#due").focus()
        await pilot.press("d", "3")  # greyed out: neither dismisses nor leaves Home
        await pilot.pause()
        assert app.screen is home
        with reopened(vault_path) as check:
            assert check.get(Occasion, birthday.id).reminder_state == {}

        held_open.set()
        await settle(pilot)
        assert app.unlocked and app.screen is home
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.query_one("#due").row_count == 0
    with reopened(vault_path) as check:
        assert check.get(Occasion, birthday.id).reminder_state["2026"]["dismissed"] == "true"


async def test_a_stale_remembered_key_shows_no_data_and_asks(make, vault, vault_path) -> None:
    remember(vault)
    _sam_with_birthday(vault)
    keys.remember(vault.vault_id, b"\x00" * 32)  # another key than this vault's
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, HomeScreen)
        assert not app.unlocked
        assert "out of date" in str(app.screen.query_one("#status", Static).render())


async def test_idle_lock_waits_for_work_in_progress(make, vault) -> None:
    import time

    from profilekeeper import services

    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        services.update_settings(app.vault, idle_lock_minutes=1)  # type: ignore[arg-type]
        busy = threading.Event()
        app.run_worker(lambda: busy.wait(30), thread=True)  # e.g. a key rotation running
        app._last_activity = time.monotonic() - 61
        await app._lock_if_idle()
        assert app.unlocked  # locking now would pull the key from under the rotation
        busy.set()
        await settle(pilot)
        await app._lock_if_idle()
        await settle(pilot)
        assert not app.unlocked
