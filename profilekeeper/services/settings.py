"""The owner's settings, kept in their profile record.

The minimum terms are the least the owner accepts from a shop (``shop add`` refuses a shop
below them, and asks each shop for them when it links). Resale and third-party sharing are not
settings: they are always refused, by the ``Sec-GPC: 1`` every request carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from profilekeeper.errors import InvalidInput

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

DEFAULT_IDLE_MINUTES = 10
THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "monokai")

DEFAULT_MAX_RETENTION_DAYS = 90
DEFAULT_PURPOSES = ("recommendations", "gift_ideas", "offers")
GPC_NOTE = (
    "Resale and third-party sharing are always refused: every request carries Sec-GPC: 1, "
    "and a shop that cannot honour it is not linked."
)
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # the protocol's Purpose


def update_settings(vault: Vault, **changes: Any) -> None:
    """Change these settings and keep the rest, including any another program (remind's marks
    from cron, `notify set`) saved since the profile was last read: read and saved under the
    write lock."""
    with vault.transaction():
        profile = vault.profile()
        vault.save(replace(profile, settings={**profile.settings, **changes}))


def setting(vault: Vault, name: str, default: Any) -> Any:
    return vault.profile().settings.get(name, default)


NOTIFY_COMMAND = "notify.command"
"""The setting ``remind`` runs for each due item (as ``--exec``; docs/reminders.md)."""


def set_notify_command(vault: Vault, command: str) -> None:
    """Set the notification hook's command; blank removes it."""
    from profilekeeper.entered import one_line

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
    from profilekeeper.parsing import parse_lead_days
    from profilekeeper.services.typed import parsed
    from profilekeeper.validation import Refused

    kind = kind.strip().lower()
    kind = ANY_KIND if kind in ("default", ANY_KIND) else kind
    if not kind:
        raise Refused("lead_days", "write it as KIND=DAYS, like birthday=21,7,0", alone=True)
    days = parsed("lead_days", parse_lead_days, lead)
    with vault.transaction():
        profile = vault.profile()
        leads = with_kind_default(profile.settings, kind, days)
        vault.save(replace(profile, settings={**profile.settings, SETTING: leads}))


@dataclass(frozen=True)
class MinimumTerms:
    """The least the owner accepts from a shop."""

    max_retention_days: int = DEFAULT_MAX_RETENTION_DAYS
    allowed_purposes: tuple[str, ...] = DEFAULT_PURPOSES


def minimum_terms(vault: Vault) -> MinimumTerms:
    kept = setting(vault, "minimum_terms", {})
    default = MinimumTerms()
    return MinimumTerms(
        int(kept.get("max_retention_days", default.max_retention_days)),
        tuple(kept.get("allowed_purposes", default.allowed_purposes)),
    )


def minimum_terms_from(
    max_retention_days: int | None = None, allowed_purposes: Iterable[str] | None = None,
    *, base: MinimumTerms | None = None,
) -> MinimumTerms:  # fmt: skip
    """Checked new minimum terms (None: keep ``base``'s value)."""
    base = base or MinimumTerms()
    if max_retention_days is not None and not 1 <= max_retention_days <= 3650:
        raise InvalidInput("the longest retention is 1 to 3650 days")
    purposes = base.allowed_purposes
    if allowed_purposes is not None:
        purposes = tuple(dict.fromkeys(p.strip().lower() for p in allowed_purposes))
        if not purposes:
            raise InvalidInput("allow at least one purpose, like recommendations")
        if not all(_PURPOSE.match(p) for p in purposes):
            raise InvalidInput("a purpose is one snake_case word, like gift_ideas")
    return MinimumTerms(
        base.max_retention_days if max_retention_days is None else max_retention_days, purposes
    )


def set_minimum_terms(vault: Vault, terms: MinimumTerms) -> None:
    with vault.transaction():
        update_settings(vault, minimum_terms={
            "max_retention_days": terms.max_retention_days,
            "allowed_purposes": list(terms.allowed_purposes),
        })  # fmt: skip
