"""Fixtures for the app's tests: a real vault file, a keyring that lives in memory, a fixed day.

The keyring stand-in is a real ``keyring`` backend (set with ``keyring.set_keyring``), so the
app's code path through ``profilekeeper.store.keys`` is the one users run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from profilekeeper.app import ProfileKeeperApp, make_app
from tests.conftest import FAST_KDF, PASSPHRASE

TODAY = date(2026, 3, 2)


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("none")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def make(vault_path: Path):  # type: ignore[no-untyped-def]
    def factory(path: Path | None = None) -> ProfileKeeperApp:
        return make_app(path or vault_path, kdf=FAST_KDF, today=lambda: TODAY)

    return factory


def reopen(path: Path):  # type: ignore[no-untyped-def]
    """The vault file opened and unlocked afresh, to check what really reached the disk."""
    from profilekeeper.store.vault import Vault

    vault = Vault.open(path)
    vault.unlock(PASSPHRASE)
    return vault
