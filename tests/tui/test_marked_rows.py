"""Every list in the app marks a record it cannot open with a row of its own, in its place.

The tamper sweep in the app (benchmarks/guarantee_tamper.py flips every byte through the
store and the CLI): a byte of a record's ciphertext flipped in the real vault file, then the
screen that lists it opened through Pilot. The record's row is the mark (its table and id,
what to do), the others are listed as before, one notice says how many, naming no one, and
the app runs on (no traceback: screens/base.py would have turned one into a notice).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from decimal import Decimal

from textual.widgets import Select, Static

from profilekeeper.model import (
    Gift,
    GiftStatus,
    Interest,
    Occasion,
    Person,
    Purchase,
    Retailer,
    Sentiment,
    Suggestion,
)
from profilekeeper.screens.activity import ActivityScreen
from profilekeeper.screens.me import MeScreen
from profilekeeper.screens.person import PersonScreen
from profilekeeper.screens.sharing import SharingScreen
from profilekeeper.screens.suggestions import SuggestionsScreen
from profilekeeper.services.views import DAMAGED_WHY, UNREADABLE_MARK
from tests.tui.conftest import notifications
from tests.tui.sharing_data import fill_sharing
from tests.tui.test_flows import remember, settle

WIDE = (140, 30)


def flip(path, table, record_id, offset=13):
    """Flip one bit of the record's stored ciphertext (at ``offset``, from the end if < 0)."""
    with closing(sqlite3.connect(path)) as db, db:
        (sealed,) = db.execute(f"SELECT sealed FROM {table} WHERE id = ?", (record_id,)).fetchone()
        damaged = bytearray(sealed)
        damaged[offset] ^= 1 << (offset % 8)
        db.execute(f"UPDATE {table} SET sealed = ? WHERE id = ?", (bytes(damaged), record_id))


def rows_of(screen, table_id):
    table = screen.query_one(f"#{table_id}")
    return {key.value: [str(cell) for cell in table.get_row(key)] for key in table.rows}


def marked(table, record_id, columns):
    """The marked row a list of ``columns`` columns shows for the record."""
    return [UNREADABLE_MARK, f"{table}/{record_id}", *[""] * (columns - 3), DAMAGED_WHY]


async def opened(pilot, key, screen_class):
    """The screen ``key`` opens from Home, once the app has settled."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, screen_class)
    return pilot.app.screen


def told_once(app, count, *secrets):
    """One notice of ``count`` marked records (each screen says its own), naming none of what
    the records hold."""
    assert app.is_running and app.return_code is None
    said = [n for n in notifications(app) if n.title == "Unreadable records"
            and n.message.startswith(f"{count} record(s)")]  # fmt: skip
    assert len(said) == 1, said
    assert said[0].message.startswith(f"{count} record(s) could not be read and are marked")
    assert said[0].severity == "error"
    for n in notifications(app):
        assert not any(s in n.message for s in secrets), n.message


async def test_home_marks_an_unreadable_occasion_and_gift_in_its_list(
    make, vault, vault_path
) -> None:
    """Home reads the window's occasions and their people's gifts: one it cannot open is a
    marked row in the next 60 days (after the others, which show as ever); acting on it says
    what it is, and the notice names no one."""
    from profilekeeper.screens.home import HomeScreen

    remember(vault)
    sam = vault.add(Person(name="Sam Secret"))
    birthday, anniversary = (vault.add(Occasion(kind=k, month=3, day=d, person_id=sam.id))
                             for k, d in (("birthday", 14), ("anniversary", 20)))  # fmt: skip
    ring = vault.add(Gift(title="Diamond ring", person_id=sam.id, status=GiftStatus.IDEA,
                          occasion_id=birthday.id))  # fmt: skip
    vault.close()
    flip(vault_path, "occasions", anniversary.id)
    flip(vault_path, "gifts", ring.id, offset=-1)
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        upcoming = rows_of(screen, "upcoming")
        assert upcoming.pop(anniversary.id) == marked("occasions", anniversary.id, 3)
        assert upcoming.pop(ring.id) == marked("gifts", ring.id, 3)
        assert [r[1] for r in upcoming.values()] == ["Sam Secret's birthday"]
        told_once(app, 2, "Sam Secret", "Diamond ring")
        table = screen.query_one("#upcoming")
        table.focus()
        table.move_cursor(row=table.get_row_index(anniversary.id))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any(n.message == f"{UNREADABLE_MARK} (occasions/{anniversary.id}): {DAMAGED_WHY}"
                   for n in notifications(app))  # fmt: skip


async def test_me_marks_an_unreadable_interest_and_purchase(make, vault, vault_path) -> None:
    remember(vault)
    jazz, opera = (vault.add(Interest("music", name, Sentiment.LOVE)) for name in ("Jazz", "Opera"))
    book, lamp = (vault.add(Purchase(title=t, on=date(2026, 2, d), price=Decimal("12")))
                  for t, d in (("Dinosaur book", 1), ("Desk lamp", 2)))  # fmt: skip
    vault.close()
    flip(vault_path, "interests", jazz.id)
    flip(vault_path, "purchases", lamp.id, offset=-1)
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        screen = await opened(pilot, "2", MeScreen)
        interests = rows_of(screen, "interests")
        assert interests.pop(jazz.id) == marked("interests", jazz.id, 3)
        assert interests == {opera.id: ["music", "Opera", "love"]}
        purchases = rows_of(screen, "purchases")
        assert purchases.pop(lamp.id) == marked("purchases", lamp.id, 5)
        assert [r[1] for r in purchases.values()] == ["Dinosaur book"]
        await pilot.press("g")  # shows Purchases (and asks whom the book was a gift for)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen.query_one("#purchases").move_cursor(row=1)  # the mark: acting on it says why
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MeScreen)
        assert any("purchases/" in n.message and "failed authentication" in n.message
                   for n in notifications(app))  # fmt: skip
        screen.safe_reload()  # the same marks again: not said again
        await settle(pilot)
        told_once(app, 2, "Jazz", "Desk lamp")


async def test_me_shows_the_rest_when_the_profile_cannot_be_read(make, vault, vault_path) -> None:
    remember(vault)
    opera = vault.add(Interest("music", "Opera", Sentiment.LIKE))
    vault.close()
    flip(vault_path, "profile", "me")
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        screen = await opened(pilot, "2", MeScreen)
        about = str(screen.query_one("#about", Static).render())
        assert about == f"{UNREADABLE_MARK} (profile/me): {DAMAGED_WHY}"
        assert rows_of(screen, "interests") == {opera.id: ["music", "Opera", "like"]}


async def test_a_persons_tabs_mark_each_unreadable_record(make, vault, vault_path) -> None:
    remember(vault)
    sam = vault.add(Person(name="Sam Secret", sizes={"shirt": "M"}))
    birthday, name_day = (vault.add(Occasion(kind=k, month=m, day=9, person_id=sam.id))
                          for k, m in (("birthday", 5), ("name day", 7)))  # fmt: skip
    chess, golf = (vault.add(Interest("games", n, Sentiment.LOVE, person_id=sam.id))
                   for n in ("Chess", "Golf"))  # fmt: skip
    kite = vault.add(Gift(title="Kite", person_id=sam.id, status=GiftStatus.IDEA))
    ring = vault.add(Gift(title="Diamond ring", person_id=sam.id, status=GiftStatus.IDEA))
    scarf = vault.add(Gift(title="Scarf", person_id=sam.id, status=GiftStatus.GIVEN,
                           on=date(2025, 5, 9), occasion_id=birthday.id))  # fmt: skip
    vault.close()
    flip(vault_path, "occasions", name_day.id)
    flip(vault_path, "interests", golf.id, offset=0)  # the version byte
    flip(vault_path, "gifts", ring.id, offset=-1)  # the tag
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen)
        assert "sizes shirt M" in str(screen.query_one("#summary", Static).render())
        dates = rows_of(screen, "dates")
        assert dates.pop(name_day.id) == marked("occasions", name_day.id, 4)
        assert [r[0] for r in dates.values()] == ["birthday"]
        interests = rows_of(screen, "interests")
        assert interests.pop(golf.id) == marked("interests", golf.id, 3)
        assert [r[1] for r in interests.values()] == ["Chess"]
        # Whether the gift was an idea or given is sealed with it: marked in both lists.
        ideas, history = rows_of(screen, "ideas"), rows_of(screen, "history")
        assert ideas.pop(ring.id) == marked("gifts", ring.id, 3)
        assert history.pop(ring.id) == marked("gifts", ring.id, 4)
        assert [r[0] for r in ideas.values()] == ["Kite"] and kite.id in ideas
        assert history == {scarf.id: ["2025", "birthday", "Scarf", "given"]}
        told_once(app, 3, "Sam Secret", "Golf", "Diamond ring")
        screen.query_one("#tabs").active = "tab-ideas"
        await settle(pilot)
        screen.query_one("#ideas").focus()
        screen.query_one("#ideas").move_cursor(row=1)
        await pilot.press("enter")  # open the marked gift's form: said plainly, no form
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.is_running


async def test_activity_marks_an_unreadable_record(make, vault, vault_path) -> None:
    remember(vault)
    fill_sharing(vault)
    vault.close()
    flip(vault_path, "share_records", "rec-2")
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        screen = await opened(pilot, "6", ActivityScreen)
        log = rows_of(screen, "log")
        assert list(log) == ["rec-3", "rec-1", "rec-2"]  # the rest newest first, then the mark
        assert log["rec-2"] == marked("share_records", "rec-2", 5)
        table = screen.query_one("#log")
        table.focus()
        table.move_cursor(row=2)
        await settle(pilot)
        detail = str(screen.query_one("#record-detail", Static).render())
        assert detail == f"{UNREADABLE_MARK} (share_records/rec-2): {DAMAGED_WHY}"
        told_once(app, 1)
        shop = screen.shown_log.shops[0][0]
        screen.query_one("#shop-filter", Select).value = shop  # whose it is cannot be known
        await settle(pilot)
        assert "rec-2" not in rows_of(screen, "log")


async def test_sharing_marks_an_unreadable_shop_and_grant(make, vault, vault_path) -> None:
    """An unreadable shop or grant is a marked row in the shops list (the grid's rows are
    slices, not records): the other shop is listed, selectable and previewed as before, and
    the cursor resting on a mark selects no shop."""
    remember(vault)
    fill_sharing(vault, with_grants=True)
    vault.close()
    flip(vault_path, "retailers", "shop-2")
    flip(vault_path, "grants", "grant-3")
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        screen = await opened(pilot, "5", SharingScreen)
        shops = rows_of(screen, "shops")
        assert list(shops)[0] == "shop-1" and "shop-2" not in [s.id for s in screen._grid.shops]
        assert shops["shop-2"] == marked("retailers", "shop-2", 4)
        assert shops["grant-3"] == marked("grants", "grant-3", 4)
        told_once(app, 2)
        table = screen.query_one("#shops")
        table.focus()
        table.move_cursor(row=list(shops).index("grant-3"))
        await settle(pilot)
        assert screen._shop_id == "shop-1" and app.is_running


async def test_suggestions_marks_an_unreadable_one(make, vault, vault_path) -> None:
    remember(vault)
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    blue, wool = (vault.add(Suggestion(shop.id, n, "product", t)) for n, t in
                  (("1", "Blue Nights"), ("2", "Wool socks")))  # fmt: skip
    vault.close()
    flip(vault_path, "suggestions", wool.id)
    app = make()
    async with app.run_test(size=WIDE) as pilot:
        screen = await opened(pilot, "7", SuggestionsScreen)
        shown = rows_of(screen, "suggestions")
        assert shown.pop(wool.id) == marked("suggestions", wool.id, 4)
        assert [r[1] for r in shown.values()] == ["Blue Nights"] and blue.id in shown
        told_once(app, 1, "Wool")
        await pilot.press("h")  # the hidden ones: none, and no mark (it is not hidden)
        await settle(pilot)
        assert rows_of(screen, "suggestions") == {}
