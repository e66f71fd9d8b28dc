"""What every data screen shares: the vault, reload-on-show, failures said instead of raised.

A record that fails authentication raises CorruptedRecord when read alone (``Vault.get``), and
a record on screen may have been deleted since: either would reach Textual's crash path from
an action, a message handler or a dialog's callback. ``guarded`` turns any ProfileKeeperError
there into a notification (their messages name no record contents). Data screens get it on
each ``action_`` method (``VaultScreen``) and each handler decorated with this module's ``on``
(their modules import it in place of Textual's: tests/tui/test_import_hygiene.py checks); the
app applies it to every callback given to ``push_screen``, so each new one is covered too.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

import textual
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker

from profilekeeper import navigation, services
from profilekeeper.errors import ProfileKeeperError
from profilekeeper.messages import DataChanged
from profilekeeper.widgets.footer import KeysFooter
from profilekeeper.widgets.nav import NavBar

if TYPE_CHECKING:
    from textual.message import Message

    from profilekeeper.app import ProfileKeeperApp
    from profilekeeper.model import Person
    from profilekeeper.reminders import Due
    from profilekeeper.store.vault import Vault


F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def reporting_failures(node: Widget | App[Any], title: str = "Could not finish") -> Iterator[None]:
    """Turn a ProfileKeeperError raised in the block into an error notification on ``node``."""
    try:
        yield
    except ProfileKeeperError as error:
        node.notify(str(error), title=title, severity="error", timeout=8, markup=False)
        cast("ProfileKeeperApp", node if isinstance(node, App) else node.app).lock_if_key_replaced(
            error
        )


def guarded(function: F, node: Widget | App[Any] | None = None) -> F:
    """``function`` with its ProfileKeeperError said on ``node`` (default: its ``self``)."""

    def where(args: tuple[Any, ...]) -> Widget | App[Any]:
        return node if node is not None else args[0]

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def call_async(*args: Any, **kwargs: Any) -> Any:
            with reporting_failures(where(args)):
                return await function(*args, **kwargs)

        return cast(F, call_async)

    @functools.wraps(function)  # keeps the signature Textual counts parameters from
    def call(*args: Any, **kwargs: Any) -> Any:
        with reporting_failures(where(args)):
            return function(*args, **kwargs)

    return cast(F, call)


def on(message_type: type[Message], selector: str | None = None, **kwargs: str) -> Callable[[F], F]:
    """Textual's ``on``, the handler guarded: what data screens decorate their handlers with.

    (Textual dispatches ``@on`` handlers from a table its metaclass builds of the functions as
    first defined, so the guard has to be on the function before ``textual.on`` sees it.)
    """

    def decorate(method: F) -> F:
        return textual.on(message_type, selector, **kwargs)(guarded(method))

    return decorate


def bindings(screen: str) -> list[BindingType]:
    """The key bindings of ``screen`` (or ``app``), made from navigation.py's table."""
    return [Binding(a.key, a.action, a.title, show=a.shown, tooltip=a.tooltip, id=a.id)
            for a in navigation.actions_of(screen) if a.key]  # fmt: skip


class VaultScreen(Screen[None]):
    """A screen showing vault data. Subclasses set ``MODE`` and implement ``compose_body``.

    Reads go through ``reader``, writes through ``vault``: the same unlocked store, which the
    app opens (with the remembered key, or after the unlock screen) before it shows any of these.
    """

    MODE = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every action this screen defines, guarded (its handlers are, by ``on``).
        for name, value in list(vars(cls).items()):
            if inspect.isfunction(value) and name.startswith("action_"):
                setattr(cls, name, guarded(value))

    @property
    def pk(self) -> ProfileKeeperApp:
        return cast("ProfileKeeperApp", self.app)

    @property
    def vault(self) -> Vault:
        """The store, for writing."""
        assert self.pk.vault is not None
        return self.pk.vault

    @property
    def reader(self) -> services.VaultReader:
        assert self.pk.reader is not None
        return self.pk.reader

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield KeysFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    _read_at: object = None
    """The app's data stamp when this screen last read on being shown."""

    def on_screen_resume(self) -> None:
        # Shown again with nothing changed (Textual even resumes a new mode's screen twice):
        # what is on screen is still right, and 10,000 rows are not read for nothing.
        if self.pk.readable and (stamp := self.pk.data_stamp()) != self._read_at:
            self._read_at = stamp
            self.safe_reload()

    def safe_reload(self) -> None:
        """Reload, saying plainly (never crashing) when a record fails authentication."""
        with reporting_failures(self, "Could not read"):
            self.reload()

    def reload(self) -> None:
        """Read what the screen shows from the vault again."""

    def delete_person(self, person: Person, then: Callable[[], object]) -> None:
        """Ask, then delete ``person`` (and their gifts, or keep them, as chosen); then ``then``."""
        from profilekeeper.model import Gift
        from profilekeeper.screens.dialogs import DeletePersonDialog  # dialogs use this module

        listing = self.vault.list(Gift, person_id=person.id)
        gifts = len(listing) + len(listing.corrupted)  # damaged ones are theirs too

        def delete(choice: str | None) -> None:
            if choice is not None:
                services.remove_person_by_id(self.vault, person.id, choice if gifts else "refuse")
                self.notify("Person deleted.")
                then()

        self.app.push_screen(DeletePersonDialog(person.name, gifts), delete)

    def act_on_reminder(self, item: Due, verb: str) -> None:
        """Dismiss or mark bought ``item``, or snooze it until a day the user picks; say so."""
        today = self.pk.today()
        if verb != "snooze":
            services.act_on_reminder(self.vault, item, verb, today)
            done = "Dismissed" if verb == "dismiss" else "Marked bought"
            self.notify(f"{done} for {item.on.year}.")
            self.safe_reload()
            return
        default = services.snooze_default(item, today)
        if default is None:
            self.notify("The day is too close to snooze: dismiss it, or mark the gift bought.",
                        severity="warning")
            return

        def snoozed(until: date | None) -> None:
            if until is not None:  # the dialog has saved it
                self.notify(f"Snoozed until {until.isoformat()}.")
                self.safe_reload()

        from profilekeeper.screens.dialogs import SnoozeDialog  # dialogs use this module

        self.app.push_screen(SnoozeDialog(self.vault, item, today, default), snoozed)

    @textual.on(DataChanged)
    def _data_changed(self) -> None:
        self.safe_reload()

    @textual.on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: hand failures to the app's single reporter.
        if self.pk.report_worker_failure(event):
            self.worker_failed()

    def worker_failed(self) -> None:
        """Tidy up after a failed worker (the app has told the user already)."""
