"""RecordTable.fill in steps: a screenful painted first, the rest added after that paint, a
frame at a time.

Each layout the screen paints is recorded (Textual signals it once the frame is out) with the
rows the table held then: the first frame holds the first rows only, then the rest come, REST
at most a frame, in order.
"""

from __future__ import annotations

import itertools

from textual.app import App, ComposeResult
from textual.widgets import Static

from profilekeeper.widgets.table import REST, RecordTable

ROWS = [(f"id{n}", (f"Name {n:04}", "friend")) for n in range(REST * 2 + 300)]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("spy")
        yield RecordTable("Name", "Relationship", id="table")

    def on_mount(self) -> None:
        self.painted: list[int] = []
        spy = self.query_one(Static)
        self.screen.screen_layout_refresh_signal.subscribe(
            spy, lambda _: self.painted.append(self.table.row_count), immediate=True
        )

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)


def names(table: RecordTable) -> list[str]:
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    """Until the table has had no rows to add for a few frames."""
    table, still = pilot.app.table, 0
    for _ in range(100):
        count = table.row_count
        await pilot.pause(0.02)
        still = still + 1 if table.row_count == count else 0
        if still == 3:
            return


async def test_the_first_rows_are_painted_before_the_rest_are_added() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await settled(pilot)
        app.painted.clear()
        app.table.fill(ROWS, first=18)
        await settled(pilot)
        shown = sorted(set(count for count in app.painted if count))
        assert shown[0] == 18  # the first frame with rows: the screenful alone
        assert shown[-1] == len(ROWS)
        assert all(later - earlier <= REST for earlier, later in itertools.pairwise(shown))
        assert names(app.table) == [cells[0] for _, cells in ROWS]


async def test_a_refill_of_the_same_size_still_gets_its_rest() -> None:
    """The table's size does not change between two such fills: the rest come all the same,
    and a fill made while an older one's rest is still to come replaces it."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        app.table.fill(ROWS, first=18)
        await settled(pilot)
        app.table.fill(ROWS[:100], first=18)
        app.table.fill(ROWS[:300], first=18)  # before the rest of the one above came
        await settled(pilot)
        assert names(app.table) == [cells[0] for _, cells in ROWS[:300]]
        app.table.fill(ROWS[:300], first=18)
        await settled(pilot)
        assert app.table.row_count == 300


async def test_the_cursor_stays_on_its_record_however_far_down() -> None:
    """The record under the cursor, or the one asked for, is among the first rows, or all
    come at once."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        app.table.fill(ROWS, first=18)
        await settled(pilot)
        app.table.move_cursor(row=400)
        app.table.fill(ROWS, first=18)
        assert app.table.row_count == len(ROWS) and app.table.selected_id == "id400"
        app.table.fill(ROWS, first=18, cursor_on="id250")
        assert app.table.selected_id == "id250"
        app.table.fill(ROWS, first=18, cursor_on="id3")
        assert app.table.row_count == 18 and app.table.selected_id == "id3"
        await settled(pilot)
        assert app.table.row_count == len(ROWS) and app.table.selected_id == "id3"


async def test_going_past_the_rows_in_so_far_brings_the_rest_at_once() -> None:
    """ctrl+end, page down or down at the last row in so far: the user wants what lies past
    it, so the rest come now and the cursor goes where it would in the whole list."""
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        app.table.fill(ROWS, first=18)
        app.table.focus()
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert app.table.row_count == len(ROWS)
        assert app.table.selected_id == ROWS[-1][0]
        app.table.fill(ROWS, first=18, cursor_on="id0")
        for _ in range(17):
            app.table.action_cursor_down()
        assert app.table.row_count == 18 and app.table.selected_id == "id17"
        await pilot.press("down")  # past the last row in so far: it is there to go to
        assert app.table.selected_id == "id18"
        app.table.fill(ROWS, first=18, cursor_on="id0")
        await pilot.press("pagedown")
        assert app.table.cursor_row > 0
