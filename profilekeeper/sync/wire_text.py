"""Free text from the vault folded to the protocol's words: slugs, kinds, clean strings.

Sent values are the owner's own, but they land in a shop's systems and screens, so they go
without terminal escapes, control or bidi characters. Names with a wire pattern
(``interests.<category>``, a person's interest category, an occasion's kind) are slugged:
accents and case folded, anything between letters and digits made ``_`` ("Films & TV" →
``films_tv``); a leading digit gets an ``x`` ("3D printing" → ``x3d_printing``); nothing
Latin left ("映画") is ``other``. Alike categories thus share one slice.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

OCCASION_KINDS = frozenset({
    "birthday", "anniversary", "name_day", "wedding", "graduation", "retirement",
    "christmas", "mothers_day", "fathers_day", "valentines_day", "housewarming", "baby_shower",
})  # fmt: skip
"""Occasion kinds sent by name: the rest could name someone, and go as ``other``."""

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?)?")
# C0/C1 controls and the bidi overrides: harmless to us, a trap in the shop's own screens.
_CONTROLS: dict[int, str | None] = {
    **dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                     *range(0x2066, 0x206A)]),
    **dict.fromkeys(range(0x09, 0x0E), " "),  # tabs and line breaks still part words
}  # fmt: skip


def clean(value: str) -> str:
    """``value`` without escape sequences, control or bidi characters, whitespace made single."""
    if value.isprintable() and "  " not in value:  # the usual case: nothing to take out
        return value.strip(" ")
    return " ".join(_ESCAPES.sub("", value).translate(_CONTROLS).split())


@lru_cache(maxsize=4096)  # a vault has few categories and kinds, used over and over
def category_slug(category: str) -> str:
    """``category`` as an ``interests.<slug>`` name (see the module doc)."""
    folded = unicodedata.normalize("NFKD", category.casefold())
    ascii_ = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _NOT_SLUG.sub("_", ascii_).strip("_")
    if slug[:1].isdigit():
        slug = "x" + slug
    return slug[:32].rstrip("_") or "other"


def occasion_kind(kind: str) -> str:
    """The kind ``occasions.upcoming`` says: a common one by name, any other ``other``."""
    slug = category_slug(kind)
    return slug if slug in OCCASION_KINDS else "other"
