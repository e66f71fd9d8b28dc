"""The Sharing screen against real shops: the reference server on 127.0.0.1, a real vault file.

Connect a shop from the screen, grant a slice and watch the preview's bytes change, sync and
find the share in the activity log with exactly those bytes, revoke and see the shop drop it,
forget it; a shop that does not answer is said, shop by shop, and the app keeps running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sharing_shops import links_in, reference_shop, refusing_shop
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Button, Static
from textual.widgets.data_table import ColumnKey

from profilekeeper import services
from profilekeeper.demo import fill_demo
from profilekeeper.model import Activity, Grant, Outcome, Retailer, ShareRecord
from profilekeeper.screens import sharing
from profilekeeper.screens.dialogs import ConfirmDialog
from profilekeeper.screens.sharing import SharingScreen
from profilekeeper.screens.sharing_dialogs import (
    ConnectDialog,
    HoldsDialog,
    MinimumTermsDialog,
    UntilDialog,
)
from profilekeeper.sync.server import (
    DEFAULT_TERMS,
    RunningServer,
    ServerSettings,
    build_app,
    run_in_thread,
)
from profilekeeper.widgets.grant_grid import GrantGrid
from profilekeeper.widgets.table import RecordTable
from tests.tui.conftest import TODAY, notifications, reopen
from tests.tui.sharing_data import HOSTILE_NAME, HOSTILE_SHOWN, fill_sharing
from tests.tui.test_activity import on_screen
from tests.tui.test_flows import click, fill, remember, run_command, settle

SIZE = (100, 30)


@pytest.fixture
def shop_server(tmp_path: Path) -> Iterator[RunningServer]:
    with run_in_thread(f"sqlite:///{tmp_path / 'shop.sqlite3'}") as server:
        yield server


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """One "now" for the preview and the share, so a preview is the share byte for byte."""
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(sharing, "clock", lambda: now)
    return now


async def open_sharing(pilot: Pilot[None]) -> SharingScreen:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SharingScreen)
    return screen


async def connect(pilot: Pilot[None], url: str, name: str = "") -> None:
    """Look (enter in the form), then Connect (enter on the button it focuses) if offered."""
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConnectDialog)
    await fill(pilot, url=url, name=name)
    await pilot.press("enter")
    await settle(pilot)
    dialog = pilot.app.screen
    if isinstance(dialog, ConnectDialog) and not dialog.query_one("#ok", Button).disabled:
        assert dialog.focused is dialog.query_one("#ok", Button)
        await pilot.press("enter")
        await settle(pilot)


def preview(screen: SharingScreen) -> str:
    return str(screen.query_one("#preview-body", Static).render())


def state(screen: SharingScreen, shop_id: str) -> str:
    return str(screen.query_one("#shops", RecordTable).get_row(shop_id)[1])


async def to_cell(pilot: Pilot[None], slice_key: str, shop_id: str) -> None:
    grid = pilot.app.screen.query_one("#grid", GrantGrid)
    grid.focus()
    grid.cursor_coordinate = grid.get_cell_coordinate(slice_key, shop_id)
    await settle(pilot)


def sent_body(records: list[ShareRecord]) -> str:
    shares = [r for r in records if r.action == Activity.SHARE]
    assert shares and shares[-1].outcome == Outcome.OK, [r.reason for r in shares]
    return shares[-1].payload


async def test_connect_grant_preview_sync_revoke_and_the_log(
    make, vault, vault_path: Path, shop_server: RunningServer, fixed_now: datetime
) -> None:
    remember(vault)  # opted in, named Ann
    services.set_profile(vault, city="Tampere")  # type: ignore[arg-type]
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sharing(pilot)
        assert "Press c to connect" in preview(screen)
        await connect(pilot, shop_server.base_url)
        assert app.screen is screen, notifications(app)
        [shop] = app.vault.list(Retailer)  # type: ignore[union-attr]
        assert shop.link_id and shop.status.value == "connected"
        assert screen.query_one("#grid", GrantGrid).grid.shops[0].id == shop.id  # type: ignore[union-attr]
        nothing = preview(screen)
        assert '"slices":{}' in nothing  # linked: nothing shared until granted

        await to_cell(pilot, "greeting:", shop.id)
        about = str(screen.query_one("#slice-about", Static).render())
        assert about.startswith("First name: ") and len(about) > len("First name: ")
        await pilot.press("space")  # grant, with the keyboard
        await settle(pilot)
        greeting = preview(screen)
        assert '"greeting":{"first_name":"Ann"}' in greeting
        await to_cell(pilot, "location.city:", shop.id)
        await pilot.press("enter")  # grant, as a selected cell
        await settle(pilot)
        shown = preview(screen)
        assert '"greeting":{"first_name":"Ann"},"location.city":{"city":"Tampere"}' in shown

        await pilot.press("s")  # sync now
        await settle(pilot)
        assert state(screen, shop.id) == "✔ synced"
        records = services.activity_log(app.vault, shop.id)  # type: ignore[arg-type]
        body = sent_body(records)
        assert body in shown  # the preview was the share, byte for byte
        assert [r for r in records if r.action == Activity.SHARE][-1].echo_matches is True
        await pilot.press("h")  # what the shop holds, asked live
        await settle(pilot)
        assert isinstance(app.screen, HoldsDialog)
        held = str(app.screen.query_one("#held", Static).render())
        assert '"greeting":{"first_name":"Ann"}' in held and "2 slice(s)" in held
        await pilot.press("escape")
        await settle(pilot)

        await to_cell(pilot, "greeting:", shop.id)
        await pilot.press("space")  # revoke: the smaller profile goes at once
        await settle(pilot)
        assert state(screen, shop.id) == "✔ revoked"
        held = await services.what_shop_holds(app.vault, shop)  # type: ignore[arg-type]
        assert "greeting" not in held.slices

        await pilot.press("6")
        await settle(pilot)
        log = app.screen.query_one("#log", RecordTable)
        assert log.row_count == len(services.activity_log(app.vault))  # type: ignore[arg-type]
        assert "share" in on_screen(app) and "connect" in on_screen(app)
    with reopen(vault_path) as stored:
        grants = stored.list(Grant, retailer_id=shop.id)
        assert {g.slice for g in grants if g.revoked_at is None} == {"location.city"}


async def test_forget_a_shop_from_the_screen(make, vault, shop_server: RunningServer) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sharing(pilot)
        await connect(pilot, shop_server.base_url)
        [shop] = app.vault.list(Retailer)  # type: ignore[union-attr]
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await click(pilot, "#yes")
        await settle(pilot)
        assert app.screen is screen
        assert app.vault.list(Retailer) == []  # type: ignore[union-attr]
        [forget] = [r for r in services.activity_log(app.vault) if r.action == Activity.FORGET]  # type: ignore[arg-type]
        assert forget.outcome == Outcome.OK and forget.retailer_id == shop.id
        assert "Press c to connect" in preview(screen)


async def test_a_shop_that_does_not_answer_is_said_and_the_app_runs_on(
    make, vault, shop_server: RunningServer, tmp_path: Path
) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sharing(pilot)
        # Nothing listens there: the dialog says so and stays open.
        with RunningServer(build_app(f"sqlite:///{tmp_path / 'gone.sqlite3'}")) as gone:
            closed = gone.base_url
        await connect(pilot, closed)
        assert isinstance(app.screen, ConnectDialog)
        said = str(app.screen.query_one("#error", Static).render())
        assert "could not connect" in said.lower(), said
        await pilot.press("escape")
        await settle(pilot)
        # A linked shop that went away: sync says it of that shop only.
        await connect(pilot, shop_server.base_url)
        with RunningServer(build_app(f"sqlite:///{tmp_path / 'late.sqlite3'}")) as late:
            await connect(pilot, late.base_url, "Late shop")  # two reference shops: one name
        by_url = {s.base_url: s for s in app.vault.list(Retailer)}  # type: ignore[union-attr]
        assert set(by_url) == {shop_server.base_url, late.base_url}
        await pilot.press("s")
        await settle(pilot)
        assert state(screen, by_url[shop_server.base_url].id) == "✔ synced"
        assert state(screen, by_url[late.base_url].id) == "✘ unreachable"
        assert any(n.severity == "warning" and "1 failed" in n.message
                   for n in notifications(app))
        await pilot.press("p")  # still responsive
        await settle(pilot)
        assert app.screen is screen and app.is_running


async def test_a_shop_whose_terms_fall_below_the_minimum_is_refused_with_reasons(
    make, vault, tmp_path: Path
) -> None:
    remember(vault)
    greedy = ServerSettings(terms=DEFAULT_TERMS.model_copy(update={"retention_days": 400}))
    app = make()
    with RunningServer(build_app(f"sqlite:///{tmp_path / 'greedy.sqlite3'}",
                                 settings=greedy)) as server:
        async with app.run_test(size=SIZE) as pilot:
            await open_sharing(pilot)
            await connect(pilot, server.base_url)
            assert isinstance(app.screen, ConnectDialog)
            said = str(app.screen.query_one("#error", Static).render())
            assert "400" in said and "90" in said, said
            assert app.vault.list(Retailer) == []  # type: ignore[union-attr]


async def test_a_shop_that_refuses_the_link_after_a_good_look_must_be_looked_at_again(
    make, vault
) -> None:
    remember(vault)
    app = make()
    with refusing_shop() as server:
        async with app.run_test(size=SIZE) as pilot:
            await open_sharing(pilot)
            await connect(pilot, server.base_url)
            dialog = app.screen
            assert isinstance(dialog, ConnectDialog)
            said = str(dialog.query_one("#error", Static).render())
            assert "we use data for analytics" in said, said
            assert dialog.query_one("#ok", Button).disabled
            assert not dialog.query_one("#look", Button).disabled
            assert app.vault.list(Retailer) == []  # type: ignore[union-attr]


async def test_shop_names_show_literally_markup_and_escapes_stripped(make, vault) -> None:
    remember(vault)
    fill_sharing(vault, with_grants=True)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sharing(pilot)
        name = screen.query_one("#shops", RecordTable).get_row("shop-2")[0]
        assert name.plain == HOSTILE_SHOWN and not name.spans
        grid = screen.query_one("#grid", GrantGrid)
        header = grid.columns[ColumnKey("shop-2")].label
        assert header.plain.startswith("[bold red]x[/") and "\x1b" not in header.plain
        await to_cell(pilot, "greeting:", "shop-2")
        title = str(screen.query_one("#preview-title").render())
        assert HOSTILE_SHOWN in title and HOSTILE_NAME not in title
        assert HOSTILE_SHOWN in on_screen(app)


async def test_the_mouse_picks_a_shop_and_grants_a_slice(make, vault) -> None:
    fill_demo(vault, TODAY)
    remember(vault)
    fill_sharing(vault, with_grants=True)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sharing(pilot)
        shops = screen.query_one("#shops", RecordTable)
        await pilot.click("#shops", offset=(3, 1 + shops.get_row_index("shop-1")))
        await settle(pilot)
        assert "Books & Records gets now" in str(screen.query_one("#preview-title").render())
        grid = screen.query_one("#grid", GrantGrid)
        assert grid.selected_keys() is not None and grid.selected_keys()[1] == "shop-1"  # type: ignore[index]
        row = grid.get_row_index("interests.books:")
        x = sum(c.get_render_width(grid) for c in grid.ordered_columns[:grid.get_column_index(
            "shop-1")]) + 2  # fmt: skip
        y = 1 + row - grid.scroll_offset.y
        await pilot.click("#grid", offset=(x, y))  # highlights the cell
        await pilot.pause(0.25)
        await pilot.click("#grid", offset=(x, y))  # picks it: granted
        await settle(pilot)
        assert grid.selected_keys() == ("interests.books:", "shop-1")
        granted = [g for g in app.vault.list(Grant, retailer_id="shop-1")  # type: ignore[union-attr]
                   if g.slice == "interests.books"]
        assert len(granted) == 1 and granted[0].revoked_at is None


async def test_minimum_terms_from_the_palette_then_a_shop_below_them_is_refused(
    make, vault, vault_path: Path, shop_server: RunningServer
) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "Minimum terms")
        await settle(pilot)
        assert isinstance(app.screen, MinimumTermsDialog)
        assert isinstance(app.screen_stack[-2], SharingScreen)  # the palette went there first
        await fill(pilot, retention="0", purposes="recommendations")
        await click(pilot, "#ok")
        assert "3650" in str(app.screen.query_one("#error", Static).render())
        await fill(pilot, retention="30", purposes="recommendations, gift_ideas")
        await click(pilot, "#ok")
        await settle(pilot)
        assert isinstance(app.screen, SharingScreen)
        await connect(pilot, shop_server.base_url)  # it keeps data 90 days
        assert isinstance(app.screen, ConnectDialog)
        said = str(app.screen.query_one("#error", Static).render())
        assert "90" in said and "30" in said, said
    with reopen(vault_path) as stored:
        assert services.minimum_terms(stored) == services.MinimumTerms(
            30, ("recommendations", "gift_ideas"))
        assert stored.list(Retailer) == []


async def test_a_shop_naming_itself_in_markup_is_shown_as_written(
    make, vault, tmp_path: Path
) -> None:
    remember(vault)
    settings = ServerSettings(retailer_name="[b]x[/] \x1b[31m[link=x]y\x1b[0m")
    with RunningServer(build_app(f"sqlite:///{tmp_path / 'evil.sqlite3'}",
                                 settings=settings)) as server:
        app = make()
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_sharing(pilot)
            await connect(pilot, server.base_url)
            assert app.screen is screen, notifications(app)
            [shop] = app.vault.list(Retailer)  # type: ignore[union-attr]
            name = screen.query_one("#shops", RecordTable).get_row(shop.id)[0]
            assert name.plain == "[b]x[/] [link=x]y" and not name.spans
            said = [n for n in notifications(app) if "Connected to" in n.message]
            assert said and not said[0].markup and "\x1b" not in said[0].message


def slow_shop(path: Path, delay: float) -> RunningServer:
    """The reference server answering every request ``delay`` seconds late."""
    app = build_app(f"sqlite:///{path}")

    @app.middleware("http")
    async def late(request: Any, call_next: Any) -> Any:
        await asyncio.sleep(delay)
        return await call_next(request)

    return RunningServer(app)


async def test_sync_shows_each_shops_progress_and_the_screen_stays_responsive(
    make, vault, tmp_path: Path, shop_server: RunningServer
) -> None:
    remember(vault)
    app = make()
    with slow_shop(tmp_path / "slow.sqlite3", 0.3) as slow:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_sharing(pilot)
            await connect(pilot, shop_server.base_url)
            await connect(pilot, slow.base_url, "Slow shop")
            # The shop just connected is the one selected: its column, its preview.
            assert "What Slow shop gets now" in str(screen.query_one("#preview-title").render())
            by_url = {s.base_url: s.id for s in app.vault.list(Retailer)}  # type: ignore[union-attr]
            grid = screen.query_one("#grid", GrantGrid)
            grid.focus()
            await pilot.press("s")
            seen: set[str] = set()
            moved = False
            for _ in range(200):  # while the slow shop is still talking
                seen.add(state(screen, by_url[slow.base_url]))
                if not moved and state(screen, by_url[shop_server.base_url]) == "✔ synced":
                    row = grid.cursor_row
                    await pilot.press("down")  # the screen answers keys meanwhile
                    moved = grid.cursor_row == row + 1
                if "✔ synced" in seen:
                    break
                await pilot.pause(0.05)
            await settle(pilot)
            assert {"sharing…", "fetching suggestions…"} & seen, seen
            assert state(screen, by_url[slow.base_url]) == "✔ synced"
            assert moved


async def test_a_grant_ends_on_the_day_chosen(make, vault, fixed_now: datetime) -> None:
    remember(vault)
    fill_sharing(vault, with_grants=True)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sharing(pilot)
        await to_cell(pilot, "greeting:", "shop-1")
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UntilDialog)
        await fill(pilot, until="2020-01-01")
        await pilot.press("enter")
        assert "The last day is a date in the past" in str(
            app.screen.query_one("#error", Static).render())
        last_day = (fixed_now + timedelta(days=10)).date()
        await fill(pilot, until=last_day.isoformat())
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        cell = screen.query_one("#grid", GrantGrid).get_cell("greeting:", "shop-1")
        assert cell.plain == f"✔ to {last_day:%m-%d}"  # granted through that day
        [grant] = [g for g in app.vault.list(Grant, retailer_id="shop-1")  # type: ignore[union-attr]
                   if g.slice == "greeting" and g.revoked_at is None]
        assert grant.until is not None and grant.until.date() == last_day + timedelta(days=1)


def shown(dialog: Any, widget_id: str) -> str:
    return str(dialog.query_one(f"#{widget_id}", Static).render())


async def test_look_shows_the_terms_then_connect_links(make, vault, tmp_path: Path) -> None:
    remember(vault)
    db = tmp_path / "shop.sqlite3"
    with reference_shop(db, name="[b]Demo[/b] Retailer") as server:
        app = make()
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_sharing(pilot)
            await pilot.press("c")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConnectDialog)
            assert dialog.query_one("#ok", Button).disabled  # nothing looked at yet
            await fill(pilot, url=server.base_url)
            await click(pilot, "#look")
            await settle(pilot)
            terms = dialog.query_one("#terms", Static).render()
            assert isinstance(terms, Content)  # the name as written: only the dialog's bold
            assert terms.plain.startswith("[b]Demo[/b] Retailer\n  Keeps")
            assert [(s.start, s.end) for s in terms.spans] == [(0, 20)]
            assert "at most 90 days" in terms.plain and "Accepts: greeting" in terms.plain
            assert "meets your minimum" in shown(dialog, "status")
            assert not dialog.query_one("#ok", Button).disabled
            assert app.vault.list(Retailer) == []  # type: ignore[union-attr]  # a look links nothing
            assert links_in(db) == 0
            await fill(pilot, url=server.base_url + "/x")  # another address: look again
            assert dialog.query_one("#ok", Button).disabled
            assert not dialog.query_one("#terms", Static).display
            await fill(pilot, url=server.base_url, name="Corner shop")
            await pilot.press("enter")  # looks
            await settle(pilot)
            await click(pilot, "#ok")
            await settle(pilot)
            assert app.screen is screen
            [shop] = app.vault.list(Retailer)  # type: ignore[union-attr]
            assert shop.name == "Corner shop" and shop.link_id and links_in(db) == 1


async def test_a_look_below_the_minimum_shows_reasons_and_no_connect(
    make, vault, vault_path: Path, tmp_path: Path
) -> None:
    remember(vault)
    db = tmp_path / "greedy.sqlite3"
    with reference_shop(db, retention_days=400) as server:
        app = make()
        async with app.run_test(size=SIZE) as pilot:
            await open_sharing(pilot)
            await pilot.press("c")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConnectDialog)
            await fill(pilot, url=server.base_url)
            await pilot.press("enter")
            await settle(pilot)
            assert "at most 400 days" in shown(dialog, "terms")
            said = shown(dialog, "error")
            assert "Below your minimum" in said and "400 days exceeds the 90" in said, said
            assert dialog.query_one("#ok", Button).disabled
            await pilot.press("enter")  # enter again looks again, it never links
            await settle(pilot)
            await click(pilot, "#ok")  # a disabled button does nothing
            await settle(pilot)
            assert app.screen is dialog
    assert links_in(db) == 0
    with reopen(vault_path) as stored:
        assert stored.list(Retailer) == []
