"""One table (profilekeeper/navigation.py) names the modes and actions; what users see is made
from it: the key bindings, the nav bar, the palette and the help. Before it, the same four modes
were written out in app.py (twice), commands.py, screens/help.py and widgets/nav.py."""

from __future__ import annotations

from importlib import import_module

import pytest
from textual.binding import Binding

from profilekeeper import navigation
from profilekeeper.app import DATA_MODES, READ_MODES, ProfileKeeperApp
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
    assert (mode.name in READ_MODES) == mode.reads_only
    assert (f"Go to {mode.title}", mode.summary, mode.name, None) in COMMANDS
    keys, what = GENERAL[0]
    assert mode.key in keys.split() and mode.title in what


@pytest.mark.parametrize("command", navigation.SCREEN_COMMANDS, ids=lambda c: c.name)
def test_each_palette_entry_runs_an_action_its_screen_has(command: navigation.Command) -> None:
    mode = next(m for m in navigation.MODES if m.name == command.mode)
    assert command.action is not None
    action = command.action.split("(")[0]
    assert callable(getattr(screen_class(mode), f"action_{action}", None)), command.name


def test_the_apps_own_actions_are_bound_and_exist() -> None:
    bindings = {b.id: b for b in Binding.make_bindings(ProfileKeeperApp.BINDINGS)}
    for action in navigation.APP_ACTIONS:
        assert bindings[action.action].key == action.key
        assert callable(getattr(ProfileKeeperApp, f"action_{action.action}", None))
        assert (action.help is None) or (action.key, action.help) in GENERAL
