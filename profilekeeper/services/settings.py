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


NOTIFY_COMMAND = "notify.command"
"""The setting ``remind`` runs for each due item (as ``--exec``; docs/reminders.md)."""


def set_notify_command(vault: Vault, command: str) -> None:
    """Set the notification hook's command; blank removes it."""
    from profilekeeper.validation import one_line

    command = one_line(command, NOTIFY_COMMAND, limit=2000)
    with vault.transaction():
        settings = dict(vault.profile().settings)
        if command:
            settings[NOTIFY_COMMAND] = command
        else:
            settings.pop(NOTIFY_COMMAND, None)
        vault.save(replace(vault.profile(), settings=settings))


def set_kind_lead(vault: Vault, kind: str, lead: str) -> None:
    """The owner's default lead days for occasions of ``kind`` (``*`` or ``default``: every
    kind); ``inherit`` or blank removes it."""
    from profilekeeper.lead_times import ANY_KIND, SETTING, with_kind_default
    from profilekeeper.services.typed import parsed
    from profilekeeper.validation import Refused, parse_lead_days

    kind = kind.strip().lower()
    kind = ANY_KIND if kind in ("default", ANY_KIND) else kind
    if not kind:
        raise Refused("lead_days", "write it as KIND=DAYS, like birthday=21,7,0", alone=True)
    days = parsed("lead_days", parse_lead_days, lead)
    with vault.transaction():
        profile = vault.profile()
        leads = with_kind_default(profile.settings, kind, days)
        vault.save(replace(profile, settings={**profile.settings, SETTING: leads}))
