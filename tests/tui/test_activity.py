"""The Activity screen: every record, newest first, filterable by shop, what was sent."""

from __future__ import annotations

import html
import re

from textual.pilot import Pilot
from textual.widgets import Select, Static

from profilekeeper.model import ReceiptStatus, ShareRecord
from profilekeeper.screens.activity import ActivityScreen
from profilekeeper.widgets.table import RecordTable
from tests.tui.conftest import notifications, reopen
from tests.tui.sharing_data import HOSTILE_SHOWN, PAYLOAD, fill_sharing
from tests.tui.test_flows import SIZE, remember, settle


async def open_activity(pilot: Pilot[None]) -> ActivityScreen:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ActivityScreen)
    return screen


def on_screen(app: object) -> str:
    """The terminal's text, as a user reads it (the screenshot's SVG, its markup removed)."""
    svg = app.export_screenshot()  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def rows(screen: ActivityScreen) -> list[str]:
    table = screen.query_one("#log", RecordTable)
    return [str(key.value) for key in table.rows]


def detail(screen: ActivityScreen) -> str:
    return str(screen.query_one("#record-detail", Static).render())


async def test_every_record_newest_first_and_what_a_share_sent(make, vault, vault_path) -> None:
    remember(vault)
    fill_sharing(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_activity(pilot)
        assert rows(screen) == ["rec-3", "rec-2", "rec-1"]
        await pilot.press("down")
        await pilot.pause()
        shown = detail(screen)
        assert PAYLOAD in shown  # the exact bytes, unchanged
        # Its 30 days have passed (the clock is the real one here): expired, as `share log` says.
        assert "receipt r-0001 (expired)" in shown
        assert "exactly what was sent" in shown
        assert notifications(app) == []
    with reopen(vault_path) as stored:
        assert stored.get(ShareRecord, "rec-2").receipt_status == ReceiptStatus.EXPIRED


async def test_filter_by_shop_keyboard_and_mouse(make, vault) -> None:
    remember(vault)
    fill_sharing(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_activity(pilot)
        select = screen.query_one("#shop-filter", Select)
        await pilot.press("f")
        assert select.has_focus
        select.value = "shop-1"
        await pilot.pause()
        assert rows(screen) == ["rec-2", "rec-1"]
        await pilot.click("#shop-filter")
        await pilot.pause()
        select.value = ""
        await pilot.pause()
        assert rows(screen) == ["rec-3", "rec-2", "rec-1"]


async def test_shop_text_is_never_markup_nor_escape_sequences(make, vault) -> None:
    remember(vault)
    fill_sharing(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_activity(pilot)
        shown = detail(screen)  # rec-3, the hostile shop's, is first
        assert HOSTILE_SHOWN in shown and "[blink]127.0.0.1[/blink]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        table = screen.query_one("#log", RecordTable)
        cell = table.get_row("rec-3")[1]
        assert cell.plain == HOSTILE_SHOWN and not cell.spans  # shown as written, unstyled
        assert HOSTILE_SHOWN in on_screen(app)


async def test_a_persons_slice_is_named_by_whom_it_was_about(make, vault) -> None:
    """A share names each person's slice by the ref the shop knows them by (people.<ref>): the
    screen shows whom it was about, for people still here, and the exact bytes as sent."""
    from profilekeeper.model import Activity, Person
    from profilekeeper.sync.refs import person_ref
    from tests.tui.sharing_data import AT, shop

    remember(vault)
    books = vault.add(shop("Books & Records", 1))
    sam = vault.add(Person(name="Sam [b]Okafor[/b]"))
    ref, gone = person_ref(books.ref_key, sam.id), "0" * 26  # gone: someone removed since
    vault.add(ShareRecord(retailer_id=books.id, sent_at=AT, action=Activity.SHARE,
                          shop_name=books.name, slices=["greeting", f"people.{ref}",
                                                        f"people.{gone}"],
                          payload=f'{{"people.{ref}": {{}}}}', id="rec-p"))  # fmt: skip
    app = make()
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await open_activity(pilot)
        table = screen.query_one("#log", RecordTable)
        assert str(table.get_row("rec-p")[-1]) == "greeting, people: Sam [b]Okafor[/b], pe…"
        shown = detail(screen)
        assert f"slices: greeting, people: Sam [b]Okafor[/b], people.{gone}" in shown
        assert f'"people.{ref}"' in shown  # what was sent, as sent
