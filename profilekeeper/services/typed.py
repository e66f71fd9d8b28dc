"""Values as typed (text from argv or a form's inputs) made into a record's fields.

``None`` is "not given" (keep the record's value), a blank is "none"; a value that does not
parse raises validation's ``Refused`` with the rule alone as its message (as the CLI prints it)
and ``field`` naming the field (for a form to show the rule beside the field).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from profilekeeper.errors import InvalidInput
from profilekeeper.parsing import parse_date, parse_money
from profilekeeper.validation import Refused

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def parsed(field: str, parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except InvalidInput as error:
        raise Refused(field, str(error), alone=True) from None


def optional(field: str, parse: Callable[[str], T], text: str | None, kept: T | None) -> T | None:
    """``text`` parsed; ``kept`` when not given (None); None when left blank."""
    if text is None:
        return kept
    return parsed(field, parse, text) if text.strip() else None


def choice(field: str, kind: type[E], text: str | None, kept: E) -> E:
    if text is None:
        return kept
    try:
        return kind(text.strip().lower())
    except ValueError:
        raise Refused(field, f"{field} is one of {', '.join(kind)}", alone=True) from None


def given(text: str | None, kept: str) -> str:
    return kept if text is None else text


def money(field: str, text: str | None, kept: Decimal | None) -> Decimal | None:
    return optional(field, parse_money, text, kept)


def day(text: str | None, kept: date | None) -> date | None:
    return optional("on", parse_date, text, kept)
