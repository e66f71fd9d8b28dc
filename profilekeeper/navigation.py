"""Where the app goes and what it does by name: the one table its key bindings, the nav bar,
the command palette and the help screen are built from. Plain Python: no Textual here.

A new mode is a line in ``MODES`` (and its screen); a new palette entry a line in
``SCREEN_COMMANDS``. The words are the ones users see: keep them as they are, or update the
snapshots on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Mode:
    """A part of the app that shows vault data, with its own key and screen."""

    name: str
    """The Textual mode, and what ``go(NAME)`` takes."""
    key: str
    title: str
    """On the nav bar, in the help and in "Go to TITLE"."""
    tooltip: str
    """The key binding's tooltip."""
    summary: str
    """What the palette says of "Go to TITLE"."""
    screen: str
    """``module:Class`` under profilekeeper.screens, imported when first shown."""
    reads_only: bool
    """It works on the first look's read-only store, before the full one has opened."""

    @property
    def action(self) -> str:
        return f"go('{self.name}')"


MODES = (
    Mode("home", "1", "Home", "Dates and reminders", "Reminders and the next 60 days",
         "home:HomeScreen", reads_only=True),
    Mode("me", "2", "Me", "Your interests and purchases",
         "Your interests, city, shipping and purchases", "me:MeScreen", reads_only=True),
    Mode("people", "3", "People", "The people you buy for", "The people you buy gifts for",
         "people:PeopleScreen", reads_only=True),
    Mode("settings", "4", "Settings", "Lock, keys, data", "Lock, passphrase, keys, files",
         "settings:SettingsScreen", reads_only=False),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AppAction:
    """An action of the app itself, with a key, a palette entry and a help line."""

    action: str
    key: str
    title: str
    """The key binding's description."""
    tooltip: str
    shown: bool
    """In the footer."""
    palette: str
    palette_help: str
    help: str | None
    """Its line in the help's general keys (None: not listed there)."""


HELP = AppAction("help", "question_mark", "Help", "Keys and what they do", shown=True,
                 palette="Help", palette_help="Keys and what they do", help=None)
LOCK = AppAction(
    "lock", "ctrl+l", "Lock", "Lock the vault now", shown=False,
    palette="Lock now", palette_help="Lock the vault",
    help="Lock now (also happens by itself after the idle time in Settings)",
)  # fmt: skip
APP_ACTIONS = (HELP, LOCK)


class Command(NamedTuple):
    """A palette entry: show ``mode``, then run its screen's ``action`` (None: only show it)."""

    name: str
    help: str
    mode: str
    action: str | None


SCREEN_COMMANDS = (
    Command("Add person", "Someone you buy gifts for", "people", "add_person"),
    Command("Search people", "Find a person by name", "people", "search"),
    Command("Edit me", "Your name, city and shipping preferences", "me", "edit_profile"),
    Command("Add my interest", "Something you love, like, dislike or never want", "me",
            "add_interest"),
    Command("Add purchase", "A purchase in your own history", "me", "add_purchase"),
    Command("Mark purchase as a gift", "The selected purchase was a gift for someone", "me",
            "gift_for"),
    Command("Dismiss reminder", "Stop the selected reminder for this year", "home",
            "reminder('dismiss')"),
    Command("Snooze reminder", "Quiet the selected reminder until a day you choose", "home",
            "reminder('snooze')"),
    Command("Gift bought", "The selected reminder's gift is bought", "home", "reminder('bought')"),
    Command("Change passphrase", "Re-wrap the key under a new passphrase", "settings",
            "change_passphrase"),
    Command("Rotate key", "Re-encrypt every record under a new key", "settings", "rotate_key"),
    Command("Remember on this device", "Keep the key in the system keyring", "settings",
            "remember(True)"),
    Command("Forget on this device", "Remove the key from the system keyring", "settings",
            "remember(False)"),
    Command("Personalization on", "Shops you link may see the slices you grant", "settings",
            "set_opt_in(True)"),
    Command("Personalization off", "Shops get your first name at most", "settings",
            "set_opt_in(False)"),
    Command("Export JSON", "Everything, as a plaintext file", "settings",
            "file_task('export-json')"),
    Command("Import JSON", "Records from a JSON export", "settings", "file_task('import-json')"),
    Command("Export calendar (.ics)", "Occasions with reminders, for calendar apps", "settings",
            "file_task('export-ics')"),
    Command("Import contacts (.vcf)", "People, birthdays and anniversaries from vCards",
            "settings", "file_task('import-vcf')"),
)  # fmt: skip
"""Palette entries that run one of a data screen's actions."""

COMMANDS = (
    *(Command(f"Go to {mode.title}", mode.summary, mode.name, None) for mode in MODES),
    *SCREEN_COMMANDS,
)
"""Every palette entry that shows a mode (the app's own actions follow them)."""

READ_ONLY_MODES = frozenset(mode.name for mode in MODES if mode.reads_only)


def general_keys() -> list[tuple[str, str]]:
    """The help screen's keys that work everywhere, as (keys, what they do)."""
    titles = ", ".join(m.title for m in MODES)
    modes = (" ".join(m.key for m in MODES), f"{titles} (or click the names on the top line)")
    own = [(action.key, action.help) for action in APP_ACTIONS if action.help]
    return [
        modes,
        ("ctrl+p", "Command palette: every action by name"),
        *own,
        ("enter", "Open or edit the selected line"),
        ("tab", "Next field or list; the mouse works everywhere"),
        ("escape", "Close a dialog, back from a person"),
        ("ctrl+q", "Quit"),
    ]
