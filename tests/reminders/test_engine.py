"""The reminder engine: occurrences, lead times, per-year state, ages and gift status."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profilekeeper.model import Gift, GiftStatus, Occasion, Person
from profilekeeper.reminders import (
    candidates,
    dismiss,
    due,
    headline,
    mark_bought,
    next_occurrence,
    ordinal,
    snooze,
    upcoming,
    within,
)

days_of_year = st.dates(date(2000, 1, 1), date(2000, 12, 31))  # 2000 is leap: includes 29 Feb
todays = st.dates(date(1990, 1, 1), date(2100, 12, 31))
leap_modes = st.sampled_from(["feb28", "mar1"])
lead_lists = st.lists(st.integers(0, 366), max_size=4)


def expected_in(year: int, month: int, day: int, leap_day: str) -> date:
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1) if leap_day == "mar1" else date(year, 2, 28)
    return date(year, month, day)


# --- next_occurrence ----------------------------------------------------------------------


@given(days_of_year, todays, leap_modes)
def test_next_occurrence_is_the_first_matching_day_on_or_after(md, today, leap_day):
    on = next_occurrence(md.month, md.day, today, leap_day=leap_day)
    assert on >= today
    assert on - today < timedelta(days=367)
    assert on in (
        expected_in(today.year, md.month, md.day, leap_day),
        expected_in(today.year + 1, md.month, md.day, leap_day),
    )
    # nothing matching lies between today and on
    if on.year != today.year:
        assert expected_in(today.year, md.month, md.day, leap_day) < today


@given(todays)
def test_leap_day_falls_on_feb_28_or_mar_1_in_common_years(today):
    on = next_occurrence(2, 29, today)
    mar = next_occurrence(2, 29, today, leap_day="mar1")
    if calendar.isleap(on.year):
        assert (on.month, on.day) == (2, 29)
    else:
        assert (on.month, on.day) == (2, 28)
    if not calendar.isleap(mar.year):
        assert (mar.month, mar.day) == (3, 1)


@pytest.mark.parametrize(
    ("month", "day", "today", "expected"),
    [
        (12, 31, date(2026, 12, 31), date(2026, 12, 31)),  # today counts
        (1, 1, date(2026, 12, 31), date(2027, 1, 1)),  # across the year end
        (12, 31, date(2027, 1, 1), date(2027, 12, 31)),
        (2, 29, date(2027, 3, 1), date(2028, 2, 29)),
        (2, 29, date(2026, 3, 1), date(2027, 2, 28)),
        (2, 28, date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_next_occurrence_known_answers(month, day, today, expected):
    assert next_occurrence(month, day, today) == expected


def test_unknown_leap_day_setting_is_refused():
    with pytest.raises(ValueError):
        next_occurrence(2, 29, date(2026, 1, 1), leap_day="feb30")


# --- due / upcoming over random inputs -------------------------------------------------------


@given(days_of_year, todays, lead_lists, st.integers(0, 400), leap_modes)
def test_due_respects_window_and_lead_times(md, today, leads, days, leap_day):
    occ = Occasion("birthday", md.month, md.day, lead_days=leads)
    on = next_occurrence(md.month, md.day, today, leap_day=leap_day)
    shown = due([occ], [], [], today, days, leap_day=leap_day)
    lead = max(leads, default=0)
    should = on <= today + timedelta(days=days) and today >= on - timedelta(days=lead)
    assert bool(shown) == should
    if shown:
        assert shown[0].on == on
        assert shown[0].days_until == (on - today).days
    # upcoming ignores lead times: it holds every due item and maybe more
    listed = upcoming([occ], [], [], today, days, leap_day=leap_day)
    assert bool(listed) == (on <= today + timedelta(days=days))


@st.composite
def occasions(draw: st.DrawFn) -> Occasion:
    """Yearly or one-off, with or without a year (a leap one for 29 February), any leads."""
    d, year = draw(days_of_year), draw(st.none() | st.integers(1900, 2100))
    while year is not None and (d.month, d.day) == (2, 29) and not calendar.isleap(year):
        year -= 1
    return Occasion("birthday", d.month, d.day, year, lead_days=draw(lead_lists),
                    yearly=draw(st.booleans()))


@given(st.lists(occasions(), max_size=20), todays, st.integers(0, 400), leap_modes)
def test_dates_alone_name_every_candidate(occasions, today, days, leap_day):
    """``within`` over the date index names exactly the occasions in the window, so remind
    can decrypt those alone and still find every candidate."""
    dates = [(o.id, o.month, o.day, o.year, o.yearly) for o in occasions]
    named = within(dates, today, days, leap_day=leap_day)
    in_window = upcoming(occasions, [], [], today, days, leap_day=leap_day)
    assert sorted(named) == sorted(item.occasion_id for item in in_window)
    subset = [o for o in occasions if o.id in set(named)]
    chosen = candidates(occasions, today, days, leap_day=leap_day)
    assert candidates(subset, today, days, leap_day=leap_day) == chosen


@given(st.lists(days_of_year, min_size=1, max_size=20), todays, st.integers(0, 400))
def test_results_are_soonest_first_and_all_in_the_window(mds, today, days):
    occasions = [Occasion("birthday", d.month, d.day, lead_days=[366]) for d in mds]
    items = due(occasions, [], [], today, days)
    assert [i.on for i in items] == sorted(i.on for i in items)
    assert all(today <= i.on <= today + timedelta(days=days) for i in items)
    assert len(upcoming(occasions, [], [], today, days)) == len(items)  # lead 366 covers all


@given(days_of_year, todays, st.sampled_from([dismiss, mark_bought]))
def test_dismissed_or_bought_stops_that_year_only(md, today, action):
    occ = Occasion("birthday", md.month, md.day, lead_days=[366])
    first = due([occ], [], [], today, 366)[0]
    quiet = action(occ, first.on.year)
    assert due([quiet], [], [], today, 366) == []
    # the next year's occurrence nags again
    after = first.on + timedelta(days=1)
    again = due([quiet], [], [], after, 366)
    assert again and again[0].on.year == first.on.year + 1
    assert occ.reminder_state == {}  # the original is untouched


@given(days_of_year, todays, st.integers(1, 30))
def test_snooze_hides_until_the_date(md, today, wait):
    occ = Occasion("birthday", md.month, md.day, lead_days=[366])
    on = due([occ], [], [], today, 366)[0].on
    until = today + timedelta(days=wait)
    snoozed = snooze(occ, on.year, until)
    assert due([snoozed], [], [], today, 366) == []
    if until <= on:
        woken = due([snoozed], [], [], until, 366)
        assert woken and woken[0].on == on and woken[0].snoozed_until is None
    listed = upcoming([snoozed], [], [], today, 366)
    assert listed[0].snoozed_until == until


# --- known answers --------------------------------------------------------------------------


def test_ages_and_anniversary_numbers():
    sam = Person("Sam")
    couple = Person("Ann & Bo")
    occasions = [
        Occasion("birthday", 5, 10, 1986, person_id=sam.id),
        Occasion("anniversary", 6, 1, 2016, person_id=couple.id),
        Occasion("birthday", 7, 1, None, person_id=couple.id),
    ]
    items = upcoming(occasions, [sam, couple], [], date(2026, 5, 1), 90)
    assert [(i.headline, i.number) for i in items] == [
        ("Sam turns 40", 40),
        ("Ann & Bo's 10th anniversary", 10),
        ("Ann & Bo's birthday", None),
    ]


def test_age_counts_from_the_occurrence_year_across_new_year():
    sam = Person("Sam")
    occ = Occasion("birthday", 1, 2, 2000, person_id=sam.id)
    [item] = upcoming([occ], [sam], [], date(2026, 12, 30), 10)
    assert (item.on, item.number, item.headline) == (date(2027, 1, 2), 27, "Sam turns 27")


def test_leap_day_birthday_age_in_a_common_year():
    sam = Person("Sam")
    occ = Occasion("birthday", 2, 29, 2000, person_id=sam.id)
    [item] = upcoming([occ], [sam], [], date(2027, 2, 1), 30)
    assert (item.on, item.number) == (date(2027, 2, 28), 27)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_ordinals(n, text):
    assert ordinal(n) == text


def test_headlines_without_person_or_number():
    assert headline("", "anniversary", "", 5) == "5th anniversary"
    assert headline("", "other", "Mother's day", None) == "Mother's day"
    assert headline("Sam", "other", "name day", None) == "Sam's name day"


def test_birth_year_in_the_future_or_same_year_gives_no_number():
    occ = Occasion("birthday", 6, 1, 2026)
    [item] = upcoming([occ], [], [], date(2026, 5, 1), 60)
    assert item.number is None


def test_one_off_occasion_happens_once():
    occ = Occasion("other", 6, 1, 2026, label="graduation", yearly=False)
    assert upcoming([occ], [], [], date(2026, 5, 1), 60)[0].number is None
    assert upcoming([occ], [], [], date(2026, 6, 2), 400) == []


def test_lead_times_default_to_14_days():
    occ = Occasion("birthday", 6, 15)
    assert due([occ], [], [], date(2026, 5, 31), 30) == []
    assert due([occ], [], [], date(2026, 6, 1), 30)[0].days_until == 14


# --- gift status ----------------------------------------------------------------------------


def test_gift_status_and_top_ideas():
    sam = Person("Sam")
    occ = Occasion("birthday", 6, 15, person_id=sam.id)
    today = date(2026, 6, 10)
    general = Gift("Scarf", person_id=sam.id)
    for_bday = Gift("Book", person_id=sam.id, occasion_id=occ.id)
    other = Gift("Not for Sam", person_id=Person("Kim").id)
    [item] = due([occ], [sam], [], today, 30)
    assert (item.gift_status, item.top_ideas) == ("no idea yet", ())
    [item] = due([occ], [sam], [general, for_bday, other], today, 30)
    assert item.gift_status == "ideas"
    assert item.top_ideas == ("Book", "Scarf")  # ideas for this occasion first

    bought = Gift(
        "Pen", person_id=sam.id, occasion_id=occ.id, status=GiftStatus.BOUGHT, on=date(2026, 6, 1)
    )
    [item] = upcoming([occ], [sam], [bought, general], today, 30)
    assert item.gift_status == "bought"
    assert due([occ], [sam], [bought, general], today, 30) == []  # bought: it stops nagging
    given_last_year = Gift(
        "Mug", person_id=sam.id, occasion_id=occ.id, status=GiftStatus.GIVEN, on=date(2025, 6, 15)
    )
    [item] = due([occ], [sam], [given_last_year], today, 30)
    assert item.gift_status == "no idea yet"  # last year's present does not count


def test_marked_bought_shows_as_bought_in_upcoming():
    occ = mark_bought(Occasion("birthday", 6, 15), 2026)
    [item] = upcoming([occ], [], [], date(2026, 6, 10), 30)
    assert item.gift_status == "bought"
    assert due([occ], [], [], date(2026, 6, 10), 30) == []


@given(st.integers(1, 9999))
def test_is_leap_matches_the_calendar_module(year):
    from profilekeeper.reminders import is_leap

    assert is_leap(year) == calendar.isleap(year)


# --- a gift bought or given for the occurrence stops it nagging (that year only) ------------

SAM = Person("Sam")
BDAY = Occasion("birthday", 6, 15, 1986, person_id=SAM.id, lead_days=[30])


def _gift(status: GiftStatus, on: date | None, occasion: Occasion = BDAY) -> Gift:
    return Gift("Pen", person_id=occasion.person_id, occasion_id=occasion.id, status=status, on=on)


@pytest.mark.parametrize(
    ("status", "on", "nags"),
    [
        (GiftStatus.BOUGHT, date(2026, 6, 1), False),  # bought for this birthday
        (GiftStatus.BOUGHT, date(2025, 6, 16), False),  # 364 days before: still this one's
        (GiftStatus.BOUGHT, date(2025, 6, 15), True),  # last year's birthday: not this one's
        (GiftStatus.BOUGHT, date(2026, 6, 16), True),  # dated after the day it is due
        (GiftStatus.GIVEN, date(2026, 6, 15), False),  # given on the day
        (GiftStatus.GIVEN, date(2025, 12, 15), False),  # 182 days before: nearer this one
        (GiftStatus.GIVEN, date(2025, 12, 14), True),  # 183 days before: last year's, late
        (GiftStatus.GIVEN, date(2025, 6, 17), True),  # last year's present, two days late
        (GiftStatus.IDEA, date(2026, 6, 1), True),  # an idea is not a gift yet
        (GiftStatus.BOUGHT, None, True),  # no date: which year's? it shows but does not quiet
        (GiftStatus.GIVEN, None, True),
    ],
)
def test_a_gift_for_the_occurrence_stops_it_nagging(status, on, nags):
    today = date(2026, 6, 10)
    gift = _gift(status, on)
    assert bool(due([BDAY], [SAM], [gift], today, 30)) == nags
    [item] = upcoming([BDAY], [SAM], [gift], today, 30)
    if status != GiftStatus.IDEA and (on is None or not nags):
        assert item.gift_status == status.value  # the line says bought/given either way
    else:
        assert item.gift_status == "ideas" if status == GiftStatus.IDEA else "no idea yet"


def test_only_a_gift_linked_to_that_occasion_counts():
    anniversary = Occasion("anniversary", 6, 20, person_id=SAM.id, lead_days=[30])
    today = date(2026, 6, 10)
    for_other = _gift(GiftStatus.BOUGHT, date(2026, 6, 1), anniversary)
    unlinked = Gift("Pen", person_id=SAM.id, status=GiftStatus.BOUGHT, on=date(2026, 6, 1))
    someone_else = Gift(
        "Pen",
        person_id=Person("Kim").id,
        occasion_id=BDAY.id,
        status=GiftStatus.BOUGHT,
        on=date(2026, 6, 1),
    )  # not Sam's gift
    items = due([BDAY, anniversary], [SAM], [for_other, unlinked, someone_else], today, 30)
    assert [i.occasion_id for i in items] == [BDAY.id]  # the anniversary's gift is bought
    # An occasion of nobody in particular: its own gifts count.
    mothers_day = Occasion("other", 6, 14, label="Mother's day", lead_days=[30])
    bought = Gift(
        "Flowers", occasion_id=mothers_day.id, status=GiftStatus.BOUGHT, on=date(2026, 6, 9)
    )
    assert due([mothers_day], [], [bought], today, 30) == []
    assert upcoming([mothers_day], [], [bought], today, 30)[0].gift_status == "bought"


def test_this_years_gift_does_not_quiet_next_year():
    gift = _gift(GiftStatus.GIVEN, date(2026, 6, 15))
    assert due([BDAY], [SAM], [gift], date(2026, 6, 15), 30) == []
    [item] = due([BDAY], [SAM], [gift], date(2027, 6, 1), 30)
    assert (item.on, item.gift_status) == (date(2027, 6, 15), "no idea yet")


@given(
    days_of_year,
    todays,
    st.sampled_from([GiftStatus.BOUGHT, GiftStatus.GIVEN]),
    st.integers(0, 400),
    leap_modes,
)
def test_a_dated_gift_quiets_its_own_occurrence_only(md, today, status, before, leap_day):
    occ = Occasion("birthday", md.month, md.day, lead_days=[366])
    on = next_occurrence(md.month, md.day, today, leap_day=leap_day)
    gift = Gift("Pen", occasion_id=occ.id, status=status, on=on - timedelta(days=before))
    mine = before < 365 if status == GiftStatus.BOUGHT else before <= 182
    assert bool(due([occ], [], [gift], today, 366, leap_day=leap_day)) == (not mine)
    # The next occurrence nags whatever was bought or given for this one.
    after = on + timedelta(days=1)
    again = due([occ], [], [gift], after, 366, leap_day=leap_day)
    assert again and again[0].on > on


gift_lists = st.lists(
    st.builds(
        Gift,
        title=st.just("Pen"),
        person_id=st.sampled_from([None, "p1", "p2"]),
        occasion_id=st.sampled_from([None, "o0", "o1", "o2", "o3"]),
        status=st.sampled_from(list(GiftStatus)),
        on=st.none() | st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    ),
    max_size=8,
)
states = st.sampled_from(
    [{}, {"dismissed": "true"}, {"bought": "true"}, {"snoozed_until": "2026-07-01"}]
)


@given(
    st.lists(
        st.tuples(days_of_year, lead_lists, st.sampled_from([None, "p1", "p2"]), states), max_size=4
    ),
    gift_lists,
    st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.integers(0, 120),
)
def test_candidates_hold_everything_due(specs, gifts, today, days):
    occasions = [
        Occasion(
            "birthday",
            md.month,
            md.day,
            person_id=person,
            lead_days=leads,
            id=f"o{i}",
            reminder_state={str(y): state for y in (2025, 2026, 2027, 2028)},
        )
        for i, (md, leads, person, state) in enumerate(specs)
    ]
    people = [Person("P1", id="p1"), Person("P2", id="p2")]
    narrowed = candidates(occasions, today, days)
    assert due(narrowed, people, gifts, today, days) == due(occasions, people, gifts, today, days)
    assert {d.occasion_id for d in due(occasions, [], [], today, days)} == {o.id for o in narrowed}
