"""One table (profilekeeper/navigation.py) names the modes and actions; what users see is made
from it: the key bindings, the nav bar, the palette and the help. Before it, the same four modes
were written out in app.py (twice), commands.py, screens/help.py and widgets/nav.py, and each
screen named its actions in its BINDINGS and in the palette's list."""

from __future__ import annotations

from importlib import import_module

import pytest
from textual.binding import Binding

from profilekeeper import navigation
from profilekeeper.app import DATA_MODES, ProfileKeeperApp
from profilekeeper.commands import COMMANDS
from profilekeeper.screens.help import GENERAL
from profilekeeper.widgets.nav import SECTIONS


def screen_class(mode: navigation.Mode) -> type:
    module, name = mode.screen.split(":")
    cls: type = getattr(import_module(f"profilekeeper.screens.{module}"), name)
    return cls


@pytest.mark.parametrize("mode", navigation.MODES, ids=lambda m: m.name)
def test_each_mode_has_its_key_screen_nav_link_palette_entry_and_help(
    mode: navigation.Mode,
) -> None:
    bindings = {b.key: b for b in Binding.make_bindings(ProfileKeeperApp.BINDINGS)}
    assert bindings[mode.key].action == f"go('{mode.name}')"
    assert bindings[mode.key].description == mode.title
    shown_on: str = screen_class(mode).MODE  # type: ignore[attr-defined]
    assert shown_on == mode.name
    assert type(DATA_MODES[mode.name]()).__name__ == mode.screen.split(":")[1]
    assert (mode.name, f"{mode.key} {mode.title}") in SECTIONS
    assert (f"Go to {mode.title}", mode.summary, mode.name, None) in COMMANDS
    keys, what = GENERAL[0]
    assert mode.key in keys.split() and mode.title in what


SCREENS = {mode.name: mode.screen for mode in navigation.MODES} | {
    "person": "person:PersonScreen", "suggestions": "suggestions:SuggestionsScreen"}


def owner(screen: str) -> type:
    if screen == "app":
        return ProfileKeeperApp
    module, name = SCREENS[screen].split(":")
    cls: type = getattr(import_module(f"profilekeeper.screens.{module}"), name)
    return cls


@pytest.mark.parametrize("action", navigation.ACTIONS,
                         ids=lambda a: f"{a.screen}-{a.id or a.action}")  # fmt: skip
def test_each_action_in_the_table_is_one_its_screen_has_and_binds(
    action: navigation.Action,
) -> None:
    cls = owner(action.screen)
    assert callable(getattr(cls, f"action_{action.name}", None)), action
    declared = [b for b in Binding.make_bindings(cls.BINDINGS) if b.action == action.action]
    if action.key is None:
        assert declared == [] and action.palette  # the table says why it is there
    else:  # one binding for each of its keys ("delete,x" is two)
        assert [(b.key, b.description, b.tooltip, b.id, b.show) for b in declared] == [
            (key, action.title, action.tooltip, action.id, action.shown)
            for key in action.key.split(",")]  # fmt: skip


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_a_screen_binds_no_key_the_table_does_not_name(screen: str) -> None:
    """A Binding written by hand in a screen would name its action a second time."""
    table = {(key, a.action) for a in navigation.actions_of(screen) if a.key
             for key in a.key.split(",")}  # fmt: skip
    declared = Binding.make_bindings(vars(owner(screen))["BINDINGS"])
    assert {(b.key, b.action) for b in declared} <= table


def test_each_palette_entry_is_an_action_of_the_mode_it_shows() -> None:
    entries = [(c.name, c.mode, c.action) for c in navigation.SCREEN_COMMANDS]
    assert entries == [(a.palette[0], a.screen, a.action) for a in navigation.ACTIONS
                       if a.palette and a.screen != "app"]  # fmt: skip
    assert {mode for _, mode, _ in entries} <= {m.name for m in navigation.MODES}


def test_the_apps_own_actions_are_bound_and_exist() -> None:
    bindings = {b.id: b for b in Binding.make_bindings(ProfileKeeperApp.BINDINGS)}
    for action in navigation.APP_ACTIONS:
        assert action.id is not None and bindings[action.id].key == action.key
        assert callable(getattr(ProfileKeeperApp, f"action_{action.action}", None))
        assert (action.help is None) or (action.key, action.help) in GENERAL
