"""What the first key after start costs: the footer composes only when its keys change, and the
stylesheet is parsed again only when its sources or variables change (benchmarks/bench_tui.py
measures it), while the keys look, and screens follow the theme, as with Textual's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.css.stylesheet import Stylesheet
from textual.widgets import Footer

from profilekeeper.screens.people import PeopleScreen
from profilekeeper.widgets.footer import KeysFooter
from tests.tui.test_flows import SIZE, remember, settle


class Keys(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "save", "Save"), Binding("d", "delete", "Delete"),
        Binding("x", "hidden", "Hidden", show=False),
    ]  # fmt: skip

    def __init__(self, footer: type[Footer]) -> None:
        super().__init__()
        self.footer = footer
        self.can_delete = True

    def compose(self) -> ComposeResult:
        yield self.footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "delete" and not self.can_delete else True  # None: greyed


def drawn(app: App[Any]) -> list[tuple[str, bool, tuple[str, ...], object]]:
    return [(k.key, k.compact, tuple(sorted(k.classes)), k.region)
            for k in app.screen.query("FooterKey")]  # fmt: skip


async def keys_of(footer: type[Footer], change: bool) -> list[tuple[str, bool, tuple[str, ...],
                                                                    object]]:  # fmt: skip
    app = Keys(footer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if change:
            app.can_delete = False
            app.screen.refresh_bindings()
            await pilot.pause()
            await pilot.pause()
        return drawn(app)


@pytest.mark.parametrize("change", [False, True], ids=["as-composed", "a-key-disabled"])
async def test_the_footer_draws_each_key_as_textuals_does(change: bool) -> None:
    ours = await keys_of(KeysFooter, change)
    assert ours == await keys_of(Footer, change)
    assert [key for key, *_ in ours] == ["s", "d", "ctrl+p"]
    assert ("-disabled" in ours[1][2]) is change


async def test_the_footer_composes_again_only_when_its_keys_change() -> None:
    app = Keys(KeysFooter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = list(app.screen.query("FooterKey"))
        app.screen.refresh_bindings()  # nothing changed
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query("FooterKey")) == before
        app.can_delete = False
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        after = list(app.screen.query("FooterKey"))
        assert not set(after) & set(before)
        assert after[1].has_class("-disabled")


def rules_of(stylesheet: Stylesheet) -> list[str]:
    return [repr(rule) for rule in stylesheet.rules]  # each selector with its declarations


def parsed_afresh(app: App[Any]) -> list[str]:
    """``app``'s CSS sources parsed from scratch with its variables now, as rules."""
    fresh = Stylesheet(variables=app.get_css_variables())
    for where, (css, is_defaults, tie_breaker, scope) in app.stylesheet.source.items():
        fresh.add_source(css, read_from=where, is_default_css=is_defaults,
                         tie_breaker=tie_breaker, scope=scope)  # fmt: skip
    fresh.parse()
    return rules_of(fresh)


def parsed_sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Where each CSS source parsed from its text from now on came from (a file, or a class's
    CSS): what a stylesheet's own cache of rules by source did not already hold."""
    import textual.css.stylesheet as stylesheet_module

    parsed: list[str] = []
    parse = stylesheet_module.parse

    def recorded(scope: str, css: str, read_from: tuple[str, str], **options: Any) -> Any:
        parsed.append(read_from[1] or Path(read_from[0]).name)
        return parse(scope, css, read_from, **options)

    monkeypatch.setattr(stylesheet_module, "parse", recorded)
    return parsed


async def test_css_is_parsed_again_only_when_it_changed_and_screens_follow_the_theme(
    make, vault, monkeypatch
) -> None:
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        parsed = parsed_sources(monkeypatch)
        await pilot.press("2")  # a new mode's screen: Textual refreshes the CSS, twice
        await settle(pilot)
        assert parsed  # the new widgets' own CSS ...
        assert "app.tcss" not in parsed and "App.DEFAULT_CSS" not in parsed  # ... alone
        assert len(parsed) == len(set(parsed))  # each once
        parsed.clear()
        await pilot.press("1")
        await settle(pilot)
        assert parsed == []
        assert rules_of(app.stylesheet) == parsed_afresh(app)
        app.theme = "nord"  # new variables: all parsed again
        await settle(pilot)
        assert "app.tcss" in parsed
        assert rules_of(app.stylesheet) == parsed_afresh(app)
        await pilot.press("3")  # new widgets' own CSS: parsed with the rest
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert app.screen.styles.background == app.current_theme.to_color_system().background
        assert app.screen.query_one("#people").styles.background.a > 0
        assert rules_of(app.stylesheet) == parsed_afresh(app)


def test_the_app_runs_with_what_start_up_built_set_aside_from_collection() -> None:
    """``profilekeeper`` launches the app with the modules and objects built so far frozen out
    of garbage collection: a full collection walks only what came after (cli/app.py)."""
    import gc

    from profilekeeper.cli.app import launch

    class Recorder:
        frozen_while_running = -1

        def run(self) -> None:
            self.frozen_while_running = gc.get_freeze_count()

    app = Recorder()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        launch(app)
    finally:
        gc.unfreeze()  # the test process goes on: let its objects be collected again
    assert app.frozen_while_running > 10_000  # the modules and classes imported so far


async def test_the_people_list_paints_a_screenful_before_the_rest_of_it(
    make, vault, monkeypatch
) -> None:
    """The key that opens People is answered by a frame with the first rows: the rest of a
    long list are added (and measured) after that frame, not before it (widgets/table.py)."""
    import threading

    from profilekeeper import services
    from profilekeeper.demo import synthetic_people

    with vault.transaction():
        for records in synthetic_people(300).values():
            vault.add_all(records)
    remember(vault)
    arrived = threading.Event()  # the real read, held until the spy below is in place
    read = services.people_rows
    monkeypatch.setattr(services, "people_rows", lambda *a: arrived.wait(10) and read(*a))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PeopleScreen)
        table = screen.query_one("#people")
        painted: list[int] = []
        screen.screen_layout_refresh_signal.subscribe(
            screen.query_one("#search"), lambda _: painted.append(table.row_count),
            immediate=True,
        )  # fmt: skip
        arrived.set()
        await settle(pilot)
        shown = [rows for rows in painted if rows]
        assert 0 < shown[0] <= SIZE[1]  # a screenful (else all 300)
        assert table.row_count == 300


async def test_a_mode_switch_holds_the_screen_one_frame(make, vault, monkeypatch) -> None:
    """Textual holds paints for 0.05 s as a mode switches; the app's screens are built in less,
    so it holds them a frame: the key that opened a screen is answered that much sooner."""
    held: list[float] = []
    delay_update = App.delay_update

    def recorded(self: App[Any], delay: float = 0.05) -> None:
        held.append(delay)
        delay_update(self, delay)

    monkeypatch.setattr(App, "delay_update", recorded)
    remember(vault)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        held.clear()
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert held and max(held) <= 1 / 60


async def test_home_paints_a_screenful_of_a_long_window_before_the_rest(
    make, vault, monkeypatch
) -> None:
    """Thousands of people fill the next 60 days with hundreds of lines: Home paints the
    first screenful, and the rest come after that frame, every one of them."""
    from profilekeeper.demo import synthetic_people
    from profilekeeper.screens.home import HomeScreen

    with vault.transaction():
        for records in synthetic_people(600).values():
            vault.add_all(records)
    remember(vault)
    painted: list[int] = []
    show = HomeScreen.show

    def spied(screen: HomeScreen, view: Any) -> None:
        table = screen.query_one("#upcoming")
        screen.screen_layout_refresh_signal.subscribe(
            screen.query_one("#greeting"), lambda _: painted.append(table.row_count),
            immediate=True,
        )  # fmt: skip
        show(screen, view)
        spied.lines = len(view.upcoming)  # type: ignore[attr-defined]

    monkeypatch.setattr(HomeScreen, "show", spied)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(20):  # the rest, a frame at a time
            await pilot.pause(0.02)
        lines = spied.lines  # type: ignore[attr-defined]
        assert lines > 2 * SIZE[1]
        shown = [rows for rows in painted if rows]
        assert 0 < shown[0] <= SIZE[1]
        assert app.screen.query_one("#upcoming").row_count == lines
