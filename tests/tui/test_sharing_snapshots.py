"""Snapshots of the Sharing and Activity screens and their dialogs, at 80×24 and 120×40.

Deterministic: the demo vault on a fixed day, shops, grants and activity records with fixed ids
and dates (tests/tui/sharing_data.py), one fixed "now" for grants and previews, no server.
Update with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from profilekeeper.screens import sharing
from tests.tui.sharing_data import AT, fill_sharing
from tests.tui.test_snapshots import SIZES, app_on, pressing, remembered_demo

SCREENS = {
    "sharing": ["5"],
    "sharing-other-shop": ["5", "right", "down"],
    "connect-dialog": ["5", "c"],
    "until-dialog": ["5", "right", "u"],
    "forget-dialog": ["5", "f"],
    "terms-dialog": ["5", "m"],
    "activity": ["6"],
    "activity-share": ["6", "down"],
    "activity-of-a-shop": ["5", "right", "a"],
}


@pytest.fixture
def sharing_path(vault, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """The demo vault, its key remembered, with two shops, their grants and activity."""
    path = remembered_demo(vault)
    fill_sharing(vault, with_grants=True)
    monkeypatch.setattr(sharing, "clock", lambda: AT)
    return path


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, sharing_path: Path, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(app_on(sharing_path), run_before=pressing(SCREENS[screen]),
                        terminal_size=size)
