"""Snoozing a reminder until a chosen day, on Home and on the person screen, and its rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import Input

from profilekeeper import services
from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion, Person
from profilekeeper.reminders import due
from profilekeeper.screens.dialogs import SnoozeDialog
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.person import PersonScreen
from tests.tui.conftest import TODAY, notifications, reopen
from tests.tui.test_flows import SIZE, error_text, fill, remember, settle

# TODAY is Monday 2 March 2026; Sam's birthday on the 14th, with a 14-day lead, nags now.


def sam_with_birthday(vault, month=3, day=14):
    remember(vault)
    sam = vault.add(Person(name="Sam"))
    return vault.add(Occasion(kind="birthday", month=month, day=day, year=1986, person_id=sam.id))


def state(vault_path, occasion):
    """The occasion's reminder state as the vault file holds it."""
    with reopen(vault_path) as check:
        return check.get(Occasion, occasion.id).reminder_state


def notes(app):
    return [n.message for n in notifications(app)]


async def ask_snooze_on_home(pilot):
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)
    pilot.app.screen.query_one("#due").focus()
    await pilot.press("z")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SnoozeDialog)
    return pilot.app.screen


async def test_home_snoozes_until_the_day_typed(make, vault, vault_path) -> None:
    birthday = sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await ask_snooze_on_home(pilot)
        assert dialog.query_one("#until", Input).value == "2026-03-05"  # today + 3, prefilled
        await fill(pilot, until="2026-03-10")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#due").row_count == 0
        assert "Snoozed until 2026-03-10." in notes(app)
    assert state(vault_path, birthday) == {"2026": {"snoozed_until": "2026-03-10"}}
    # The engine agrees: quiet on the 9th, nagging again on the 10th.
    with reopen(vault_path) as check:
        saved = check.get(Occasion, birthday.id)
    assert due([saved], [], [], date(2026, 3, 9), 60) == []
    assert [d.on for d in due([saved], [], [], date(2026, 3, 10), 60)] == [date(2026, 3, 14)]


async def test_escape_cancels_with_nothing_changed(make, vault, vault_path) -> None:
    birthday = sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await ask_snooze_on_home(pilot)
        await fill(pilot, until="2026-03-10")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#due").row_count == 1
        assert not any("Snoozed" in n for n in notes(app))
    assert state(vault_path, birthday) == {}


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-03-01", "Snooze until a day after today"),  # yesterday
        ("2026-03-02", "Snooze until a day after today"),  # today: it would nag today anyway
        ("2026-03-14", "Snooze until a day before 2026-03-14"),  # the birthday itself
        ("2026-04-01", "Snooze until a day before 2026-03-14"),  # past it
        ("2026-02-30", "That date does not exist in the calendar"),
        ("10.3.2026", "Dates are written YYYY-MM-DD"),
        ("--03-10", "Give the year too: YYYY-MM-DD"),
        ("", "Dates are written YYYY-MM-DD"),
    ],
)
async def test_a_day_that_cannot_be_used_is_said_inline(
    make, vault, vault_path, typed, said
) -> None:
    birthday = sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await ask_snooze_on_home(pilot)
        await fill(pilot, until=typed)
        await pilot.click("#ok")
        await settle(pilot)
        assert isinstance(app.screen, SnoozeDialog)  # still open, to try again
        assert error_text(app).startswith(said)
    assert state(vault_path, birthday) == {}


async def test_person_screen_snoozes_with_the_offered_day(make, vault, vault_path) -> None:
    birthday = sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#due").focus()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, SnoozeDialog)
        await pilot.press("enter")  # the offered day, today + 3
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert str(app.screen.query_one("#dates").get_row_at(0)[3]) == "snoozed to 2026-03-05"
    assert state(vault_path, birthday) == {"2026": {"snoozed_until": "2026-03-05"}}


async def test_too_close_to_snooze_says_so_and_asks_nothing(make, vault, vault_path) -> None:
    birthday = sam_with_birthday(vault, day=3)  # tomorrow: no day fits between
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#due").focus()
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("too close to snooze" in n for n in notes(app))
    assert state(vault_path, birthday) == {}


# -- the CLI and the app: one policy, the same answers ----------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["2026-03-14", "2026-04-01", "2026-03-02"],
    ids=["the day itself", "past it", "today"],
)
async def test_the_cli_and_the_app_refuse_the_same_days_in_the_same_words(
    make, vault, vault_path, monkeypatch, capsys, typed
) -> None:
    """Snoozed to the birthday or past it, it would be silent on the day: both refuse."""
    from profilekeeper.cli import main
    from profilekeeper.screens.unlock import sentence
    from tests.conftest import PASSPHRASE

    birthday = sam_with_birthday(vault)
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)
    code = main(["reminder", "snooze", "Sam", "birthday", "--until", typed,
                 "--today", TODAY.isoformat()])
    err = capsys.readouterr().err
    assert code == 2, err
    refused = err.removeprefix("profilekeeper: ").rstrip("\n")
    assert state(vault_path, birthday) == {}

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await ask_snooze_on_home(pilot)
        await fill(pilot, until=typed)
        await pilot.click("#ok")
        await settle(pilot)
        assert isinstance(app.screen, SnoozeDialog)
        assert error_text(app) == sentence(refused)
    assert state(vault_path, birthday) == {}


# -- the rule, in plain Python (the dialog and any other caller go through it) -----------------


def test_act_on_reminder_checks_the_day(vault) -> None:
    birthday = sam_with_birthday(vault)
    [item] = due([birthday], [], [], TODAY, 60)
    assert services.snooze_default(item, TODAY) == TODAY + timedelta(days=services.SNOOZE_DAYS)
    for bad in (TODAY, TODAY - timedelta(days=1), item.on, item.on + timedelta(days=1)):
        with pytest.raises(InvalidInput):
            services.act_on_reminder(vault, item, "snooze", TODAY, bad)
    assert vault.get(Occasion, birthday.id).reminder_state == {}
    last = item.on - timedelta(days=1)
    saved = services.act_on_reminder(vault, item, "snooze", TODAY, last)
    assert saved.reminder_state == {"2026": {"snoozed_until": "2026-03-13"}}
    assert vault.get(Occasion, birthday.id).reminder_state == saved.reminder_state


def test_the_offered_day_stays_before_the_day_itself(vault) -> None:
    near = sam_with_birthday(vault, day=4)  # in two days: one day fits
    [item] = due([near], [], [], TODAY, 60)
    assert services.snooze_default(item, TODAY) == date(2026, 3, 3)
    [tomorrow] = due([Occasion(kind="birthday", month=3, day=3)], [], [], TODAY, 60)
    assert services.snooze_default(tomorrow, TODAY) is None
    with pytest.raises(InvalidInput, match="too close"):
        services.act_on_reminder(vault, tomorrow, "snooze", TODAY)
