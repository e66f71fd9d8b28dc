"""Pilot tests of every flow, each checking what the vault file holds afterwards."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from decimal import Decimal
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from profilekeeper.app import ProfileKeeperApp, make_app
from profilekeeper.model import Gift, GiftStatus, Occasion, Person, Purchase, Retailer, Suggestion
from profilekeeper.screens.dialogs import ConfirmDialog, DeletePersonDialog, PickPersonDialog
from profilekeeper.screens.forms import OccasionForm, PersonForm
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.me import MeScreen
from profilekeeper.screens.optin import OptInScreen
from profilekeeper.screens.people import PeopleScreen
from profilekeeper.screens.person import PersonScreen
from profilekeeper.screens.unlock import UnlockScreen, WelcomeScreen
from profilekeeper.services.people import find_person
from profilekeeper.store import keys
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.tui.conftest import TODAY, notifications, reopen

SIZE = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    """Wait for workers (failed ones too: the app reports those itself; cancelled ones too: an
    exclusive worker replaced, or a screen's left behind, is cancelled by design) and the
    screen."""
    for _ in range(2):
        with suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press each of ``keys``, the app settled after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def fill(pilot: Pilot[None], **values: str) -> None:
    """Type into the inputs of the top screen, by id."""
    for widget_id, text in values.items():
        widget = pilot.app.screen.query_one(f"#{widget_id}", Input)
        widget.focus()
        widget.value = text
    await pilot.pause()


async def click(pilot: Pilot[None], selector: str) -> None:
    """Click, then outlast the button's 0.2 s press effect (a second click within it is ignored)."""
    await pilot.click(selector)
    await pilot.pause(0.25)


async def run_command(pilot: Pilot[None], text: str) -> None:
    """Pick a command from the palette, once its search (which runs in the background) has one."""
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    for _ in range(200):
        found = pilot.app.screen.query(CommandList)
        if found and found.first().highlighted is not None:
            break
        await pilot.pause(0.02)
    await pilot.press("enter")


def error_text(app: ProfileKeeperApp) -> str:
    return str(app.screen.query_one("#error", Static).render())


def answered(vault: object) -> None:
    """The first-visit question was answered already (so Home shows without the opt-in)."""
    from dataclasses import replace

    vault.save(replace(vault.profile(), display_name="Ann", opted_in=True))  # type: ignore[attr-defined]


def _greeting(app: ProfileKeeperApp) -> object:
    return app.screen.query_one("#greeting", Static).render()


def remember(vault: object) -> None:
    answered(vault)
    keys.remember(vault.vault_id, vault.data_key)  # type: ignore[attr-defined]
    vault.set_remembered(True)  # type: ignore[attr-defined]


# -- getting in -----------------------------------------------------------------------------


async def test_first_run_creates_vault_and_records_opt_out(make, vault_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await fill(pilot, name="Ann", new="short", again="short")
        await click(pilot, "#create")
        assert "at least 8" in error_text(app)
        await fill(pilot, new="a long enough phrase", again="a different phrase")
        await click(pilot, "#create")
        assert "differ" in error_text(app)
        assert not vault_path.exists()  # nothing written before the form is right
        await fill(pilot, again="a long enough phrase")
        await click(pilot, "#remember")
        await click(pilot, "#create")
        await settle(pilot)
        assert isinstance(app.screen, OptInScreen)
        await click(pilot, "#opt-out")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        greeting = str(app.screen.query_one("#greeting", Static).render())
        assert "Welcome back, Ann!" in greeting
    from profilekeeper.store.vault import Vault

    with Vault.open(vault_path) as vault:
        vault.unlock("a long enough phrase")
        profile = vault.profile()
        assert profile.display_name == "Ann"
        assert profile.opted_in is False
        assert vault.header.remembered
        assert keys.recall(vault.vault_id) == vault.data_key


async def test_wrong_passphrase_is_said_in_place_then_unlock(make, vault) -> None:
    answered(vault)
    vault.close()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        await fill(pilot, passphrase="not it at all")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "Wrong passphrase" in error_text(app)
        assert not app.unlocked
        await fill(pilot, passphrase=PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.unlocked


async def test_remembered_key_unlocks_without_asking(make, vault) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_lock_and_idle_lock_hide_the_data(make, vault) -> None:
    from profilekeeper import services
    from profilekeeper.services.suggestions import _kept_by_store as reads_kept

    remember(vault)
    vault.add(Person(name="Sam"))
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    vault.add(Suggestion(shop.id, "1", "product", "Kite"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert "Sam" in app.export_screenshot()  # what the terminal shows: the list, Sam on it
        assert app.vault in reads_kept  # Home's glance read the suggestions
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert not app.unlocked
        assert "Sam" not in app.export_screenshot()
        assert app.vault not in reads_kept  # nor in what reading them kept, decrypted
        await fill(pilot, passphrase=PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        # Idle lock: one minute set in Settings, and no activity for longer than that.
        services.update_settings(app.vault, idle_lock_minutes=1)  # type: ignore[arg-type]
        app._last_activity -= 61
        await app._lock_if_idle()
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)


# -- people ---------------------------------------------------------------------------------


async def test_add_edit_delete_person_with_inline_validation(make, vault, vault_path) -> None:
    remember(vault)
    vault.add(Person(name="Maya"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, PersonForm)
        await click(pilot, "#save")
        assert "needs a name" in error_text(app)
        await fill(pilot, name="maya")
        await click(pilot, "#save")
        assert "exists already" in error_text(app)
        await fill(pilot, name="Sam Okafor", relationship="brother", budget="forty")
        await click(pilot, "#save")
        assert "Budget" in error_text(app)
        await fill(pilot, budget="40")
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)  # a new person opens at once
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, relationship="big brother", sizes="shirt=L")
        await click(pilot, "#save")
        await settle(pilot)
        with reopen(vault_path) as check:
            sam = find_person(check, "Sam Okafor")
            assert (sam.relationship, sam.budget, sam.sizes) == (
                "big brother", Decimal("40"), {"shirt": "L"})
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        await pilot.press("delete")  # the list is sorted by name when no dates: Maya first
        await settle(pilot)
        assert isinstance(app.screen, DeletePersonDialog)
        await click(pilot, "#cancel")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)  # dismissed once, not the People screen too
        with reopen(vault_path) as check:
            assert check.count(Person) == 2
        await pilot.press("delete")
        await settle(pilot)
        await click(pilot, "#delete")
        await settle(pilot)
    with reopen(vault_path) as check:
        assert [p.name for p in check.list(Person)] == ["Sam Okafor"]


async def test_deleting_a_person_with_gifts_can_keep_them(make, vault, vault_path) -> None:
    remember(vault)
    sam = vault.add(Person(name="Sam"))
    vault.add(Gift(title="Scarf", person_id=sam.id, status=GiftStatus.GIVEN, on=date(2025, 3, 1)))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "enter")
        assert isinstance(app.screen, PersonScreen)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DeletePersonDialog)
        assert app.screen.query("#keep")
        await click(pilot, "#keep")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
    with reopen(vault_path) as check:
        assert check.count(Person) == 0
        [gift] = check.list(Gift)
        assert (gift.title, gift.person_id) == ("Scarf", None)


async def test_add_occasion_with_lead_time(make, vault, vault_path) -> None:
    remember(vault)
    sam = vault.add(Person(name="Sam"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "enter", "o")
        assert isinstance(app.screen, OccasionForm)
        await fill(pilot, date="1986-02-30", lead="21,7")
        await click(pilot, "#save")
        assert "does not exist" in error_text(app)
        await fill(pilot, date="--03-14", lead="many")
        await click(pilot, "#save")
        assert "Remind" in error_text(app)
        with reopen(vault_path) as check:
            assert check.count(Occasion) == 0  # nothing half-saved
        await fill(pilot, lead="21, 7")
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.query_one("#dates").row_count == 1
    with reopen(vault_path) as check:
        [occasion] = check.list(Occasion)
        assert (occasion.person_id, occasion.kind, occasion.month, occasion.day) == (
            sam.id, "birthday", 3, 14)
        assert occasion.year is None
        assert occasion.lead_days == [21, 7]


async def test_the_occasion_form_refuses_dates_later_commands_could_not_use(
    make, vault, vault_path
) -> None:
    """``9999-12-31`` made the calendar export fail for good: the form applies the same rules
    as the CLI and the imports (validation.py), inline, and saves nothing."""
    remember(vault)
    vault.add(Person(name="Sam"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "enter", "o")
        assert isinstance(app.screen, OccasionForm)
        for typed, why in (("9999-12-31", "years run from 1 to 9000"),
                           ("2999-01-01", "cannot be after this year"),  # a birthday
                           ("--02-30", "does not exist")):  # fmt: skip
            await fill(pilot, date=typed)
            await click(pilot, "#save")
            assert why in error_text(app), typed
            assert isinstance(app.screen, OccasionForm)
        await fill(pilot, date="--12-31")
        await click(pilot, "#save")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
    with reopen(vault_path) as check:
        [occasion] = check.list(Occasion)
        assert (occasion.month, occasion.day, occasion.year) == (12, 31, None)


async def test_home_people_and_a_person_show_the_rest_of_a_vault_with_damaged_values(
    make, vault, vault_path
) -> None:
    """A month 13 and a null name, sealed with the vault's key as an older release might have:
    each screen shows the rest and says what it left out, naming nothing."""
    from tests.reminders.test_damaged_values import plant

    remember(vault)
    sam = vault.add(Person(name="Sam"))
    vault.add(Occasion("birthday", 3, 14, 1986, person_id=sam.id))
    plant(vault_path, vault.data_key, Occasion, {"kind": "birthday", "month": 13, "day": 1},
          (sam.id,))  # fmt: skip
    plant(vault_path, vault.data_key, Person, {"name": None})
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        upcoming = app.screen.query_one("#upcoming")  # Sam turns 40, and the month 13 marked
        assert [str(upcoming.get_row_at(i)[-1]) for i in range(upcoming.row_count)] == \
            ["no idea yet", "holds a value this version cannot use"]  # fmt: skip
        assert any("1 record(s) could not be read" in n.message  # the occasion: Home reads few
                   for n in notifications(app))  # fmt: skip
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        dates = app.screen.query_one("#dates")  # the month 13: a marked row in its place
        assert [str(dates.get_row_at(i)[-1]) for i in range(dates.row_count)] == \
            ["due in 12 days", "holds a value this version cannot use"]  # fmt: skip
        assert app.is_running and app.return_code is None


# -- reminders -------------------------------------------------------------------------------


def _sam_with_birthday(vault: object) -> tuple[Person, Occasion]:
    sam = vault.add(Person(name="Sam"))  # type: ignore[attr-defined]
    # TODAY is 2 March: a 14 March birthday with a 14-day lead is due now.
    birthday = vault.add(Occasion(kind="birthday", month=3, day=14, year=1986,  # type: ignore[attr-defined]
                                  person_id=sam.id))
    return sam, birthday


async def test_home_reminder_dismiss_snooze_bought(make, vault, vault_path) -> None:
    remember(vault)
    _, birthday = _sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        due = app.screen.query_one("#due")
        assert due.row_count == 1
        due.focus()
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("enter")  # the day the snooze dialog offers: today + 3
        await settle(pilot)
        with reopen(vault_path) as check:
            state = check.get(Occasion, birthday.id).reminder_state["2026"]
            assert state["snoozed_until"] == "2026-03-05"
        assert app.screen.query_one("#due").row_count == 0
        assert app.screen.query_one("#upcoming").row_count == 1  # still coming up
    # Snoozed three days: on the 5th it nags again, and can be marked bought.
    later = make()
    later.today = lambda: date(2026, 3, 5)
    async with later.run_test(size=SIZE) as pilot:
        await settle(pilot)
        later.screen.query_one("#due").focus()
        await pilot.press("b")
        await settle(pilot)
    with reopen(vault_path) as check:
        assert check.get(Occasion, birthday.id).reminder_state["2026"]["bought"] == "true"


async def test_person_screen_dismisses_a_reminder(make, vault, vault_path) -> None:
    remember(vault)
    _, birthday = _sam_with_birthday(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#due").focus()
        await pilot.press("o")  # open the person of the selected reminder
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        await pilot.press("d")
        await settle(pilot)
        assert "dismissed" in str(app.screen.query_one("#dates").get_row_at(0)[3])
    with reopen(vault_path) as check:
        assert check.get(Occasion, birthday.id).reminder_state == {"2026": {"dismissed": "true"}}


# -- me ---------------------------------------------------------------------------------------


async def test_mark_a_purchase_as_a_gift(make, vault, vault_path) -> None:
    remember(vault)
    theo = vault.add(Person(name="Theo"))
    purchase = vault.add(Purchase(title="Dinosaur book", on=TODAY, category="books"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, MeScreen)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, PickPersonDialog)
        app.screen.query_one("#who").value = theo.id
        await click(pilot, "#save")
        await settle(pilot)
        await pilot.press("n")  # and "don't use for personalization"
        await settle(pilot)
    with reopen(vault_path) as check:
        stored = check.get(Purchase, purchase.id)
        assert stored.gift_for == theo.id
        assert stored.personalize is False


async def test_remove_my_interest_asks_first(make, vault, vault_path) -> None:
    from profilekeeper.model import Interest

    remember(vault)
    vault.add(Interest(category="music", name="Synth pop"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "x")
        assert isinstance(app.screen, ConfirmDialog)
        await click(pilot, "#yes")
        await settle(pilot)
    with reopen(vault_path) as check:
        assert check.count(Interest) == 0


# -- settings ----------------------------------------------------------------------------------


async def test_change_passphrase(make, vault, vault_path) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "4", "c")
        await fill(pilot, old=PASSPHRASE, new="brand new phrase", again="brand new phrase!")
        await click(pilot, "#ok")
        assert "differ" in error_text(app)
        await fill(pilot, again="brand new phrase")
        await click(pilot, "#ok")
        await settle(pilot)
    from profilekeeper.store.vault import Vault

    with Vault.open(vault_path) as check:
        check.unlock("brand new phrase")


async def test_change_passphrase_with_wrong_old_one_reports_and_keeps(make, vault,
                                                                      vault_path) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "4", "c")
        await fill(pilot, old="wrong one", new="brand new phrase", again="brand new phrase")
        await click(pilot, "#ok")
        await settle(pilot)
        assert any("wrong passphrase" in n.message for n in notifications(app))
    with reopen(vault_path):
        pass  # the old passphrase still opens it


async def test_rotate_key_keeps_records_and_refreshes_keyring(make, vault, vault_path) -> None:
    remember(vault)
    vault.add(Person(name="Sam"))
    old_key = vault.data_key
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "4", "r")
        await fill(pilot, current=PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
    with reopen(vault_path) as check:
        assert check.data_key != old_key
        assert keys.recall(check.vault_id) == check.data_key
        assert find_person(check, "Sam")


async def test_a_rotation_whose_keyring_fails_stops_trusting_the_copy_as_the_cli_does(
    make, vault, vault_path, memory_keyring
) -> None:
    """`rotate-key` and Settings' rotation are one service: a keyring that fails to take the
    new key leaves a stale copy, so the vault must stop saying a key is remembered."""
    from keyring.errors import KeyringLocked

    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)

        def locked(*_: object) -> None:
            raise KeyringLocked("locked")

        memory_keyring.set_password = locked  # type: ignore[method-assign]
        await pilot.press("r")
        await settle(pilot)
        await fill(pilot, current=PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
    with reopen(vault_path) as check:
        assert not check.header.remembered  # commands ask for the passphrase, not a stale key


async def test_opt_out_and_forget_from_settings(make, vault, vault_path) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert str(_greeting(app)).startswith("Hello, Ann.")  # opted in: no "Welcome back"
        await pilot.press("4")
        await settle(pilot)
        await click(pilot, "#opted-in")
        await settle(pilot)
        await click(pilot, "#remember")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        # Opted out, the only personalization left is "Welcome back!".
        assert str(_greeting(app)).startswith("Welcome back, Ann!")
    with reopen(vault_path) as check:
        assert check.profile().opted_in is False
        assert not check.header.remembered
        assert keys.recall(check.vault_id) is None


async def test_leap_day_setting_moves_a_29_february_birthday(make, vault, vault_path) -> None:
    from textual.widgets import Select

    remember(vault)
    leo = vault.add(Person(name="Leo"))
    vault.add(Occasion(kind="birthday", month=2, day=29, person_id=leo.id))
    app = make_app(vault_path, kdf=FAST_KDF, today=lambda: date(2027, 2, 20))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Sun 28 Feb" in str(app.screen.query_one("#upcoming").get_row_at(0)[0])
        await pilot.press("4")
        await settle(pilot)
        select = app.screen.query_one("#leap-day", Select)
        assert select.value == "feb28"
        select.focus()
        await pilot.press("enter", "down", "enter")  # open the list, pick "1 March"
        await settle(pilot)
        assert select.value == "mar1"
        await pilot.press("1")
        await settle(pilot)
        assert "Mon 01 Mar" in str(app.screen.query_one("#upcoming").get_row_at(0)[0])
    with reopen(vault_path) as check:
        assert check.profile().settings["leap_day"] == "mar1"


async def test_notify_command_and_lead_days_from_settings(make, vault, vault_path) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await fill(pilot, **{"notify-command": "notify-send %s"})
        await pilot.press("enter")
        await fill(pilot, **{"lead-birthday": "soon"})
        await pilot.press("enter")
        await settle(pilot)
        assert any("lead times are whole days" in n.message for n in notifications(app))
        await fill(pilot, **{"lead-birthday": "21,0"})
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#lead-birthday", Input).value == "21,0"
    with reopen(vault_path) as check:
        settings = check.profile().settings
        assert settings["notify.command"] == "notify-send %s"
        assert settings["lead_days"] == {"birthday": [21, 0]}


async def test_export_and_import_from_the_palette(make, vault, vault_path, tmp_path) -> None:
    remember(vault)
    vault.add(Person(name="Sam"))
    target = tmp_path / "out.json"
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "Export JSON")
        await settle(pilot)
        assert "NOT encrypted" in str(app.screen.query_one(".warning", Static).render())
        await fill(pilot, path=str(target))
        await pilot.press("enter")
        await settle(pilot)
    assert target.stat().st_mode & 0o777 == 0o600
    assert "Sam" in target.read_text()


async def test_import_contacts_and_export_calendar(make, vault, vault_path, tmp_path) -> None:
    remember(vault)
    cards = tmp_path / "contacts.vcf"
    cards.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:zoe-1\r\nFN:Zoë Example\r\nN:Example;Zoë;;;\r\n"
        "BDAY:--0721\r\nEND:VCARD\r\n", encoding="utf-8")
    calendar = tmp_path / "gifts.ics"
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await app.run_action("file_task('import-vcf')", app.screen)
        await settle(pilot)
        await fill(pilot, path=str(cards))
        await pilot.press("enter")
        await settle(pilot)
        await app.run_action("file_task('export-ics')", app.screen)
        await settle(pilot)
        await fill(pilot, path=str(calendar))
        await pilot.press("enter")
        await settle(pilot)
    with reopen(vault_path) as check:
        zoe = find_person(check, "Zoë Example")
        [birthday] = check.list(Occasion, person_id=zoe.id)
        assert (birthday.month, birthday.day) == (7, 21)
    assert b"BEGIN:VEVENT" in calendar.read_bytes()


async def test_mouse_on_the_top_line_switches_section(make, vault) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        nav = str(app.screen.query_one("#nav", Static).render())
        assert "7 Suggestions" in nav  # all seven fit 80 columns (without the brand)
        await pilot.click("#nav", offset=(nav.index("3 People") + 2, 0))
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)


async def test_people_search_filters_the_list(make, vault) -> None:
    remember(vault)
    for name in ("Sam", "Maya", "Samira"):
        vault.add(Person(name=name))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "3", "slash", "s", "a", "m")
        assert app.screen.query_one("#people").row_count == 2


async def test_a_damaged_record_is_reported_not_a_crash(make, vault, vault_path) -> None:
    import sqlite3

    remember(vault)
    sam = vault.add(Person(name="Sam"))
    vault.add(Occasion(kind="birthday", month=3, day=14, person_id=sam.id))
    vault.close()
    with sqlite3.connect(vault_path) as db:  # flip one byte of the occasion's sealed value
        sealed = bytearray(db.execute("select sealed from occasions").fetchone()[0])
        sealed[-1] ^= 1
        db.execute("update occasions set sealed = ?", (bytes(sealed),))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        upcoming = app.screen.query_one("#upcoming")  # the occasion: a marked row in its place
        assert [str(upcoming.get_row_at(0)[0])] == ["⚠ unreadable record"]
        assert any("1 record(s) could not be read" in n.message for n in notifications(app))


async def test_a_file_that_is_not_a_vault_is_said_plainly(make, vault_path) -> None:
    vault_path.write_bytes(b"not a database at all, just some bytes" * 100)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "could not be opened" in str(app.screen.query_one("#status", Static).render())
        assert any("not a profilekeeper vault" in n.message for n in notifications(app))


async def test_first_run_failure_lets_you_try_again(make, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    app = make(blocker / "vault.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await fill(pilot, new="a long enough phrase", again="a long enough phrase")
        await click(pilot, "#create")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert not app.screen.query_one("#create").disabled
        assert notifications(app)
