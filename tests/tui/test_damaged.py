"""Acting on a record that fails authentication says so plainly and keeps the app running.

Each test damages a record in the real vault file (one flipped byte of its sealed value), some
while the app is showing it, then triggers an action, a handler or a dialog's callback that
reads it. Without the guard in screens/base.py each of these reached Textual's crash path.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

from profilekeeper.model import Gift, GiftStatus, Interest, Occasion, Person, Purchase
from profilekeeper.screens.dialogs import ConfirmDialog, DeletePersonDialog, SnoozeDialog
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.me import MeScreen
from profilekeeper.screens.people import PeopleScreen
from profilekeeper.screens.person import PersonScreen
from profilekeeper.services.views import DAMAGED_WHY, UNREADABLE_MARK
from tests.tui.conftest import notifications, reopen
from tests.tui.test_flows import SIZE, click, error_text, remember, settle

SECRETS = ("Sam Secret", "Diamond ring", "Jazz records", "Dinosaur book")
"""What the records hold: none of it may appear in a notification."""


def damage(path, table, record_id):
    """Flip one byte of the record's sealed value, as a bad disk or a stray edit would."""
    with closing(sqlite3.connect(path)) as db, db:
        (sealed,) = db.execute(f"SELECT sealed FROM {table} WHERE id = ?", (record_id,)).fetchone()
        flipped = bytearray(sealed)
        flipped[-1] ^= 1
        db.execute(f"UPDATE {table} SET sealed = ? WHERE id = ?", (bytes(flipped), record_id))
        return bytes(flipped)


def sealed(path, table, record_id):
    with closing(sqlite3.connect(path)) as db:
        return db.execute(f"SELECT sealed FROM {table} WHERE id = ?", (record_id,)).fetchone()[0]


def said_plainly(app, table, why="is corrupted (it failed authentication)"):
    """The app runs on, said what failed, and named nothing the records hold."""
    assert app.is_running and app.return_code is None
    errors = [n.message for n in notifications(app) if n.severity == "error"]
    assert any(why in m and (f"record {table}/" in m or table in m) for m in errors), errors
    for n in notifications(app):
        assert not any(secret in n.message or secret in n.title for secret in SECRETS)


def sam_with_birthday(vault):
    remember(vault)
    sam = vault.add(Person(name="Sam Secret"))
    birthday = vault.add(Occasion(kind="birthday", month=3, day=14, year=1986, person_id=sam.id))
    return sam, birthday


async def open_sam_from_people(pilot):
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PersonScreen)


async def test_a_damaged_person_opened_from_home_cannot_be_edited_or_deleted(
    make, vault, vault_path
) -> None:
    sam, _ = sam_with_birthday(vault)
    vault.close()
    damaged = damage(vault_path, "people", sam.id)  # the birthday still shows on Home
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        app.screen.query_one("#due").focus()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        for key in ("e", "D"):  # edit and delete read the person first
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, PersonScreen)  # no form, no question
        said_plainly(app, "people")
    assert sealed(vault_path, "people", sam.id) == damaged  # left as it was
    with reopen(vault_path) as check:
        assert len(check.list(Person).corrupted) == 1
        assert check.count(Occasion) == 1


async def test_removing_a_date_whose_gift_is_damaged_removes_nothing(
    make, vault, vault_path
) -> None:
    sam, birthday = sam_with_birthday(vault)
    ring = vault.add(
        Gift(
            title="Diamond ring",
            person_id=sam.id,
            occasion_id=birthday.id,
            status=GiftStatus.GIVEN,
            on=date(2025, 3, 14),
        )
    )
    vault.close()
    damage(vault_path, "gifts", ring.id)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_sam_from_people(pilot)
        app.screen.query_one("#dates").focus()
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await click(pilot, "#yes")  # the callback runs after the dialog has gone
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.query_one("#dates").row_count == 1
        said_plainly(app, "gifts")
    with reopen(vault_path) as check:  # one transaction: the date and its gift both stay
        assert [o.id for o in check.list(Occasion)] == [birthday.id]
        assert check.count(Gift) == 1


async def test_deleting_a_person_whose_gift_is_damaged(make, vault, vault_path) -> None:
    sam, _ = sam_with_birthday(vault)
    ring = vault.add(Gift(title="Diamond ring", person_id=sam.id, status=GiftStatus.GIVEN))
    vault.close()
    damage(vault_path, "gifts", ring.id)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_sam_from_people(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DeletePersonDialog)
        assert app.screen.gift_count == 1  # the damaged one counts: it is theirs too
        await click(pilot, "#keep")  # a damaged gift cannot be copied out of them
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        said_plainly(app, "gifts")
        with reopen(vault_path) as check:
            assert [p.name for p in check.list(Person)] == ["Sam Secret"]
            assert check.count(Gift) == 1
        await pilot.press("D")
        await settle(pilot)
        await click(pilot, "#delete")  # deleting them with the person still works
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
    with reopen(vault_path) as check:
        assert (check.count(Person), check.count(Occasion), check.count(Gift)) == (0, 0, 0)


async def test_people_counts_a_damaged_gift_when_deleting(make, vault, vault_path) -> None:
    sam, _ = sam_with_birthday(vault)
    ring = vault.add(Gift(title="Diamond ring", person_id=sam.id, status=GiftStatus.GIVEN))
    vault.close()
    damage(vault_path, "gifts", ring.id)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, DeletePersonDialog)
        assert app.screen.gift_count == 1  # so it asks what to do with the gifts
        await click(pilot, "#delete")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
    with reopen(vault_path) as check:
        assert (check.count(Person), check.count(Gift)) == (0, 0)


async def test_a_damaged_profile_still_unlocks(make, vault, vault_path) -> None:
    remember(vault)  # the profile now has a name and the opt-in answer
    vault.close()
    damage(vault_path, "profile", "me")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.unlocked
        assert app.idle_minutes() > 0  # the default, as the setting cannot be read
        table = app.screen.query_one("#upcoming")
        marks = [[str(c) for c in table.get_row(key)] for key in table.rows]
        assert marks == [[UNREADABLE_MARK, "profile/me", DAMAGED_WHY]]  # in Home's list
        said_plainly(app, "record", why="could not be read and are marked")


async def test_a_reminder_damaged_since_home_listed_it(make, vault, vault_path) -> None:
    _, birthday = sam_with_birthday(vault)
    vault.close()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#due").focus()
        damaged = damage(vault_path, "occasions", birthday.id)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        said_plainly(app, "occasions")
        await pilot.press("z")  # the dialog saves, so it says so in place
        await settle(pilot)
        assert isinstance(app.screen, SnoozeDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SnoozeDialog)
        assert "failed authentication" in error_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.is_running
    assert sealed(vault_path, "occasions", birthday.id) == damaged  # nothing written over it


async def test_selecting_a_line_damaged_since_it_was_listed(make, vault, vault_path) -> None:
    sam, _ = sam_with_birthday(vault)
    jazz = vault.add(Interest(category="music", name="Jazz records", person_id=sam.id))
    vault.close()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await open_sam_from_people(pilot)
        await pilot.press("i")  # shows the Interests tab (and asks for a new one)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app.screen.query_one("#interests").focus()
        damage(vault_path, "interests", jazz.id)
        await pilot.press("enter")  # a message handler: open the line's form
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        said_plainly(app, "interests")


async def test_a_purchase_damaged_since_me_listed_it(make, vault, vault_path) -> None:
    remember(vault)
    book = vault.add(Purchase(title="Dinosaur book", on=date(2026, 2, 1)))
    vault.close()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("g")  # shows Purchases, then asks who it was a gift for
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        damage(vault_path, "purchases", book.id)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, MeScreen)
        said_plainly(app, "purchases")


def zero_a_page_of(path, table):
    """Zero one 4 KiB page in the middle of ``table``, as a bad sector would; return how many
    records were on it."""
    with closing(sqlite3.connect(path)) as db:
        leaves = db.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        ).fetchall()
    assert len(leaves) >= 3
    pageno, on_it = leaves[len(leaves) // 2]
    with open(path, "r+b") as handle:
        handle.seek((pageno - 1) * 4096)
        handle.write(bytes(4096))
    return on_it


async def test_home_shows_the_rest_of_a_damaged_table_and_says_so(make, vault, vault_path) -> None:
    remember(vault)
    friends = [Person(name=f"Friend {i}", notes="x" * 150) for i in range(200)]
    vault.add_all(friends)
    vault.add_all(Occasion(kind="birthday", month=3, day=20, person_id=p.id) for p in friends)
    vault.close()
    lost = zero_a_page_of(vault_path, "occasions")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.unlocked
        shown = sum(app.screen.query_one(t).row_count for t in ("#due", "#upcoming"))
        assert shown == 200 - lost  # every birthday but the ones on the damaged page
        said_plainly(app, "occasions", why="The vault file is damaged (table occasions)")
        notice = next(n for n in notifications(app) if "damaged" in n.message)
        assert "profilekeeper import" in notice.message and notice.severity == "error"


async def test_people_lists_the_rest_of_a_damaged_table_and_says_so(
    make, vault, vault_path
) -> None:
    remember(vault)
    vault.add_all(Person(name=f"Friend {i}", notes="x" * 150) for i in range(200))
    vault.close()
    lost = zero_a_page_of(vault_path, "people")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert app.screen.query_one("#people").row_count == 200 - lost
        said_plainly(app, "people", why="The vault file is damaged (table people)")


async def test_a_key_rotated_by_another_program_locks_the_app_instead_of_saying_corrupted(
    make, vault, vault_path
) -> None:
    from profilekeeper.screens.unlock import UnlockScreen
    from profilekeeper.store.vault import Vault
    from tests.conftest import PASSPHRASE

    sam_with_birthday(vault)
    vault.close()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        with Vault.open(vault_path) as other:  # `profilekeeper rotate-key` from cron, say
            other.unlock(PASSPHRASE)
            other.rotate_key(PASSPHRASE)
        await pilot.press("3")  # People reads the vault again, under the key it holds
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen), app.screen
        assert app.vault is not None and not app.vault.is_unlocked
        errors = [n.message for n in notifications(app) if n.severity == "error"]
        assert any("unlock the vault again" in m for m in errors), errors
        assert not any("corrupted" in m for m in errors), errors


async def test_people_marks_a_person_whose_record_fails_authentication(
    make, vault, vault_path
) -> None:
    """The tamper sweep's sample in the app (benchmarks/guarantee_tamper.py flips every byte):
    a byte flipped anywhere in a person's ciphertext leaves a marked row under that record's id,
    the others listed as before, and a notice naming no one."""
    remember(vault)
    people = [vault.add(Person(name=f"Friend {i}", relationship="friend")) for i in range(3)]
    vault.close()
    victim = people[1]
    pristine = sealed(vault_path, "people", victim.id)
    for offset in (0, 13, len(pristine) - 1):  # the version byte, the body, the tag
        flipped = bytearray(pristine)
        flipped[offset] ^= 1 << (offset % 8)
        with closing(sqlite3.connect(vault_path)) as db, db:
            db.execute("UPDATE people SET sealed = ? WHERE id = ?", (bytes(flipped), victim.id))
        app = make()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            table = app.screen.query_one("#people")
            rows = {key.value: [str(c) for c in table.get_row(key)] for key in table.rows}
            assert rows.pop(victim.id) == [UNREADABLE_MARK, f"people/{victim.id}", DAMAGED_WHY]
            assert sorted(r[0] for r in rows.values()) == ["Friend 0", "Friend 2"], offset
            notice = [n for n in notifications(app) if "could not be read" in n.message]
            assert notice and notice[0].message.startswith("1 record(s)")
            for n in notifications(app):
                assert "Friend 1" not in n.message


async def test_a_changed_key_check_is_said_on_the_unlock_screen(make, vault, vault_path) -> None:
    """The keyring's key is refused by a flipped key check, and so is the passphrase: the
    unlock screen says the key table was changed, in place, and nothing opens."""
    from profilekeeper.screens.unlock import UnlockScreen
    from tests.conftest import PASSPHRASE
    from tests.tui.test_flows import fill

    sam_with_birthday(vault)  # remembered on this device, too
    vault.close()
    with closing(sqlite3.connect(vault_path)) as db, db:
        (check,) = db.execute("SELECT key_check FROM vault_header").fetchone()
        db.execute("UPDATE vault_header SET key_check = ?", (check[:-1] + bytes([check[-1] ^ 4]),))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "out of date" in str(app.screen.query_one("#status").render())  # the keyring's
        await fill(pilot, passphrase=PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and not app.unlocked and app.is_running
        said = error_text(app)
        assert said.startswith("The vault file is damaged (its key table was changed"), said
        assert "restore" in said
