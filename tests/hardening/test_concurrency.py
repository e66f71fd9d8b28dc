"""Concurrency at CI scale: writers at once, cron's commands, the app open on the same vault.

benchmarks/guarantee_concurrency.py's run (two writer processes writing in loops through
services while cron runs ``person add`` and ``remind`` as real processes), and the app open
(Pilot, a real vault file) adding people through its form while cron's commands run: no
failure of any kind reaches a writer, a command or the app, and no write is lost.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import PASSPHRASE, run_cli, run_main

from profilekeeper import read_access, services
from profilekeeper.model import Person
from profilekeeper.screens.forms import PersonForm
from profilekeeper.screens.people import PeopleScreen
from tests.hardening.bench_scripts import benchmark_script
from tests.tui.conftest import make, memory_keyring, notifications, reopen  # noqa: F401
from tests.tui.test_flows import SIZE, click, fill, remember, settle

concurrency = benchmark_script("guarantee_concurrency")


def test_two_writers_and_cron_lose_nothing_and_never_fail(tmp_path: Path) -> None:
    figures = concurrency.run(tmp_path, writes=100, cron_runs=2, seed=18)
    assert figures.failures == [] and figures.locked_errors == 0
    assert figures.writes_done >= 200 and figures.writes_failed == 0
    assert figures.writes_lost == 0
    assert figures.cron_commands == {"person exit 0": 2, "remind exit 0": 2}
    assert (figures.cron_people_added, figures.cron_people_lost) == (2, 0)


def test_the_check_finds_a_lost_write(tmp_path: Path) -> None:
    path = tmp_path / "vault.sqlite3"
    concurrency.make_vault(path)
    ghost = Person(name="Never written")
    assert concurrency.lost_writes(path, [ghost], ["Nobody either"]) == (1, 1)


@pytest.mark.parametrize("first", ["a read-only look, as the app's first", "the vault itself"])
def test_a_write_after_another_process_wrote_is_not_lost(vault, vault_path, first: str) -> None:
    """The app opens the vault twice (a read-only look first, then the full store). Opening it
    used to read the file's first bytes with open() and close(): and closing any descriptor of
    a file drops every POSIX lock this process holds on it, SQLite's among them. The next
    command to exit then thought itself the vault's last user and deleted its write-ahead log,
    and the app's later writes went into the deleted file: lost to every other program."""
    vault.close()
    held = read_access.open_read_only(vault_path) if first.startswith("a read") else \
        services.open_vault(vault_path)  # fmt: skip
    app = services.open_vault(vault_path)
    app.unlock(PASSPHRASE)
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    assert run_cli("person", "add", "Cron", env=env).code == 0  # a cron job, come and gone
    services.add_person(app, Person(name="After cron"))
    listed = run_cli("person", "list", env=env)  # another program reads the vault
    app.close()
    held.close()
    assert "After cron" in listed.out and "Cron" in listed.out


def _hold_the_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another writer holding the vault's write lock for ``seconds`` (as rotate-key or an
    import does on a big vault); returns once it holds it."""
    holding = threading.Event()

    def hold() -> None:
        with closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            holding.set()
            time.sleep(seconds)
            db.execute("COMMIT")

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(10)
    return thread


def test_a_write_waits_out_a_long_writer(vault, vault_path, fast_kdf) -> None:
    """Rotating the key of 30,000 records holds the write lock ~2.5 s here, more on a bigger
    vault or a busy disk: a cron job's write waits for it (it gave up after 5 s, as an
    internal error)."""
    vault.close()
    holder = _hold_the_write_lock(vault_path, 6)
    result = run_main("person", "add", "Patient", env={"PROFILEKEEPER_PASSPHRASE": PASSPHRASE})
    holder.join()
    assert (result.code, result.err) == (0, "")
    with services.open_vault(vault_path) as after:
        after.unlock(PASSPHRASE)
        assert [p.name for p in after.list(Person)] == ["Patient"]


def test_a_writer_kept_out_too_long_is_told_plainly(
    vault, vault_path, fast_kdf, monkeypatch: pytest.MonkeyPatch
) -> None:
    import profilekeeper.store.transactions as transactions

    monkeypatch.setattr(transactions, "BUSY_TIMEOUT_MS", 200)  # not 30 s, in a test
    vault.close()
    holder = _hold_the_write_lock(vault_path, 2)
    result = run_main("person", "add", "Impatient", env={"PROFILEKEEPER_PASSPHRASE": PASSPHRASE})
    holder.join()
    assert result.code == 2
    assert result.err == (
        "profilekeeper: the vault is busy: another program kept it locked for writing too long; "
        "nothing was changed: run it again\n"
    )
    with services.open_vault(vault_path) as after:
        after.unlock(PASSPHRASE)
        assert after.list(Person) == []


async def test_the_app_open_while_cron_writes_and_reminds(make, vault, vault_path) -> None:  # noqa: F811
    remember(vault)
    vault.add(Person(name="Maya"))
    vault.close()
    app = make()
    added = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        cron = concurrency.Cron(vault_path, 2).start()
        while cron.thread.is_alive() or len(added) < 3:  # the app writes while cron runs
            assert isinstance(app.screen, PeopleScreen)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, PersonForm)
            added.append(f"App person {len(added)}")
            await fill(pilot, name=added[-1])
            await click(pilot, "#save")
            await settle(pilot)
            await pilot.press("escape")  # from the new person's screen back to People
            await settle(pilot)
        cron.join()
        assert app.is_running
        errors = [n.message for n in notifications(app) if n.severity == "error"]
        assert errors == []
    assert cron.failures == []
    assert cron.outcomes == {"person exit 0": 2, "remind exit 0": 2}
    with reopen(vault_path) as after:
        names = {p.name for p in after.list(Person)}
    assert names == {"Maya", *added, *cron.added}
