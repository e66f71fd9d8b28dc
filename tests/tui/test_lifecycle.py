"""Start-up and locking: the first look at Home, a stale remembered key, idle lock vs. work.

The app opens one store, with the remembered key, before it builds Home: writing works as soon
as Home shows. A slow keyring is held back with an event, so a test sees the word said while
it waits.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from profilekeeper.model import Occasion
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.unlock import UnlockScreen, sentence
from profilekeeper.store import keys
from profilekeeper.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.tui.test_flows import SIZE, _sam_with_birthday, press, remember, settle

REAL_OPEN = Vault.open


def reopened(path: Path) -> Vault:
    vault = REAL_OPEN(path)
    vault.unlock(PASSPHRASE)
    return vault


async def until_home(pilot: Pilot[None]) -> HomeScreen:
    for _ in range(200):
        screen = pilot.app.screen
        # query, not query_one: the screen may be current before its tables are composed.
        if isinstance(screen, HomeScreen) and any(t.row_count for t in screen.query("#due")):
            return screen
        await pilot.pause(0.02)
    raise AssertionError("Home never showed its reminders")


async def test_home_shows_with_the_store_unlocked_and_writing_works_at_once(
    make, vault, vault_path
) -> None:
    remember(vault)
    sam, birthday = _sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        home = await until_home(pilot)
        assert "Hello, Ann." in str(home.query_one("#greeting", Static).render())
        assert "Sam turns 40" in str(home.query_one("#due").get_row_at(0)[1])
        assert app.unlocked  # one store, opened with the remembered key before Home is built
        assert not any(isinstance(s, UnlockScreen) for s in app.screen_stack)  # never built
        home.query_one("#due").focus()
        await pilot.press("d")  # nothing is greyed out waiting for a second store
        await settle(pilot)
        assert app.screen.query_one("#due").row_count == 0
        await pilot.press("3")
        await settle(pilot)
        assert str(app.screen.query_one("#people").get_row_at(0)[0]) == sam.name
    with reopened(vault_path) as check:
        assert check.get(Occasion, birthday.id).reminder_state["2026"]["dismissed"] == "true"


@pytest.fixture
def cli_in_process(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``profilekeeper ARGS`` run by ``main`` here (no terminal on stdin): (status, stderr)."""
    from profilekeeper.cli import main

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(list(args))
        return code, capsys.readouterr().err

    return run


async def test_a_stale_remembered_key_shows_no_data_and_asks(make, vault, vault_path,
                                                             cli_in_process) -> None:
    remember(vault)
    _sam_with_birthday(vault)
    keys.remember(vault.vault_id, b"\x00" * 32)  # another key than this vault's
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, HomeScreen)
        assert not app.unlocked
        status = str(app.screen.query_one("#status", Static).render())
    # The CLI, asked the same (no passphrase, no terminal), says it in the same words.
    code, err = cli_in_process("person", "list")
    assert code == 3
    warning, locked = err.splitlines()
    assert status.splitlines() == [sentence(warning.removeprefix("profilekeeper: ")),
                                   "Enter your passphrase to unlock."]
    assert "out of date; using the passphrase instead" in warning
    assert "no terminal to ask on" in locked


async def test_a_slow_keyring_shows_opening_then_home(vault, vault_path) -> None:
    """Nothing is built while the remembered key is fetched, but a slow keyring gets a word."""
    from profilekeeper.app import make_app
    from profilekeeper.app_start import FIRST_LOOK_PATIENCE
    from tests.conftest import FAST_KDF
    from tests.tui.conftest import TODAY

    remember(vault)
    answer = threading.Event()

    class SlowKeyring:
        def recall(self, vault_id: str) -> bytes | None:
            answer.wait(timeout=30)
            return keys.recall(vault_id)

        def remember(self, vault_id: str, data_key: bytes) -> None:
            keys.remember(vault_id, data_key)

        def forget(self, vault_id: str) -> bool:
            return keys.forget(vault_id)

    app = make_app(vault_path, keystore=SlowKeyring(), kdf=FAST_KDF, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(FIRST_LOOK_PATIENCE)
        for _ in range(200):  # the gate is pushed after the patience; composing it takes a moment
            if isinstance(app.screen, UnlockScreen) and app.screen.query("#status"):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, UnlockScreen)
        assert "Opening your vault" in str(app.screen.query_one("#status", Static).render())
        assert app.screen.query_one("#passphrase", Input).disabled
        answer.set()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.unlocked
        assert "Hello, Ann." in str(app.screen.query_one("#greeting", Static).render())


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


async def test_a_screen_shown_again_reads_only_what_changed(make, vault, vault_path, monkeypatch):
    """Back to People with nothing changed: no read. A commit by another process: read."""
    from profilekeeper import services
    from profilekeeper.model import Person

    remember(vault)
    _sam_with_birthday(vault)
    reads: list[int] = []
    real_rows = services.people_rows

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return real_rows(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "people_rows", counted)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert len(reads) == 1  # once, though Textual resumes a new mode's screen twice
        await press(pilot, "1", "3")
        assert len(reads) == 1  # nothing changed: what is on screen is still right

        with reopened(vault_path) as other:  # e.g. `profilekeeper person add` meanwhile
            other.add(Person(name="Noor"))
        await press(pilot, "1", "3")
        assert len(reads) == 2
        names = {str(app.screen.query_one("#people").get_row_at(i)[0]) for i in range(2)}
        assert names == {"Sam", "Noor"}


async def test_an_unusable_keyring_is_asked_once_and_said_plainly(vault, vault_path) -> None:
    from profilekeeper.app import make_app
    from profilekeeper.store.keys import KeyringUnavailable
    from tests.conftest import FAST_KDF
    from tests.tui.conftest import TODAY

    remember(vault)
    asked: list[str] = []

    class LockedKeyring:
        def recall(self, vault_id: str) -> bytes | None:
            asked.append(vault_id)  # a locked keyring may take seconds to say no: ask once
            raise KeyringUnavailable("the system keyring is locked")

        def remember(self, vault_id: str, data_key: bytes) -> None: ...

        def forget(self, vault_id: str) -> bool:
            return False

    app = make_app(vault_path, keystore=LockedKeyring(), kdf=FAST_KDF, today=lambda: TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and not app.readable
        status = str(app.screen.query_one("#status", Static).render())
        assert status.startswith("The system keyring is locked; using the passphrase instead.")
        assert not app.screen.query_one("#passphrase", Input).disabled
    assert asked == [vault.vault_id]


async def test_one_passphrase_length_rule_in_the_same_words_everywhere(
    make, vault, vault_path, tmp_path, monkeypatch, cli_in_process
) -> None:
    """`init`, the first run's form and the change-passphrase dialog refuse 7 characters alike."""
    from tests.tui.test_flows import click, error_text, fill

    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", "7 chars")
    code, err = cli_in_process("init", "--vault", str(tmp_path / "new.sqlite3"))
    assert code == 2 and not (tmp_path / "new.sqlite3").exists()
    refused = sentence(err.removeprefix("profilekeeper: ").rstrip("\n"))
    assert refused == "Choose a passphrase of at least 8 characters."

    first_run = make(tmp_path / "first.sqlite3")
    async with first_run.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, name="Ann", new="7 chars", again="7 chars")
        await click(pilot, "#create")
        assert error_text(first_run) == refused
    assert not (tmp_path / "first.sqlite3").exists()

    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "4", "c")
        await fill(pilot, old=PASSPHRASE, new="7 chars", again="7 chars")
        await click(pilot, "#ok")
        assert error_text(app) == refused
    with reopened(vault_path):
        pass  # the old passphrase still opens it
