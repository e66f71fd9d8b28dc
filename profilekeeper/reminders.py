"""The reminder engine: which birthdays and anniversaries should nag today, and with what.

Plain Python over ``profilekeeper.model`` records, so ``remind``, the Home screen and the tests
share one answer. Nothing here reads the vault: callers pass records in and save what
``dismiss``/``snooze``/``mark_bought`` return.

When something is due. For each occasion take its next occurrence ``on`` (today counts). It is
*upcoming* when ``today <= on <= today + days``. It is *due* (it nags) when it is upcoming and
``today >= on - max(leads)`` (the occasion's lead days as ``lead_times.Leads`` resolves them;
none nags on the day only), unless that
occurrence's year — ``on.year``, the key in ``Occasion.reminder_state`` — is dismissed or
marked bought, or snoozed until a date after today, or the occurrence has its gift (below).
State for one year never touches another.

The occurrence's gift. A gift linked to the occasion (``Gift.occasion_id``) belongs to the
occurrence on ``on`` when its date ``Gift.on`` says so: a *bought* gift (waiting to be given)
dated in the 365 days up to ``on``; a *given* gift dated within 182 days either side of ``on``
(the occurrence it is nearest to, so a present handed over late counts for the day it was late
for, not for next year's). Such a gift makes the occurrence's status ``bought``/``given`` and
stops it nagging. A bought or given gift without a date shows its status but never stops a
reminder: nothing tells which year it was for, and it must not quiet every year after. A gift
*received* from the person is not the owner's gift: it neither shows nor settles anything.

29 February falls on 28 February in other years (``leap_day="feb28"``) or on 1 March
(``leap_day="mar1"``). A non-yearly occasion with a year happens on that date only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from profilekeeper.lead_times import Leads
from profilekeeper.model_core import Gift, GiftStatus, Occasion, Person  # not .model: see there
from profilekeeper.notify_marks import notified

LEAP_DAY_CHOICES = ("feb28", "mar1")
"""Where 29 February falls in common years: the owner's ``leap_day`` setting."""
TOP_IDEAS = 3

NO_IDEA = "no idea yet"
IDEAS = "ideas"
BOUGHT = "bought"
GIVEN = "given"


@dataclass(frozen=True, slots=True)
class Due:
    """One occurrence of an occasion, ready to show."""

    occasion_id: str
    person_id: str | None
    person_name: str
    kind: str
    label: str
    on: date
    days_until: int
    number: int | None
    """Age on a birthday, years on an anniversary; None when the year is unknown."""
    headline: str
    gift_status: str
    """``no idea yet``, ``ideas``, ``bought`` or ``given``."""
    top_ideas: tuple[str, ...]
    snoozed_until: date | None
    leads: tuple[int, ...] = ()
    """The lead days in force (largest first)."""
    notified: tuple[int, ...] = ()
    """The lead points a notification hook has fired for, this occurrence."""


def leap_day_setting(settings: Mapping[str, Any]) -> str:
    """The owner's ``leap_day`` choice from their profile settings (``feb28`` unless valid)."""
    value = settings.get("leap_day")
    return value if value in LEAP_DAY_CHOICES else "feb28"


def is_leap(year: int) -> bool:
    """Gregorian leap year (``calendar.isleap`` without importing ``calendar``, ~5 ms)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _in_year(year: int, month: int, day: int, leap_day: str) -> date:
    if month == 2 and day == 29 and not is_leap(year):
        return date(year, 3, 1) if leap_day == "mar1" else date(year, 2, 28)
    return date(year, month, day)


def next_occurrence(month: int, day: int, after: date, *, leap_day: str = "feb28") -> date:
    """The first date on or after ``after`` that a yearly ``month``/``day`` falls on."""
    if leap_day not in LEAP_DAY_CHOICES:
        raise ValueError(f"leap_day must be one of {LEAP_DAY_CHOICES}")
    this_year = _in_year(after.year, month, day, leap_day)
    return this_year if this_year >= after else _in_year(after.year + 1, month, day, leap_day)


def _occurrence(
    month: int, day: int, year: int | None, yearly: bool, today: date, leap_day: str
) -> date | None:
    if not yearly and year is not None:
        once = _in_year(year, month, day, leap_day)
        return once if once >= today else None
    return next_occurrence(month, day, today, leap_day=leap_day)


def occurs_on(occasion: Occasion, today: date, *, leap_day: str = "feb28") -> date | None:
    """The occasion's next date, today or later; None for a one-off date that has passed."""
    return _occurrence(
        occasion.month, occasion.day, occasion.year, occasion.yearly, today, leap_day
    )


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``21st``, ``112th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def headline(name: str, kind: str, label: str, number: int | None) -> str:
    """``Sam turns 40``, ``Ann & Bo's 10th anniversary``, ``Sam's birthday``."""
    noun = label or kind
    if kind.casefold() == "birthday" and number and name:
        return f"{name} turns {number}"
    if number:
        noun = f"{ordinal(number)} {noun}"
    return f"{name}'s {noun}" if name else noun[:1].upper() + noun[1:]


def _belongs_to(gift: Gift, on: date) -> bool:
    """Whether ``gift`` is the dated bought or given gift for the occurrence on ``on``."""
    if gift.on is None:
        return False
    if gift.status == GiftStatus.BOUGHT:
        return on - timedelta(days=365) < gift.on <= on
    return gift.status == GiftStatus.GIVEN and abs((gift.on - on).days) <= 182


_SETTLING = frozenset((GiftStatus.BOUGHT, GiftStatus.GIVEN))


def _gift_summary(
    occasion: Occasion, on: date, gifts: list[Gift], bought_state: bool
) -> tuple[str, tuple[str, ...], bool]:
    """Status, top ideas, and whether a gift recorded for this occurrence settles it."""
    # Undated bought/given gifts still show (see the module doc); only dated ones settle.
    # A gift received from the person is theirs to the owner: it never settles a reminder.
    mine = [g for g in gifts if g.occasion_id == occasion.id and g.status in _SETTLING
            and (g.on is None or _belongs_to(g, on))]  # fmt: skip
    statuses = {g.status for g in mine}
    settled = any(g.on is not None for g in mine)
    ideas = [g for g in gifts if g.status == GiftStatus.IDEA
             and (g.occasion_id == occasion.id
                  or (g.occasion_id is None and occasion.person_id is not None
                      and g.person_id == occasion.person_id))]  # fmt: skip
    ideas.sort(key=lambda g: g.occasion_id != occasion.id)  # ideas for this occasion first
    top = tuple(g.title for g in ideas[:TOP_IDEAS])
    if GiftStatus.GIVEN in statuses:
        return GIVEN, top, settled
    if GiftStatus.BOUGHT in statuses or bought_state:
        return BOUGHT, top, settled
    return (IDEAS if ideas else NO_IDEA), top, settled


def _state(occasion: Occasion, year: int) -> dict[str, str]:
    return occasion.reminder_state.get(str(year), {})


def _snoozed_until(state: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(state["snoozed_until"])
    except (KeyError, ValueError):
        return None


def _quiet(occasion: Occasion, on: date, today: date, leads: Leads) -> bool:
    """Whether the lead time or the year's state keeps the occurrence on ``on`` quiet today."""
    if today < on - timedelta(days=max(leads.of(occasion), default=0)):
        return True
    state = _state(occasion, on.year)
    if state.get("dismissed") or state.get("bought"):
        return True
    snoozed = _snoozed_until(state)
    return snoozed is not None and today < snoozed


class _Window:
    """When, if at all, each date falls in ``[today, today + days]``."""

    def __init__(self, today: date, days: int, leap_day: str) -> None:
        self.today, self.leap_day = today, leap_day
        self.last_day = today + timedelta(days=max(days, 0))
        self._seen: dict[tuple[int, int, int | None], date | None] = {}  # thousands, ≤ 366 dates

    def on(self, month: int, day: int, year: int | None, yearly: bool) -> date | None:
        key = (month, day, None if yearly else year)
        if key not in self._seen:
            on = _occurrence(month, day, year, yearly, self.today, self.leap_day)
            self._seen[key] = on if on is not None and on <= self.last_day else None
        return self._seen[key]


def _in_window(
    occasions: Iterable[Occasion], today: date, days: int, leap_day: str
) -> Iterator[tuple[Occasion, date]]:
    window = _Window(today, days, leap_day)
    for occasion in occasions:
        on = window.on(occasion.month, occasion.day, occasion.year, occasion.yearly)
        if on is not None:
            yield occasion, on


def within(
    dates: Iterable[tuple[str, int, int, int | None, bool]],
    today: date,
    days: int,
    *,
    leap_day: str = "feb28",
) -> list[str]:
    """Ids of the ``(id, month, day, year, yearly)`` dates that fall in the window: a superset
    of ``candidates``, known before any occasion is decrypted (the vault's date index).

    A date no calendar has (an index an older release sealed from a month-13 occasion) counts
    as in the window: its occasion is then opened, and reported as damaged, not skipped.
    """
    window = _Window(today, days, leap_day)
    found = []
    for id_, month, day, year, yearly in dates:
        try:
            if window.on(month, day, year, yearly):
                found.append(id_)
        except (TypeError, ValueError, OverflowError):
            found.append(id_)
    return found


def candidates(
    occasions: Iterable[Occasion], today: date, days: int, *, leap_day: str = "feb28",
    leads: Leads | None = None,
) -> list[Occasion]:
    """The occasions ``due`` may return, judged before gifts are known: ``due(candidates(…),
    people, gifts, …)`` is ``due(occasions, people, gifts, …)``. So a caller can read only the
    people and gifts of these few instead of every record. (``leads`` built without the people
    gives a superset: see ``Leads``.)
    """
    leads = leads or Leads(people=None)
    return [o for o, on in _in_window(occasions, today, days, leap_day)
            if not _quiet(o, on, today, leads)]  # fmt: skip


def _build(
    occasions: Iterable[Occasion],
    people: Iterable[Person],
    gifts: Iterable[Gift],
    today: date,
    days: int,
    leap_day: str,
    nagging_only: bool,
    leads: Leads | None,
) -> list[Due]:
    people = list(people)
    leads = leads or Leads(people=people)  # without the owner's settings: tests, one-offs
    names = {p.id: p.name for p in people}
    gifts_by_person: dict[str | None, list[Gift]] = {}
    for gift in gifts:
        gifts_by_person.setdefault(gift.person_id, []).append(gift)
    result: list[Due] = []
    for occasion, on in _in_window(occasions, today, days, leap_day):
        if nagging_only and _quiet(occasion, on, today, leads):
            continue
        state = _state(occasion, on.year)
        snoozed = _snoozed_until(state)
        related = (
            gifts_by_person.get(occasion.person_id, [])
            if occasion.person_id
            else [g for g in gifts_by_person.get(None, []) if g.occasion_id == occasion.id]
        )
        status, top, settled = _gift_summary(occasion, on, related, bool(state.get("bought")))
        if nagging_only and settled:
            continue
        name = names.get(occasion.person_id, "") if occasion.person_id else ""
        number = on.year - occasion.year if occasion.year is not None and occasion.yearly else None
        number = number if number and number > 0 else None
        result.append(
            Due(
                occasion_id=occasion.id,
                person_id=occasion.person_id,
                person_name=name,
                kind=occasion.kind,
                label=occasion.label,
                on=on,
                days_until=(on - today).days,
                number=number,
                headline=headline(name, occasion.kind, occasion.label, number),
                gift_status=status,
                top_ideas=top,
                snoozed_until=snoozed if snoozed is not None and snoozed > today else None,
                leads=leads.of(occasion),
                notified=notified(state),
            )
        )
    result.sort(key=lambda d: (d.on, d.headline.casefold(), d.occasion_id))
    return result


def due(
    occasions: Iterable[Occasion],
    people: Iterable[Person],
    gifts: Iterable[Gift],
    today: date,
    days: int,
    *,
    leap_day: str = "feb28",
    leads: Leads | None = None,
) -> list[Due]:
    """What should nag today within ``[today, today + days]``, soonest first (see module doc)."""
    return _build(occasions, people, gifts, today, days, leap_day, True, leads)


def upcoming(
    occasions: Iterable[Occasion],
    people: Iterable[Person],
    gifts: Iterable[Gift],
    today: date,
    days: int,
    *,
    leap_day: str = "feb28",
    leads: Leads | None = None,
) -> list[Due]:
    """Every occurrence within ``[today, today + days]``, ignoring lead times and state."""
    return _build(occasions, people, gifts, today, days, leap_day, False, leads)


def _with_state(occasion: Occasion, year: int, **changes: str) -> Occasion:
    states = {y: dict(s) for y, s in occasion.reminder_state.items()}
    states.setdefault(str(year), {}).update(changes)
    return replace(occasion, reminder_state=states)


def dismiss(occasion: Occasion, year: int) -> Occasion:
    """A copy of ``occasion`` that no longer nags for the occurrence in ``year``."""
    return _with_state(occasion, year, dismissed="true")


def snooze(occasion: Occasion, year: int, until: date) -> Occasion:
    """A copy of ``occasion`` whose ``year`` occurrence stays quiet until ``until``."""
    return _with_state(occasion, year, snoozed_until=until.isoformat())


def mark_bought(occasion: Occasion, year: int) -> Occasion:
    """A copy of ``occasion`` marked "gift bought" for ``year``: it stops nagging that year."""
    return _with_state(occasion, year, bought="true")


def mark_notified(occasion: Occasion, year: int, points: Iterable[int]) -> Occasion:
    """A copy of ``occasion`` with ``points`` added to the lead points notified in ``year``."""
    done = set(notified(_state(occasion, year))) | set(points)
    return _with_state(occasion, year, notified=",".join(map(str, sorted(done, reverse=True))))
