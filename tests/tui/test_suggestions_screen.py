"""The Suggestions screen through Pilot on a real vault: grouped by kind with a reason on every
line, shop text shown literally, verdicts from the keyboard, "Hidden (N)" and undo."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Static

from profilekeeper.model import Interest, Person, Retailer, Rule, RuleAction, Sentiment, Suggestion
from profilekeeper.screens.home import HomeScreen
from profilekeeper.screens.suggestions import SuggestionsScreen
from tests.tui.conftest import reopen
from tests.tui.test_flows import remember, settle

MARKUP = "[link=https://evil.example]Click[/link] [@click=app.quit]x[/] [bold]B[/bold]"


def _stock(vault: object) -> dict[str, Suggestion]:
    remember(vault)
    shop = vault.add(Retailer("Shop A", "https://a.example"))  # type: ignore[attr-defined]
    vault.add(Person("Sam"))  # type: ignore[attr-defined]
    vault.add(Interest("music", "Velvet Static", Sentiment.LOVE))  # type: ignore[attr-defined]
    vault.add(Interest("music", "Noise Co", Sentiment.NEVER))  # type: ignore[attr-defined]
    vault.add(Rule(RuleAction.HIDE, {"category": "socks"}))  # type: ignore[attr-defined]
    items = [
        Suggestion(shop.id, "1", "release", "Blue Nights", creators=["Velvet Static"],
                   category="music", details={"release_date": "2026-03-12"}),
        Suggestion(shop.id, "2", "product", MARKUP, price=Decimal(5)),
        Suggestion(shop.id, "3", "product", "Loud", creators=["Noise Co"]),
        Suggestion(shop.id, "4", "product", "Wool", category="socks"),
    ]  # fmt: skip
    vault.add_all(items)  # type: ignore[attr-defined]
    return {s.remote_id: s for s in items}


def _rows(app: object) -> list[list[str]]:
    table = app.screen.query_one("#suggestions")  # type: ignore[attr-defined]
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_suggestions_grouped_with_reasons_verdicts_hidden_and_undo(
    make, vault, vault_path  # type: ignore[no-untyped-def]
) -> None:
    items = _stock(vault)
    vault.close()
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert isinstance(app.screen, SuggestionsScreen)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "Suggestions for you" in summary and "Hidden (2)" in summary
        assert _rows(app) == [
            ["New releases", "Blue Nights", "Shop A",
             "new album by Velvet Static, whom you love — out 12 Mar"],
            ["Products", MARKUP, "Shop A", "suggested by Shop A"],  # literal: no link, no style
        ]
        table = app.screen.query_one("#suggestions")
        cell = table.get_row_at(1)[1]
        assert cell.plain == MARKUP and not cell.spans and not cell.style
        await pilot.press("h")
        await settle(pilot)
        assert sorted(r[1] + ": " + r[3] for r in _rows(app)) == [
            "Loud: you never want Noise Co", "Wool: you blocked the category socks"]
        table.focus()
        table.move_cursor(row=[r[1] for r in _rows(app)].index("Wool"))
        await pilot.press("u")  # takes back the rule that hid it
        await settle(pilot)
        assert [r[1] for r in _rows(app)] == ["Loud"]
        await pilot.press("h")
        await settle(pilot)
        table.move_cursor(row=0)
        await pilot.press("d")
        await settle(pilot)
        assert "Blue Nights" not in [r[1] for r in _rows(app)]
        await pilot.press("escape")  # the mode's own screen: back goes Home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    with reopen(vault_path) as check:
        assert check.list(Rule) == []
        assert check.get(Suggestion, items["1"].id).verdict == "dismiss"


async def test_a_persons_gift_ideas_from_the_person_screen(
    make, vault, vault_path  # type: ignore[no-untyped-def]
) -> None:
    from profilekeeper.screens.person import PersonScreen
    from tests.tui.person_ideas import person_screen, sam_with_ideas

    remember(vault)
    sam, _ = sam_with_ideas(vault, "Shop A", [("g1", "Kite", 20, ""),
                                              ("g2", "Yacht", 9000, "EUR")])  # fmt: skip
    vault.close()
    app = make()
    async with person_screen(app, sam.id, (120, 30)) as pilot:
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SuggestionsScreen)
        assert "Gift ideas for Sam" in str(app.screen.query_one("#summary", Static).render())
        assert _rows(app) == [["Products", "Kite", "Shop A",
                               "for Sam's birthday in 12 days, under 30 EUR"]]
        app.screen.query_one("#suggestions").focus()
        await pilot.press("g")  # bought as a gift for Sam
        await settle(pilot)
        assert _rows(app) == []
        assert app.screen.query_one("#nav").current == "people"  # still among People
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
    from profilekeeper.model import Gift

    with reopen(vault_path) as check:
        (gift,) = check.list(Gift)
        assert (gift.title, gift.person_id) == ("Kite", sam.id)


async def test_a_long_list_fills_whole_and_keeps_the_cursor_past_the_first_rows(
    make, vault  # type: ignore[no-untyped-def]
) -> None:
    """The table gets its first rows at once and the rest after that paint: all of them, in
    order; a reload keeps the cursor on its record, however far down."""
    from profilekeeper.screens.suggestions import FIRST_ROWS

    remember(vault)
    shop = vault.add(Retailer("Shop A", "https://a.example"))
    count = FIRST_ROWS * 2 + 50
    vault.add_all([Suggestion(shop.id, str(n), "product", f"Item {n:03}") for n in range(count)])
    vault.close()
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert [r[1] for r in _rows(app)] == [f"Item {n:03}" for n in range(count)]
        table = app.screen.query_one("#suggestions")
        table.move_cursor(row=count - 10)
        chosen = table.selected_id
        app.screen.reload()
        await settle(pilot)
        assert table.row_count == count and table.selected_id == chosen
        table.move_cursor(row=0)
        app.screen._show()  # shown anew while the rest of the first is still to come
        app.screen._show()
        await settle(pilot)
        assert [r[1] for r in _rows(app)] == [f"Item {n:03}" for n in range(count)]
