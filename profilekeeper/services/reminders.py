"""Acting on a reminder: one snooze, dismiss and "bought" policy for every front end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from profilekeeper.errors import InvalidInput
from profilekeeper.model import Occasion

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
