"""Forms that add or edit one record, through the same use cases as the CLI (services/records).

A form saves as it closes, so a refusal (bad date, empty or duplicate name, a second birthday)
shows inline, under the fields, and the form stays open: nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from profilekeeper.errors import Conflict, InvalidInput, NotFound
from profilekeeper.model import (
    INTEREST_CATEGORIES,
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    PartialDate,
    Person,
    Profile,
    Purchase,
    Sentiment,
)
from profilekeeper.screens.dialogs import Dialog, ok_or_cancel
from profilekeeper.services import people, records
from profilekeeper.validation import Refused
from profilekeeper.widgets.checkbox import StateCheckbox

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

R = TypeVar("R")

OCCASION_KINDS = [("Birthday", "birthday"), ("Anniversary", "anniversary"), ("Other", "other")]


class RecordForm(Dialog[R | None]):
    """Labelled fields in a grid, an inline error line, Save and Cancel."""

    TITLE_TEXT = ""
    LABELS: dict[str, str] = {}
    """The form's name for a record field, where the two differ (for messages)."""

    def __init__(self, vault: Vault, record: R | None = None) -> None:
        super().__init__()
        self.vault = vault
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label(self.TITLE_TEXT if self.record is None else f"Edit: {self.TITLE_TEXT}",
                        classes="title")
            with Grid(classes="fields"):
                for label, widget in self.fields():
                    yield Label(label)
                    yield widget
            yield Static("", id="error", classes="error")
            yield ok_or_cancel("Save", "save")

    def fields(self) -> Iterator[tuple[str, Widget]]:
        yield from ()

    def build(self) -> R:
        """Save the fields through the record's use case (services/people.py, records.py),
        returning the record saved; raise InvalidInput or Conflict, saving nothing, if it refuses
        them."""
        raise NotImplementedError

    def text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def choice(self, widget_id: str) -> Any:
        return self.query_one(f"#{widget_id}", Select).value

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        error = self.query_one("#error", Static)
        try:
            record = self.build()
        except (InvalidInput, Conflict, NotFound) as problem:
            message = str(problem)
            if isinstance(problem, Refused):  # which field, in the form's words
                field = self.LABELS.get(problem.field, problem.field.replace("_", " "))
                message = f"{field}: {problem.reason}"
            error.update(message[:1].upper() + message[1:])
            return
        self.dismiss(record)


class PersonForm(RecordForm[Person]):
    TITLE_TEXT = "Person"
    LABELS = {"lead_days": "remind"}

    def fields(self) -> Iterator[tuple[str, Widget]]:
        p = self.record or Person(name="")
        yield "Name", Input(p.name, id="name", compact=True)
        yield "Relationship", Input(p.relationship, placeholder="friend, sister…",
                                    id="relationship", compact=True)
        yield "Budget", Input("" if p.budget is None else str(p.budget), placeholder="e.g. 40",
                              id="budget", compact=True)
        yield "Currency", Input(p.currency, placeholder="EUR", id="currency", compact=True)
        yield "Sizes", Input(people.sizes_text(p.sizes), placeholder="shirt=M, shoes=42",
                             id="sizes", compact=True)
        yield "Notes", Input(p.notes, id="notes", compact=True)
        lead = "" if p.lead_days is None else ",".join(map(str, p.lead_days))
        yield "Remind (days)", Input(lead, placeholder="inherit, or e.g. 21,7,0", id="lead",
                                     compact=True)

    def build(self) -> Person:
        person = people.person_from(
            self.text("name"), relationship=self.text("relationship"),
            budget=self.text("budget"), currency=self.text("currency"),
            sizes=self.text("sizes"), notes=self.text("notes"), lead=self.text("lead"),
            base=self.record,
        )  # fmt: skip
        if self.record is None:
            return people.add_person(self.vault, person)
        return people.save_person(self.vault, person)


class OccasionForm(RecordForm[Occasion]):
    TITLE_TEXT = "Occasion"
    LABELS = {"lead_days": "remind"}

    def __init__(self, vault: Vault, person_id: str, record: Occasion | None = None) -> None:
        super().__init__(vault, record)
        self.person_id = person_id

    def fields(self) -> Iterator[tuple[str, Widget]]:
        o = self.record
        yield "Kind", Select(OCCASION_KINDS, value=o.kind if o else "birthday",
                             allow_blank=False, id="kind", compact=True)
        yield "Label", Input(o.label if o else "", placeholder="optional, e.g. Name day",
                             id="label", compact=True)
        when = str(PartialDate(o.month, o.day, o.year)) if o else ""
        yield "Date", Input(when, placeholder="YYYY-MM-DD or --MM-DD", id="date", compact=True)
        lead = ",".join(map(str, o.lead_days)) if o and o.lead_days is not None else ""
        yield "Remind (days)", Input(lead, placeholder="inherit, or e.g. 14,3,0", id="lead",
                                     compact=True)
        yield "Every year", StateCheckbox("", o.yearly if o else True, id="yearly", compact=True)

    def build(self) -> Occasion:
        occasion = people.occasion_from(
            str(self.choice("kind")), self.text("date"), lead=self.text("lead"),
            label=self.text("label"), yearly=self.query_one("#yearly", Checkbox).value,
            base=self.record,
        )  # fmt: skip
        if self.record is None:
            return people.add_occasion(self.vault, self.person_id, occasion)
        return people.save_occasion(self.vault, occasion)


class InterestForm(RecordForm[Interest]):
    TITLE_TEXT = "Interest"

    def __init__(self, vault: Vault, person_id: str | None, record: Interest | None = None):
        super().__init__(vault, record)
        self.person_id = person_id

    def fields(self) -> Iterator[tuple[str, Widget]]:
        i = self.record
        yield "Category", Select([(c, c) for c in INTEREST_CATEGORIES],
                                 value=i.category if i else "music", allow_blank=False,
                                 id="category", compact=True)
        yield "Name", Input(i.name if i else "", placeholder="an artist, a film, a hobby…",
                            id="name", compact=True)
        yield "Feeling", Select([(s.value, s.value) for s in Sentiment],
                                value=i.sentiment.value if i else "like", allow_blank=False,
                                id="sentiment", compact=True)

    def build(self) -> Interest:
        interest = records.interest_from(str(self.choice("category")), self.text("name"),
                                         sentiment=str(self.choice("sentiment")),
                                         base=self.record)  # fmt: skip
        if self.record is None:
            return records.add_interest(self.vault, interest, self.person_id)[0]
        return records.save_interest(self.vault, interest)


class GiftForm(RecordForm[Gift]):
    TITLE_TEXT = "Gift"
    LABELS = {"on": "date"}

    def __init__(self, vault: Vault, person_id: str, occasions: list[Occasion],
                 record: Gift | None = None):
        super().__init__(vault, record)
        self.person_id = person_id
        self.occasions = occasions

    def fields(self) -> Iterator[tuple[str, Widget]]:
        g = self.record
        yield "Title", Input(g.title if g else "", id="title", compact=True)
        yield "Status", Select([(s.value, s.value) for s in GiftStatus],
                               value=g.status.value if g else "idea", allow_blank=False,
                               id="status", compact=True)
        options = [(o.label or o.kind, o.id) for o in self.occasions]
        yield "Occasion", Select(options, value=(g.occasion_id if g and g.occasion_id
                                                 else Select.NULL),
                                 prompt="none", id="occasion", compact=True)
        yield "Price", Input("" if not g or g.price is None else str(g.price), id="price",
                             compact=True)
        yield "Date", Input(g.on.isoformat() if g and g.on else "", placeholder="YYYY-MM-DD",
                            id="on", compact=True)
        yield "Retailer", Input(g.retailer if g else "", id="retailer", compact=True)
        yield "Thanked", StateCheckbox("", bool(g and g.thanked), id="thanked", compact=True)

    def build(self) -> Gift:
        occasion = self.choice("occasion")
        base = replace(self.record or Gift(title="", person_id=self.person_id),
                       occasion_id=None if occasion is Select.NULL else str(occasion))
        gift = records.gift_from(
            self.text("title"), status=str(self.choice("status")), price=self.text("price"),
            on=self.text("on"), retailer=self.text("retailer"),
            thanked=self.query_one("#thanked", Checkbox).value, base=base,
        )  # fmt: skip
        if self.record is None:
            return records.add_gift(self.vault, gift, self.person_id)
        return records.save_gift(self.vault, gift)


class PurchaseForm(RecordForm[Purchase]):
    TITLE_TEXT = "Purchase"
    LABELS = {"on": "date"}

    def fields(self) -> Iterator[tuple[str, Widget]]:
        p = self.record
        yield "Title", Input(p.title if p else "", id="title", compact=True)
        yield "Date", Input(p.on.isoformat() if p and p.on else "", placeholder="YYYY-MM-DD",
                            id="on", compact=True)
        yield "Price", Input("" if not p or p.price is None else str(p.price), id="price",
                             compact=True)
        yield "Retailer", Input(p.retailer if p else "", id="retailer", compact=True)
        yield "Category", Input(p.category if p else "", placeholder="books, music…",
                                id="category", compact=True)

    def build(self) -> Purchase:
        purchase = records.purchase_from(
            self.text("title"), on=self.text("on"), price=self.text("price"),
            retailer=self.text("retailer"), category=self.text("category"), base=self.record,
        )  # fmt: skip
        if self.record is None:
            return records.add_purchase(self.vault, purchase)
        return records.save_purchase(self.vault, purchase)


class ProfileForm(RecordForm[Profile]):
    TITLE_TEXT = "About me"

    def fields(self) -> Iterator[tuple[str, Widget]]:
        p = self.record or Profile()
        yield "First name", Input(p.display_name, id="name", compact=True)
        yield "City", Input(p.city, id="city", compact=True)
        yield "Ship to", Input(p.shipping.get("address", ""), placeholder="address",
                               id="address", compact=True)
        yield "Delivery", Input(p.shipping.get("preference", ""),
                                placeholder="e.g. pickup point, no weekends", id="preference",
                                compact=True)

    def build(self) -> Profile:
        return records.set_profile(self.vault, name=self.text("name"), city=self.text("city"),
                                   address=self.text("address"),
                                   delivery=self.text("preference"))  # fmt: skip
