"""Crash safety at CI scale: benchmarks/guarantee_crash.py's writer, SIGKILLed 200 times.

The same code as the benchmark (which runs it at any scale): a forked writer adds and edits
people, occasions, gifts, grants and sync results through the services layer on one vault
file, and after every kill the vault opens, passes ``integrity_check``, holds every write
reported done (each whole or not at all), and its sealed occasion index agrees.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.bench_scripts import benchmark_script

CI_KILLS = 200


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A folder in RAM where there is one: a SIGKILL leaves the kernel's page cache whole, so
    it tests the same as a disk (power loss is another matter), without a disk's fsyncs."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm) as name:
        yield Path(name)


crash = benchmark_script("guarantee_crash")


def test_two_hundred_kills_lose_no_reported_write(folder: Path) -> None:
    figures = crash.run(CI_KILLS, folder, seed=18)
    assert figures.kills == figures.survived == CI_KILLS
    # The kills landed where it matters: many writes done, many cut off mid-transaction, some
    # of those after the commit and before the report.
    assert figures.writes_done >= CI_KILLS
    assert figures.killed_mid_write >= 10
    assert set(figures.writes_by_kind) == {w.__name__ for w, _ in crash.Writer.WRITES}
    assert all(figures.records_at_end[k] for k in ("Person", "Occasion", "Gift", "Grant",
                                                   "ShareRecord"))  # fmt: skip


def _written(tmp_path: Path) -> tuple[Path, dict[type, dict[str, object]]]:
    figures = crash.Figures()
    path = tmp_path / "vault.sqlite3"
    state = crash.make_vault(path)
    rng = __import__("random").Random(1)
    while not state[crash.Gift]:
        state = crash.one_kill(path, state, rng, rng.randrange(10**6), figures)
    return path, state


def test_the_check_finds_a_lost_write(tmp_path: Path) -> None:
    path, state = _written(tmp_path)
    gift_id = next(iter(state[crash.Gift]))
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM gifts WHERE id = ?", (gift_id,))
    db.close()
    with pytest.raises(crash.Lost, match="neither the reported state"):
        crash.check(path, state, None)


def test_the_check_finds_half_a_write(tmp_path: Path) -> None:
    """A write under way may be all there or not at all: a person without the birthday added
    in the same transaction is neither."""
    path, state = _written(tmp_path)
    person = crash.Person(name="Half")
    birthday = crash.Occasion(kind="birthday", month=1, day=2, person_id=person.id)
    pending = [("upsert", crash.Person, [person]), ("upsert", crash.Occasion, [birthday])]
    with crash.services.open_vault(path) as vault:
        vault.unlock(crash.PASSPHRASE)
        crash.services.add_person(vault, person)
    with pytest.raises(crash.Lost):
        crash.check(path, state, pending)
    crash.check(path, crash.applied(state, pending[:1]), None)  # but the half itself checks


def test_the_check_finds_a_stale_occasion_index(tmp_path: Path) -> None:
    path, state = _written(tmp_path)
    with sqlite3.connect(path) as db:  # an occasion moved behind the index's back
        db.execute("DROP TRIGGER occasion_changed")
        (some_id,) = db.execute("SELECT id FROM occasions LIMIT 1").fetchone()
    db.close()
    occasion = state[crash.Occasion][some_id]
    with crash.services.open_vault(path) as vault:
        vault.unlock(crash.PASSPHRASE)
        sealed = vault.occasion_dates()
        moved = crash.replace(occasion, month=occasion.month % 12 + 1)
        with vault.transaction():
            vault.save(moved)
        index_now = vault.occasion_dates()
    assert sealed == index_now  # the trigger is gone: the index was not emptied nor resealed
    with pytest.raises(crash.Lost, match="index disagrees"):
        crash.check(path, crash.applied(state, [("upsert", crash.Occasion, [moved])]), None)
