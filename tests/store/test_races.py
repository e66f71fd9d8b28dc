"""Two programs on one vault at once: passwd against rotate-key, writers against a rotation,
two adds of one name.

Every race runs in real processes (fork) on a real vault file. The deterministic ones stop each
process at the dangerous point with a barrier or an event; the randomized ones let both run
freely with small random pauses, then check that what survives is exactly what the winners did.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import FAST_KDF, PASSPHRASE, store_every_record

from profilekeeper.errors import Conflict, ProfileKeeperError, WrongPassphrase
from profilekeeper.model import Occasion, Person
from profilekeeper.services import people
from profilekeeper.store import crypto
from profilekeeper.store.vault import Vault

CTX = multiprocessing.get_context("fork")
NEW = "a new passphrase"
WAIT = 20  # seconds any process waits for the other before the test counts it as hung

LOST_TO_THE_OTHER = ("KeyChanged", "KeyReplaced")
"""What a key change that lost the race raises: both change nothing and exit 2."""
Outcome = tuple[str, Any]
"""("ok", what the call returned) or (the error's class name, its message)."""


def _child(queue: Any, index: int, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        queue.put((index, ("ok", call(*args))))
    except ProfileKeeperError as error:
        queue.put((index, (type(error).__name__, str(error))))
    except BaseException as error:  # noqa: BLE001 - reported to the test, which fails on it
        queue.put((index, ("crash", f"{type(error).__name__}: {error}")))


def _in_processes(*calls: tuple[Callable[..., Any], tuple[Any, ...]]) -> list[Outcome]:
    """Run each call in its own process at the same time; what each returned or raised."""
    queue = CTX.Queue()
    procs = [CTX.Process(target=_child, args=(queue, i, c, a)) for i, (c, a) in enumerate(calls)]
    for proc in procs:
        proc.start()
    try:
        results = dict(queue.get(timeout=3 * WAIT) for _ in procs)
    finally:
        for proc in procs:
            proc.join(WAIT)
            if proc.is_alive():
                proc.kill()
    return [results[i] for i in range(len(procs))]


@dataclass(frozen=True, slots=True)
class _FastKdfParams(crypto.KdfParams):
    memory_kib: int = FAST_KDF.memory_kib
    iterations: int = FAST_KDF.iterations
    lanes: int = FAST_KDF.lanes


def _fast_kdf_in_this_process() -> None:
    """rotate-key wraps the new key with the default Argon2 (64 MiB): the weak test one here."""
    import profilekeeper.store.vault as vault_module

    vault_module.KdfParams = _FastKdfParams  # type: ignore[misc]


def _pause_after_wrapping(pause: Callable[[], None]) -> None:
    """Call ``pause`` once the new key is wrapped (Argon2 done) and before the header is written:
    the moment the other program's change can land in between."""
    derive = crypto.derive_kek

    def derive_then_pause(passphrase: str, params: crypto.KdfParams) -> bytes:
        kek = derive(passphrase, params)
        if sys._getframe(1).f_code.co_name == "wrap_data_key":
            pause()
        return kek

    crypto.derive_kek = derive_then_pause  # type: ignore[assignment]


def _unlocked(path: Path, passphrase: str = PASSPHRASE) -> Vault:
    vault = Vault.open(path)
    vault.unlock(passphrase)
    return vault


def _readable_under(path: Path, records: list[Any]) -> list[str]:
    """The passphrases (PASSPHRASE, NEW) under which the vault opens with every record intact."""
    opens = []
    for passphrase in (PASSPHRASE, NEW):
        with Vault.open(path) as vault:
            try:
                vault.unlock(passphrase)
            except WrongPassphrase:
                continue
            if all(vault.list(type(r)).corrupted == [] for r in records) and [
                vault.get(type(r), r.id) for r in records
            ] == records:
                opens.append(passphrase)
    return opens


# -- item 1: passwd and rotate-key at once ---------------------------------------------------


def _passwd(path: Path, barrier: Any, first_done: Any, goes_first: bool) -> int:
    _pause_after_wrapping(lambda: _take_turns(barrier, first_done, goes_first))
    with _unlocked(path) as vault:
        try:
            vault.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
        finally:
            if goes_first:
                first_done.set()
        return vault.header.key_generation


def _rotate(path: Path, barrier: Any, first_done: Any, goes_first: bool) -> int:
    _fast_kdf_in_this_process()
    _pause_after_wrapping(lambda: _take_turns(barrier, first_done, goes_first))
    with _unlocked(path) as vault:
        try:
            vault.rotate_key(PASSPHRASE)
        finally:
            if goes_first:
                first_done.set()
        return vault.header.key_generation


def _take_turns(barrier: Any, first_done: Any, goes_first: bool) -> None:
    barrier.wait(WAIT)  # both have read the header and wrapped their key
    if not goes_first:
        assert first_done.wait(WAIT)


@pytest.mark.parametrize("first", ["rotate-key", "passwd"])
def test_passwd_and_rotate_key_at_once_the_later_one_changes_nothing(
    vault, vault_path: Path, first: str
) -> None:
    records = store_every_record(vault, "race")
    old_key = vault.data_key
    vault.close()
    barrier, first_done = CTX.Barrier(2), CTX.Event()
    passwd, rotate = _in_processes(
        (_passwd, (vault_path, barrier, first_done, first == "passwd")),
        (_rotate, (vault_path, barrier, first_done, first == "rotate-key")),
    )
    # Only the first one's change is there, and every record opens under it.
    assert _readable_under(vault_path, records) == [NEW if first == "passwd" else PASSPHRASE]
    winner, loser = (passwd, rotate) if first == "passwd" else (rotate, passwd)
    assert winner == ("ok", 2)
    assert loser[0] == "KeyChanged" and "nothing was changed" in loser[1]
    with Vault.open(vault_path) as after:
        assert after.header.key_generation == 2
        if first == "passwd":
            after.unlock_with_data_key(old_key)  # the data key was not replaced
        else:
            with pytest.raises(WrongPassphrase):
                after.unlock_with_data_key(old_key)


def _passwd_freely(path: Path, delay: float) -> str:
    time.sleep(delay)
    with Vault.open(path) as vault:
        vault.unlock(PASSPHRASE)
        vault.change_passphrase(PASSPHRASE, NEW, kdf=FAST_KDF)
    return "changed"


def _rotate_freely(path: Path, delay: float) -> str:
    _fast_kdf_in_this_process()
    time.sleep(delay)
    with Vault.open(path) as vault:
        vault.unlock(PASSPHRASE)
        vault.rotate_key(PASSPHRASE)
    return "rotated"


def test_passwd_and_rotate_key_racing_freely_never_lose_the_vault(tmp_path: Path) -> None:
    rng = random.Random(20)
    for round_ in range(8):
        path = tmp_path / f"v{round_}.sqlite3"
        with Vault.create(path, PASSPHRASE, kdf=FAST_KDF) as vault:
            records = store_every_record(vault, f"r{round_}")
            old_key = vault.data_key
        passwd, rotate = _in_processes(
            (_passwd_freely, (path, rng.uniform(0, 0.02))),
            (_rotate_freely, (path, rng.uniform(0, 0.02))),
        )
        # A loser says why and changed nothing; passwd that came first makes rotate-key's
        # passphrase wrong, which changes nothing too.
        # (KeyReplaced: the rotation came even before passwd read the header.)
        assert passwd == ("ok", "changed") or passwd[0] in LOST_TO_THE_OTHER, passwd
        assert rotate in (("ok", "rotated"), ("WrongPassphrase", "wrong passphrase")) or (
            rotate[0] in LOST_TO_THE_OTHER
        ), rotate
        assert _readable_under(path, records) == [NEW if passwd[0] == "ok" else PASSPHRASE]
        with Vault.open(path) as after:
            if rotate[0] == "ok":
                with pytest.raises(WrongPassphrase):
                    after.unlock_with_data_key(old_key)
            else:
                after.unlock_with_data_key(old_key)
            assert after.header.key_generation == 1 + (passwd[0] == "ok") + (rotate[0] == "ok")


def test_passwd_and_rotate_key_commands_at_once_leave_a_vault_that_opens(vault, vault_path: Path):
    records = store_every_record(vault, "cli")
    vault.close()
    env = {**os.environ, "PROFILEKEEPER_PASSPHRASE": PASSPHRASE,
           "PROFILEKEEPER_NEW_PASSPHRASE": NEW}  # fmt: skip
    procs = {
        command: subprocess.Popen(
            [sys.executable, "-m", "profilekeeper", command, "--vault", str(vault_path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )  # fmt: skip
        for command in ("passwd", "rotate-key")
    }
    done = {command: (*proc.communicate(timeout=60), proc.returncode)
            for command, proc in procs.items()}  # fmt: skip
    for _out, err, code in done.values():
        # Exit 2: the key changed under it (KeyChanged); 3: passwd came first, so the
        # passphrase rotate-key was given is no longer the vault's. Either changed nothing.
        assert code in (0, 2, 3), err
        if code:
            assert err.count("\n") == 1 and err.startswith("profilekeeper: ")
        if code == 2:
            assert "run it again" in err
    passwd_code = done["passwd"][2]
    assert _readable_under(vault_path, records) == [NEW if passwd_code == 0 else PASSPHRASE]


# -- item 2: writers and a rotation ----------------------------------------------------------


def _add_after_rotation(path: Path, ready: Any, rotated: Any) -> str:
    with _unlocked(path) as vault:  # holds the key the vault had at this point
        ready.set()
        assert rotated.wait(WAIT)
        people.add_person(vault, Person(name="Late"))
    return "added"


def _rotate_when(path: Path, go: Any, done: Any) -> str:
    _fast_kdf_in_this_process()
    with _unlocked(path) as vault:
        assert go.wait(WAIT)
        vault.rotate_key(PASSPHRASE)
    done.set()
    return "rotated"


def test_a_writer_holding_the_old_key_after_a_rotation_writes_nothing(vault, vault_path: Path):
    people.add_person(vault, Person(name="Before"))
    vault.close()
    ready, rotated = CTX.Event(), CTX.Event()
    writer, rotation = _in_processes(
        (_add_after_rotation, (vault_path, ready, rotated)),
        (_rotate_when, (vault_path, ready, rotated)),
    )
    with _unlocked(vault_path) as after:
        stored = after.list(Person)
        assert stored.corrupted == [] and [p.name for p in stored] == ["Before"]
    assert rotation == ("ok", "rotated")
    assert writer[0] == "KeyReplaced" and "unlock the vault again" in writer[1]


def _write_slowly(path: Path, writing: Any) -> str:
    with _unlocked(path) as vault, vault.transaction():
        vault.save(replace(vault.profile(), display_name="Slow"))
        people.add_person(vault, Person(name="Slow"))
        writing.set()
        time.sleep(0.5)  # a rotation starts meanwhile
    return "added"


def test_a_rotation_waits_for_an_open_writer_and_re_encrypts_its_rows(vault, vault_path: Path):
    vault.close()
    writing, rotated = CTX.Event(), CTX.Event()
    writer, rotation = _in_processes(
        (_write_slowly, (vault_path, writing)),
        (_rotate_when, (vault_path, writing, rotated)),
    )
    with _unlocked(vault_path) as after:
        stored = after.list(Person)
        assert stored.corrupted == [] and [p.name for p in stored] == ["Slow"]
        assert after.profile().display_name == "Slow"  # not overwritten by what rotation read
    assert writer == ("ok", "added") and rotation == ("ok", "rotated")


def _add_many(path: Path, names: list[str], seed: int) -> dict[str, list[str]]:
    """Like the app: one vault held open throughout; unlock again when told the key changed."""
    rng, added, refused = random.Random(seed), [], []
    with _unlocked(path) as vault:
        for name in names:
            time.sleep(rng.uniform(0, 0.01))
            try:
                added.append(people.add_person(vault, Person(name=name)).id)
            except ProfileKeeperError as error:
                assert type(error).__name__ == "KeyReplaced", error  # its key is not the vault's
                refused.append(name)
                vault.unlock(PASSPHRASE)
    return {"added": added, "refused": refused}


def _rotate_many(path: Path, times: int, seed: int) -> int:
    _fast_kdf_in_this_process()
    rng = random.Random(seed)
    with _unlocked(path) as vault:
        for _ in range(times):
            time.sleep(rng.uniform(0, 0.05))
            vault.rotate_key(PASSPHRASE)
        return vault.header.key_generation


def test_writers_racing_rotations_store_only_records_that_open(tmp_path: Path) -> None:
    for round_ in range(3):
        path = tmp_path / f"v{round_}.sqlite3"
        Vault.create(path, PASSPHRASE, kdf=FAST_KDF).close()
        names = [f"person {round_}-{i}" for i in range(40)]
        writer, rotator = _in_processes(
            (_add_many, (path, names, round_)), (_rotate_many, (path, 4, round_))
        )
        with _unlocked(path) as after:
            stored = after.list(Person)
            assert stored.corrupted == []  # every acknowledged add opens under the final key
        assert writer[0] == "ok" and rotator == ("ok", 5), (writer, rotator)
        assert sorted(p.id for p in stored) == sorted(writer[1]["added"])
        assert not {p.name for p in stored} & set(writer[1]["refused"])


# -- item 11: two adds of one name -----------------------------------------------------------


def _add_after_the_other_checked(path: Path, checked: Any, second_started: Any) -> str:
    check = people._check_person_name

    def check_then_wait(vault: Vault, person: Person) -> None:
        check(vault, person)
        checked.set()  # the name is free, as far as this process can see
        assert second_started.wait(WAIT)
        time.sleep(0.3)  # the other add is under way

    people._check_person_name = check_then_wait
    with _unlocked(path) as vault:
        people.add_person(vault, Person(name="Sam Lee"))
    return "added"


def _add_once_the_other_checked(path: Path, checked: Any, started: Any) -> str:
    with _unlocked(path) as vault:
        assert checked.wait(WAIT)
        started.set()
        people.add_person(vault, Person(name="sam  lee"))
    return "added"


def test_two_adds_of_one_name_at_once_add_it_once(vault, vault_path: Path) -> None:
    vault.close()
    checked, started = CTX.Event(), CTX.Event()
    first, second = _in_processes(
        (_add_after_the_other_checked, (vault_path, checked, started)),
        (_add_once_the_other_checked, (vault_path, checked, started)),
    )
    assert first == ("ok", "added")
    assert second == ("Conflict", "a person with that name exists already")
    with _unlocked(vault_path) as after:
        assert [p.name for p in after.list(Person)] == ["Sam Lee"]


def _add_names(path: Path, names: list[str], seed: int) -> list[str]:
    rng, added = random.Random(seed), []
    with _unlocked(path) as vault:
        for name in rng.sample(names, len(names)):
            time.sleep(rng.uniform(0, 0.005))
            try:
                people.add_person(vault, Person(name=name))
                added.append(name)
            except Conflict:
                pass
    return added


def test_two_processes_adding_the_same_names_add_each_once(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    Vault.create(path, PASSPHRASE, kdf=FAST_KDF).close()
    names = [f"name {i}" for i in range(30)]
    one, other = _in_processes((_add_names, (path, names, 1)), (_add_names, (path, names, 2)))
    assert one[0] == other[0] == "ok", (one, other)
    assert sorted(one[1] + other[1]) == sorted(names)  # each name added by exactly one of them
    with _unlocked(path) as after:
        assert sorted(p.name for p in after.list(Person)) == sorted(names)


# -- the CLI's other check-then-write: one birthday per person ---------------------------------


def _add_birthday_after_the_other_checked(path: Path, checked: Any, started: Any) -> int:
    from profilekeeper.cli import main

    listed = Vault.list

    def list_then_wait(vault: Vault, cls: type[Any], **where: Any) -> Any:
        records = listed(vault, cls, **where)
        if cls is Occasion:  # no birthday yet, as far as this process can see
            checked.set()
            assert started.wait(WAIT)
            time.sleep(0.3)  # the other add is under way
        return records

    Vault.list = list_then_wait  # type: ignore[method-assign]
    return main(["occasion", "add", "Sam", "birthday", "--03-15", "--vault", str(path)])


def _add_birthday_once_the_other_checked(path: Path, checked: Any, started: Any) -> int:
    from profilekeeper.cli import main

    assert checked.wait(WAIT)
    started.set()
    return main(["occasion", "add", "Sam", "birthday", "--04-20", "--vault", str(path)])


def test_two_birthdays_added_at_once_for_one_person_add_one(
    vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people.add_person(vault, Person(name="Sam"))
    vault.close()
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)
    checked, started = CTX.Event(), CTX.Event()
    first, second = _in_processes(
        (_add_birthday_after_the_other_checked, (vault_path, checked, started)),
        (_add_birthday_once_the_other_checked, (vault_path, checked, started)),
    )
    assert first == ("ok", 0)
    assert second == ("ok", 2)  # refused: "that person has a birthday already"
    with _unlocked(vault_path) as after:
        assert [(o.month, o.day) for o in after.list(Occasion)] == [(3, 15)]
