"""Gifts received in the app: the "Thank-you notes owed" list on Home, and marking one thanked."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, Select

from profilekeeper.model import Gift, GiftStatus, Person
from profilekeeper.screens.forms import GiftForm
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.person import PersonScreen
from tests.tui.conftest import reopen
from tests.tui.person_ideas import person_screen
from tests.tui.test_flows import SIZE, click, error_text, remember, settle


def _kim_gave(vault: object) -> tuple[Person, Gift]:
    kim = vault.add(Person(name="Kim"))  # type: ignore[attr-defined]
    socks = vault.add(Gift("Warm socks", person_id=kim.id, status=GiftStatus.RECEIVED,  # type: ignore[attr-defined]
                           on=date(2026, 1, 2)))
    vault.add(Gift("Old scarf", person_id=kim.id, status=GiftStatus.RECEIVED, thanked=True,  # type: ignore[attr-defined]
                   on=date(2025, 12, 24)))
    vault.add(Gift("Vase", person_id=kim.id, status=GiftStatus.BOUGHT))  # type: ignore[attr-defined]
    return kim, socks


async def test_home_lists_the_notes_owed_and_the_gift_form_marks_one_thanked(
    make, vault, vault_path
) -> None:
    remember(vault)
    kim, socks = _kim_gave(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        owed = app.screen.query_one("#owed")
        assert owed.display and app.screen.query_one("#owed-title").display
        assert owed.row_count == 1  # not the scarf (thanked) nor the vase (bought)
        assert [str(c) for c in owed.get_row_at(0)] == ["2026-01-02", "Kim", "Warm socks"]
        owed.focus()
        await pilot.press("o")  # the giver's screen
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == kim.id
        await pilot.press("escape", "1")  # back to People, then Home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        app.screen.query_one("#owed").focus()
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, GiftForm)
        assert form.query_one("#status", Select).value == "received"
        box = form.query_one("#thanked", Checkbox)
        assert box.value is False
        box.value = True
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not app.screen.query_one("#owed").display  # none owed: the section goes
    with reopen(vault_path) as check:
        stored = check.get(Gift, socks.id)
        assert (stored.status, stored.thanked, stored.title) == (GiftStatus.RECEIVED, True,
                                                                  "Warm socks")


async def test_home_shows_no_section_when_nothing_is_owed(make, vault) -> None:
    remember(vault)
    kim = vault.add(Person(name="Kim"))
    vault.add(Gift("Book", person_id=kim.id, status=GiftStatus.GIVEN))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#owed").display
        assert not app.screen.query_one("#owed-title").display


async def test_a_gift_received_is_recorded_from_the_person_screen(make, vault, vault_path) -> None:
    remember(vault)
    kim, _ = _kim_gave(vault)
    app = make()
    async with person_screen(app, kim.id, SIZE) as pilot:
        history = {str(app.screen.query_one("#history").get_row_at(i)[2]):
                   str(app.screen.query_one("#history").get_row_at(i)[3])
                   for i in range(app.screen.query_one("#history").row_count)}  # fmt: skip
        assert history["Warm socks"] == "received, note owed"
        assert history["Old scarf"] == "received, thanked"
        await pilot.press("g")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, GiftForm)
        form.query_one("#title").value = "Jam"
        form.query_one("#thanked", Checkbox).value = True
        await click(pilot, "#save")  # still an idea: thanked is refused, in place
        await settle(pilot)
        assert isinstance(app.screen, GiftForm)
        assert "Thanked: only a gift received is thanked for" in error_text(app)
        form.query_one("#status", Select).value = "received"
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
    with reopen(vault_path) as check:
        [jam] = [g for g in check.list(Gift) if g.title == "Jam"]
        assert (jam.status, jam.thanked, jam.person_id) == (GiftStatus.RECEIVED, True, kim.id)
