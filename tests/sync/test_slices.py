"""Each slice built from model records, against the shapes docs/protocol.md gives."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from profilekeeper.model import Interest, Occasion, Person, Profile, Purchase, Sentiment
from profilekeeper.sync.protocol import SLICE_NAME, PersonRef, slice_model
from profilekeeper.sync.slice_choices import describe_slice, slice_choices
from profilekeeper.sync.slices import (
    Notes,
    ProfileSource,
    Withheld,
    age_band,
    age_on,
    category_slug,
    city_slice,
    clean,
    greeting_slice,
    interest_slices,
    person_ref,
    person_slice,
    purchases_slice,
    upcoming_occasions,
)

TODAY = date(2026, 12, 3)
REF = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
assert PersonRef  # the pattern above is the wire's (protocol.PersonRef)


def dump(value: object) -> object:
    return value.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]


def test_greeting_is_the_first_word_of_the_display_name_only() -> None:
    notes = Notes()
    value = greeting_slice(Profile(display_name="  Robin\x1b[31m  Q. Public "), notes)
    assert dump(value) == {"first_name": "Robin"}
    assert notes.withheld() == ()


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", "the profile has no display name"), ("\x07 \t", "the profile has no display name"),
     ("A" * 41 + " B", "the first name is longer than 40 characters")],
)  # fmt: skip
def test_a_greeting_that_cannot_be_sent_is_withheld_without_the_value(
    name: str, reason: str
) -> None:
    notes = Notes()
    assert greeting_slice(Profile(display_name=name), notes) is None
    assert notes.withheld() == (Withheld("greeting", reason),)


@pytest.mark.parametrize(
    ("raw", "sent"),
    [("Robin", "Robin"), ("a\x1b[31mred\x1b[0m", "ared"), ("x\x1b]0;title\x07y", "xy"),
     ("\u202eevil\u2066", "evil"), ("tab\there\nnew  line", "tab here new line"),
     ("nul\x00\x7f\x9b", "nul"), ("Zoë 🎵", "Zoë 🎵")],
)  # fmt: skip
def test_sent_text_carries_no_escapes_controls_or_bidi_overrides(raw: str, sent: str) -> None:
    assert clean(raw) == sent


@pytest.mark.parametrize(
    ("category", "slug"),
    [("music", "music"), ("Films & TV", "films_tv"), ("Café Culture", "cafe_culture"),
     ("Sci-Fi  ", "sci_fi"), ("İstanbul", "istanbul"), ("Straße", "strasse"),
     ("3D printing", "x3d_printing"), ("映画", "other"), ("🎵", "other"), ("", "other"),
     ("Ünïcödé—Fold", "unicode_fold"), ("a" * 40, "a" * 32), ("a" * 31 + " b", "a" * 31)],
)  # fmt: skip
def test_categories_slug_to_the_wire_pattern(category: str, slug: str) -> None:
    assert category_slug(category) == slug
    assert SLICE_NAME.match(f"interests.{slug}")


def test_interests_hold_all_four_sentiments_and_alike_categories_merge() -> None:
    mine = [
        Interest("Films & TV", "Ghibli", Sentiment.LOVE),
        Interest("films tv", "Slashers", Sentiment.NEVER),
        Interest("films_tv", "Musicals", Sentiment.DISLIKE),
        Interest("Films & TV", "Noir", Sentiment.LIKE),
        Interest("Films & TV", "Ghibli", Sentiment.LOVE),  # the same twice: sent once
        Interest("music", "Velvet Static", Sentiment.LOVE),
        Interest("music", "Someone else's", Sentiment.LOVE, person_id="p1"),
    ]
    notes = Notes()
    slices = {name: dump(value) for name, value in interest_slices(mine, notes).items()}
    assert slices == {
        "interests.films_tv": {"items": [
            {"name": "Slashers", "sentiment": "never"}, {"name": "Ghibli", "sentiment": "love"},
            {"name": "Noir", "sentiment": "like"}, {"name": "Musicals", "sentiment": "dislike"},
        ]},
        "interests.music": {"items": [{"name": "Velvet Static", "sentiment": "love"}]},
    }  # fmt: skip
    assert notes.withheld() == ()
    for name, value in slices.items():
        slice_model(name).model_validate(value)


def test_an_interest_too_long_for_the_wire_is_left_out_and_the_rest_sent() -> None:
    notes = Notes()
    mine = [Interest("music", "x" * 121), Interest("music", "ok"), Interest("music", "y" * 130)]
    assert dump(interest_slices(mine, notes)["interests.music"]) == {
        "items": [{"name": "ok", "sentiment": "like"}]
    }
    (withheld,) = notes.withheld()
    assert withheld == Withheld(
        "interests.music", "2 interests left out: name longer than 120 characters"
    )


def test_city_is_the_city_alone() -> None:
    notes = Notes()
    assert dump(city_slice(Profile(city=" Lisbon "), notes)) == {"city": "Lisbon"}
    assert city_slice(Profile(city=""), notes) is None
    assert city_slice(Profile(city="L" * 81), notes) is None
    assert [w.reason for w in notes.withheld()] == [
        "the profile has no city", "the city is longer than 80 characters"
    ]  # fmt: skip


def test_purchases_are_the_owners_own_newest_first_with_creators_and_iso_dates() -> None:
    notes = Notes()
    value = purchases_slice(
        [
            Purchase("Old book", on=date(2024, 5, 1), category="books", creators=["Ann Author"]),
            Purchase("Gift for a niece", on=date(2026, 1, 1), gift_for="p1"),
            Purchase("One-off", on=date(2026, 2, 1), personalize=False),
            Purchase("New record", on=date(2026, 3, 1), category="music",
                     creators=["Band", "", "Z" * 121]),
            Purchase("Undated", category="c" * 41),
            Purchase("T" * 201),
        ],
        notes,
    )  # fmt: skip
    assert dump(value) == {"items": [
        {"title": "New record", "category": "music", "creators": ["Band"], "on": "2026-03-01"},
        {"title": "Old book", "category": "books", "creators": ["Ann Author"],
         "on": "2024-05-01"},
        {"title": "Undated", "category": "", "creators": []},
    ]}  # fmt: skip
    assert {w.reason for w in notes.withheld()} == {
        "1 purchase left out: no title or one longer than 200 characters",
        "1 category left out: longer than 40 characters",
        "1 creator list left out: over 20 names or 120 characters",
    }


def _person(**changes: object) -> Person:
    fields: dict[str, object] = dict(
        name="Zelda Secretname", relationship="niece", budget=Decimal("25.5"), currency="eur",
        notes="notes-secret", sizes={"shirt": "size-secret"}, contact_uid="uid-secret",
    )  # fmt: skip
    fields.update(changes)
    return Person(**fields)  # type: ignore[arg-type]


def test_a_person_slice_says_relationship_age_band_interests_budget_and_never_a_name() -> None:
    person = _person()
    interests = [Interest("Picture Books", "Moomins", Sentiment.LOVE, person_id=person.id),
                 Interest("music", "not hers", person_id="someone-else"),
                 Interest("music", "the owner's", person_id=None)]  # fmt: skip
    occasions = [Occasion("birthday", 3, 14, 2018, person_id=person.id),
                 Occasion("anniversary", 1, 1, 1950, person_id=person.id)]  # fmt: skip
    notes = Notes()
    value = dump(person_slice(person, "people.x", interests, occasions, TODAY, notes))
    assert value == {
        "relationship": "niece",
        "age_band": "6-9",  # 8 on 3 December 2026
        "interests": [{"category": "picture_books", "name": "Moomins", "sentiment": "love"}],
        "budget": {"amount": "25.5", "currency": "EUR"},
    }
    assert not re.search(r"secret|Zelda|2018", str(value))
    assert notes.withheld() == ()


def test_a_person_without_known_facts_is_an_empty_slice() -> None:
    person = Person(name="Nobody Known")
    occasions = [Occasion("birthday", 3, 14, None, person_id=person.id)]  # no year: no band
    assert dump(person_slice(person, "people.x", [], occasions, TODAY, Notes())) == {
        "relationship": "", "interests": []
    }  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"currency": "euro"}, "1 budget left out: no three-letter currency"),
     ({"currency": ""}, "1 budget left out: no three-letter currency"),
     ({"budget": Decimal("-1")}, "1 budget left out: not an amount the protocol can carry"),
     ({"budget": Decimal("12345678")},
      "1 budget left out: not an amount the protocol can carry"),
     ({"relationship": "r" * 41}, "1 relationship left out: longer than 40 characters")],
)  # fmt: skip
def test_a_person_value_that_does_not_fit_is_left_out_alone(
    changes: dict[str, object], reason: str
) -> None:
    person = _person(**changes)
    notes = Notes()
    value = dump(person_slice(person, "people.x", [], [], TODAY, notes))
    assert notes.withheld() == (Withheld("people.x", reason, person.id),)
    assert ("budget" in value) == ("budget" not in changes and "currency" not in changes)
    assert "euro" not in reason and "r" * 41 not in reason


def test_budget_with_more_than_two_decimals_is_rounded_to_cents() -> None:
    value = dump(person_slice(_person(budget=Decimal("19.999")), "people.x", [], [], TODAY,
                              Notes()))  # fmt: skip
    assert value["budget"] == {"amount": "20.00", "currency": "EUR"}  # type: ignore[index]


@pytest.mark.parametrize(
    ("age", "band"),
    [(-1, None), (0, "0-2"), (2, "0-2"), (3, "3-5"), (5, "3-5"), (6, "6-9"), (9, "6-9"),
     (10, "10-12"), (12, "10-12"), (13, "13-17"), (17, "13-17"), (18, "18-24"),
     (24, "18-24"), (25, "25-34"), (34, "25-34"), (35, "35-49"), (49, "35-49"),
     (50, "50-64"), (64, "50-64"), (65, "65+"), (120, "65+")],
)  # fmt: skip
def test_age_bands_at_their_boundaries(age: int, band: str | None) -> None:
    assert age_band(age) == band


def test_age_turns_on_the_birthday_itself() -> None:
    assert age_on(date(2026, 3, 13), 3, 14, 2008) == 17
    assert age_on(date(2026, 3, 14), 3, 14, 2008) == 18
    assert age_band(age_on(date(2026, 3, 13), 3, 14, 2008)) == "13-17"
    assert age_band(age_on(date(2026, 3, 14), 3, 14, 2008)) == "18-24"
    assert age_on(date(2026, 12, 3), 12, 20, 2026) == -1  # not born yet: no band


@pytest.mark.parametrize(
    ("today", "leap_day", "age"),
    [(date(2025, 2, 28), "feb28", 1), (date(2025, 2, 28), "mar1", 0),
     (date(2025, 3, 1), "mar1", 1), (date(2028, 2, 28), "feb28", 3),
     (date(2028, 2, 29), "feb28", 4)],
)  # fmt: skip
def test_29_february_birthdays_age_as_the_reminders_place_them(
    today: date, leap_day: str, age: int
) -> None:
    assert age_on(today, 2, 29, 2024, leap_day=leap_day) == age


def test_upcoming_occasions_in_the_horizon_only_for_the_people_given() -> None:
    mine = Occasion("Name Day", 12, 3, None)  # today counts
    hers = Occasion("birthday", 1, 31, 1990, person_id="p1")  # today + 59
    edge = Occasion("anniversary", 2, 1, 2001, person_id="p1")  # today + 60: in
    past = Occasion("birthday", 2, 2, 1999, person_id="p1")  # today + 61: out
    once = Occasion("party", 11, 1, 2026, person_id="p1", yearly=False)  # gone
    theirs = Occasion("Ada's party", 12, 5, None)  # free text: said as "other"
    other = Occasion("birthday", 12, 10, 1980, person_id="p2")  # not granted
    notes = Notes()
    value = upcoming_occasions([mine, hers, edge, past, once, other, theirs],
                               {None: "self", "p1": "r1"}, TODAY, 60, notes)  # fmt: skip
    assert dump(value) == {"horizon_days": 60, "items": [
        {"for": "self", "kind": "name_day", "date": "2026-12-03"},
        {"for": "self", "kind": "other", "date": "2026-12-05"},
        {"for": "r1", "kind": "birthday", "date": "2027-01-31"},
        {"for": "r1", "kind": "anniversary", "date": "2027-02-01"},
    ]}  # fmt: skip
    assert not re.search(r"1990|2001|ada", str(dump(value)))
    assert notes.withheld() == ()


@pytest.mark.parametrize(("leap_day", "on"), [("feb28", "2027-02-28"), ("mar1", "2027-03-01")])
def test_29_february_falls_where_the_reminders_put_it(leap_day: str, on: str) -> None:
    leapling = Occasion("birthday", 2, 29, 1964, person_id="p1")
    value = upcoming_occasions([leapling], {"p1": "r1"}, TODAY, 90, Notes(), leap_day=leap_day)
    assert dump(value)["items"] == [{"for": "r1", "kind": "birthday", "date": on}]  # type: ignore[index]


def test_person_refs_are_wire_valid_stable_and_differ_per_shop() -> None:
    a, b = "aa" * 32, "bb" * 32
    refs = {person_ref(a, "p1"), person_ref(a, "p2"), person_ref(b, "p1"), person_ref(b, "p2")}
    assert len(refs) == 4
    assert all(REF.match(ref) for ref in refs)
    assert person_ref(a, "p1") == person_ref(a, "p1")
    with pytest.raises(ValueError):
        person_ref("", "p1")


@pytest.mark.parametrize(
    "name",
    ["greeting", "interests.films_tv", "location.city", "purchases", "occasions.upcoming",
     "people", "people.abc123"],
)  # fmt: skip
def test_every_slice_has_one_plain_line(name: str) -> None:
    line = describe_slice(name)
    assert line and "\n" not in line and len(line) <= 160
    if name.startswith("interests."):
        assert "films tv" in line


def test_describing_a_name_the_protocol_lacks_is_an_error() -> None:
    with pytest.raises(ValueError):
        describe_slice("interests.Music")


def test_slice_choices_offer_every_grantable_slice_once() -> None:
    sam, ada = Person("Sam Okafor"), Person("Ada \x1b[1mLumen")
    source = ProfileSource(
        Profile(display_name="Alex"),
        people=[sam, ada],
        interests=[Interest("Films & TV", "x"), Interest("films tv", "y"),
                   Interest("music", "z"), Interest("books", "theirs", person_id=sam.id)],
    )  # fmt: skip
    choices = slice_choices(source)
    assert [(c.slice, c.person_id, c.label) for c in choices] == [
        ("greeting", None, "First name"),
        ("interests.films_tv", None, "Interests: Films & TV / films tv"),
        ("interests.music", None, "Interests: music"),
        ("location.city", None, "City"),
        ("purchases", None, "Purchases"),
        ("occasions.upcoming", None, "Upcoming dates"),
        ("people", ada.id, "Ada Lumen"),
        ("people", sam.id, "Sam Okafor"),
    ]
    assert all(c.description == describe_slice(c.slice) for c in choices)
