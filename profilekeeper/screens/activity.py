"""Activity: every exchange with a shop — connect, share, fetch, feedback, forget — and, for a
share, exactly what was sent. Filterable by shop. Read only."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Label, Select, Static

from profilekeeper import services
from profilekeeper.model import Outcome, ShareRecord
from profilekeeper.screens import unreadable
from profilekeeper.screens.base import VaultScreen, bindings, on
from profilekeeper.services import VaultReader
from profilekeeper.services.sharing_views import ActivityLog, activity_view, slices_line
from profilekeeper.services.views import Unreadable
from profilekeeper.widgets.table import RecordTable
from profilekeeper.widgets.untrusted import clean, shop_text, visible

ALL_SHOPS = ""


class ActivityScreen(VaultScreen):
    MODE = "activity"
    BINDINGS: ClassVar[list[BindingType]] = bindings("activity")
    AUTO_FOCUS = "#log"

    def __init__(self) -> None:
        super().__init__()
        self.shown_log = ActivityLog([], [])
        self._wanted_shop = ""
        """A shop to show once the records are read (``show_shop``)."""
        self._marks: dict[str, Unreadable] = {}
        """The records that cannot be read, by id, as marked in the list."""

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="activity-bar"):
            yield Label("Shop ")
            yield Select([("All shops", ALL_SHOPS)], allow_blank=False, value=ALL_SHOPS,
                         id="shop-filter", compact=True)
        yield RecordTable("When (UTC)", "Shop", "Action", "Outcome", "Slices", id="log",
                          widths=(16, 20, 8, 11, 40))
        with VerticalScroll(id="record"):
            yield Static("", id="record-detail")

    def reload(self) -> None:
        self._load(self.reader)

    @work(thread=True, exclusive=True, group="activity", exit_on_error=False)
    def _load(self, source: VaultReader) -> None:
        from profilekeeper.screens.sharing import clock

        # Receipts past their retention say so, as in `share log`.
        services.expire_receipts(self.vault, None, clock())
        log = activity_view(source)  # off the UI thread: each record's payload is decrypted
        self.app.call_from_thread(self._loaded, log)

    def _loaded(self, log: ActivityLog) -> None:
        self.shown_log = log
        select = self.query_one("#shop-filter", Select)
        chosen = select.value
        with self.prevent(Select.Changed):
            select.set_options([("All shops", ALL_SHOPS),
                                *((shop_text(name or "(unnamed shop)", limit=60), shop_id)
                                  for shop_id, name in log.shops)])
            known = {shop_id for shop_id, _ in log.shops}
            select.value = chosen if chosen in known else ALL_SHOPS
        self._pick_wanted()
        unreadable.say(self, log.unreadable)
        self._show()

    def _show(self) -> None:
        shop = str(self.query_one("#shop-filter", Select).value)
        shown = self.shown_log.of_shop(shop)
        self._by_id = {r.id: r for r in shown}
        # Whose a record is that cannot be read is not known: marked when every shop is shown.
        self._marks = {m.record_id: m for m in self.shown_log.unreadable} if not shop else {}
        table = self.query_one("#log", RecordTable)
        unreadable.fill(table, (
            (r.id, (f"{r.sent_at:%Y-%m-%d %H:%M}", shop_text(r.shop_name, limit=20),
                    r.action.value, _outcome(r), slices_line(self.shown_log.slices(r), 40)))
            for r in shown
        ), tuple(self._marks.values()), first=self.app.size.height)  # fmt: skip
        self._detail(table.selected_id)

    @on(Select.Changed, "#shop-filter")
    def _filter(self) -> None:
        self._show()

    @on(DataTable.RowHighlighted, "#log")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.row_key.value)

    def _detail(self, record_id: str | None) -> None:
        record = self._by_id.get(record_id or "")
        if record is not None:
            said = describe(record, self.shown_log.slices(record))
        elif (mark := self._marks.get(record_id or "")) is not None:
            said = Text(mark.line, style=unreadable.STYLE)
        else:
            said = Text("No activity yet." if not self.shown_log.records
                        else "No record of this shop.", style="dim")  # fmt: skip
        self.query_one("#record-detail", Static).update(said)

    def action_filter_shop(self) -> None:
        self.query_one("#shop-filter", Select).focus()

    def action_show_shop(self, shop_id: str) -> None:
        """Show one shop's records (Sharing's "a"); its records are read by then, or soon."""
        self._wanted_shop = shop_id
        self._pick_wanted()

    def _pick_wanted(self) -> None:
        select = self.query_one("#shop-filter", Select)
        if self._wanted_shop and any(i == self._wanted_shop for i, _ in self.shown_log.shops):
            select.value, self._wanted_shop = self._wanted_shop, ""

    def action_what_was_sent(self) -> None:
        self.query_one("#record", VerticalScroll).focus()


def _outcome(record: ShareRecord) -> Text:
    if record.outcome == Outcome.OK:
        return Text("ok", style="green")
    return Text(record.outcome.value.replace("_", " "), style="bold red")


def describe(record: ShareRecord, slices: list[str] | None = None) -> Text:
    """Everything one record says, shop text cleaned; for a share, the exact bytes sent.
    ``slices``: its slices as the shopper knows them (``ActivityLog.slices``)."""
    text = Text()
    text.append(f"{record.action.value.capitalize()} · ", style="bold")
    text.append_text(shop_text(record.shop_name or "(unnamed shop)", "bold", limit=80))
    text.append(f" · {record.sent_at:%Y-%m-%d %H:%M:%S} UTC · ")
    text.append_text(_outcome(record))
    if record.reason:
        text.append("\n")
        text.append_text(shop_text(record.reason, limit=500))
    if slices := record.slices if slices is None else slices:
        text.append("\nslices: " + clean(", ".join(slices)))
    terms = [f"purpose {record.purpose}" if record.purpose else "",
             f"kept at most {record.retention_days} days" if record.retention_days else "",
             f"receipt {record.receipt_id}" if record.receipt_id else ""]
    if record.receipt_status:
        terms[-1] += f" ({record.receipt_status.value})"
    if any(terms):
        text.append("\n" + clean(" · ".join(t for t in terms if t)))
    if record.echo_matches is not None:
        text.append("\nThe shop holds exactly what was sent." if record.echo_matches
                    else "\nThe shop holds something other than what was sent.",
                    style="green" if record.echo_matches else "bold red")
    if record.payload:
        text.append("\nSent, exactly:\n", style="bold")
        text.append(visible(record.payload))
    if record.response:
        text.append("\nThe shop answered:\n", style="bold")
        text.append_text(shop_text(record.response, limit=20_000))
    return text
