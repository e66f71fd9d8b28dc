"""Forms that add or edit one record. Each validates everything, then saves in one step.

A form saves through the vault itself so a refusal (bad date, empty or duplicate name) shows
inline, under the fields, and the form stays open: nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from profilekeeper.errors import Conflict, InvalidInput
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
from profilekeeper.screens.dialogs import Dialog
from profilekeeper.validation import (
    entered,
    parse_date,
    parse_lead_days,
    parse_money,
    parse_partial_date,
)
from profilekeeper.widgets.checkbox import StateCheckbox

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault

R = TypeVar("R")

OCCASION_KINDS = [("Birthday", "birthday"), ("Anniversary", "anniversary"), ("Other", "other")]


class RecordForm(Dialog[R | None]):
    """Labelled fields in a grid, an inline error line, Save and Cancel."""

    TITLE_TEXT = ""

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
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def fields(self) -> Iterator[tuple[str, Widget]]:
        yield from ()

    def build(self) -> R:
        """Make the record from the fields; raise InvalidInput naming the field at fault.

        Forms end in ``entered(record)``: the rules every way in applies (validation.py).
        """
        raise NotImplementedError

    def store(self, record: R) -> R:
        return self.vault.save(record)

    def text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def choice(self, widget_id: str) -> Any:
        return self.query_one(f"#{widget_id}", Select).value

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        error = self.query_one("#error", Static)
        try:
            record = self.store(self.build())
        except (InvalidInput, Conflict) as problem:
            error.update(str(problem).capitalize())
            return
        self.dismiss(record)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


def field_error(field: str, error: InvalidInput) -> InvalidInput:
    return InvalidInput(f"{field}: {error}")


def _date_field(text: str) -> date | None:
    try:
        return parse_date(text) if text else None
    except InvalidInput as error:
        raise field_error("date", error) from None


def _sizes_text(sizes: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items())


def _parse_sizes(text: str) -> dict[str, str]:
    sizes: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidInput("sizes: write them like shirt=M, shoes=42")
        sizes[key.strip()] = value.strip()
    return sizes


class PersonForm(RecordForm[Person]):
    TITLE_TEXT = "Person"

    def fields(self) -> Iterator[tuple[str, Widget]]:
        p = self.record or Person(name="")
        yield "Name", Input(p.name, id="name", compact=True)
        yield "Relationship", Input(p.relationship, placeholder="friend, sister…",
                                    id="relationship", compact=True)
        yield "Budget", Input("" if p.budget is None else str(p.budget), placeholder="e.g. 40",
                              id="budget", compact=True)
        yield "Currency", Input(p.currency, placeholder="EUR", id="currency", compact=True)
        yield "Sizes", Input(_sizes_text(p.sizes), placeholder="shirt=M, shoes=42", id="sizes",
                             compact=True)
        yield "Notes", Input(p.notes, id="notes", compact=True)

    def build(self) -> Person:
        budget_text = self.text("budget")
        try:
            budget = parse_money(budget_text) if budget_text else None
        except InvalidInput as error:
            raise field_error("budget", error) from None
        base = self.record or Person(name="")
        return entered(replace(
            base,
            name=self.text("name"),
            relationship=self.text("relationship"),
            budget=budget,
            currency=self.text("currency").upper(),
            sizes=_parse_sizes(self.text("sizes")),
            notes=self.text("notes"),
        ))  # fmt: skip

    def store(self, record: Person) -> Person:
        if self.record is None:
            return self.vault.add_person(record)
        return self.vault.save_person(record)


class OccasionForm(RecordForm[Occasion]):
    TITLE_TEXT = "Occasion"

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
        lead = ",".join(map(str, o.lead_days)) if o else "14,3"
        yield "Remind (days)", Input(lead, placeholder="14,3", id="lead", compact=True)
        yield "Every year", StateCheckbox("", o.yearly if o else True, id="yearly", compact=True)

    def build(self) -> Occasion:
        try:
            when = parse_partial_date(self.text("date"))
        except InvalidInput as error:
            raise field_error("date", error) from None
        try:
            lead = parse_lead_days(self.text("lead"))
        except InvalidInput as error:
            raise field_error("remind", error) from None
        kind = str(self.choice("kind"))
        base = self.record or Occasion(kind=kind, month=1, day=1, person_id=self.person_id)
        return entered(replace(
            base,
            kind=kind,
            label=self.text("label"),
            month=when.month,
            day=when.day,
            year=when.year,
            lead_days=lead,
            yearly=self.query_one("#yearly", Checkbox).value,
        ))  # fmt: skip


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
        name = " ".join(self.text("name").split())
        if not name:
            raise InvalidInput("name: an interest needs a name")
        base = self.record or Interest(category="music", name=name, person_id=self.person_id)
        return entered(replace(base, category=str(self.choice("category")), name=name,
                               sentiment=Sentiment(self.choice("sentiment"))))


class GiftForm(RecordForm[Gift]):
    TITLE_TEXT = "Gift"

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

    def build(self) -> Gift:
        title = " ".join(self.text("title").split())
        if not title:
            raise InvalidInput("title: a gift needs a title")
        try:
            price = parse_money(self.text("price")) if self.text("price") else None
        except InvalidInput as error:
            raise field_error("price", error) from None
        on = _date_field(self.text("on"))
        occasion = self.choice("occasion")
        base = self.record or Gift(title=title, person_id=self.person_id)
        return entered(replace(
            base,
            title=title,
            status=GiftStatus(self.choice("status")),
            occasion_id=None if occasion is Select.NULL else str(occasion),
            price=price,
            on=on,
            retailer=self.text("retailer"),
        ))  # fmt: skip


class PurchaseForm(RecordForm[Purchase]):
    TITLE_TEXT = "Purchase"

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
        title = " ".join(self.text("title").split())
        if not title:
            raise InvalidInput("title: a purchase needs a title")
        on = _date_field(self.text("on"))
        try:
            price = parse_money(self.text("price")) if self.text("price") else None
        except InvalidInput as error:
            raise field_error("price", error) from None
        base = self.record or Purchase(title=title)
        return entered(replace(base, title=title, on=on, price=price,
                               retailer=self.text("retailer"), category=self.text("category")))


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
        base = self.record or Profile()
        shipping = {k: v for k in ("address", "preference") if (v := self.text(k))}
        return entered(replace(base, display_name=self.text("name"), city=self.text("city"),
                               shipping=shipping))
