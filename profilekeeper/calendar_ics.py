"""Occasions as an RFC 5545 calendar: one yearly all-day event each, with alarms at lead times.

Choices that make the file behave well in calendar apps:

- ``UID`` is ``<occasion id>@profilekeeper``, so importing again (or a subscription refreshing)
  updates the events instead of adding copies.
- The same occasions give byte-identical output: events are sorted, and ``DTSTAMP`` and
  ``LAST-MODIFIED`` are when what the event shows last changed (``changed``), not the export
  time, because the file describes records, not the moment it was written. A changed date or
  name so gets a later stamp, which is how calendar apps tell an update from a stale copy
  (RFC 5546: equal ``SEQUENCE``, later ``DTSTAMP``). Without ``changed``: a fixed ``STAMP``.
- A year-unknown occasion starts in ``UNKNOWN_YEAR`` (a leap year, so 29 February exists).
  With ``names=False`` the birth year is left out too, since an age says who someone is.
- 29 February repeats with ``BYMONTH=2;BYMONTHDAY=-1`` (the last day of February: the 28th
  in common years) or, with ``leap_day="mar1"``, ``BYYEARDAY=60`` (1 March in common years).
- Each lead time (as ``lead_times.Leads`` resolves it) becomes a ``VALARM`` at 09:00 that many
  days before (``TRIGGER:-P13DT15H`` for 14 days), as calendar apps do for all-day events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from profilekeeper.lead_times import Leads
from profilekeeper.model import Occasion, Person
from profilekeeper.plain_text import one_line
from profilekeeper.reminders import headline

STAMP = datetime(2000, 1, 1, tzinfo=UTC)
UNKNOWN_YEAR = 2000
ALARM_HOUR = 9
PRODID = "-//profilekeeper//gift reminders//EN"


def initials(name: str) -> str:
    """``Sam`` → ``S.``, ``Ann Lee`` → ``A. L.`` (words not starting with a letter dropped)."""
    return " ".join(f"{word[0].upper()}." for word in name.split() if word[0].isalpha())


def event_title(occasion: Occasion, name: str, *, names: bool) -> str:
    if names:
        return headline(name, occasion.kind, occasion.label, None)
    # The label is free text and may name someone, so shared calendars get the kind only.
    who = f" ({initials(name)})" if name and initials(name) else ""
    return f"Gift: {occasion.kind}{who}"


def _recurrence(occasion: Occasion, leap_day: str) -> dict[str, object]:
    if (occasion.month, occasion.day) == (2, 29):
        if leap_day == "mar1":
            return {"freq": "yearly", "byyearday": 60}
        return {"freq": "yearly", "bymonth": 2, "bymonthday": -1}
    return {"freq": "yearly"}


def occasion_event(
    occasion: Occasion, name: str, *, names: bool, leap_day: str, stamp: datetime = STAMP,
    leads: Sequence[int] | None = None,
) -> Event:
    """The VEVENT for one occasion (see the module docstring for the choices made)."""
    one_off = not occasion.yearly and occasion.year is not None
    year = occasion.year if occasion.year is not None and (names or one_off) else UNKNOWN_YEAR
    start = date(year, occasion.month, occasion.day)
    # RFC 5545 TEXT allows no control characters (icalendar only escapes newlines): a name or
    # label with an escape sequence or NUL (typed, pasted or imported) would make the file
    # invalid, and a bidi control or zero-width space would reorder or hide what a calendar
    # shows. TEXT has no escape for them: they go (``plain_text.one_line``).
    title = one_line(event_title(occasion, name, names=names))
    event = Event()
    event.add("uid", f"{occasion.id}@profilekeeper")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(days=1))
    if not one_off:
        event.add("rrule", _recurrence(occasion, leap_day))
    event.add("summary", title)
    event.add("transp", "TRANSPARENT")
    for lead in sorted(set(Leads().of(occasion) if leads is None else leads), reverse=True):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        when = "today" if lead == 0 else "tomorrow" if lead == 1 else f"in {lead} days"
        alarm.add("description", f"{title}: {when}")
        alarm.add("trigger", timedelta(days=-lead, hours=ALARM_HOUR))
        event.add_component(alarm)
    return event


def build_calendar(
    occasions: Iterable[Occasion],
    people: Iterable[Person],
    *,
    names: bool = True,
    leap_day: str = "feb28",
    changed: Mapping[str, int] | None = None,
    leads: Leads | None = None,
) -> bytes:
    """The whole calendar as bytes (CRLF lines, UTF-8), identical for identical input.

    ``changed`` gives, by occasion id, when what its event shows last changed (Unix seconds).
    """
    people = list(people)
    who = {p.id: p.name for p in people}
    leads = leads or Leads(people=people)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Gift reminders")
    for occasion in sorted(occasions, key=lambda o: (o.month, o.day, o.id)):
        name = who.get(occasion.person_id, "") if occasion.person_id else ""
        when = (changed or {}).get(occasion.id)
        stamp = datetime.fromtimestamp(when, UTC) if when else STAMP
        calendar.add_component(
            occasion_event(occasion, name, names=names, leap_day=leap_day, stamp=stamp,
                           leads=leads.of(occasion))
        )
    data: bytes = calendar.to_ical()
    return data
