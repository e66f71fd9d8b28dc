"""Checkboxes say on or off in their text, not only in their colour."""

from __future__ import annotations

from profilekeeper.widgets.checkbox import StateCheckbox
from tests.tui.conftest import reopen
from tests.tui.test_flows import SIZE, click, press, remember, settle


def boxes(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What each box shows with its colours stripped."""
    return {box.id or "": box.render().plain[:3] for box in app.screen.query(StateCheckbox)}


async def test_checked_and_unchecked_differ_without_colour(make, vault, vault_path) -> None:
    remember(vault)  # opted in, key remembered: both boxes start checked
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert boxes(app) == {"opted-in": "▐✔▌", "remember": "▐✔▌"}
        await click(pilot, "#opted-in")
        await settle(pilot)
        assert boxes(app) == {"opted-in": "▐ ▌", "remember": "▐✔▌"}
        await pilot.press("1")  # away and back: the box is redrawn from what the vault holds
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert boxes(app)["opted-in"] == "▐ ▌"
    with reopen(vault_path) as check:
        assert check.profile().opted_in is False


async def test_first_run_remember_box_shows_its_state(make) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = boxes(app)["remember"]
        await click(pilot, "#remember")
        assert {before, boxes(app)["remember"]} == {"▐✔▌", "▐ ▌"}


async def test_occasion_form_every_year_box_shows_its_state(make, vault) -> None:
    from profilekeeper.model import Person

    remember(vault)
    vault.add(Person(name="Sam"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "enter", "o")
        assert boxes(app) == {"yearly": "▐✔▌"}  # a new occasion recurs by default
        await click(pilot, "#yearly")
        assert boxes(app) == {"yearly": "▐ ▌"}
