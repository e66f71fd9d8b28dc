"""Fixtures for the app's tests: a real vault file, a keyring that lives in memory, a fixed day.

The keyring stand-in is a real ``keyring`` backend (set with ``keyring.set_keyring``), so the
app's code path through ``profilekeeper.store.keys`` is the one users run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from textual.app import App
from textual.notifications import Notification

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


def record_notifications(app: ProfileKeeperApp) -> ProfileKeeperApp:
    """Keep every notification ``app`` is asked to show (``notifications(app)`` lists them).

    ``App.notify`` is wrapped, as a spy: widgets' and screens' ``notify`` call the app's. Unlike
    the toasts on screen, none is lost to its timeout before a test looks.
    """
    seen: list[Notification] = []
    notify = app.notify

    def recording(message: str, *, title: str = "", severity: Any = "information",
                  timeout: float | None = None, markup: bool = True) -> None:  # fmt: skip
        seen.append(Notification(message, title, severity, markup=markup))
        notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    app.notify = recording  # type: ignore[method-assign]
    app.recorded_notifications = seen  # type: ignore[attr-defined]
    return app


def notifications(app: App[Any]) -> list[Notification]:
    """What ``app`` (made by ``make``, or passed to ``record_notifications``) was told to show."""
    seen: list[Notification] = app.recorded_notifications  # type: ignore[attr-defined]
    return seen


@pytest.fixture
def make(vault_path: Path):  # type: ignore[no-untyped-def]
    def factory(path: Path | None = None) -> ProfileKeeperApp:
        app = make_app(path or vault_path, kdf=FAST_KDF, today=lambda: TODAY)
        return record_notifications(app)

    return factory


def reopen(path: Path):  # type: ignore[no-untyped-def]
    """The vault file opened and unlocked afresh, to check what really reached the disk."""
    from profilekeeper.store.vault import Vault

    vault = Vault.open(path)
    vault.unlock(PASSPHRASE)
    return vault
