"""Zero-width and other invisible format characters go from shop text, on receipt and at read
time (#16 §5): all of Unicode's ``Cf`` (``plain_text.FORMAT``), with every control.

A property: whatever text a shop sends, the sanitized item holds no character of category Cc
or Cf, through ``clean_text`` (receipt), ``parse_suggestions`` (a page as the client reads it)
and ``sanitize`` (the pipeline's first step, on what is stored).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from profilekeeper.model import Suggestion
from profilekeeper.plain_text import FORMAT
from profilekeeper.suggestions.sanitize import fit_to_show, sanitize
from profilekeeper.sync import parse_suggestions
from profilekeeper.sync.sanitize import clean_text
from tests.escape_corpus import CORPUS

_FORMAT = re.compile(f"[{FORMAT}]")
_ALL_CF = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
NAMED = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u061c"
"""The ones #16 names: zero-width space, non-joiner, joiner, LRM, RLM, word joiner, the
invisible operators, the byte-order mark, the Mongolian vowel separator, the Arabic letter mark."""


def invisible(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in ("Cc", "Cf")]


def test_format_is_every_cf_character_unicode_knows() -> None:
    """``FORMAT`` holds each ``Cf`` of this Python's Unicode and nothing assigned otherwise."""
    assert [f"U+{ord(c):04X}" for c in _ALL_CF if not _FORMAT.match(c)] == []
    extra = [c for c in map(chr, range(sys.maxunicode + 1)) if _FORMAT.match(c)
             and unicodedata.category(c) not in ("Cf", "Cn")]  # fmt: skip
    assert extra == []


def test_each_named_character_goes_from_a_title() -> None:
    for ch in NAMED:
        assert clean_text(f"Velvet{ch}Static", limit=100) == "VelvetStatic", f"U+{ord(ch):04X}"
    assert clean_text("".join(_ALL_CF) + "x", limit=100) == "x"


def test_an_emoji_sequence_keeps_its_emoji_not_its_joiners() -> None:
    family = CORPUS["emoji"]
    assert clean_text(family, limit=100) == \
        "\U0001f469\U0001f469\U0001f467 e\u0301 Z\u0324\u0354\u0367"


def _item(**changes: Any) -> dict[str, Any]:
    return {"kind": "event", "id": "cn-1", "title": "The Glass Garden", "creators": ["Velvet"],
            "category": "concerts", "tags": ["soul"], "url": "https://shop.example/i/1",
            "for": "self", "reason": "because you love Velvet", "city": "Lisbon",
            "date": "2027-04-12T19:00:00Z", "venue": "Old Theatre", **changes}  # fmt: skip


def test_on_receipt_a_page_loses_them() -> None:
    hidden = "\u200bVel\u2060vet\ufeff"
    parsed = parse_suggestions({"items": [_item(title=f"The {hidden} Garden", creators=[hidden],
                                                tags=[hidden], city=hidden, venue=hidden,
                                                reason=hidden)],
                                "next_cursor": None}, known_refs=[])  # fmt: skip
    [got] = parsed.items
    assert (got.title, got.creators, got.tags, got.city, got.venue, got.reason) == (
        "The Velvet Garden", ["Velvet"], ["Velvet"], "Velvet", "Velvet", "Velvet")


def test_at_read_time_a_stored_item_loses_them() -> None:
    """As a vault written by an older release, or an imported file, holds it."""
    stored = Suggestion("shop", "r1", "event", "Glass\u200b Garden\u2061",
                        creators=["Vel\u200dvet"],
                        category="con\u00adcerts", tags=["\u180esoul"], reason="why\u2064",
                        details={"city": "Lis\u2060bon", "venue": "\ufeffOld"})  # fmt: skip
    shown = fit_to_show(stored)
    assert isinstance(shown, Suggestion)
    assert (shown.title, shown.creators, shown.category, shown.tags, shown.reason,
            shown.details) == ("Glass Garden", ["Velvet"], "concerts", ["soul"], "why",
                               {"city": "Lisbon", "venue": "Old"})  # fmt: skip
    assert fit_to_show(Suggestion("shop", "r2", "product", "\u200b\u200d\ufeff")) \
        == "title: empty once cleaned"


# Text biased towards what must go: controls, format characters, escapes, and plain letters.
_NASTY = st.sampled_from([*_ALL_CF, *map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)),
                          "\x1b[", "\x1b]", "\u2028", " ", "a", "Z", "\U0001f469", "\u0301"])
_TEXT = st.one_of(st.text(), st.lists(_NASTY).map("".join),
                  st.text(alphabet=st.characters(categories=["Cc", "Cf", "Ll", "Zs", "Mn"])))


@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_clean_text_leaves_no_control_or_format_character(text: str) -> None:
    assert invisible(clean_text(text, limit=500)) == []


@settings(max_examples=200, deadline=None)
@given(title=_TEXT, creator=_TEXT, category=_TEXT, tag=_TEXT, reason=_TEXT, city=_TEXT,
       kind=st.sampled_from(["product", "release", "event", "offer"]))
def test_a_sanitized_item_holds_no_control_or_format_character(
        title: str, creator: str, category: str, tag: str, reason: str, city: str,
        kind: str) -> None:  # fmt: skip
    stored = Suggestion("shop", "x", kind, title, creators=[creator], category=category,
                        tags=[tag], reason=reason, details={"city": city, "venue": city})
    kept, dropped = sanitize([stored])
    assert len(kept) + sum(dropped.values()) == 1
    for s in kept:
        texts = [s.title, s.category, s.reason, *s.creators, *s.tags,
                 *(v for v in s.details.values() if isinstance(v, str))]
        assert [t for t in texts if invisible(t)] == []
