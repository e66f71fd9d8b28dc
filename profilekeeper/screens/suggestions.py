"""Suggestions: for the shopper, or gift ideas for one person, grouped by kind, each with the
reason it is shown; a verdict from the keyboard; "Hidden (N)" with why, and undo of the rule or
never-interest that hid one. Shop text is shown as plain text (``RecordTable`` cells are
``Text``, never markup)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from profilekeeper.model import Interest, Person, Retailer, Rule
from profilekeeper.screens.base import VaultScreen, bindings
from profilekeeper.screens.unreadable import marked_rows, say
from profilekeeper.services import records, rules
from profilekeeper.services import suggestions as service
from profilekeeper.suggestions import Ranked, Result
from profilekeeper.suggestions.context import shop_name
from profilekeeper.widgets.table import RecordTable

GROUPS = (("release", "New releases"), ("event", "Concerts and events near you"),
          ("offer", "Offers"), ("product", "Products"))  # fmt: skip
SNOOZE_DAYS = 7
TITLE_WIDTH, SHOP_WIDTH, WHY_WIDTH = 80, 24, 100
"""At most this much of a title, shop name or reason in its column (the rest: "…"), so one
long title leaves room for the others."""
FIRST_ROWS = 100
"""Rows put in the table at once; the rest follow once those are painted (``RecordTable.fill``)."""


Row = tuple[str, tuple[str, ...]]
"""A record id and its cells."""


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def give_verdict(screen: VaultScreen, suggestion_id: str, verdict: str,
                 gift_for: str | None) -> None:
    """The owner's verdict on a suggestion, kept (a snooze lasts SNOOZE_DAYS) and said; the
    shop is told in the background where the owner allows it; then ``screen`` reads again."""
    today = screen.pk.today()
    done = service.judge(screen.vault, suggestion_id, verdict, gift_for=gift_for,
                         until=today + timedelta(days=SNOOZE_DAYS), today=today)
    screen.notify(f"Noted: {verdict.replace('_', ' ')}.", markup=False)
    if (shop := done.shop) is not None:
        suggestion = done.changes.suggestion

        def tell() -> None:
            said = service.send_now(screen.vault, shop, suggestion)
            screen.app.call_from_thread(screen.notify, said, markup=False)

        screen.run_worker(tell, thread=True, group="feedback", exit_on_error=False)
    screen.safe_reload()


class SuggestionsScreen(VaultScreen):
    MODE = "suggestions"
    BINDINGS: ClassVar[list[BindingType]] = bindings("suggestions")

    def __init__(self, person_id: str | None = None, select: str | None = None) -> None:
        """``select``: the suggestion to put the cursor on once loaded (from a person's screen)."""
        super().__init__()
        self.person_id = person_id
        self._select = select
        if person_id is not None:  # one person's gift ideas, opened from their screen
            self.MODE = "people"
        self.hidden = False
        self._items: dict[str, Ranked] = {}
        self._result = Result()
        self._shops: dict[str, str] = {}
        self._whose: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="summary")
        yield RecordTable("Kind", "Suggestion", "Shop", "Why", id="suggestions")

    def reload(self) -> None:
        self._load(self.pk.data_stamp())

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def _load(self, stamp: object) -> None:
        # Off the UI thread: thousands of sealed suggestions to open, filter and rank (unless
        # nothing changed since the last read, Home's glance's after unlock: then its result).
        result = service.read(self.vault, today=self.pk.today(), stamp=stamp)
        shops = {r.id: shop_name(r) for r in self.vault.list(Retailer)}
        whose = None if self.person_id is None else self.vault.get(Person, self.person_id).name
        self.app.call_from_thread(self._loaded, result, shops, whose)

    def _loaded(self, result: Result, shops: dict[str, str], whose: str | None) -> None:
        self._result, self._shops, self._whose = result, shops, whose
        self._show()

    def _show(self) -> None:
        result = self._result
        shown = service.select(result.shown, person_id=self.person_id)
        hidden = service.select(result.hidden, person_id=self.person_id)
        title = Text(f"Gift ideas for {self._whose}" if self.person_id else
                     "Suggestions for you", style="bold")  # fmt: skip
        title.append(f"   {len(shown)} shown · Hidden ({len(hidden)})", style="dim")
        if self.hidden:
            title.append("   showing the hidden ones (h: back)", style="dim")
        self.query_one("#summary", Static).update(title)
        items = hidden if self.hidden else shown
        self._items = {r.suggestion.id: r for r in items}
        shops = self._shops
        rows: list[Row] = []
        for kind, label in GROUPS:
            for r in (r for r in items if r.suggestion.kind == kind):
                s = r.suggestion
                why = (r.hidden_reason if self.hidden else r.reason) or ""
                rows.append((s.id, (label, _cut(s.title, TITLE_WIDTH),
                                    _cut(shops.get(s.retailer_id, ""), SHOP_WIDTH),
                                    _cut(why, WHY_WIDTH))))  # fmt: skip
        if not self.hidden and self.person_id is None:  # whose it is is sealed in it too
            rows += marked_rows(result.unreadable, 4)
            say(self, result.unreadable)
        wanted = self._select if self._select in self._items else None
        if wanted is not None:  # the one asked for, shown: the cursor on it this once
            self._select = None
        self.query_one("#suggestions", RecordTable).fill(rows, first=FIRST_ROWS, cursor_on=wanted)

    def _selected(self) -> Ranked | None:
        key = self.query_one("#suggestions", RecordTable).selected_id
        return self._items.get(key) if key else None

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:  # opened from a person
            self.app.pop_screen()
        else:  # the Suggestions mode itself
            self.app.call_later(self.pk.action_go, "home")

    def action_toggle_hidden(self) -> None:
        self.hidden = not self.hidden
        self._show()

    def action_verdict(self, verdict: str) -> None:
        item = self._selected()
        if item is None:
            return
        give_verdict(self, item.suggestion.id, verdict, gift_for=item.person_id or self.person_id)

    def action_undo(self) -> None:
        """Take back the rule or never-interest that hid the selected item."""
        item = self._selected()
        by = item.hidden_by if item is not None and self.hidden else None
        if isinstance(by, Rule):
            rules.remove_rule(self.vault, by.id)
            self.notify("Removed the rule that hid it.", markup=False)
        elif isinstance(by, Interest):
            records.remove_interest_by_id(self.vault, by.id)
            self.notify(f"Removed the never-interest {by.name}.", markup=False)
        else:
            self.notify("Nothing to undo: it is hidden for another reason.", severity="warning")
            return
        self.safe_reload()
