"""Turning what people type into values: dates with or without a year, amounts, lead days.

Each raises ``InvalidInput`` with the rule, never the text typed. The bounds are
``validation``'s, so a value parsed here is one the vault stores. Only the standard library,
``errors`` and ``validation`` here.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from profilekeeper.errors import InvalidInput
from profilekeeper.validation import (
    CENT,
    MAX_AMOUNT,
    MAX_LEAD_DAYS,
    MAX_LEADS,
    in_years,
    real_date,
)

_FULL_DATE = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"
_YEARLESS = r"^--(\d{1,2})-?(\d{2})$"


class PartialDate(NamedTuple):
    """A calendar date whose year may be unknown (a birthday without the birth year)."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_partial_date(text: str) -> PartialDate:
    """Parse ``YYYY-MM-DD`` or ``--MM-DD`` (also ``--MMDD``); raise InvalidInput otherwise."""
    text = text.strip()
    if m := re.match(_FULL_DATE, text):
        year, month, day = (int(g) for g in m.groups())
    elif m := re.match(_YEARLESS, text):
        year, (month, day) = None, (int(g) for g in m.groups())
    else:
        raise InvalidInput("dates are written YYYY-MM-DD, or --MM-DD when the year is unknown")
    if wrong := real_date(month, day, year):
        raise InvalidInput(wrong[1])
    return PartialDate(month, day, year)


def parse_date(text: str) -> date:
    """Parse a whole date ``YYYY-MM-DD`` (when a gift was bought); InvalidInput otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("dates are written YYYY-MM-DD") from None
    if (why := in_years(day)) is not None:
        raise InvalidInput(why)
    return day


def parse_money(text: str) -> Decimal:
    """Parse an amount like ``25``, ``25.50`` or ``25,50``; raise InvalidInput otherwise."""
    try:
        amount = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput("amounts are written like 25 or 25.50") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("amounts must be zero or more")
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"amounts are at most {MAX_AMOUNT}")
    if amount != amount.quantize(CENT):
        raise InvalidInput("amounts have at most two decimals")
    return amount


INHERIT = "inherit"
"""Typed instead of lead days: take them from the person, the kind or the default."""


def parse_lead_days(text: str) -> list[int] | None:
    """Parse ``14,3`` into ``[14, 3]`` (sorted, largest first), and ``inherit`` (or nothing)
    into None; raise InvalidInput otherwise."""
    if text.strip().lower() in ("", INHERIT):
        return None
    try:
        days = sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise InvalidInput("lead times are whole days separated by commas, like 14,3 "
                           f"(or {INHERIT})") from None
    if not days or any(d < 0 or d > MAX_LEAD_DAYS for d in days):
        raise InvalidInput(f"lead times are between 0 and {MAX_LEAD_DAYS} days")
    if len(days) > MAX_LEADS:
        raise InvalidInput(f"at most {MAX_LEADS} lead times")
    return days
