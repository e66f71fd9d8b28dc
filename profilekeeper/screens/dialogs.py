"""Small modal dialogs, each typed by its result and closed with ``dismiss(value)``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from profilekeeper.errors import InvalidInput, ProfileKeeperError
from profilekeeper.model import parse_partial_date
from profilekeeper.screens.unlock import sentence
from profilekeeper.services import act_on_reminder, check_new_passphrase, passphrase_hint

if TYPE_CHECKING:
    from profilekeeper.reminders import Due
    from profilekeeper.store.vault import Vault

CANCEL: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="dialog-cancel", tooltip="Close without changes"),
]


T = TypeVar("T")


def ok_or_cancel(label: str, ok_id: str = "ok") -> Horizontal:
    """A dialog's buttons: ``label`` (the dialog handles ``#ok_id``) and Cancel (see Dialog)."""
    return Horizontal(Button(label, id=ok_id, variant="primary"), Button("Cancel", id="cancel"),
                      classes="buttons")


class Dialog(ModalScreen[T], Generic[T]):
    """A centred box; Escape, or a button with the id ``cancel``, dismisses it with None."""

    BINDINGS: ClassVar[list[BindingType]] = CANCEL

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Dialog[bool | None]):
    def __init__(self, question: str | Text, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="error")
                yield Button("Cancel", id="no")

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(None)


class DeletePersonDialog(Dialog[str | None]):
    """Deleting someone: with gift records, ask whether to delete or keep them (detached)."""

    def __init__(self, name: str, gift_count: int) -> None:
        super().__init__()
        self.person_name = name
        self.gift_count = gift_count

    def compose(self) -> ComposeResult:
        question = Text(f"Delete {self.person_name} with their dates and interests?")
        if self.gift_count:
            question.append(
                f"\n{self.gift_count} gift record(s) belong to them: delete those too, or keep "
                "them in your history without a person?"
            )
        with Vertical(classes="dialog"):
            yield Static(question, classes="question")
            with Horizontal(classes="buttons"):
                if self.gift_count:
                    yield Button("Delete gifts too", id="delete", variant="error")
                    yield Button("Keep gifts", id="keep", variant="warning")
                else:
                    yield Button("Delete", id="delete", variant="error")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#delete, #keep")
    def _choice(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)


class PickPersonDialog(Dialog[str | None]):
    """Which person a purchase was a gift for; the empty string means "not a gift"."""

    def __init__(self, people: list[tuple[str, str]], current: str | None) -> None:
        super().__init__()
        self.people = people
        self.current = current

    def compose(self) -> ComposeResult:
        # Names may come from imported contacts: Text, never markup.
        options = [(Text("Not a gift (mine)"), ""), *((Text(n), i) for n, i in self.people)]
        with Vertical(classes="dialog"):
            yield Label("This purchase was a gift for:")
            yield Select(options, value=self.current or "", allow_blank=False, id="who")
            yield ok_or_cancel("Save", "save")

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.dismiss(str(self.query_one("#who", Select).value))


class PassphraseDialog(Dialog[str | None]):
    """Ask for the current passphrase (before a key rotation)."""

    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.why, classes="question")
            yield Input(password=True, placeholder="current passphrase", id="current")
            yield ok_or_cancel("Continue")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        if value := self.query_one("#current", Input).value:
            self.dismiss(value)


class ChangePassphraseDialog(Dialog[tuple[str, str] | None]):
    """Old passphrase, new one twice, with the strength hint; checked before anything changes."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label("Change passphrase", classes="title")
            yield Input(password=True, placeholder="current passphrase", id="old", compact=True)
            yield Input(password=True, placeholder="new passphrase", id="new", compact=True)
            yield Static("", id="strength", classes="hint")
            yield Input(password=True, placeholder="new passphrase again", id="again",
                        compact=True)
            yield Static("", id="error", classes="error")
            yield ok_or_cancel("Change")

    @on(Input.Changed, "#new")
    def _strength(self, event: Input.Changed) -> None:
        self.query_one("#strength", Static).update(passphrase_hint(event.value)[1])

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        old, new, again = (self.query_one(f"#{i}", Input).value for i in ("old", "new", "again"))
        try:
            if not old:
                raise InvalidInput("enter your current passphrase")
            check_new_passphrase(new)
            if new != again:
                raise InvalidInput("the two new passphrases differ")
        except InvalidInput as refused:
            error = sentence(str(refused))
        else:
            error = ""
        self.query_one("#error", Static).update(error)
        if not error:
            self.dismiss((old, new))


class FileDialog(Dialog[str | None]):
    """A file path for export or import, with a warning shown above it."""

    def __init__(self, title: str, warning: str, default: str, action: str) -> None:
        super().__init__()
        self.title_text = title
        self.warning = warning
        self.default = default
        self.action_label = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label(self.title_text, classes="title")
            yield Static(self.warning, classes="warning")
            yield Input(self.default, placeholder="file path", id="path", compact=True)
            yield Static("", id="error", classes="error")
            yield ok_or_cancel(self.action_label)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        if path := self.query_one("#path", Input).value.strip():
            self.dismiss(path)
        else:
            self.query_one("#error", Static).update("Enter a file path.")


class SnoozeDialog(Dialog[date | None]):
    """Snooze a reminder until a day the user types; saved here, so a refusal shows inline."""

    def __init__(self, vault: Vault, item: Due, today: date, default: date) -> None:
        super().__init__()
        self.vault = vault
        self.item = item
        self.today = today
        self.default = default

    def compose(self) -> ComposeResult:
        about = Text(self.item.headline)  # a name from imported contacts: Text, never markup
        about.append(f": {self.item.on:%a %d %b %Y}.\nQuiet until the day you choose, then it "
                     "reminds again.")
        with Vertical(classes="dialog form"):
            yield Label("Snooze until", classes="title")
            yield Static(about, classes="question")
            yield Input(self.default.isoformat(), placeholder="YYYY-MM-DD", id="until",
                        compact=True)
            yield Static("", id="error", classes="error", markup=False)
            yield ok_or_cancel("Snooze")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        try:
            until = _full_date(self.query_one("#until", Input).value)
            act_on_reminder(self.vault, self.item, "snooze", self.today, until)
        except ProfileKeeperError as error:  # a refused day, or a record that fails to open
            self.query_one("#error", Static).update(sentence(str(error)))
            return
        self.dismiss(until)


def _full_date(text: str) -> date:
    when = parse_partial_date(text)  # says what is wrong with the form or the calendar
    if when.year is None:
        raise InvalidInput("give the year too: YYYY-MM-DD")
    return date(when.year, when.month, when.day)
