"""One person: who they are, their dates and reminders, interests, gift ideas and gift history."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from profilekeeper import navigation, services
from profilekeeper.errors import NotFound
from profilekeeper.model import Gift, GiftStatus, Interest, Occasion, PartialDate, Person
from profilekeeper.reminders import Due
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.screens.dialogs import ConfirmDialog
from profilekeeper.screens.forms import (
    GiftForm,
    InterestForm,
    OccasionForm,
    PersonForm,
    RecordForm,
)
from profilekeeper.widgets.table import RecordTable

TABLES = {"dates": Occasion, "interests": Interest, "ideas": Gift, "history": Gift}


class PersonScreen(VaultScreen):
    MODE = "people"
    BINDINGS: ClassVar[list[BindingType]] = bindings("person")

    READS = navigation.reads("person")

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self._due: dict[str, Due] = {}
        self._leaving = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="summary")
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
        self.query_one("#dates", RecordTable).fill(
            (o.id, (o.label or o.kind, str(PartialDate(o.month, o.day, o.year)),
                    ",".join(map(str, leads.of(o))) + " days", self._reminder_text(o, today)))
            for o in sorted(occasions, key=lambda o: (o.month, o.day))
        )
        self.query_one("#interests", RecordTable).fill(
            (i.id, (i.category, i.name, i.sentiment.value))
            for i in sorted(vault.list(Interest, person_id=person.id),
                            key=lambda i: (i.category, i.name.casefold()))
        )
        self.query_one("#ideas", RecordTable).fill(
            (g.id, (g.title, _price(g), names.get(g.occasion_id or "", "")))
            for g in gifts if g.status == GiftStatus.IDEA
        )
        history = services.gifts_by_year(gifts, occasions)
        self.query_one("#history", RecordTable).fill(
            (g.id, (str(year or "undated"), occasion, g.title, _status(g)))
            for year, by_occasion in history.items()
            for occasion, items in by_occasion.items()
            for g in items
        )

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
        if record_id is None or table not in TABLES or not self.can_write():
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


def _price(gift: Gift) -> str:
    return "" if gift.price is None else f"{gift.price} {gift.currency}".rstrip()
