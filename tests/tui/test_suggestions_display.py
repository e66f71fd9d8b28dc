"""Shop text on the real Suggestions screen is inert (#16 §5): markup, escape sequences, C1
and bidi controls, NUL, zero-width and combining characters and a 10 KB title, in each field
that reaches the screen (title, creator, shop name, city, category and tag, currency), through
Pilot on a real vault holding them as a hostile shop, an old release or an import would.

For every row: each cell is plain ``Text`` (no spans, no style) equal to the sanitized string
or the reason made of it; what the summary and the table paint (the strips the driver writes) hold
no control character and no style with a link or an action, and shows the row's text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.geometry import Region

from profilekeeper.model import Grant, Occasion, Person, Retailer, Suggestion
from profilekeeper.screens.suggestions import (
    SHOP_WIDTH,
    TITLE_WIDTH,
    WHY_WIDTH,
    SuggestionsScreen,
)
from profilekeeper.sync.sanitize import clean_text
from profilekeeper.sync.slices import person_ref
from profilekeeper.sync.suggestion_limits import MAX_TITLE
from tests.escape_corpus import CONTROL, CORPUS
from tests.tui.test_flows import remember, settle


def _clean(text: str, limit: int = MAX_TITLE) -> str:
    return clean_text(text, limit=limit)


def _stock(vault: Any) -> tuple[str, dict[str, str]]:
    """One shop per corpus entry, named by it; from each a release by it (title and creator),
    a product (category and tag), an event in it as a city, a gift idea priced in it."""
    remember(vault)
    vault.save(replace(vault.profile(), city="Lisbon"))
    sam = vault.add(Person("Sam", budget=Decimal(30)))
    vault.add(Occasion("birthday", 3, 14, person_id=sam.id))
    items = []
    names: dict[str, str] = {}
    for n, (label, text) in enumerate(CORPUS.items()):
        shop = vault.add(Retailer(f"{text} {n}", f"https://s{n}.example"))
        names[shop.id] = " ".join(_clean(shop.name, 80).split())  # as a shop's name is shown
        vault.add(Grant(shop.id, "people", since=datetime(2026, 1, 1, tzinfo=UTC),
                        person_id=sam.id))  # fmt: skip
        items += [
            Suggestion(shop.id, f"r{n}", "release", f"{text} {n}", creators=[f"{text} {n}"],
                       category="music", details={"release_date": "2026-12-12"}),
            Suggestion(shop.id, f"p{n}", "product", f"product {label}", category=text,
                       tags=[text], price=Decimal(5)),
            Suggestion(shop.id, f"e{n}", "event", f"event {label}", category="music",
                       details={"city": f"{text} {n}", "date": "2026-04-01T20:00:00Z"}),
            Suggestion(shop.id, f"g{n}", "product", f"gift {label}", price=Decimal(10),
                       currency=text, for_ref=person_ref(shop.ref_key, sam.id)),
        ]  # fmt: skip
    vault.add_all(items)
    return sam.id, names


def _cells(app: Any) -> list[list[Text]]:
    table = app.screen.query_one("#suggestions")
    return [list(table.get_row_at(i)) for i in range(table.row_count)]


def _painted(app: Any) -> list[str]:
    """The summary and the table as they paint (the strips the driver writes, public API),
    each segment checked on the way; their lines' text."""
    lines = []
    for widget in (app.screen.query_one("#summary"), app.screen.query_one("#suggestions")):
        for strip in widget.render_lines(Region(0, 0, *widget.size)):
            text = ""
            for segment in strip:
                assert not CONTROL.search(segment.text), repr(segment.text)
                style = segment.style
                if style is not None:
                    # Textual's own meta (offsets, rows) only: no action, no link.
                    assert not style.link and "@click" not in style.meta, (segment.text, style)
                text += segment.text
            written = strip.render(app.console)
            assert "\x1b]" not in written and not re.search(r"[\x80-\x9f]", written)
            lines.append(text)
    return lines


def _plain(cell: Text) -> str:
    assert isinstance(cell, Text) and not cell.spans and not cell.style, repr(cell)
    return cell.plain


def _cut(text: str, width: int) -> str:
    """As the screen cuts a long cell: to ``width``, its last character an ellipsis."""
    return text if len(text) <= width else text[:width - 1] + "…"


async def _check_rows(pilot: Any, expected: dict[str, list[str]]) -> None:
    """The rows are ``expected`` (title → shop, reason), literally (cut to the columns'
    widths), and each row paints as its cells (the table sizes its columns once idle: a few
    pauses on a quiet machine, more on a busy one)."""
    app = pilot.app
    rows = [[_plain(c) for c in cells] for cells in _cells(app)]
    assert {title: [shop, why] for _, title, shop, why in rows} == {
        _cut(title, TITLE_WIDTH): [_cut(shop, SHOP_WIDTH), _cut(why, WHY_WIDTH)]
        for title, (shop, why) in expected.items()}  # fmt: skip
    want = [" ".join(" ".join(cells).split()) for cells in rows]
    for _ in range(200):  # up to 10 s: patience only, what must paint does not change
        painted = [" ".join(line.split()) for line in _painted(app)]
        if all(line in painted for line in want):
            break
        await pilot.pause(0.05)
    assert [line for line in want if line not in painted] == []


async def test_shop_text_is_inert_on_the_suggestions_screen(make, vault) -> None:  # type: ignore[no-untyped-def]
    sam, shops = _stock(vault)
    vault.close()
    app = make()
    texts = list(CORPUS.values())
    async with app.run_test(size=(260, 70)) as pilot:  # room for every column
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert isinstance(app.screen, SuggestionsScreen)
        shop_of = list(shops.values())
        expected = {}
        for n, (label, text) in enumerate(CORPUS.items()):
            creator = _clean(f"{text} {n}", 120)
            expected[_clean(f"{text} {n}")] = [shop_of[n], f"new album by {creator} — out 12 Dec"]
            expected[f"product {label}"] = [shop_of[n], f"suggested by {shop_of[n]}"]
        await _check_rows(pilot, expected)
        assert len(next(t for t in expected if t.startswith("long"))) == MAX_TITLE
        await pilot.press("h")  # the hidden ones: events in those cities
        await settle(pilot)
        await _check_rows(pilot, {
            f"event {label}": [shop_of[n], f"an event in {_clean(f'{texts[n]} {n}', 80)}, "
                                           "not in Lisbon"]
            for n, label in enumerate(CORPUS)})  # fmt: skip
        app.push_screen(SuggestionsScreen(sam))  # Sam's gift ideas, priced in shop text
        await settle(pilot)
        await _check_rows(pilot, {
            # A currency that is no ISO code is none: the amount alone.
            f"gift {label}": [shop_of[n], "for Sam's birthday in 12 days, under 30"]
            for n, label in enumerate(CORPUS)})  # fmt: skip
