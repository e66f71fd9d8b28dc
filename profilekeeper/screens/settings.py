"""Settings: idle lock, passphrase and key, the keyring copy, personalization, theme, files."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from profilekeeper import services
from profilekeeper.lead_times import kind_defaults
from profilekeeper.messages import RotationProgress, TaskDone
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.screens.dialogs import ChangePassphraseDialog, FileDialog, PassphraseDialog
from profilekeeper.widgets.checkbox import StateCheckbox

IDLE_CHOICES = [("never", 0), ("1 minute", 1), ("5 minutes", 5), ("10 minutes", 10),
                ("30 minutes", 30), ("1 hour", 60)]
LEAP_DAY_CHOICES = [("28 February", "feb28"), ("1 March", "mar1")]
"""Where a 29 February birthday is reminded and shown in common years."""
LEAD_KINDS = [("*", "Remind (days before)"), ("birthday", "  birthdays"),
              ("anniversary", "  anniversaries")]  # fmt: skip
"""The owner's default lead days: every kind, then the kinds that override it."""
LEAD_IDS = {"*": "default", "birthday": "birthday", "anniversary": "anniversary"}

FILE_TASKS: dict[str, tuple[str, str, str, Callable[..., str]]] = {
    # task: (title, warning, default file name, service)
    "export-json": ("Export everything as JSON", services.PLAINTEXT_WARNING,
                    "profilekeeper-export.json", services.export_json_file),
    "import-json": ("Import a JSON export", "Records in the file are added to this vault; "
                    "records with the same id are replaced.", "profilekeeper-export.json",
                    services.import_json_file),
    "export-ics": ("Export occasions as a calendar (.ics)", "The calendar file is not "
                   "encrypted: it holds names and dates.", "gift-reminders.ics",
                   services.export_ics_file),
    "import-vcf": ("Import contacts (.vcf)", "People are matched by contact id, else by name; "
                   "nobody is duplicated.", "contacts.vcf", services.import_contacts_file),
}


class SettingsScreen(VaultScreen):
    MODE = "settings"
    BINDINGS: ClassVar[list[BindingType]] = bindings("settings")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="settings"):
            with Grid(classes="settings-grid"):
                yield Label("Lock when idle for")
                yield Select(IDLE_CHOICES, allow_blank=False, id="idle", compact=True,
                             value=services.DEFAULT_IDLE_MINUTES)
                yield Label("Personalization")
                yield StateCheckbox("shops may see what I grant", id="opted-in", compact=True)
                yield Label("Remember on this device")
                yield StateCheckbox("keep the key in the system keyring", id="remember",
                                    compact=True)
                yield Label("Theme")
                yield Select([(t, t) for t in services.THEMES], allow_blank=False,
                             id="theme", compact=True, value=services.THEMES[0])
                yield Label("29 February, other years")
                yield Select(LEAP_DAY_CHOICES, allow_blank=False, id="leap-day", compact=True,
                             value="feb28")
                yield Label("Notification command")
                yield Input(placeholder="run for each due reminder, e.g. notify-send %s",
                            id="notify-command", compact=True)
                for kind, label in LEAD_KINDS:
                    yield Label(label)
                    yield Input(placeholder="inherit" if kind != "*" else "14,3",
                                id=f"lead-{LEAD_IDS[kind]}", compact=True)
            yield Static("", id="opt-note", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Change passphrase", id="change-passphrase", compact=True)
                yield Button("Rotate key", id="rotate-key", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Export JSON", id="export-json", compact=True)
                yield Button("Import JSON", id="import-json", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Export .ics", id="export-ics", compact=True)
                yield Button("Import .vcf", id="import-vcf", compact=True)
            yield ProgressBar(id="rotation", show_eta=False)
            yield Static("", id="task-status", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#rotation").display = False

    def reload(self) -> None:
        profile = self.vault.profile()
        with self.prevent(Select.Changed, Checkbox.Changed):
            idle = profile.settings.get("idle_lock_minutes", services.DEFAULT_IDLE_MINUTES)
            if idle in dict((v, k) for k, v in IDLE_CHOICES):
                self.query_one("#idle", Select).value = idle
            self.query_one("#opted-in", Checkbox).value = bool(profile.opted_in)
            self.query_one("#remember", Checkbox).value = self.vault.header.remembered
            theme = profile.settings.get("theme", self.app.theme)
            if theme in services.THEMES:
                self.query_one("#theme", Select).value = theme
            self.query_one("#leap-day", Select).value = services.leap_day(self.vault)
        self.query_one("#notify-command", Input).value = str(
            profile.settings.get(services.NOTIFY_COMMAND, ""))
        kinds = kind_defaults(profile.settings)
        for kind, _ in LEAD_KINDS:
            days = kinds.get(kind)
            self.query_one(f"#lead-{LEAD_IDS[kind]}", Input).value = \
                "" if days is None else ",".join(map(str, days))  # fmt: skip
        self.query_one("#opt-note", Static).update(
            "Opted in: shops you link may see the slices you grant them."
            if profile.opted_in
            else "Opted out: shops get your first name at most, nothing else."
        )

    @on(Select.Changed, "#idle")
    def _idle(self, event: Select.Changed) -> None:
        if event.value == services.setting(self.vault, "idle_lock_minutes", None):
            return
        services.update_settings(self.vault, idle_lock_minutes=int(str(event.value)))

    @on(Select.Changed, "#theme")
    def _theme(self, event: Select.Changed) -> None:
        if event.value == services.setting(self.vault, "theme", self.app.theme):
            return
        self.app.theme = str(event.value)
        services.update_settings(self.vault, theme=str(event.value))

    @on(Select.Changed, "#leap-day")
    def _leap_day(self, event: Select.Changed) -> None:
        if event.value != services.leap_day(self.vault):
            services.update_settings(self.vault, leap_day=str(event.value))

    @on(Input.Submitted, "#notify-command")
    def _notify_command(self, event: Input.Submitted) -> None:
        services.set_notify_command(self.vault, event.value)  # `on` reports a refusal
        self.notify("Notification command saved." if event.value.strip()
                    else "No notification command.")

    @on(Input.Submitted, "#lead-default, #lead-birthday, #lead-anniversary")
    def _lead(self, event: Input.Submitted) -> None:
        kind = {v: k for k, v in LEAD_IDS.items()}[(event.input.id or "").removeprefix("lead-")]
        services.set_kind_lead(self.vault, kind, event.value)
        self.notify("Lead days saved.")
        self.reload()

    @on(Checkbox.Changed, "#opted-in")
    def _opt(self, event: Checkbox.Changed) -> None:
        if event.value != bool(self.vault.profile().opted_in):
            self.action_set_opt_in(event.value)

    def action_set_opt_in(self, opted_in: bool) -> None:
        services.set_profile(self.vault, opted_in=opted_in)
        self.notify("Personalization on." if opted_in else "Personalization off: greeting only.")
        self.reload()

    @on(Checkbox.Changed, "#remember")
    def _remember(self, event: Checkbox.Changed) -> None:
        if event.value != self.vault.header.remembered:
            self.action_remember(event.value)

    def action_remember(self, remember: bool) -> None:
        self.notify(self.pk.remember_key(remember))
        self.reload()

    # -- long tasks, in workers ----------------------------------------------------------------

    @on(Button.Pressed, "#change-passphrase")
    def action_change_passphrase(self) -> None:
        def change(answer: tuple[str, str] | None) -> None:
            if answer:
                self._status("Changing the passphrase…")
                self.change_passphrase(*answer)

        self.app.push_screen(ChangePassphraseDialog(), change)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False,
          description="change passphrase")
    def change_passphrase(self, old: str, new: str) -> None:
        services.change_passphrase(self.vault, old, new, kdf=self.pk.kdf)
        self.post_message(TaskDone("passphrase", "Passphrase changed."))

    @on(Button.Pressed, "#rotate-key")
    def action_rotate_key(self) -> None:
        def rotate(passphrase: str | None) -> None:
            if passphrase:
                self.query_one("#rotation").display = True
                self._status("Re-encrypting every record under a new key…")
                self.rotate_key(passphrase)

        self.app.push_screen(PassphraseDialog(
            "Rotating the key re-encrypts every record. Enter your passphrase:"), rotate)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False,
          description="rotate key")
    def rotate_key(self, passphrase: str) -> None:
        vault = self.vault

        def progress(done: int, total: int) -> None:
            self.post_message(RotationProgress(done, total))

        # As `rotate-key`: the remembered copy is replaced, or the vault stops trusting it.
        done = services.rotate_key(vault, passphrase, progress=progress, keystore=self.pk.keystore)
        detail = "Key rotated."
        if done.keyring_updated:
            detail += " Remembered on this device."
        elif done.keyring_error is not None:
            detail += f" {done.keyring_error}: the passphrase stays the only key."
        self.post_message(TaskDone("rotation", detail))

    @on(RotationProgress)
    def _progress(self, message: RotationProgress) -> None:
        self.query_one("#rotation", ProgressBar).update(total=message.total,
                                                        progress=message.done)

    @on(Button.Pressed, "#export-json, #import-json, #export-ics, #import-vcf")
    def _file_button(self, event: Button.Pressed) -> None:
        self.action_file_task(event.button.id or "")

    def action_file_task(self, task: str) -> None:
        title, warning, default, _ = FILE_TASKS[task]

        def run(path: str | None) -> None:
            if path:
                self._status(f"{title}…")
                self.file_task(task, path)

        self.app.push_screen(FileDialog(title, warning, default,
                                        "Export" if task.startswith("export") else "Import"), run)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False,
          description="file task")
    def file_task(self, task: str, path: str) -> None:
        service = FILE_TASKS[task][3]
        self.post_message(TaskDone(task, service(self.vault, path)))

    @on(TaskDone)
    def _done(self, message: TaskDone) -> None:
        self.query_one("#rotation").display = False
        self._status(message.detail)
        self.notify(message.detail)
        if message.what.startswith("import"):
            self.reload()

    def _status(self, text: str) -> None:
        self.query_one("#task-status", Static).update(text)

    def worker_failed(self) -> None:
        self.query_one("#rotation").display = False
        self._status("")
