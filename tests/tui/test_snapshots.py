"""Snapshots of every screen at 80×24 and 120×40 (pytest-textual-snapshot).

The app runs on a demo vault unlocked from the (in-memory) keyring, on a fixed day, so the
pictures only change when the screens do. Update with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from profilekeeper.app import make_app
from profilekeeper.demo import fill_demo
from profilekeeper.services import remember_key
from tests.conftest import FAST_KDF
from tests.tui.conftest import TODAY

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def remembered_demo(vault) -> Path:  # type: ignore[no-untyped-def]
    """``vault`` filled with the demo's records on TODAY, its key remembered; its path."""
    fill_demo(vault, TODAY)
    remember_key(vault)
    return vault.path  # type: ignore[no-any-return]


@pytest.fixture
def demo_path(vault) -> Path:  # type: ignore[no-untyped-def]
    return remembered_demo(vault)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def steady_cursors(pilot: Pilot[None]) -> None:
    """Stop the inputs' cursors blinking: else a picture shows them on or off by the clock
    (under load, a form's snapshot failed one run in a few)."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def app_on(path: Path):  # type: ignore[no-untyped-def]
    return make_app(path, kdf=FAST_KDF, today=lambda: TODAY)


def pressing(keys: list[str]) -> Callable[[Pilot[None]], Awaitable[None]]:
    """What a snapshot runs before its picture: each of ``keys`` pressed, the app settled."""

    async def go(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        steady_cursors(pilot)

    return go


SCREENS = {
    "home": [],
    "me": ["2"],
    "me-purchases": ["2", "g"],
    "people": ["3"],
    "person": ["3", "enter"],
    "person-form": ["3", "a"],
    "occasion-form": ["3", "enter", "o"],
    "settings": ["4"],
    "help": ["question_mark"],
    "snooze-dialog": ["z"],
    "delete-person-dialog": ["3", "x"],
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, demo_path: Path, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(app_on(demo_path), run_before=pressing(SCREENS[screen]),
                        terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_unlock(snap_compare, vault, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    vault.close()
    assert snap_compare(app_on(vault.path), run_before=settle, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_first_run(snap_compare, vault_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_on(vault_path), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_first_visit_question(snap_compare, vault, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Opened with a remembered key before the opt-in question was answered."""
    remember_key(vault)
    vault.close()
    assert snap_compare(app_on(vault.path), run_before=settle, terminal_size=size)
