"""Where the app goes and what it does by name: the one table its key bindings, the nav bar,
the command palette and the help screen are built from. Plain Python: no Textual here.

A new mode is a line in ``MODES`` (and its screen); a new key or palette entry a line in
``ACTIONS`` (and the screen's ``action_`` method). The words are the ones users see: keep them
as they are, or update the snapshots on purpose.
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

    @property
    def action(self) -> str:
        return f"go('{self.name}')"


MODES = (
    Mode("home", "1", "Home", "Dates and reminders", "Reminders and the next 60 days",
         "home:HomeScreen"),
    Mode("me", "2", "Me", "Your interests and purchases",
         "Your interests, city, shipping and purchases", "me:MeScreen"),
    Mode("people", "3", "People", "The people you buy for", "The people you buy gifts for",
         "people:PeopleScreen"),
    Mode("settings", "4", "Settings", "Lock, keys, data", "Lock, passphrase, keys, files",
         "settings:SettingsScreen"),
    Mode("sharing", "5", "Sharing", "What each shop may see",
         "Shops, the slices each may see, the exact bytes it gets", "sharing:SharingScreen"),
    Mode("activity", "6", "Activity", "Every exchange with a shop",
         "Every exchange with a shop, and what was sent", "activity:ActivityScreen"),
    Mode("suggestions", "7", "Suggestions", "What shops suggest, by your rules",
         "What shops suggest, filtered and ranked by your rules",
         "suggestions:SuggestionsScreen"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the app or a screen does, named once: its key binding (and so the footer and
    the help's lines) and its palette entry come from here."""

    screen: str
    """Whose: a mode's name, ``person`` (one person's screen) or ``app`` (everywhere)."""
    key: str | None
    """Its keys, as Textual writes them (None: no key, e.g. the palette only)."""
    action: str
    """The Textual action, e.g. ``add_person`` or ``reminder('dismiss')``."""
    title: str = ""
    """The key binding's description (in the footer)."""
    tooltip: str = ""
    id: str | None = None
    """The key binding's id (for keymaps)."""
    shown: bool = True
    """In the footer."""
    palette: tuple[str, str] | None = None
    """Its command palette entry: name and help (None: not in the palette)."""
    help: str | None = None
    """The app's own: its line in the help's general keys (None: not listed there)."""

    @property
    def name(self) -> str:
        """The action's name without its arguments, as Textual's ``check_action`` gets it."""
        return self.action.split("(")[0]


_REMOVE = "Remove the selected line"
ACTIONS = (
    Action("people", "a", "add_person", "Add", "Add a person", "person-add",
           palette=("Add person", "Someone you buy gifts for")),
    Action("people", "e", "edit_person", "Edit", "Edit the selected person", "person-edit"),
    Action("people", "delete,x", "delete_person", "Delete", "Delete the selected person",
           "person-delete"),
    Action("people", "slash", "search", "Search", "Search by name", "people-search",
           palette=("Search people", "Find a person by name")),
    Action("me", "e", "edit_profile", "Edit me", "Name, city, shipping", "me-edit",
           palette=("Edit me", "Your name, city and shipping preferences")),
    Action("me", "i", "add_interest", "+Interest", "Add one of your interests", "me-interest-add",
           palette=("Add my interest", "Something you love, like, dislike or never want")),
    Action("me", "u", "add_purchase", "+Purchase", "Add a purchase to your history",
           "me-purchase-add", palette=("Add purchase", "A purchase in your own history")),
    Action("me", "g", "gift_for", "Gift for…", "Mark the selected purchase as a gift for someone",
           "purchase-gift-for",
           palette=("Mark purchase as a gift", "The selected purchase was a gift for someone")),
    Action("me", "n", "toggle_personalize", "Use/don't use",
           "Use the selected purchase for personalization, or not", "purchase-personalize"),
    Action("me", "x", "remove_row", "Remove", _REMOVE, "me-remove"),
    Action("home", "d", "reminder('dismiss')", "Dismiss", "Stop this reminder for this year",
           "reminder-dismiss",
           palette=("Dismiss reminder", "Stop the selected reminder for this year")),
    Action("home", "z", "reminder('snooze')", "Snooze", "Quiet until a day you choose",
           "reminder-snooze",
           palette=("Snooze reminder", "Quiet the selected reminder until a day you choose")),
    Action("home", "b", "reminder('bought')", "Bought", "Gift bought: stop reminding this year",
           "reminder-bought", palette=("Gift bought", "The selected reminder's gift is bought")),
    Action("home", "o", "open_person", "Person", "Open the person of the selected line",
           "home-open-person"),
    Action("suggestions", "escape", "back", "Back", "Back", "suggestions-back"),
    Action("suggestions", "l", "verdict('like')", "Like", "More like this", "suggestion-like"),
    Action("suggestions", "n", "verdict('not_for_me')", "Not for me", "Less like this",
           "suggestion-not-for-me"),
    Action("suggestions", "v", "verdict('never_creator')", "Never", "Never this creator again",
           "suggestion-never"),
    Action("suggestions", "b", "verdict('bought')", "Bought", "You bought it",
           "suggestion-bought"),
    Action("suggestions", "g", "verdict('bought_as_gift')", "Gift",
           "Bought as a gift for the person it is for", "suggestion-gift"),
    Action("suggestions", "z", "verdict('snooze')", "Snooze", "Quiet for a week",
           "suggestion-snooze"),
    Action("suggestions", "d", "verdict('dismiss')", "Dismiss", "Hide it", "suggestion-dismiss"),
    Action("suggestions", "h", "toggle_hidden", "Hidden", "The hidden ones, and why",
           "suggestions-hidden"),
    Action("suggestions", "u", "undo", "Undo", "Take back the rule or never that hid it",
           "suggestion-undo"),
    Action("settings", "c", "change_passphrase", "Passphrase", "Change the passphrase",
           "settings-passphrase",
           palette=("Change passphrase", "Re-wrap the key under a new passphrase")),
    Action("settings", "r", "rotate_key", "Rotate key", "Re-encrypt everything under a new key",
           "settings-rotate", palette=("Rotate key", "Re-encrypt every record under a new key")),
    Action("settings", None, "remember(True)",
           palette=("Remember on this device", "Keep the key in the system keyring")),
    Action("settings", None, "remember(False)",
           palette=("Forget on this device", "Remove the key from the system keyring")),
    Action("settings", None, "set_opt_in(True)",
           palette=("Personalization on", "Shops you link may see the slices you grant")),
    Action("settings", None, "set_opt_in(False)",
           palette=("Personalization off", "Shops get your first name at most")),
    Action("settings", "x", "file_task('export-json')", "Export",
           "Export the vault as JSON (plaintext)", "settings-export",
           palette=("Export JSON", "Everything, as a plaintext file")),
    Action("settings", "m", "file_task('import-json')", "Import", "Import a JSON export",
           "settings-import", palette=("Import JSON", "Records from a JSON export")),
    Action("settings", None, "file_task('export-ics')",
           palette=("Export calendar (.ics)", "Occasions with reminders, for calendar apps")),
    Action("settings", None, "file_task('import-vcf')",
           palette=("Import contacts (.vcf)", "People, birthdays and anniversaries from vCards")),
    Action("sharing", "space", "toggle_grant", "Grant/revoke",
           "Grant or revoke the selected slice for the selected shop", "sharing-toggle",
           palette=("Grant or revoke slice", "The slice and shop selected in the Sharing grid")),
    Action("sharing", "u", "until", "Until", "Set the day the selected grant ends",
           "sharing-until",
           palette=("Grant until a day", "When the selected slice stops going to that shop")),
    Action("sharing", "s", "sync", "Sync now",
           "Send every shop what is granted, fetch its suggestions", "sharing-sync",
           palette=("Sync now", "Share with every shop at once and fetch suggestions")),
    Action("sharing", "c", "connect", "Connect", "Connect a shop by its URL", "sharing-connect",
           palette=("Connect a shop", "Link a shop by its URL, on your minimum terms")),
    Action("sharing", "f", "forget", "Forget",
           "Forget the selected shop: it deletes what it holds", "sharing-forget",
           palette=("Forget shop", "The selected shop is asked to delete what it holds")),
    Action("sharing", "p", "preview", "Preview", "Read the exact bytes the selected shop gets",
           "sharing-preview", shown=False,
           palette=("Preview what a shop gets", "The exact bytes the selected shop is sent")),
    Action("sharing", "h", "holds", "Holds", "What the selected shop says it holds, asked now",
           "sharing-holds", shown=False,
           palette=("What a shop holds", "Ask the selected shop what it holds about you")),
    Action("sharing", "m", "minimum_terms", "Terms", "The least you accept from a shop",
           "sharing-terms", shown=False,
           palette=("Minimum terms", "How long a shop may keep data, and what for")),
    Action("sharing", "a", "activity", "Activity", "The selected shop's activity",
           "sharing-activity", shown=False),
    Action("activity", "f", "filter_shop", "Shop", "Show the records of one shop",
           "activity-filter", palette=("Activity of one shop", "The activity log, by shop")),
    Action("activity", "w", "what_was_sent", "Sent", "Scroll to what the selected record sent",
           "activity-sent"),
    Action("person", "escape", "back", "Back", "Back to people", "person-back"),
    Action("person", "e", "edit_person", "Edit", "Edit this person", "person-edit-this"),
    Action("person", "o", "add_occasion", "+Date", "Add a birthday, anniversary or other date",
           "occasion-add"),
    Action("person", "i", "add_interest", "+Interest", "Add an interest", "interest-add"),
    Action("person", "g", "add_gift", "+Gift", "Add a gift idea or a gift", "gift-add"),
    Action("person", "x", "remove_row", "Remove", _REMOVE, "row-remove"),
    Action("person", "s", "suggestions", "Gift ideas", "Gift ideas for this person from shops",
           "person-suggestions", shown=False),
    Action("person", "D", "delete_person", "Delete person", "Delete this person",
           "person-delete-this", shown=False),
    Action("person", "d", "reminder('dismiss')", "Dismiss",
           "Stop the selected date's reminder this year", "person-reminder-dismiss", shown=False),
    Action("person", "z", "reminder('snooze')", "Snooze",
           "Quiet the selected date until a day you choose", "person-reminder-snooze",
           shown=False),
    Action("person", "b", "reminder('bought')", "Bought", "Gift bought for the selected date",
           "person-reminder-bought", shown=False),
    Action("app", "ctrl+l", "lock", "Lock", "Lock the vault now", "lock", shown=False,
           palette=("Lock now", "Lock the vault"),
           help="Lock now (also happens by itself after the idle time in Settings)"),
    Action("app", "question_mark", "help", "Help", "Keys and what they do", "help",
           palette=("Help", "Keys and what they do")),
)  # fmt: skip
"""Every action by screen, in the order of its key bindings; the palette lists them in this
order too (after "Go to" each mode). The words are what users see."""


def actions_of(screen: str) -> tuple[Action, ...]:
    return tuple(action for action in ACTIONS if action.screen == screen)


APP_ACTIONS = actions_of("app")
"""The app's own actions: bound everywhere; the palette lists them last."""


class Command(NamedTuple):
    """A palette entry: show ``mode``, then run its screen's ``action`` (None: only show it)."""

    name: str
    help: str
    mode: str
    action: str | None


SCREEN_COMMANDS = tuple(
    Command(*action.palette, action.screen, action.action)
    for action in ACTIONS
    if action.palette and action.screen != "app"
)
"""Palette entries that run one of a data screen's actions."""

COMMANDS = (
    *(Command(f"Go to {mode.title}", mode.summary, mode.name, None) for mode in MODES),
    *SCREEN_COMMANDS,
)
"""Every palette entry that shows a mode (the app's own actions follow them)."""

def general_keys() -> list[tuple[str, str]]:
    """The help screen's keys that work everywhere, as (keys, what they do)."""
    titles = ", ".join(m.title for m in MODES)
    modes = (" ".join(m.key for m in MODES), f"{titles} (or click the names on the top line)")
    own = [(action.key, action.help) for action in APP_ACTIONS if action.key and action.help]
    return [
        modes,
        ("ctrl+p", "Command palette: every action by name"),
        *own,
        ("enter", "Open or edit the selected line"),
        ("tab", "Next field or list; the mouse works everywhere"),
        ("escape", "Close a dialog, back from a person"),
        ("ctrl+q", "Quit"),
    ]
