"""Me: my interests and how I feel about them, my city and shipping, my purchases."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from profilekeeper import services
from profilekeeper.errors import CorruptedRecord
from profilekeeper.model import Interest, Person, Purchase
from profilekeeper.screens import unreadable
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.screens.dialogs import ConfirmDialog, PickPersonDialog
from profilekeeper.screens.forms import InterestForm, ProfileForm, PurchaseForm, RecordForm
from profilekeeper.services.views import mark
from profilekeeper.services.views import unreadable as unreadable_in
from profilekeeper.widgets.table import RecordTable


class MeScreen(VaultScreen):
    MODE = "me"
    BINDINGS: ClassVar[list[BindingType]] = bindings("me")

    def compose_body(self) -> ComposeResult:
        yield Static("", id="about")
        with TabbedContent(id="tabs"):
            with TabPane("Interests", id="tab-interests"):
                yield RecordTable("Category", "Name", "Feeling", id="interests")
            with TabPane("Purchases", id="tab-purchases"):
                yield RecordTable("Date", "Purchase", "Price", "Gift for", "Use", id="purchases")

    def reload(self) -> None:
        vault = self.reader
        self.query_one("#about", Static).update(_about(vault))
        interests, listed = vault.list(Interest, person_id=None), vault.list(Purchase)
        marks = unreadable_in(interests), unreadable_in(listed)
        unreadable.fill(
            self.query_one("#interests", RecordTable),
            ((i.id, (i.category, i.name, i.sentiment.value))
             for i in sorted(interests, key=lambda i: (i.category, i.name.lower()))),
            marks[0], first=self.app.size.height,  # a screenful, the rest once painted
        )  # fmt: skip
        purchases = sorted(listed, key=lambda p: p.on or date.min, reverse=True)
        names = services.names_of(vault, {p.gift_for for p in purchases if p.gift_for})
        rows = [(p.id, (p.on.isoformat() if p.on else "", _short(p.title, 30),
                        "" if p.price is None else f"{p.price} {p.currency}".rstrip(),
                        _short(names.get(p.gift_for or "", ""), 14),
                        "yes" if p.personalize and not p.gift_for else "no"))
                for p in purchases]  # fmt: skip
        unreadable.fill(self.query_one("#purchases", RecordTable), rows, marks[1],
                        first=self.app.size.height)  # fmt: skip
        unreadable.say(self, marks[0] + marks[1])

    def _tab(self, name: str) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab-{name}"

    def _selected(self, table: str) -> str | None:
        return self.query_one(f"#{table}", RecordTable).selected_id

    def action_edit_profile(self) -> None:
        self.app.push_screen(ProfileForm(self.vault, self.vault.profile()),
                             lambda _: self.reload())

    def action_add_interest(self) -> None:
        self._tab("interests")
        self.app.push_screen(InterestForm(self.vault, None), lambda _: self.reload())

    def action_add_purchase(self) -> None:
        self._tab("purchases")
        self.app.push_screen(PurchaseForm(self.vault), lambda _: self.reload())

    def action_gift_for(self) -> None:
        self._tab("purchases")
        purchase_id = self._selected("purchases")
        if purchase_id is None:
            return
        purchase = self.vault.get(Purchase, purchase_id)
        people = sorted(((p.name, p.id) for p in self.vault.list(Person)),
                        key=lambda t: t[0].casefold())

        def save(person_id: str | None) -> None:
            if person_id is not None:
                services.mark_purchase_as_gift(self.vault, purchase_id, person_id or None)
                self.reload()

        self.app.push_screen(PickPersonDialog(people, purchase.gift_for), save)

    def action_toggle_personalize(self) -> None:
        self._tab("purchases")
        if purchase_id := self._selected("purchases"):
            services.toggle_personalize(self.vault, purchase_id)
            self.reload()

    def action_remove_row(self) -> None:
        table = self.query_one("#tabs", TabbedContent).active.removeprefix("tab-")
        record_id = self._selected(table)
        if record_id is None:
            return
        by_id = services.remove_interest_by_id if table == "interests" else services.remove_purchase

        def remove(yes: bool | None) -> None:
            if yes:
                by_id(self.vault, record_id)
                self.reload()

        self.app.push_screen(ConfirmDialog("Remove the selected line?", yes="Remove"), remove)

    @on(DataTable.RowSelected)
    def _edit_row(self, event: DataTable.RowSelected) -> None:
        record_id = event.row_key.value
        if record_id is None:
            return
        form: RecordForm[Any]
        if event.data_table.id == "interests":
            form = InterestForm(self.vault, None, self.vault.get(Interest, record_id))
        else:
            form = PurchaseForm(self.vault, self.vault.get(Purchase, record_id))
        self.app.push_screen(form, lambda _: self.reload())


def _about(vault: services.VaultReader) -> Text:
    """Name, city and shipping; the profile's mark in their place if it cannot be read."""
    try:
        profile = vault.profile()
    except CorruptedRecord as error:
        return Text(mark(error).line, style=unreadable.STYLE)
    about = Text(profile.display_name or "(no name yet)", style="bold")
    about.append(f"  ·  {profile.city or 'no city'}")
    shipping = ", ".join(v for v in profile.shipping.values() if v)
    about.append(f"\nShipping: {shipping or 'not set'}", style="dim")
    return about


def _short(text: str, width: int) -> str:
    """Keep a column narrow enough for 80 columns; the full text is in the edit form."""
    return text if len(text) <= width else text[: width - 1] + "…"
