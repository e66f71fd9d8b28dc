"""The owner's settings, kept in their profile record."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

DEFAULT_IDLE_MINUTES = 10
THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "monokai")


def update_settings(vault: Vault, **changes: Any) -> None:
    profile = vault.profile()
    vault.save(replace(profile, settings={**profile.settings, **changes}))


def setting(vault: Vault, name: str, default: Any) -> Any:
    return vault.profile().settings.get(name, default)
