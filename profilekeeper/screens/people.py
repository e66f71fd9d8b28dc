"""People: everyone you buy for, searchable, the soonest occasion first."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Input

from profilekeeper import services
from profilekeeper.model import Person
from profilekeeper.screens import unreadable
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.widgets.table import RecordTable


class PeopleScreen(VaultScreen):
    MODE = "people"
    BINDINGS: ClassVar[list[BindingType]] = bindings("people")

    AUTO_FOCUS = "#people"  # the list, not the search box: "3" pressed twice types nothing

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="search people (/)", id="search", compact=True)
        yield RecordTable("Name", "Relationship", "Next occasion", id="people")

    def reload(self) -> None:
        self._load(self.reader)

    @work(thread=True, exclusive=True, group="people", exit_on_error=False)
    def _load(self, source: services.VaultReader) -> None:
        # Off the UI thread: 10,000 people take ~0.5 s to decrypt. Read once; typing in the
        # search box filters these rows in memory.
        rows = services.people_rows(source, self.pk.today())
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: services.PeopleRows) -> None:
        self._rows = rows
        self._show()
        unreadable.say(self, rows.unreadable)
        if rows.damaged:
            self.notify(services.damage_notice(rows.damaged), title="Damaged vault file",
                        severity="error", timeout=20, markup=False)

    def _show(self) -> None:
        rows = services.matching(self._rows, self.query_one("#search", Input).value)
        unreadable.fill(  # the marked ones kept in view, by id: nothing else is known
            self.query_one("#people", RecordTable),
            ((r.person.id, (r.person.name, r.person.relationship,
                            f"{r.next_date:%d %b} {r.next_kind}" if r.next_date else ""))
             for r in rows),
            self._rows.unreadable,
            first=self.app.size.height,  # a screenful, then the rest
        )  # fmt: skip

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        if hasattr(self, "_rows"):
            self._show()

    @on(Input.Submitted, "#search")
    def _to_list(self) -> None:
        self.query_one("#people", RecordTable).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def _selected(self) -> Person | None:
        person_id = self.query_one("#people", RecordTable).selected_id
        return self.reader.get(Person, person_id) if person_id else None

    def action_add_person(self) -> None:
        from profilekeeper.screens.forms import PersonForm  # the forms: when first wanted

        self.app.push_screen(PersonForm(self.vault), self._added)

    def _added(self, person: Person | None) -> None:
        if person is not None:
            self.reload()
            self.action_open(person.id)

    def action_edit_person(self) -> None:
        if person := self._selected():
            from profilekeeper.screens.forms import PersonForm

            self.app.push_screen(PersonForm(self.vault, person), lambda _: self.reload())

    def action_delete_person(self) -> None:
        if (person := self._selected()) is not None:
            self.delete_person(person, self.reload)

    def action_open(self, person_id: str) -> None:
        from profilekeeper.screens.person import PersonScreen

        self.app.push_screen(PersonScreen(person_id))

    @on(DataTable.RowSelected, "#people")
    def _open_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.action_open(event.row_key.value)
