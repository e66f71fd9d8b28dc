"""Home: the greeting, reminders nagging now, the next 60 days, new suggestions, and the
thank-you notes owed for gifts received (shown only when some are)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Label, Static

from profilekeeper import services
from profilekeeper.reminders import Due
from profilekeeper.screens import unreadable
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.widgets.table import RecordTable

if TYPE_CHECKING:
    from profilekeeper.services.views import Unreadable


def _row_key(item: Due) -> str:
    return f"{item.occasion_id}:{item.on.isoformat()}"


class HomeScreen(VaultScreen):
    MODE = "home"
    BINDINGS: ClassVar[list[BindingType]] = bindings("home")


    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, Due] = {}
        """The lines on screen by row key, for the actions."""
        self._owed: dict[str, services.NoteOwed] = {}
        """The thank-you notes owed on screen, by gift id."""
        self._marks: dict[str, Unreadable] = {}
        """The marked rows (records Home could not read), by record id."""

    def compose_body(self) -> ComposeResult:
        yield Static("", id="greeting")
        glance = Static("", id="glance")
        glance.display = False  # until some suggestions are new
        yield glance
        yield Label("Reminders due now", classes="section")
        yield RecordTable("When", "Occasion", "Gift", id="due")
        yield Label("Next 60 days", classes="section")
        yield RecordTable("Date", "Occasion", "Gift", id="upcoming")
        for widget in (Label("Thank-you notes owed", classes="section", id="owed-title"),
                       RecordTable("Received", "From", "Gift", id="owed")):
            widget.display = False  # until some are owed
            yield widget

    def reload(self) -> None:
        self._load(self.reader)

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)
    def _load(self, source: services.VaultReader) -> None:
        # Off the UI thread: with thousands of people this takes seconds.
        view = services.home_view(source, self.pk.today())
        self.app.call_from_thread(self.show, view)

    @work(thread=True, exclusive=True, group="home-owed", exit_on_error=False)
    def _load_owed(self, source: services.VaultReader) -> None:
        # Apart from the reminders, which read only the window's records: this reads every gift,
        # and Home paints without waiting for it.
        owed = services.notes_owed(source)
        self.app.call_from_thread(self.show_owed, owed)

    @work(thread=True, exclusive=True, group="home-glance", exit_on_error=False)
    def _load_glance(self, source: services.VaultReader, stamp: object) -> None:
        # After the reminders too: the pipeline opens and ranks every stored suggestion.
        glance = services.suggestions_glance(source, self.pk.today(), stamp=stamp)
        self.app.call_from_thread(self.show_glance, glance)

    def show(self, view: services.HomeView) -> None:
        profile = view.profile
        greeting = Text(view.greeting, style="bold")  # "Welcome back" only when opted out
        if profile.opted_in is False:
            greeting.append("   personalization off", style="dim")
        self.query_one("#greeting", Static).update(greeting)
        unreadable.say(self, view.unreadable)
        if view.damaged:
            self.notify(services.damage_notice(view.damaged), title="Damaged vault file",
                        severity="error", timeout=20, markup=False)
        self._items = {_row_key(d): d for d in view.due + view.upcoming}
        screenful = self.app.size.height  # the rest once it is painted (thousands of people)
        self.query_one("#due", RecordTable).fill(
            ((_row_key(d), (services.days_label(d.days_until), d.headline, _gift(d)))
             for d in view.due), first=screenful,
        )  # fmt: skip
        self._marks = {m.record_id: m for m in view.unreadable}
        unreadable.fill(  # each record Home could not read, marked in the window's list
            self.query_one("#upcoming", RecordTable),
            ((_row_key(d), (d.on.strftime("%a %d %b"), d.headline, _gift(d)))
             for d in view.upcoming),
            view.unreadable, first=screenful,
        )  # fmt: skip
        self._load_owed(self.reader)
        self._load_glance(self.reader, self.pk.data_stamp())

    def show_glance(self, glance: services.SuggestionsGlance) -> None:
        widget = self.query_one("#glance", Static)
        widget.display = bool(glance.new)
        text = Text(f"{glance.new} new suggestion{'s' * (glance.new != 1)} (7: see them)")
        if glance.next_up is not None:  # shop text, as plain Text: never markup
            text.append(f"   next: {glance.next_up.suggestion.title}", style="bold")
            text.append(f", {glance.next_up.reason}", style="dim")
        widget.update(text)

    def show_owed(self, owed: list[services.NoteOwed]) -> None:
        self._owed = {n.gift.id: n for n in owed}
        for widget in (self.query_one("#owed-title"), self.query_one("#owed")):
            widget.display = bool(owed)
        self.query_one("#owed", RecordTable).fill(
            (n.gift.id, (n.gift.on.isoformat() if n.gift.on else "", n.from_name, n.gift.title))
            for n in owed
        )

    def _selected(self, table_id: str = "due") -> Due | None:
        key = self.query_one(f"#{table_id}", RecordTable).selected_id
        return self._items.get(key) if key else None

    def action_reminder(self, verb: str) -> None:
        item = self._selected()
        if item is None:
            self.notify("No reminder is selected.", severity="warning")
            return
        self.act_on_reminder(item, verb)

    def action_open_person(self) -> None:
        focused = self.focused
        table_id = focused.id if isinstance(focused, RecordTable) and focused.id else "due"
        key = self.query_one(f"#{table_id}", RecordTable).selected_id or ""
        if (mark := self._marks.get(key)) is not None:  # a record Home could not read
            self.notify(mark.line, severity="warning", markup=False)
            return
        if table_id == "owed":  # the giver
            note = self._owed.get(key)
            person_id = note.gift.person_id if note else None
        else:
            item = self._items.get(key)
            person_id = item.person_id if item else None
        if person_id:
            self.app.call_later(self.pk.action_go, "people", f"open({person_id!r})")

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "owed":
            self._edit_gift(event.row_key.value)
        else:
            self.action_open_person()

    def _edit_gift(self, gift_id: str | None) -> None:
        """The gift form for a gift received (its Thanked box is the point): saved, reload."""
        from profilekeeper.model import Gift, Occasion
        from profilekeeper.screens.forms import GiftForm

        note = self._owed.get(gift_id or "")
        if note is None:
            return
        gift = self.vault.get(Gift, note.gift.id)
        giver = gift.person_id or ""  # "": the giver was removed, the gift kept
        occasions = list(self.vault.list(Occasion, person_id=giver)) if giver else []
        self.app.push_screen(GiftForm(self.vault, giver, occasions, gift),
                             lambda _: self.safe_reload())


def _gift(item: Due) -> Text:
    text = Text(item.gift_status)
    if item.top_ideas:
        ideas = ", ".join(item.top_ideas)
        if len(ideas) > 28:  # fits 80 columns; the person screen has them in full
            ideas = ideas[:27] + "…"
        text.append(": " + ideas, style="dim")
    return text
