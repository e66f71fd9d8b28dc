"""The one unlock policy, alone: fake stores and callbacks stand for the terminal and keyring.

The front ends' own tests (tests/cli, tests/reminders, tests/tui) run it with real stores,
real keyrings and a real terminal; here each rule is pinned down on its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from profilekeeper import services
from profilekeeper.errors import InvalidInput, VaultLocked, WrongPassphrase
from profilekeeper.store.keys import KeyringUnavailable
from profilekeeper.unlock_policy import unlock_store
from tests.conftest import PASSPHRASE

KEY = b"k" * 32


class FakeStore:
    """Opens with PASSPHRASE or KEY, and records how it was unlocked."""

    def __init__(self) -> None:
        self.tried: list[str] = []
        self.unlocked_by: str | None = None

    def unlock(self, passphrase: str) -> None:
        self.tried.append(passphrase)
        if passphrase != PASSPHRASE:
            raise WrongPassphrase("wrong passphrase")
        self.unlocked_by = "passphrase"

    def unlock_with_data_key(self, data_key: bytes) -> None:
        if data_key != KEY:
            raise WrongPassphrase("the remembered key does not open this vault")
        self.unlocked_by = "key"


class Edges:
    """The callbacks, recording every call."""

    def __init__(self, *, key: bytes | None = KEY, answers: list[str] | None = None,
                 keyring_error: str | None = None) -> None:
        self.key = key
        self.answers = list(answers or [])
        self.keyring_error = keyring_error
        self.recalls = 0
        self.prompts = 0
        self.warnings: list[str] = []

    def recall(self) -> bytes | None:
        self.recalls += 1
        if self.keyring_error:
            raise KeyringUnavailable(self.keyring_error)
        return self.key

    def prompt(self) -> str:
        self.prompts += 1
        return self.answers.pop(0)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def run(store: FakeStore, edges: Edges, *, given: str | None = None, remembered: bool = True,
        terminal: bool = True) -> None:
    unlock_store(store, given=given, remembered=remembered, recall=edges.recall,
                 prompt=edges.prompt if terminal else None, warn=edges.warn)


def test_a_given_passphrase_comes_first_and_nothing_else_is_asked() -> None:
    store, edges = FakeStore(), Edges(answers=["never asked"])
    run(store, edges, given=PASSPHRASE)
    assert store.unlocked_by == "passphrase"
    assert (edges.recalls, edges.prompts, edges.warnings) == (0, 0, [])


def test_a_wrong_given_passphrase_fails_at_once_without_the_keyring_or_a_prompt() -> None:
    store, edges = FakeStore(), Edges(answers=[PASSPHRASE])
    with pytest.raises(WrongPassphrase):
        run(store, edges, given="not it")
    assert (edges.recalls, edges.prompts) == (0, 0)


def test_the_remembered_key_comes_before_the_prompt() -> None:
    store, edges = FakeStore(), Edges(answers=["never asked"])
    run(store, edges)
    assert store.unlocked_by == "key"
    assert (edges.recalls, edges.prompts, edges.warnings) == (1, 0, [])


def test_the_keyring_is_not_asked_when_the_header_says_nothing_is_remembered() -> None:
    store, edges = FakeStore(), Edges(answers=[PASSPHRASE])
    run(store, edges, remembered=False)
    assert store.unlocked_by == "passphrase"
    assert (edges.recalls, edges.prompts, edges.warnings) == (0, 1, [])


@pytest.mark.parametrize(
    ("keyring", "warning"),
    [
        ({"key": b"x" * 32},
         "the key remembered in the keyring is out of date; using the passphrase instead"),
        ({"keyring_error": "the system keyring is locked"},
         "the system keyring is locked; using the passphrase instead"),
        ({"key": None},
         "the key is not remembered in this keyring; using the passphrase instead"),
    ],
    ids=["stale key", "locked keyring", "nothing in this keyring"],
)
def test_a_remembered_key_that_cannot_be_used_warns_and_falls_back(keyring, warning) -> None:
    store, edges = FakeStore(), Edges(**keyring, answers=[PASSPHRASE])
    run(store, edges)
    assert store.unlocked_by == "passphrase"
    assert edges.warnings == [warning]
    assert (edges.recalls, edges.prompts) == (1, 1)


def test_with_no_terminal_it_is_locked_and_says_how_to_give_a_passphrase() -> None:
    store, edges = FakeStore(), Edges(keyring_error="the system keyring is locked")
    with pytest.raises(VaultLocked) as raised:
        run(store, edges, terminal=False)
    assert str(raised.value) == (
        "the vault is locked and there is no terminal to ask on: remember the key with "
        "`profilekeeper keyring remember`, or use --passphrase-stdin or PROFILEKEEPER_PASSPHRASE"
    )
    assert not isinstance(raised.value, WrongPassphrase)  # exit 3 either way, but not "wrong"
    assert edges.warnings == ["the system keyring is locked; using the passphrase instead"]
    assert store.unlocked_by is None


def test_three_wrong_answers_then_wrong_passphrase() -> None:
    store, edges = FakeStore(), Edges(key=None, answers=["one", "two", "three", PASSPHRASE])
    with pytest.raises(WrongPassphrase):
        run(store, edges, remembered=False)
    assert store.tried == ["one", "two", "three"]  # the fourth answer is never asked for
    assert edges.warnings == ["wrong passphrase, try again"] * 2
    assert store.unlocked_by is None


def test_the_third_answer_may_be_right() -> None:
    store, edges = FakeStore(), Edges(answers=["one", "two", PASSPHRASE])
    run(store, edges, remembered=False)
    assert store.unlocked_by == "passphrase" and edges.prompts == 3


@pytest.mark.parametrize("read_only", [False, True], ids=["Vault", "ReadOnlyVault"])
def test_either_real_store_unlocks_by_passphrase_or_by_key(vault, vault_path: Path,
                                                           read_only: bool) -> None:
    from profilekeeper.store.readonly import ReadOnlyVault
    from profilekeeper.store.vault import Vault

    key = vault.data_key
    vault.close()
    for how in ("passphrase", "key", "stale key"):
        store = ReadOnlyVault(vault_path) if read_only else Vault.open(vault_path)
        edges = Edges(key=bytes(32) if how == "stale key" else key, answers=[PASSPHRASE])
        try:
            unlock_store(store, given=PASSPHRASE if how == "passphrase" else None,
                         remembered=True, recall=edges.recall, prompt=edges.prompt,
                         warn=edges.warn)
            assert store.is_unlocked
        finally:
            store.close()
        assert edges.prompts == (how == "stale key")
        assert len(edges.warnings) == (how == "stale key")


def test_one_minimum_length_with_one_message() -> None:
    assert services.check_new_passphrase("8 chars!") == "8 chars!"
    with pytest.raises(InvalidInput) as raised:
        services.check_new_passphrase("7 chars")
    assert str(raised.value) == "choose a passphrase of at least 8 characters"


def test_the_policy_is_light_enough_for_remind() -> None:
    """``remind`` imports the policy on its fast path: nothing heavy may come with it."""
    code = ("import sys, profilekeeper.unlock_policy\n"
            "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, timeout=60).stdout.split())
    heavy = {"sqlalchemy", "sqlmodel", "keyring", "secretstorage", "jeepney", "textual"}
    assert not {m for m in loaded if m.split(".")[0] in heavy}
    assert not {m for m in loaded if m.startswith("profilekeeper.services")}
