"""The command palette: every action by name (Posting's ``commands.py`` shape)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from profilekeeper.app import ProfileKeeperApp

# (name, help, mode, screen action or None)
COMMANDS: tuple[tuple[str, str, str, str | None], ...] = (
    ("Go to Home", "Reminders and the next 60 days", "home", None),
    ("Go to Me", "Your interests, city, shipping and purchases", "me", None),
    ("Go to People", "The people you buy gifts for", "people", None),
    ("Go to Settings", "Lock, passphrase, keys, files", "settings", None),
    ("Add person", "Someone you buy gifts for", "people", "add_person"),
    ("Search people", "Find a person by name", "people", "search"),
    ("Edit me", "Your name, city and shipping preferences", "me", "edit_profile"),
    ("Add my interest", "Something you love, like, dislike or never want", "me", "add_interest"),
    ("Add purchase", "A purchase in your own history", "me", "add_purchase"),
    ("Mark purchase as a gift", "The selected purchase was a gift for someone", "me",
     "gift_for"),
    ("Dismiss reminder", "Stop the selected reminder for this year", "home",
     "reminder('dismiss')"),
    ("Snooze reminder", "Quiet the selected reminder until a day you choose", "home",
     "reminder('snooze')"),
    ("Gift bought", "The selected reminder's gift is bought", "home", "reminder('bought')"),
    ("Change passphrase", "Re-wrap the key under a new passphrase", "settings",
     "change_passphrase"),
    ("Rotate key", "Re-encrypt every record under a new key", "settings", "rotate_key"),
    ("Remember on this device", "Keep the key in the system keyring", "settings",
     "remember(True)"),
    ("Forget on this device", "Remove the key from the system keyring", "settings",
     "remember(False)"),
    ("Personalization on", "Shops you link may see the slices you grant", "settings",
     "set_opt_in(True)"),
    ("Personalization off", "Shops get your first name at most", "settings",
     "set_opt_in(False)"),
    ("Export JSON", "Everything, as a plaintext file", "settings", "file_task('export-json')"),
    ("Import JSON", "Records from a JSON export", "settings", "file_task('import-json')"),
    ("Export calendar (.ics)", "Occasions with reminders, for calendar apps", "settings",
     "file_task('export-ics')"),
    ("Import contacts (.vcf)", "People, birthdays and anniversaries from vCards", "settings",
     "file_task('import-vcf')"),
)


class ProfileKeeperCommands(Provider):
    """Actions on the profile; only offered while the vault is unlocked."""

    @property
    def pk(self) -> ProfileKeeperApp:
        return cast("ProfileKeeperApp", self.app)

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        if not self.pk.unlocked:
            return []
        found: list[tuple[str, str, Callable[[], object]]] = [
            (name, help_text, partial(self.pk.action_go, mode, action))
            for name, help_text, mode, action in COMMANDS
        ]
        found.append(("Lock now", "Lock the vault", partial(self.pk.action_lock)))
        found.append(("Help", "Keys and what they do", partial(self.pk.action_help)))
        return found

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
