"""The rules in profilekeeper/validation.py: what they refuse, what they accept, and that what
they accept every reader can compute with."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from conftest import every_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilekeeper import parsing, reminders, validation
from profilekeeper.calendar_ics import build_calendar
from profilekeeper.entered import entered
from profilekeeper.errors import CorruptedRecord, DamagedRecord
from profilekeeper.model import Gift, GiftStatus, Interest, Occasion, Person, Profile, Purchase
from profilekeeper.store.codec import codec_for, dumps, record_aad
from profilekeeper.store.crypto import AesGcmCipher, new_data_key
from profilekeeper.validation import Refused, check_stored

CIPHER = AesGcmCipher(new_data_key())
SECRET = "Zebulon Quux"
"""A value only a test puts in: it must never show in an error message."""


def test_every_kind_of_record_as_the_app_writes_it_is_storable() -> None:
    for record in every_record("m"):
        check_stored(record)
        entered(record, today=date(2026, 11, 23))


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (Occasion("birthday", 13, 1), "month"),
        (Occasion("birthday", 0, 1), "month"),
        (Occasion("birthday", 1, 0), "day"),
        (Occasion("birthday", 2, 30), "day"),
        (Occasion("birthday", 4, 31), "day"),
        (Occasion("birthday", 2, 29, 2023), "day"),  # 29 February: leap years only
        (Occasion("birthday", 12, 31, 9999), "year"),  # the calendar export's DTEND overflowed
        (Occasion("birthday", 1, 1, 0), "year"),
        (Occasion("birthday", "3", 1), "month"),  # type: ignore[arg-type]
        (Occasion("birthday", 3, 1, lead_days=[-1]), "lead_days"),
        (Occasion("birthday", 3, 1, lead_days=[100_000]), "lead_days"),  # date - lead overflowed
        (Occasion("birthday", 3, 1, lead_days="x"), "lead_days"),  # type: ignore[arg-type]
        (Occasion("birthday", 3, 1, lead_days=[True]), "lead_days"),
        (Occasion("birthday", 3, 1, reminder_state={"2026": {"snoozed_until": 5}}),  # type: ignore[dict-item]
         "reminder_state"),
        (Occasion("  ", 3, 1), "kind"),
        (Person(None), "name"),  # type: ignore[arg-type]
        (Person(" \t"), "name"),
        (Person(SECRET, budget=Decimal("NaN")), "budget"),
        (Person(SECRET, budget=Decimal("Infinity")), "budget"),
        (Person(SECRET, budget=Decimal("1e400")), "budget"),
        (Person(SECRET, budget=Decimal("-1")), "budget"),
        (Person(SECRET, sizes={"shoe": 42}), "sizes"),  # type: ignore[dict-item]
        (Gift(SECRET, status="lost"), "status"),  # type: ignore[arg-type]
        (Gift(SECRET, on=date(9999, 1, 1)), "on"),
        (Gift(SECRET, price=12), "price"),  # type: ignore[arg-type]
        (Interest("music", SECRET, weight=float("nan")), "weight"),
        (Purchase(SECRET, personalize="yes"), "personalize"),  # type: ignore[arg-type]
        (Profile(settings={"idle_lock_minutes": "x"}), "settings"),
    ],
)
def test_what_no_reader_could_use_is_refused_naming_the_field(record, field) -> None:
    with pytest.raises(Refused) as refused:
        check_stored(record)
    assert refused.value.field == field
    assert SECRET not in str(refused.value)


def test_whatever_the_codec_would_seal_it_checks_first() -> None:
    with pytest.raises(Refused):
        codec_for(Occasion).to_row(Occasion("birthday", 2, 30), CIPHER)


def seal_by_hand(cls: type, record_id: str, refs: tuple, payload: dict) -> tuple:
    """A row holding ``payload`` sealed with the right key: what an older release, or plain
    sqlite3 with the key, could have written; no rule is applied on the way."""
    sealed = CIPHER.seal(dumps(payload), record_aad(codec_for(cls).table, record_id, refs))
    return (record_id, *refs, sealed)


@pytest.mark.parametrize(
    ("cls", "refs", "payload"),
    [
        (Person, (), {"name": None}),
        (Person, (), {"name": SECRET, "budget": "NaN"}),
        (Person, (), {"name": SECRET, "budget": "lots"}),
        (Person, (), []),
        (Occasion, (None,), {"kind": "birthday", "month": 13, "day": 1}),
        (Occasion, (None,), {"kind": "birthday", "month": 2, "day": 30}),
        (Occasion, (None,), {"kind": "birthday", "month": 1, "day": 0}),
        (Occasion, (None,), {"kind": "birthday", "month": "13", "day": 1}),
        (Occasion, (None,), {"kind": "birthday", "month": 1}),
        (Occasion, (None,), {"kind": "birthday", "month": 1, "day": 1, "lead_days": "x"}),
        (Gift, (None, None), {"title": SECRET, "status": "lost"}),
        (Gift, (None, None), {"title": SECRET, "on": "2026-02-30"}),
    ],
)
def test_an_authentic_record_holding_an_unusable_value_is_damaged(cls, refs, payload) -> None:
    with pytest.raises(DamagedRecord) as raised:
        codec_for(cls).from_row(seal_by_hand(cls, "r1", refs, payload), CIPHER)
    damaged = raised.value
    assert isinstance(damaged, CorruptedRecord) and damaged.exit_code == 5  # reported alike
    assert (damaged.table, damaged.record_id) == (codec_for(cls).table, "r1")
    assert str(damaged) == f"record {damaged.table}/r1 holds a value this version cannot use"
    assert SECRET not in str(damaged)


def test_partial_dates_as_people_type_them() -> None:
    parse = parsing.parse_partial_date
    assert parse("--02-29") == parsing.PartialDate(2, 29)
    assert parse("2024-02-29") == parsing.PartialDate(2, 29, 2024)
    assert parse("9000-12-31").year == 9000
    for text, why in (("9999-12-31", "years run from 1 to 9000"),
                      ("2023-02-29", "does not exist"), ("--02-30", "does not exist"),
                      ("--13-01", "does not exist"), ("--00-10", "does not exist"),
                      ("0000-01-01", "years run")):  # fmt: skip
        with pytest.raises(validation.InvalidInput, match=why):
            parse(text)


def test_entry_rules_on_top_of_the_stored_ones() -> None:
    today = date(2026, 5, 1)
    assert entered(Person("  Sam \t Lee "), today=today).name == "Sam Lee"
    assert entered(Occasion("anniversary", 6, 1, 2027), today=today).year == 2027  # planned
    for record, field in (
        (Occasion("birthday", 6, 1, 2027), "year"),  # born next year: a typo
        (Occasion("birthday", 6, 1, lead_days=list(range(11))), "lead_days"),
        (Person("Evil\x1b[2JName"), "name"),
        (Person("x" * 201), "name"),
        (Person("Sam", currency="EURO"), "currency"),
        (Person("Sam", budget=Decimal("10.005")), "budget"),
        (Gift("Book", notes="a\x00b"), "notes"),
        (Person("Sam", sizes={"shoe": "4\x072"}), "sizes"),
    ):
        with pytest.raises(Refused) as refused:
            entered(record, today=today)
        assert refused.value.field == field
    assert entered(Gift("Book", notes="line one\nline two")).notes == "line one\nline two"


def test_money_and_lead_days_as_typed() -> None:
    assert parsing.parse_money("25,50") == Decimal("25.50")
    for text in ("NaN", "Infinity", "1e400", "-1", "10000000", "1.234"):
        with pytest.raises(validation.InvalidInput):
            parsing.parse_money(text)
    assert parsing.parse_lead_days("3,14,3") == [14, 3]
    for text in ("x", "-1", "367", ",".join(map(str, range(11)))):
        with pytest.raises(validation.InvalidInput):
            parsing.parse_lead_days(text)


# --- the property: what the rules let in, every reader handles ---------------------------

years = st.none() | st.integers(validation.FIRST_YEAR, validation.LAST_YEAR) | st.sampled_from(
    [validation.FIRST_YEAR, validation.LAST_YEAR, 2000, 1900, 2024]
)
occasions = st.builds(
    Occasion,
    kind=st.sampled_from(["birthday", "anniversary", "name day"]),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    year=years,
    person_id=st.sampled_from(["p1", "p2", None]),
    label=st.text(max_size=5),
    lead_days=st.lists(st.integers(0, validation.MAX_LEAD_DAYS), max_size=4),
    yearly=st.booleans(),
    reminder_state=st.dictionaries(
        st.sampled_from(["2025", "2026", "x"]),
        st.dictionaries(st.sampled_from(["dismissed", "bought", "snoozed_until"]),
                        st.sampled_from(["true", "2026-05-03", "soon", ""])),  # fmt: skip
        max_size=2,
    ),
)
gifts = st.builds(
    Gift,
    title=st.just("g"),
    person_id=st.sampled_from(["p1", "p2", None]),
    status=st.sampled_from(list(GiftStatus)),
    on=st.none() | st.dates(date(validation.FIRST_YEAR, 1, 1), date(validation.LAST_YEAR, 12, 31)),
)


def storable(records: list) -> list:
    kept = []
    for record in records:
        try:
            check_stored(record)
        except Refused:
            continue
        kept.append(record)
    return kept


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(occasions, max_size=6),
    st.lists(gifts, max_size=3),
    st.dates(date(1900, 1, 1), date(2200, 12, 31)),
    st.integers(0, 800),
    st.sampled_from(reminders.LEAP_DAY_CHOICES),
    st.booleans(),
)
def test_whatever_the_rules_accept_the_calendar_and_reminders_handle(
    raw_occasions, raw_gifts, today, days, leap_day, names
) -> None:
    stored = storable(raw_occasions)
    people = [Person("Ann", id="p1"), Person("Bo Berg", id="p2")]
    gifts_ = [replace(g, occasion_id=stored[0].id) if stored else g for g in storable(raw_gifts)]
    build_calendar(stored, people, names=names, leap_day=leap_day)
    reminders.upcoming(stored, people, gifts_, today, days, leap_day=leap_day)
    reminders.due(stored, people, gifts_, today, days, leap_day=leap_day)
    dates = [(o.id, o.month, o.day, o.year, o.yearly) for o in stored]
    assert set(reminders.within(dates, today, days, leap_day=leap_day)) >= {
        o.id for o in reminders.candidates(stored, today, days, leap_day=leap_day)
    }
    for record in stored:  # and they survive an export and its import unchanged
        codec = codec_for(Occasion)
        assert codec.from_plain(codec.to_plain(record)) == record
