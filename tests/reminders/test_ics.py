"""Calendar export, parsed back with icalendar: events, RRULE, alarms, UIDs, stability."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from profilekeeper.calendar_ics import build_calendar, initials
from profilekeeper.model import Occasion, Person
from tests.conftest import PASSPHRASE, run_cli

SAM, ANN = Person("Sam Lee"), Person("Ann & Bo")
OCCASIONS = [
    Occasion("birthday", 5, 10, 1986, person_id=SAM.id, lead_days=[14, 3]),
    Occasion("anniversary", 6, 1, 2016, person_id=ANN.id, lead_days=[21, 0]),
    Occasion("birthday", 2, 29, None, person_id=ANN.id, lead_days=[]),
    Occasion("other", 9, 1, 2026, label="graduation", yearly=False, person_id=SAM.id),
]


def events(data: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_one_yearly_all_day_event_per_occasion_with_stable_uids():
    found = events(build_calendar(OCCASIONS, [SAM, ANN]))
    assert set(found) == {f"{o.id}@profilekeeper" for o in OCCASIONS}
    sam = found[f"{OCCASIONS[0].id}@profilekeeper"]
    assert sam["SUMMARY"] == "Sam Lee's birthday"
    assert sam.decoded("DTSTART") == date(1986, 5, 10)  # all-day: a date, not a date-time
    assert sam.decoded("DTEND") == date(1986, 5, 11)
    assert sam["RRULE"]["FREQ"] == ["YEARLY"]
    assert "DTSTAMP" in sam


def test_alarms_at_each_lead_time():
    found = events(build_calendar(OCCASIONS, [SAM, ANN]))
    triggers = {
        uid: sorted(a.decoded("TRIGGER") for a in e.walk("VALARM")) for uid, e in found.items()
    }
    assert triggers[f"{OCCASIONS[0].id}@profilekeeper"] == [
        timedelta(days=-14, hours=9), timedelta(days=-3, hours=9)]
    assert triggers[f"{OCCASIONS[1].id}@profilekeeper"] == [
        timedelta(days=-21, hours=9), timedelta(hours=9)]
    assert triggers[f"{OCCASIONS[2].id}@profilekeeper"] == []
    alarm = found[f"{OCCASIONS[0].id}@profilekeeper"].walk("VALARM")[0]
    assert alarm["ACTION"] == "DISPLAY" and alarm["DESCRIPTION"]


def test_leap_day_and_unknown_year_and_one_off():
    found = events(build_calendar(OCCASIONS, [SAM, ANN]))
    leap = found[f"{OCCASIONS[2].id}@profilekeeper"]
    assert leap.decoded("DTSTART") == date(2000, 2, 29)
    assert dict(leap["RRULE"]) == {"FREQ": ["YEARLY"], "BYMONTH": [2], "BYMONTHDAY": [-1]}
    mar1 = events(build_calendar(OCCASIONS, [SAM, ANN], leap_day="mar1"))
    assert dict(mar1[f"{OCCASIONS[2].id}@profilekeeper"]["RRULE"]) == {
        "FREQ": ["YEARLY"], "BYYEARDAY": [60]}
    once = found[f"{OCCASIONS[3].id}@profilekeeper"]
    assert once.decoded("DTSTART") == date(2026, 9, 1) and "RRULE" not in once


def test_leap_day_rule_lands_on_feb_28_in_common_years():
    # Expand the rule the way a calendar app would (dateutil ships with icalendar).
    from dateutil.rrule import rrulestr

    leap = events(build_calendar(OCCASIONS[2:3], [ANN]))[f"{OCCASIONS[2].id}@profilekeeper"]
    rule = rrulestr(leap["RRULE"].to_ical().decode(), dtstart=leap.decoded("DTSTART"))
    from datetime import datetime

    dates = [d.date() for d in rule.between(datetime(2026, 1, 1), datetime(2029, 1, 1))]
    assert dates == [date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_without_names_titles_use_initials_and_hide_birth_years():
    data = build_calendar(OCCASIONS, [SAM, ANN], names=False)
    assert b"Sam" not in data and b"Ann" not in data and b"graduation" not in data
    found = events(data)
    sam = found[f"{OCCASIONS[0].id}@profilekeeper"]
    assert sam["SUMMARY"] == "Gift: birthday (S. L.)"
    assert sam.decoded("DTSTART").year == 2000  # no birth year in a shared calendar
    assert initials("Ann & Bo") == "A. B."


def test_same_input_gives_identical_bytes_in_any_order():
    first = build_calendar(OCCASIONS, [SAM, ANN])
    assert build_calendar(list(reversed(OCCASIONS)), [ANN, SAM]) == first
    assert first.endswith(b"\r\n")


def test_cli_export_ics_to_a_file(vault, tmp_path):
    sam = vault.add(Person("Sam"))
    occasion = vault.add(Occasion("birthday", 5, 10, 1986, person_id=sam.id))
    vault.close()
    target = tmp_path / "gifts.ics"
    env = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
    result = run_cli("export", "--format", "ics", "-o", str(target), env=env)
    assert result.code == 0, result.err
    assert target.stat().st_mode & 0o077 == 0  # private file
    assert set(events(target.read_bytes())) == {f"{occasion.id}@profilekeeper"}
    again = run_cli("export", "--format", "ics", env=env)
    assert again.out == target.read_text().replace("\r\n", "\n")  # same calendar on stdout
    hidden = run_cli("export", "--format", "ics", "--no-names", env=env)
    assert "Sam" not in hidden.out and "Gift: birthday (S.)" in hidden.out


def test_control_characters_in_names_and_labels_stay_out_of_the_file():
    # RFC 5545 TEXT has no control characters; icalendar escapes newlines only, so an escape
    # sequence or NUL in a name went into the file as is and strict parsers refuse it.
    evil = Person("Mallory\x1b[31m\x07\x00 Red\x7f\x9b")
    occasion = Occasion("other", 3, 1, 2020, label="grad\x1b]0;x\x07", person_id=evil.id,
                        lead_days=[7])
    data = build_calendar([occasion], [evil])
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    assert not any(ch < " " and ch not in "\r\n" or "\x7f" <= ch <= "\x9f" for ch in unfolded)
    event = events(data)[f"{occasion.id}@profilekeeper"]
    assert event["SUMMARY"] == "Mallory [31m  Red 's grad ]0;x"  # each run of them: a space
    assert event.walk("VALARM")[0]["DESCRIPTION"] == f"{event['SUMMARY']}: in 7 days"


def test_crlf_folding_escaping_and_alarm_wording_read_by_two_parsers():
    long = Person("Ingrid Størmer-Haugen 日本語の名前 😀😀😀 vom Hochwald, und; Sonnenberg\\Ø")
    data = build_calendar([Occasion("birthday", 2, 29, None, person_id=long.id,
                                    lead_days=[1, 0])], [long])
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")  # each physical line is whole UTF-8 characters
    assert b"und\\; Sonnenberg\\\\" in data.replace(b"\r\n ", b"")  # escaped, RFC 5545 3.3.11
    # A second, independent parser reads the same event (vobject, a test dependency).
    import vobject

    event = vobject.readOne(data.decode("utf-8")).vevent
    assert event.summary.value == f"{long.name}'s birthday"
    assert [a.description.value.rsplit(": ", 1)[1] for a in event.valarm_list] == [
        "tomorrow", "today"]


def test_a_changed_event_gets_a_later_stamp_and_the_others_keep_theirs(vault, monkeypatch):
    """Calendar apps take an event with the same UID and SEQUENCE as an update only when its
    DTSTAMP is later (RFC 5546), so the stamp follows what the event shows."""
    from dataclasses import replace

    from profilekeeper import services
    from profilekeeper.store import record_io

    clock = iter(range(1_800_000_000, 1_800_000_100, 10))
    monkeypatch.setattr(record_io, "_now", lambda: next(clock))
    sam, ann = vault.add(Person("Sam")), vault.add(Person("Ann"))
    birthday = vault.add(Occasion("birthday", 5, 10, person_id=sam.id))
    leap = vault.add(Occasion("birthday", 2, 29, person_id=ann.id))

    def stamps() -> dict[str, tuple[object, object]]:
        data, _, _ = services.calendar_of(vault)
        assert services.calendar_of(vault)[0] == data  # re-export: the same bytes
        return {uid.split("@")[0]: (e.decoded("DTSTAMP"), e.decoded("LAST-MODIFIED"))
                for uid, e in events(data).items()}

    first = stamps()
    assert first[birthday.id][0] == first[birthday.id][1] != first[leap.id][0]
    vault.save(replace(birthday, day=11))
    moved = stamps()
    assert moved[birthday.id][0] > first[birthday.id][0] and moved[leap.id] == first[leap.id]
    vault.save(replace(ann, name="Ann Lee"))  # the title changes
    renamed = stamps()
    assert renamed[leap.id][0] > moved[leap.id][0] and renamed[birthday.id] == moved[birthday.id]
    services.update_settings(vault, leap_day="mar1")  # 29 February's rule changes
    assert stamps()[leap.id][0] > renamed[leap.id][0]
