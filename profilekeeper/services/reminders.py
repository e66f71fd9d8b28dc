"""Acting on a reminder: one snooze, dismiss and "bought" policy for every front end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion
from profilekeeper.services.people import find_person, occasions_of_kind

if TYPE_CHECKING:
    from profilekeeper.reminders import Due
    from profilekeeper.store.vault import Vault

SNOOZE_DAYS = 3
"""Snoozing offers this many days from today (never reaching the day itself)."""


def snooze_default(item: Due, today: date) -> date | None:
    """SNOOZE_DAYS from today, but before the day itself; None when no day fits between."""
    until = min(today + timedelta(days=SNOOZE_DAYS), item.on - timedelta(days=1))
    return until if until > today else None


def _snooze_day(item: Due, today: date, until: date | None) -> date:
    until = until or snooze_default(item, today)
    if until is None:
        raise InvalidInput("the day is too close to snooze: dismiss it, or mark the gift bought")
    if until <= today:
        raise InvalidInput("snooze until a day after today")
    if until >= item.on:
        raise InvalidInput(f"snooze until a day before {item.on.isoformat()}, the day itself; "
                           "to stop reminding this year, dismiss it")
    return until


def act_on_reminder(
    vault: Vault, item: Due, verb: str, today: date, until: date | None = None
) -> Occasion:
    """Dismiss, snooze or mark "gift bought" the occurrence ``item`` names.

    A snooze lasts until ``until`` (default ``snooze_default``), which must fall after today and
    before the occurrence: snoozing past it would silence the day itself.
    """
    from profilekeeper import reminders

    snooze_to = _snooze_day(item, today, until) if verb == "snooze" else None
    occasion = vault.get(Occasion, item.occasion_id)
    year = item.on.year
    if verb == "dismiss":
        updated = reminders.dismiss(occasion, year)
    elif snooze_to is not None:
        updated = reminders.snooze(occasion, year, snooze_to)
    elif verb == "bought":
        updated = reminders.mark_bought(occasion, year)
    else:
        raise ValueError(f"unknown reminder action {verb!r}")
    return vault.save(updated)


def act_on_next(
    vault: Vault, person: str, kind: str, verb: str, today: date, until: date | None = None
) -> list[Due]:
    """``act_on_reminder`` on the next occurrence of each of ``person``'s occasions of ``kind``
    (a name and a kind, as typed at the command line); the occurrences acted on.

    All or nothing: one refused (a snooze past one of two anniversaries) changes none.
    """
    from profilekeeper import reminders

    with vault.transaction():
        someone = find_person(vault, person)
        occasions = occasions_of_kind(vault, someone.id, kind)
        leap_day = reminders.leap_day_setting(vault.profile().settings)
        acted = []
        for occasion in occasions:
            coming = reminders.upcoming([occasion], [someone], [], today, 366, leap_day=leap_day)
            if not coming:
                raise InvalidInput("that occasion has no date to come")
            act_on_reminder(vault, coming[0], verb, today, until)
            acted.append(coming[0])
    return acted
