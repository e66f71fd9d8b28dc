"""What the owner can grant a shop, one plain line each: the choices the app and the CLI show.

Plain Python over ``ProfileSource`` (no vault, no HTTP); the slices themselves are built in
``slices.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from profilekeeper.sync.protocol import SLICE_NAME
from profilekeeper.sync.slices import FIXED_SLICES, PEOPLE, ProfileSource
from profilekeeper.sync.wire_text import category_slug, clean


@dataclass(frozen=True)
class SliceChoice:
    """A slice the owner could grant: ``slice`` as granted (``people`` + ``person_id``)."""

    slice: str
    person_id: str | None
    label: str
    description: str


_DESCRIPTIONS = {
    "greeting": 'Your first name only, for a greeting such as "Welcome back!".',
    "location.city": "Your city (no street, no postcode), for concerts and events near you.",
    "purchases": "Your own purchases (title, category, creators, date); gifts and purchases "
    'marked "don\'t use" are never in it.',
    "occasions.upcoming": "Dates in the coming weeks (birthdays, anniversaries) for you and "
    "the people you share, never a year of birth.",
    PEOPLE: "Someone you buy for, under a code name only this shop sees: relationship, age "
    "band, interests and budget, never their name.",
}
_LABELS = {"greeting": "First name", "location.city": "City", "purchases": "Purchases",
           "occasions.upcoming": "Upcoming dates"}  # fmt: skip


def describe_slice(slice: str) -> str:  # noqa: A002 - the name the callers use
    """One plain line saying what ``slice`` (a wire name, or ``people``) shares.

    Raises:
        ValueError: ``slice`` is not a slice of protocol version 1.
    """
    if slice != PEOPLE and not SLICE_NAME.match(slice):
        raise ValueError("not a slice of protocol version 1")
    family, _, rest = slice.partition(".")
    if family == "interests":
        return (f"Your interests in {rest.replace('_', ' ')}: what you love, like, dislike "
                "and never want, as you wrote them.")  # fmt: skip
    return _DESCRIPTIONS[PEOPLE if family == PEOPLE else slice]


def slice_choices(source: ProfileSource) -> list[SliceChoice]:
    """Every slice the owner could grant, one plain line each, in the order to show them."""
    categories: dict[str, list[str]] = {}
    for interest in source.interests:
        if interest.person_id is None:
            names = categories.setdefault(f"interests.{category_slug(interest.category)}", [])
            if clean(interest.category) not in names:
                names.append(clean(interest.category))

    def choice(name: str, label: str, person_id: str | None = None) -> SliceChoice:
        return SliceChoice(name, person_id, label, describe_slice(name))

    return [
        choice("greeting", _LABELS["greeting"]),
        *(choice(s, "Interests: " + " / ".join(sorted(categories[s], key=str.casefold)))
          for s in sorted(categories)),
        *(choice(s, _LABELS[s]) for s in FIXED_SLICES[1:]),
        *(choice(PEOPLE, clean(p.name) or "(no name)", p.id)
          for p in sorted(source.people, key=lambda p: (clean(p.name).casefold(), p.id))),
    ]  # fmt: skip
