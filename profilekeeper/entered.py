"""The entered tier of the value rules (validation.py's docstring says both): what a person
types, a form or a vCard brings is folded and bounded here, then checked as storable.

Only the standard library and ``model_core`` here, as in validation.py.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from profilekeeper.model_core import Occasion
from profilekeeper.plain_text import CONTROLS
from profilekeeper.validation import (
    CENT,
    MAX_LEADS,
    MAX_NAME,
    MAX_NOTES,
    Refused,
    check_stored,
    str_map_problem,
)

T = TypeVar("T")

# Patterns as text, compiled (and cached by ``re``) on first use: not on every ``remind``.
_CONTROL = f"[{CONTROLS}]"
_LINE_BREAKS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # notes may keep tabs and newlines
_CURRENCY = r"[A-Z]{3}"
_SHORT_FIELDS = {"name", "kind", "title", "category", "relationship", "label", "retailer",
                 "display_name", "city", "currency", "contact_uid"}  # fmt: skip


def one_line(text: str, field: str, *, limit: int = MAX_NAME) -> str:
    """``text`` with its whitespace folded to single spaces; Refused if it holds control
    characters or is longer than ``limit`` characters."""
    folded = " ".join(text.split())
    if re.search(_CONTROL, folded):
        raise Refused(field, "must not hold control characters")
    if len(folded) > limit:
        raise Refused(field, f"must be at most {limit} characters")
    return folded


def _notes(text: str, field: str) -> str:
    text = text.strip()
    if re.search(_LINE_BREAKS, text):
        raise Refused(field, "must not hold control characters")
    if len(text) > MAX_NOTES:
        raise Refused(field, f"must be at most {MAX_NOTES} characters")
    return text


def _entered_text(record: Any) -> dict[str, Any]:
    """The record's short text fields folded and its notes trimmed, as ``replace`` changes."""
    changes: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if type(value) is not str:
            continue  # check_stored says what is wrong with it
        if f.name in _SHORT_FIELDS:
            changes[f.name] = one_line(value, f.name)
        elif f.name in ("notes", "note"):
            changes[f.name] = _notes(value, f.name)
        elif f.name == "url":
            changes[f.name] = one_line(value, f.name, limit=2000)
    for name in ("sizes", "shipping"):
        mapping = getattr(record, name, None)
        if isinstance(mapping, dict) and str_map_problem(mapping) is None:
            changes[name] = {one_line(k, name): one_line(v, name) for k, v in mapping.items()}
    return changes


def entered(record: T, *, today: date | None = None) -> T:
    """``record`` as a way in should store it: text folded, every rule above checked.

    Raises ``Refused`` naming the field at fault. ``today`` dates the birthday check.
    """
    record = replace(record, **_entered_text(record))  # type: ignore[type-var]
    check_stored(record)
    for name in ("price", "budget"):
        if (amount := getattr(record, name, None)) is not None:
            _two_decimals(amount, name)
    if (currency := getattr(record, "currency", "")) and not re.fullmatch(_CURRENCY, currency):
        raise Refused("currency", "is three letters, like EUR")
    if len(getattr(record, "lead_days", None) or ()) > MAX_LEADS:
        raise Refused("lead_days", f"at most {MAX_LEADS} reminders")
    if isinstance(record, Occasion):
        year_now = (today or date.today()).year
        if record.kind == "birthday" and record.year is not None and record.year > year_now:
            raise Refused("year", "a birthday's year cannot be after this year")
    return record


def _two_decimals(amount: Decimal, field: str) -> None:
    if amount != amount.quantize(CENT):  # in range (check_stored): quantize cannot overflow
        raise Refused(field, "amounts have at most two decimals")
