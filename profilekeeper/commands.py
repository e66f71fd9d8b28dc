"""The command palette: every action by name (Posting's ``commands.py`` shape)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from profilekeeper import navigation

if TYPE_CHECKING:
    from profilekeeper.app import ProfileKeeperApp

COMMANDS = navigation.COMMANDS
"""The palette's entries that show a mode (see profilekeeper/navigation.py)."""


class ProfileKeeperCommands(Provider):
    """Actions on the profile; only offered while the vault is unlocked."""

    @property
    def pk(self) -> ProfileKeeperApp:
        return cast("ProfileKeeperApp", self.app)

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        if not self.pk.unlocked:
            return []
        found: list[tuple[str, str, Callable[[], object]]] = [
            (command.name, command.help, partial(self.pk.action_go, command.mode, command.action))
            for command in COMMANDS
        ]
        for action in navigation.APP_ACTIONS:
            if action.palette:
                found.append((*action.palette, getattr(self.pk, f"action_{action.action}")))
        return found

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
