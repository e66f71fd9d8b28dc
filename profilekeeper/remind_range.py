"""``remind [START [END|DELTA]]``: the days ``remind`` looks at, written as khal writes them.

START is the day reminders are judged from (default today): ``today``, ``tomorrow``, a weekday
name (``monday`` or ``mon``: the next one, today included), an ISO date, or ``week``/``month``
(today until the end of this week, Monday to Sunday, or month). END is the last day looked at,
written the same way (a weekday: the next one from START on), or DELTA after START: ``30d``,
``2w``, ``week`` (to the end of START's week), ``month`` (to the end of START's month).
Without END, ``--days N`` (default 30) looks N days past START; giving both is an error.

Plain Python (``remind``'s fast path): dates only, no parsing library.
"""

from __future__ import annotations

from datetime import date, timedelta

from profilekeeper.errors import InvalidInput

DEFAULT_DAYS = 30
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIODS = ("week", "month")
FORMS = "today, tomorrow, a weekday, YYYY-MM-DD, week or month"


def _end_of(period: str, day: date) -> date:
    if period == "week":
        return day + timedelta(days=6 - day.weekday())
    next_month = date(day.year, day.month, 28) + timedelta(days=4)
    return next_month - timedelta(days=next_month.day)


def parse_day(text: str, after: date) -> date:
    """``today``, ``tomorrow``, a weekday (the next from ``after`` on, ``after`` included) or
    ``YYYY-MM-DD``, relative to ``after``; InvalidInput otherwise."""
    word = text.strip().lower()
    if word == "today":
        return after
    if word == "tomorrow":
        return after + timedelta(days=1)
    for number, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return after + timedelta(days=(number - after.weekday()) % 7)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise InvalidInput(f"a day is written as {FORMS}") from None


def _delta(text: str) -> int | None:
    """Days in ``30d`` or ``2w``; None when ``text`` is not a delta."""
    word = text.strip().lower()
    if len(word) > 1 and word[:-1].isdigit() and word[-1] in "dw":
        return int(word[:-1]) * (7 if word[-1] == "w" else 1)
    return None


def window(
    start: str | None, end: str | None, today: date, days: int | None
) -> tuple[date, int]:
    """The first day looked at and how many days after it (``--days``' sense)."""
    try:
        return _window(start, end, today, days)
    except OverflowError:
        raise InvalidInput("that range reaches beyond the calendar (years 1 to 9999)") from None


def _window(start: str | None, end: str | None, today: date, days: int | None) -> tuple[date, int]:
    if days is not None and days < 0:
        raise InvalidInput("--days must be zero or more")
    if end is not None and days is not None:
        raise InvalidInput("give END or --days, not both")
    first = today
    if start is not None and start.strip().lower() in PERIODS:
        period = start.strip().lower()
        if end is None and days is None:
            return today, (_end_of(period, today) - today).days
    elif start is not None:
        first = parse_day(start, today)
    if end is None:
        return first, DEFAULT_DAYS if days is None else days
    word = end.strip().lower()
    if (delta := _delta(word)) is not None:
        return first, delta
    last = _end_of(word, first) if word in PERIODS else parse_day(word, first)
    if last < first:
        raise InvalidInput("END comes before START")
    return first, (last - first).days
