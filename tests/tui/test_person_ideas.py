"""The Person screen's gift ideas from shops (#16 §4), through Pilot on a real vault: the top
few for their next occasion inline (title, shop, price, reason), shop text literal, the empty
state, and each one opened in Suggestions or given a verdict from there."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from profilekeeper.model import Gift, Person, Suggestion
from profilekeeper.screens.person import IDEAS_SHOWN, NO_IDEAS, IdeaDialog, PersonScreen
from profilekeeper.screens.suggestions import SuggestionsScreen
from tests.tui.conftest import reopen
from tests.tui.person_ideas import person_screen, sam_with_ideas
from tests.tui.test_flows import remember, settle

MARKUP = "[link=https://evil.example]Click[/link] [@click=app.quit]x[/] [bold]B[/bold]"
SHOP = "Shop [bold]A[/bold] \x1b[31m"


def _stock(vault: object) -> tuple[Person, Person, list[Suggestion]]:
    """Sam (birthday on 14 Mar, budget 30 EUR) with five gift ideas from one shop, and Lou, who
    has none."""
    remember(vault)
    ideas = [(f"g{i}", MARKUP if i == 0 else f"Idea {i}", 10 + i, "EUR") for i in range(5)]
    ideas.append(("big", "Yacht", 9000, "EUR"))  # over budget: the pipeline hides it
    sam, items = sam_with_ideas(vault, SHOP, ideas)
    lou = vault.add(Person("Lou"))  # type: ignore[attr-defined]
    return sam, lou, items


def _ideas(app: object) -> list[list[str]]:
    table = app.screen.query_one("#shop-ideas")  # type: ignore[attr-defined]
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _title(app: object) -> str:
    return str(app.screen.query_one("#shop-ideas-title", Static).render())  # type: ignore[attr-defined]


async def test_the_top_ideas_show_inline_with_shop_price_and_reason_as_plain_text(
    make, vault  # type: ignore[no-untyped-def]
) -> None:
    sam, _, _ = _stock(vault)
    vault.close()
    app = make()
    async with person_screen(app, sam.id, (120, 40)):
        rows = _ideas(app)
        assert len(rows) == IDEAS_SHOWN
        reason = "for Sam's birthday in 12 days, under 30 EUR"
        assert rows[0] == [MARKUP, "Shop [bold]A[/bold]", "10 EUR", reason]
        assert all(r[1:] == ["Shop [bold]A[/bold]", r[2], reason] for r in rows)
        assert "Yacht" not in str(rows)
        assert "top 3 of 5" in _title(app)
        table = app.screen.query_one("#shop-ideas")
        for cell in table.get_row_at(0)[:2]:  # literal: no link, no style, no escape
            assert not cell.spans and not cell.style and "\x1b" not in cell.plain


async def test_no_ideas_says_so_and_shows_no_table(make, vault) -> None:  # type: ignore[no-untyped-def]
    _, lou, _ = _stock(vault)
    vault.close()
    app = make()
    async with person_screen(app, lou.id, (80, 24)):
        assert _title(app) == NO_IDEAS
        assert not app.screen.query_one("#shop-ideas").display


async def test_an_idea_opens_in_suggestions_on_that_item(make, vault) -> None:  # type: ignore[no-untyped-def]
    sam, _, items = _stock(vault)
    vault.close()
    app = make()
    async with person_screen(app, sam.id, (120, 40)) as pilot:
        table = app.screen.query_one("#shop-ideas")
        table.focus()
        table.move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IdeaDialog)
        assert app.screen.query_one(OptionList).highlighted == 0  # "Open in Suggestions"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SuggestionsScreen)
        assert app.screen.query_one("#suggestions").selected_id == items[2].id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)


async def test_a_verdict_on_an_idea_is_saved_and_the_list_moves_up(
    make, vault, vault_path  # type: ignore[no-untyped-def]
) -> None:
    sam, _, items = _stock(vault)
    vault.close()
    app = make()
    async with person_screen(app, sam.id, (120, 40)) as pilot:
        table = app.screen.query_one("#shop-ideas")
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        choices = app.screen.query_one(OptionList)
        choices.highlighted = [o.id for o in choices.options].index("bought_as_gift")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert [r[0] for r in _ideas(app)] == [MARKUP, "Idea 2", "Idea 3"]
        assert "top 3 of 4" in _title(app)
    with reopen(vault_path) as check:
        (gift,) = check.list(Gift)
        assert (gift.title, gift.person_id) == ("Idea 1", sam.id)
        assert check.get(Suggestion, items[1].id).verdict == "bought_as_gift"


async def test_a_reload_with_nothing_changed_runs_no_pipeline_and_a_change_does(
    make, vault, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    from profilekeeper.model import Rule, RuleAction
    from profilekeeper.services import suggestions as service

    sam, _, _ = _stock(vault)
    vault.close()
    runs: list[int] = []
    run = service.run

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(1)
        return run(*args, **kwargs)

    monkeypatch.setattr(service, "run", counted)
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(PersonScreen(sam.id))
        await settle(pilot)
        before, ran = _ideas(app), len(runs)
        app.screen.reload()  # as a form closed with nothing saved does
        await settle(pilot)
        assert (_ideas(app), len(runs)) == (before, ran)
        app.vault.add(Rule(RuleAction.HIDE, {"title": "Idea 1"}))
        app.screen.reload()
        await settle(pilot)
        assert len(runs) == ran + 1
        assert [r[0] for r in _ideas(app)] == [MARKUP, "Idea 2", "Idea 3"]
        assert "top 3 of 4" in _title(app)
