"""Messages that workers post to report back (dataclass messages, as in Posting and Toolong)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from profilekeeper.services import HomeView, VaultReader


@dataclass
class VaultReady(Message, bubble=False):
    """The vault was opened (and maybe unlocked from the keyring) by the start-up worker."""

    unlocked: bool
    note: str = ""
    """Why the keyring could not be used, said plainly; empty when nothing to say."""


@dataclass
class FirstLook(Message, bubble=False):
    """Home's data, read in the worker that opened the store with the remembered key, so Home
    is filled as it is shown."""

    store: VaultReader
    """Unlocked: what screens read from."""
    view: HomeView


@dataclass
class UnlockFailed(Message, bubble=False):
    reason: str


@dataclass
class Unlocked(Message):
    """The vault is unlocked: by passphrase, keyring, or because it was just created."""


@dataclass
class RotationProgress(Message):
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RotationProgress)


@dataclass
class TaskDone(Message):
    """A long settings task (passphrase, rotation, export, import) finished well."""

    what: str
    detail: str = ""


@dataclass
class DataChanged(Message):
    """Records changed (e.g. after an import): screens reload what they show."""
