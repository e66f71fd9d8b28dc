"""One person: who they are, the top gift ideas from shops, their dates and reminders,
interests, gift ideas and gift history.

The shops' ideas (``IDEAS_SHOWN`` of them, ranked by the suggestions pipeline, so the ones for
their next occasion first) load in a worker after the rest: the pipeline opens every stored
suggestion when the vault changed since its last read (else that read's result is given again:
services/suggestions.py), and the screen does not wait for it. Choosing one opens it in the
Suggestions screen or gives it a verdict. Shop text is shown as plain text, never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from profilekeeper import services
from profilekeeper.errors import NotFound
from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    PartialDate,
    Person,
    Retailer,
    Suggestion,
)
from profilekeeper.reminders import Due
from profilekeeper.screens import unreadable
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.screens.dialogs import ConfirmDialog, Dialog
from profilekeeper.screens.forms import (
    GiftForm,
    InterestForm,
    OccasionForm,
    PersonForm,
    RecordForm,
)
from profilekeeper.services.views import unreadable as unreadable_in
from profilekeeper.widgets.table import RecordTable

if TYPE_CHECKING:
    from profilekeeper.suggestions import Ranked

TABLES = {"dates": Occasion, "interests": Interest, "ideas": Gift, "history": Gift}
IDEAS_SHOWN = 3
"""Gift ideas from shops on the person's screen; the rest are one key away (``s``)."""
NO_IDEAS = "Gift ideas from shops: none yet (share this person with a shop, then sync)"
IDEA_CHOICES = (("open", "Open in Suggestions"), ("like", "Like: more like this"),
                ("not_for_me", "Not for them"), ("bought_as_gift", "Bought it for them"),
                ("snooze", "Snooze for a week"), ("dismiss", "Dismiss"))  # fmt: skip
IDEA_WIDTHS = (21, 10, 9, 30)
"""Fit 80 columns (with each cell's padding) and a price with its currency ("12.00 EUR"); the
dialog shows an idea's whole title and why."""


class PersonScreen(VaultScreen):
    MODE = "people"
    BINDINGS: ClassVar[list[BindingType]] = bindings("person")


    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self._due: dict[str, Due] = {}
        self._ideas: dict[str, Ranked] = {}
        self._leaving = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="summary")
        yield Static("", id="shop-ideas-title", classes="section")
        # Fixed widths: a long title from a shop must not push the reason out of 80 columns.
        ideas = RecordTable("Gift idea", "Shop", "Price", "Why", id="shop-ideas",
                            widths=IDEA_WIDTHS)
        ideas.display = False  # until the worker has found some
        yield ideas
        with TabbedContent(id="tabs"):
            with TabPane("Dates", id="tab-dates"):
                yield RecordTable("Occasion", "Date", "Remind", "Reminder", id="dates")
            with TabPane("Interests", id="tab-interests"):
                yield RecordTable("Category", "Name", "Feeling", id="interests")
            with TabPane("Ideas", id="tab-ideas"):
                yield RecordTable("Idea", "Price", "For", id="ideas")
            with TabPane("Gifts", id="tab-history"):
                yield RecordTable("Year", "Occasion", "Gift", "Status", id="history")

    @property
    def person(self) -> Person:
        return self.reader.get(Person, self.person_id)

    def reload(self) -> None:
        vault, today = self.reader, self.pk.today()
        try:
            person = self.person
        except NotFound:  # deleted meanwhile
            self._leave()
            return
        self.query_one("#summary", Static).update(_summary(person))
        occasions = vault.list(Occasion, person_id=person.id)
        gifts = vault.list(Gift, person_id=person.id)
        due = services.person_due(vault, person, occasions, gifts, today)
        self._due = {d.occasion_id: d for d in due}
        names = {o.id: o.label or o.kind for o in occasions}
        leads = services.leads_for(vault, [person])
        interests = vault.list(Interest, person_id=person.id)
        # Each list marks its records that cannot be read (a gift's status is sealed with it:
        # one that cannot be read is marked among both the ideas and the gifts).
        lost_dates, lost_interests, lost_gifts = map(unreadable_in, (occasions, interests, gifts))
        unreadable.fill(self.query_one("#dates", RecordTable), (
            (o.id, (o.label or o.kind, str(PartialDate(o.month, o.day, o.year)),
                    ",".join(map(str, leads.of(o))) + " days", self._reminder_text(o, today)))
            for o in sorted(occasions, key=lambda o: (o.month, o.day))
        ), lost_dates)  # fmt: skip
        unreadable.fill(self.query_one("#interests", RecordTable), (
            (i.id, (i.category, i.name, i.sentiment.value))
            for i in sorted(interests, key=lambda i: (i.category, i.name.casefold()))
        ), lost_interests)  # fmt: skip
        unreadable.fill(self.query_one("#ideas", RecordTable), (
            (g.id, (g.title, _price(g), names.get(g.occasion_id or "", "")))
            for g in gifts if g.status == GiftStatus.IDEA
        ), lost_gifts)  # fmt: skip
        history = services.gifts_by_year(gifts, occasions)
        unreadable.fill(self.query_one("#history", RecordTable), (
            (g.id, (str(year or "undated"), occasion, g.title, _status(g)))
            for year, by_occasion in history.items()
            for occasion, items in by_occasion.items()
            for g in items
        ), lost_gifts)  # fmt: skip
        unreadable.say(self, lost_dates + lost_interests + lost_gifts)
        self._load_ideas(vault, self.pk.data_stamp())

    @work(thread=True, exclusive=True, group="person-ideas", exit_on_error=False)
    def _load_ideas(self, source: services.VaultReader, stamp: object) -> None:
        from profilekeeper.services.suggestions import gift_ideas
        from profilekeeper.sync.sanitize import clean_text

        ideas, total = gift_ideas(source, self.person_id, today=self.pk.today(),
                                  limit=IDEAS_SHOWN, stamp=stamp)  # fmt: skip
        # A shop's name may come from its discovery document: one plain line, no escapes.
        shops = {r.id: clean_text(r.name, limit=120) for r in source.list(Retailer)}
        self.app.call_from_thread(self.show_ideas, ideas, total, shops)

    def show_ideas(self, ideas: list[Ranked], total: int, shops: dict[str, str]) -> None:
        if not self.is_mounted:  # left meanwhile
            return
        self._ideas = {r.suggestion.id: r for r in ideas}
        more = f"top {len(ideas)} of {total}" if total > len(ideas) else "enter: open or judge"
        self.query_one("#shop-ideas-title", Static).update(Text(
            f"Gift ideas from shops ({more}; s: all)" if ideas else NO_IDEAS))  # fmt: skip
        table = self.query_one("#shop-ideas", RecordTable)
        table.display = bool(ideas)
        table.fill((r.suggestion.id, (r.suggestion.title, shops.get(r.suggestion.retailer_id, ""),
                                      _offer_price(r.suggestion), r.reason))
                   for r in ideas)  # fmt: skip

    def _reminder_text(self, occasion: Occasion, today: object) -> str:
        if item := self._due.get(occasion.id):
            return f"due {services.days_label(item.days_until)}"
        state = occasion.reminder_state.get(str(getattr(today, "year", "")), {})
        if state.get("bought"):
            return "gift bought"
        if state.get("dismissed"):
            return "dismissed"
        if state.get("snoozed_until"):
            return f"snoozed to {state['snoozed_until']}"
        return ""

    # -- the person --------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def _leave(self) -> None:
        """Go back once this person is gone (called from the delete callback or a reload)."""
        if not self._leaving and self.is_current:
            self._leaving = True
            self.dismiss()

    def action_suggestions(self) -> None:
        from profilekeeper.screens.suggestions import SuggestionsScreen

        self.app.push_screen(SuggestionsScreen(self.person_id))

    # -- gift ideas from shops ---------------------------------------------------------------

    @on(DataTable.RowSelected, "#shop-ideas")
    def _idea_chosen(self, event: DataTable.RowSelected) -> None:
        idea = self._ideas.get(event.row_key.value or "")
        if idea is not None:
            self.app.push_screen(IdeaDialog(idea), lambda choice: self._on_idea(idea, choice))

    def _on_idea(self, idea: Ranked, choice: str | None) -> None:
        from profilekeeper.screens.suggestions import SuggestionsScreen, give_verdict

        if choice == "open":
            self.app.push_screen(SuggestionsScreen(self.person_id, select=idea.suggestion.id))
        elif choice is not None:
            give_verdict(self, idea.suggestion.id, choice, gift_for=self.person_id)

    def action_edit_person(self) -> None:
        self.app.push_screen(PersonForm(self.vault, self.person), lambda _: self.reload())

    def action_delete_person(self) -> None:
        self.delete_person(self.person, self._leave)

    # -- their records -----------------------------------------------------------------------

    def action_add_occasion(self) -> None:
        self._show_tab("dates")
        self.app.push_screen(OccasionForm(self.vault, self.person_id), lambda _: self.reload())

    def action_add_interest(self) -> None:
        self._show_tab("interests")
        self.app.push_screen(InterestForm(self.vault, self.person_id), lambda _: self.reload())

    def action_add_gift(self) -> None:
        occasions = self.vault.list(Occasion, person_id=self.person_id)
        self.app.push_screen(GiftForm(self.vault, self.person_id, occasions),
                             lambda _: self.reload())

    def _show_tab(self, name: str) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab-{name}"

    def _current(self) -> tuple[str, str | None]:
        name = self.query_one("#tabs", TabbedContent).active.removeprefix("tab-")
        return name, self.query_one(f"#{name}", RecordTable).selected_id

    @on(DataTable.RowSelected)
    def _edit_row(self, event: DataTable.RowSelected) -> None:
        table, record_id = event.data_table.id or "", event.row_key.value
        if record_id is None or table not in TABLES:
            return
        record: Any = self.vault.get(TABLES[table], record_id)
        form: RecordForm[Any]
        if table == "dates":
            form = OccasionForm(self.vault, self.person_id, record)
        elif table == "interests":
            form = InterestForm(self.vault, self.person_id, record)
        else:
            occasions = self.vault.list(Occasion, person_id=self.person_id)
            form = GiftForm(self.vault, self.person_id, occasions, record)
        self.app.push_screen(form, lambda _: self.reload())

    def action_remove_row(self) -> None:
        table, record_id = self._current()
        if record_id is None:
            return
        what = {"dates": "this date", "interests": "this interest"}.get(table, "this gift")

        def remove(yes: bool | None) -> None:
            if not yes or record_id is None:
                return
            remove = {"dates": services.remove_occasion,  # its gifts stay, untied from it
                      "interests": services.remove_interest_by_id}.get(table, services.remove_gift)
            remove(self.vault, record_id)
            self.reload()

        self.app.push_screen(ConfirmDialog(f"Remove {what}?", yes="Remove"), remove)

    def action_reminder(self, verb: str) -> None:
        self._show_tab("dates")
        occasion_id = self.query_one("#dates", RecordTable).selected_id
        item = self._due.get(occasion_id or "")
        if item is None:
            self.notify("The selected date has no reminder due.", severity="warning")
            return
        self.act_on_reminder(item, verb)


class IdeaDialog(Dialog[str | None]):
    """What to do with one gift idea from a shop: open it in Suggestions, or a verdict."""

    def __init__(self, idea: Ranked) -> None:
        super().__init__()
        self.idea = idea

    def compose(self) -> ComposeResult:
        question = Text(self.idea.suggestion.title, style="bold")  # shop text: never markup
        question.append(f"\n{self.idea.reason}", style="dim")
        with Vertical(classes="dialog"):
            yield Static(question, classes="question")
            yield OptionList(*(Option(label, id=key) for key, label in IDEA_CHOICES),
                             id="idea-choices")  # fmt: skip

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


def _summary(person: Person) -> Text:
    text = Text(person.name, style="bold")
    if person.relationship:
        text.append(f"  ·  {person.relationship}")
    details = []
    if person.budget is not None:
        details.append(f"budget {person.budget} {person.currency}".rstrip())
    if person.sizes:
        details.append("sizes " + ", ".join(f"{k} {v}" for k, v in person.sizes.items()))
    if details:
        text.append("\n" + "  ·  ".join(details), style="dim")
    if person.notes:
        text.append("\n" + person.notes, style="italic dim")
    return text


def _status(gift: Gift) -> str:
    if gift.status != GiftStatus.RECEIVED:
        return gift.status.value
    return "received, thanked" if gift.thanked else "received, note owed"


def _offer_price(s: Suggestion) -> str:
    return "" if s.price is None else f"{s.price} {s.currency}".rstrip()


def _price(gift: Gift) -> str:
    return "" if gift.price is None else f"{gift.price} {gift.currency}".rstrip()
