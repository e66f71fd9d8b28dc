"""Sharing: which shop may see which slice (a grid of toggles, each with an optional end), the
exact bytes a shop gets, sync now with progress shop by shop, connect and forget a shop.

Connecting, revoking (which sends the smaller profile at once), syncing and forgetting talk to
shops: they run in worker threads, so the screen stays responsive and a failing shop is said,
shop by shop, never raised.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Label, Static

from profilekeeper import services
from profilekeeper.model import Outcome, Person, Retailer, ShopStatus
from profilekeeper.screens import unreadable
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.screens.dialogs import ConfirmDialog
from profilekeeper.screens.sharing_dialogs import (
    ConnectDialog,
    HoldsDialog,
    MinimumTermsDialog,
    UntilDialog,
)
from profilekeeper.services.sharing_views import SharingGrid, ShopColumn, SliceRow, sharing_grid
from profilekeeper.widgets.grant_grid import GrantGrid
from profilekeeper.widgets.table import RecordTable
from profilekeeper.widgets.untrusted import clean, shop_text, visible

clock: Callable[[], datetime] = services.now_utc
"""What "now" is for grants and previews (tests fix it, for pictures that do not change)."""


@dataclass
class ShopProgress(Message):
    """How one shop's sync (or revoke, or forget) is going, from a worker thread."""

    shop_id: str
    state: Text


@dataclass
class SharingChanged(Message):
    """A worker changed grants or shops: read the grid again."""

    note: str = ""
    severity: SeverityLevel = "information"


class SharingScreen(VaultScreen):
    MODE = "sharing"
    BINDINGS: ClassVar[list[BindingType]] = bindings("sharing")

    AUTO_FOCUS = "#grid"

    def __init__(self) -> None:
        super().__init__()
        self._grid = SharingGrid([], [])
        self._progress: dict[str, Text] = {}
        """What the last sync, revoke or forget says of each shop, by shop id."""
        self._shop_id: str | None = None
        """The shop the preview, Forget and the shops list follow."""

    def compose_body(self) -> ComposeResult:
        yield RecordTable("Shop", "Now", "Last exchange", "Terms", id="shops",
                          widths=(20, 14, 30, 44))
        yield GrantGrid(id="grid")
        yield Static("", id="slice-about", classes="hint")
        with VerticalScroll(id="preview"):
            yield Label("", id="preview-title", classes="section")
            yield Static("", id="preview-body")

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="sharing", exit_on_error=False)
    def _load(self) -> None:
        grid = sharing_grid(self.vault, services.grantable(self.vault), clock())
        self.app.call_from_thread(self._loaded, grid)

    def _loaded(self, grid: SharingGrid) -> None:
        self._grid = grid
        ids = [s.id for s in grid.shops]
        if self._shop_id not in ids:
            self._shop_id = ids[0] if ids else None
        self._show_shops()
        unreadable.say(self, grid.unreadable)
        table = self.query_one("#grid", GrantGrid)
        table.fill(grid)
        if self._shop_id is not None and table.row_count:  # a shop just connected, say
            table.move_cursor(column=table.get_column_index(self._shop_id))
        self._follow(self._shop_id)

    def _show_shops(self) -> None:
        unreadable.fill(self.query_one("#shops", RecordTable), (
            (s.id, (shop_text(s.name, limit=20), self._state(s), _last(s),
                    clean(s.terms, limit=44)))
            for s in self._grid.shops
        ), self._grid.unreadable)

    def _state(self, shop: ShopColumn) -> Text:
        if shop.id in self._progress:
            return self._progress[shop.id]
        if shop.status == ShopStatus.FORGET_PENDING:
            return Text("forget pending", style="bold yellow")
        return Text("connected")

    def _shop(self, shop_id: str | None = None) -> ShopColumn | None:
        wanted = shop_id or self._shop_id
        return next((s for s in self._grid.shops if s.id == wanted), None)

    def _follow(self, shop_id: str | None) -> None:
        """Make ``shop_id`` the selected shop: its line in the list, its preview."""
        self._shop_id = shop_id
        shop = self._shop()
        if shop is None:
            self.query_one("#preview-title", Label).update("No shop connected yet")
            self.query_one("#preview-body", Static).update(Text(
                "Press c to connect a shop by its URL. Nothing is shared with a shop until you "
                "grant it slices here.", style="dim"))
            return
        table = self.query_one("#shops", RecordTable)
        if table.selected_id != shop.id:
            table.move_cursor(row=table.get_row_index(shop.id))
        self._preview(shop.id, clock())

    @on(DataTable.CellHighlighted, "#grid")
    def _cell(self, event: DataTable.CellHighlighted) -> None:
        row_key = event.cell_key.row_key.value
        row = next((r for r in self._grid.rows if r.key == row_key), None)
        self.query_one("#slice-about", Static).update(
            Text.assemble((row.label, "bold"), ": ", row.description) if row else "")
        shop_id = event.cell_key.column_key.value
        if shop_id and shop_id != self._shop_id and self._shop(shop_id):
            self._follow(shop_id)

    @on(DataTable.RowHighlighted, "#shops")
    def _shop_row(self, event: DataTable.RowHighlighted) -> None:
        # Only the user's moves: the list also moves when the grid picks a shop, or refills.
        shop_id = event.row_key.value
        if event.data_table.has_focus and shop_id and shop_id != self._shop_id \
                and self._shop(shop_id):  # not a marked row  # fmt: skip
            grid = self.query_one("#grid", GrantGrid)
            if grid.row_count:
                grid.move_cursor(column=grid.get_column_index(shop_id))
            self._follow(shop_id)

    # -- the preview: exactly what the shop gets -------------------------------------------------

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _preview(self, shop_id: str, now: datetime) -> None:
        shop = self.vault.get(Retailer, shop_id)
        outgoing = services.preview(self.vault, shop, now=now)
        title = shop_text(f"What {shop.name} gets now: {len(outgoing.body)} bytes", limit=120)
        body = Text()
        if outgoing.slices:
            body.append(f"slices: {', '.join(outgoing.slices)} · kept at most "
                        f"{outgoing.retention_days} days\n", style="dim")
        else:
            body.append("Nothing but the receipt: no slice is granted and accepted.\n",
                        style="dim")
        body.append(visible(outgoing.body.decode("utf-8")))  # exactly the bytes sent
        for withheld in outgoing.withheld:
            body.append(f"\nwithheld {withheld.slice}: {clean(withheld.reason)}", style="yellow")
        self.app.call_from_thread(self._previewed, shop_id, title, body)

    def _previewed(self, shop_id: str, title: Text, body: Text) -> None:
        if shop_id == self._shop_id:
            self.query_one("#preview-title", Label).update(title)
            self.query_one("#preview-body", Static).update(body)

    def action_preview(self) -> None:
        self.query_one("#preview", VerticalScroll).focus()

    # -- grants ------------------------------------------------------------------------------

    def _selected(self) -> tuple[SliceRow, Retailer] | None:
        chosen = self.query_one("#grid", GrantGrid).selected()
        if chosen is None:
            self.notify("Choose a shop's column in the grid first.", severity="warning")
            return None
        row, shop_id = chosen
        shop = self.vault.get(Retailer, shop_id)
        if not row.cells[shop_id].accepted:
            self.notify(shop_text(f"{shop.name} does not accept {row.label}: it is never sent "
                                  "there.").plain, severity="warning", markup=False)
            return None
        return row, shop

    @on(DataTable.CellSelected, "#grid")
    def action_toggle_grant(self) -> None:
        if (chosen := self._selected()) is None:
            return
        row, shop = chosen
        if row.cells[shop.id].granted:
            self._set_progress(shop.id, Text("revoking…", style="yellow"))
            self._revoke(shop, row)
        else:
            self._grant(shop, row, None)

    @work(thread=True, group="grant", exit_on_error=False, description="grant")
    def _grant(self, shop: Retailer, row: SliceRow, until: datetime | None) -> None:
        # In a worker: checking the slice reads every record (thousands of people).
        services.grant_slice(self.vault, shop, row.slice, person=self._person(row), until=until,
                             now=clock())
        self.post_message(SharingChanged())

    def _person(self, row: SliceRow) -> str | None:
        """Who a ``people`` row is about, as the grant services take it (their name)."""
        return None if row.person_id is None else self.vault.get(Person, row.person_id).name

    @work(thread=True, group="revoke", exit_on_error=False, description="revoke")
    def _revoke(self, shop: Retailer, row: SliceRow) -> None:
        # Ended here first; then the smaller profile goes to the shop at once.
        done = asyncio.run(services.revoke(self.vault, shop, row.slice,
                                          person=self._person(row), now=clock()))
        told = done.outcome == Outcome.OK
        self.post_message(ShopProgress(shop.id, _outcome_text(done.outcome, "revoked")))
        self.post_message(SharingChanged(
            "Revoked: the shop was sent the smaller profile." if told else
            "Revoked here; the shop could not be told, so it still holds the slice until the "
            "next sync gets through.", "information" if told else "warning"))

    def action_until(self) -> None:
        if (chosen := self._selected()) is None:
            return
        row, shop = chosen
        about = shop_text(f"{row.label} for {shop.name}", limit=200)

        def save(answer: tuple[datetime | None] | None) -> None:
            if answer is not None:
                self._grant(shop, row, answer[0])

        self.app.push_screen(UntilDialog(about, row.cells[shop.id].until, clock()), save)

    # -- shops -------------------------------------------------------------------------------

    def action_connect(self) -> None:
        def connected(done: services.Connected | None) -> None:
            if done is not None:
                note = shop_text(f"Connected to {done.shop.name}. Grant it slices here: it gets "
                                 "nothing until you do.").plain
                if done.keyring_problem:
                    note += f" Its key is kept in the vault: {done.keyring_problem}."
                self.notify(note, markup=False)
                self._shop_id = done.shop.id
            self.reload()

        self.app.push_screen(ConnectDialog(self.vault), connected)

    def action_holds(self) -> None:
        if (column := self._shop()) is None:
            self.notify("No shop is selected.", severity="warning")
            return
        self._set_progress(column.id, Text("asking…", style="yellow"))
        self._holds(self.vault.get(Retailer, column.id))

    @work(thread=True, group="holds", exit_on_error=False, description="holds")
    def _holds(self, shop: Retailer) -> None:
        view = asyncio.run(services.what_shop_holds(self.vault, shop))  # live: GET …/profile
        title = shop_text(f"What {shop.name} says it holds about you now", limit=120)
        held = Text(f"{len(view.slices)} slice(s)" + (
            f", kept until {view.expires_at:%Y-%m-%d %H:%M} UTC" if view.expires_at else ""
        ) + "\n", style="dim")
        held.append(visible(json.dumps(view.model_dump(mode="json", by_alias=True)["slices"],
                                       sort_keys=True, separators=(",", ":"))))
        self.post_message(ShopProgress(shop.id, Text("connected")))
        self.app.call_from_thread(self.app.push_screen, HoldsDialog(title, held))

    def action_minimum_terms(self) -> None:
        def saved(done: bool | None) -> None:
            if done:
                self.notify("Minimum terms saved: shops are held to them from the next "
                            "exchange on.")
                self.reload()

        self.app.push_screen(MinimumTermsDialog(self.vault), saved)

    def action_activity(self) -> None:
        if (column := self._shop()) is not None:
            self.app.call_later(self.pk.action_go, "activity", f"show_shop({column.id!r})")

    def action_forget(self) -> None:
        if (column := self._shop()) is None:
            self.notify("No shop is selected.", severity="warning")
            return
        question = shop_text(f"Forget {column.name}? It is asked to delete everything it "
                             "holds about you, and its key is removed here.")

        def forget(yes: bool | None) -> None:
            if yes:
                self._set_progress(column.id, Text("forgetting…", style="yellow"))
                self._forget(self.vault.get(Retailer, column.id))

        self.app.push_screen(ConfirmDialog(question, yes="Forget"), forget)

    @work(thread=True, group="forget", exit_on_error=False, description="forget")
    def _forget(self, shop: Retailer) -> None:
        done = asyncio.run(services.forget_shop(self.vault, shop, now=clock()))
        self.post_message(ShopProgress(shop.id, _outcome_text(done.outcome, "forgotten")))
        self.post_message(SharingChanged())

    # -- sync --------------------------------------------------------------------------------

    def action_sync(self) -> None:
        if not self._grid.shops:
            self.notify("No shop is connected: press c to connect one.", severity="warning")
            return
        for shop in self._grid.shops:
            self._progress[shop.id] = Text("waiting…", style="dim")
        self._show_shops()
        self._sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False, description="sync")
    def _sync(self) -> None:
        def progress(shop: Retailer, state: str) -> None:
            self.post_message(ShopProgress(shop.id, Text(f"{state}…", style="yellow")))

        reports = asyncio.run(services.sync_shops(self.vault, now=clock(), progress=progress))
        for report in reports:
            failed = next((r for r in report.records if r.outcome != Outcome.OK), None)
            self.post_message(ShopProgress(report.shop.id, _outcome_text(
                failed.outcome if failed else Outcome.OK, "synced")))
        failures = sum(not report.ok for report in reports)
        self.post_message(SharingChanged(
            f"Synced {len(reports) - failures} shop(s); {failures} failed: see Activity."
            if failures else f"Synced {len(reports)} shop(s).",
            "warning" if failures else "information"))

    @on(ShopProgress)
    def _shop_progress(self, message: ShopProgress) -> None:
        self._set_progress(message.shop_id, message.state)

    def _set_progress(self, shop_id: str, state: Text) -> None:
        self._progress[shop_id] = state
        self._show_shops()

    @on(SharingChanged)
    def _changed(self, message: SharingChanged) -> None:
        if message.note:
            self.notify(message.note, severity=message.severity, markup=False)
        self.reload()

    def worker_failed(self) -> None:
        # An unexpected failure (the app has said it): nothing stays "…syncing".
        self._progress = {k: v for k, v in self._progress.items() if not v.plain.endswith("…")}
        self._show_shops()


def _outcome_text(outcome: Outcome, done: str) -> Text:
    if outcome == Outcome.OK:
        return Text(f"✔ {done}", style="green")
    return Text(f"✘ {outcome.value.replace('_', ' ')}", style="bold red")


def _last(shop: ShopColumn) -> Text:
    record = shop.last
    if record is None:
        return Text("")
    text = Text(f"{record.sent_at:%m-%d %H:%M} {record.action.value} ")
    text.append("ok" if record.outcome == Outcome.OK else record.outcome.value.replace("_", " "),
                style="green" if record.outcome == Outcome.OK else "red")
    return text
