"""The rules for every value a vault holds: one set, used by every way in and every reader.

Two tiers, because they guard different things:

**Storable** (``check_stored``): what every later command can compute with. The codec checks it
on every record it opens (one that fails is a ``DamagedRecord``, reported and left out, never
a crash) and on every record it seals (so nothing writes one), and JSON import checks it on
every record before anything changes. It holds types (text is text, a month a whole number)
and the ranges arithmetic needs:

- a date is a real calendar date: month 1–12, a day the month has, 29 February only without a
  year or in a leap year;
- years run from ``FIRST_YEAR`` to ``LAST_YEAR`` (1–9000). The readers work out next
  occurrences, the day after (a calendar event's end) and next year's date: far from 9999,
  the last year ``datetime.date`` knows, none of that can overflow (for any "today" before
  9998: bounding ``--today`` is the commands' business);
- lead days are whole numbers from 0 to ``MAX_LEAD_DAYS`` (366): a reminder never starts more
  than a year ahead, and ``date - lead`` never leaves the calendar;
- amounts (budgets, prices) are finite, from 0 to ``MAX_AMOUNT`` (the sync protocol's largest);
- a record's name (a person's name, an occasion's kind, a gift's title…) is not blank;
- reminder state is ``{"2026": {"dismissed": "true", …}}``: text keyed by text keyed by year.

JSON import uses this tier alone, so every export this version writes imports again, including
values an older release let in that the entry rules below would now word differently.

**Entered** (``entered.py``; ``parsing.py`` turns typed text into values): what a person types,
a form or a vCard brings, on top of the above. Text is folded to single spaces and bounded
(``MAX_NAME`` characters for names and short fields, ``MAX_NOTES`` for notes), with no control
characters (they would recolour a terminal or make a calendar file invalid); a currency is
three letters; amounts have at most two decimals; at most ``MAX_LEADS`` lead times; a
birthday's year is not after this year (a typo, not a birth). These are friendliness rules: a
stored value that breaks one of them still opens.

Only the standard library and ``model_core`` here: the ``remind`` fast path imports this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from profilekeeper.errors import InvalidInput
from profilekeeper.model_core import Occasion, Profile

T = TypeVar("T")

FIRST_YEAR, LAST_YEAR = 1, 9000
MAX_LEAD_DAYS = 366
MAX_LEADS = 10
MAX_AMOUNT = Decimal("9999999.99")
CENT = Decimal("0.01")
MAX_NAME = 200
MAX_NOTES = 10_000

NAMES = {"people": ("name", "a person"), "occasions": ("kind", "an occasion"),
         "gifts": ("title", "a gift"), "purchases": ("title", "a purchase"),
         "interests": ("name", "an interest")}  # fmt: skip
"""The field that names a record of each table (it must not be blank), and what it names."""


class Refused(InvalidInput):
    """One field's value cannot be used; the message never holds the value. ``field`` names the
    record's field (a form shows ``reason`` beside it, in its own words for the field).

    The message is ``field: reason`` ("currency: is three letters, like EUR"), or, ``alone``, a
    reason that says what it is about ("amounts are written like 12.50", as a value typed that
    does not parse is refused at the command line)."""

    def __init__(self, field: str, reason: str, *, alone: bool = False) -> None:
        super().__init__(reason if alone else f"{field.replace('_', ' ')}: {reason}")
        self.field = field
        self.reason = reason


# --- storable: types and ranges -----------------------------------------------------------

Check = Callable[[Any], str | None]
"""A check of a value of the right type (and not empty): None when usable, else why not."""


def _finite(v: Any) -> str | None:
    return None if v - v == 0 else "must be a finite number"  # NaN - NaN, inf - inf: NaN


def _amount(v: Decimal) -> str | None:
    if not v.is_finite():
        return "must be an amount"
    return None if 0 <= v <= MAX_AMOUNT else f"must be between 0 and {MAX_AMOUNT}"


def in_years(v: date) -> str | None:
    return None if FIRST_YEAR <= v.year <= LAST_YEAR else _YEARS


# ``_ONLY_STR.issuperset(map(type, items))``: "every item is a str", with no Python-level loop.
_ONLY_STR, _ONLY_INT, _ONLY_DICT = frozenset({str}), frozenset({int}), frozenset({dict})


def str_map_problem(v: dict[Any, Any]) -> str | None:
    if _ONLY_STR.issuperset(map(type, v)) and _ONLY_STR.issuperset(map(type, v.values())):
        return None
    return "must map text to text"


def _json_keys(v: dict[Any, Any]) -> str | None:
    return None if _ONLY_STR.issuperset(map(type, v)) else "must be an object"


def _texts(v: list[Any]) -> str | None:
    return None if _ONLY_STR.issuperset(map(type, v)) else "must be a list of text"


def _lead_days(v: list[Any]) -> str | None:
    if _ONLY_INT.issuperset(map(type, v)) and min(v) >= 0 and max(v) <= MAX_LEAD_DAYS:
        return None
    return f"must be whole days from 0 to {MAX_LEAD_DAYS}"


def _reminder_state(v: dict[Any, Any]) -> str | None:
    states = v.values()
    if (_ONLY_STR.issuperset(map(type, v)) and _ONLY_DICT.issuperset(map(type, states))
            and not any(map(str_map_problem, states))):  # fmt: skip
        return None
    return "must map years to reminder states"


_YEARS = f"years run from {FIRST_YEAR} to {LAST_YEAR}"
_NO_SUCH_DATE = "that date does not exist in the calendar"
_BY_HINT: dict[str, tuple[type[Any] | tuple[type[Any], ...], str, Check | None]] = {
    "str": (str, "must be text", None),
    "int": (int, "must be a whole number", None),
    "bool": (bool, "must be true or false", None),
    "float": ((int, float), "must be a number", _finite),
    "Decimal": (Decimal, "must be an amount", _amount),
    "date": (date, "must be a date", in_years),
    "datetime": (datetime, "must be a date and time", None),
    "dict[str, str]": (dict, "must map text to text", str_map_problem),
    "dict[str, Any]": (dict, "must be an object", _json_keys),
    "list[str]": (list, "must be a list of text", _texts),
    "list[int]": (list, "must be a list of whole numbers", _lead_days),  # only lead_days
    "dict[str, dict[str, str]]": (dict, "must map years to reminder states", _reminder_state),
}
"""Per annotation as the model writes it (``from __future__ import annotations`` keeps them as
text: no ``typing.get_type_hints`` on the fast path): the exact types allowed, what is wrong
with another, and the check of a value of that type."""


def real_date(month: Any, day: Any, year: Any = None) -> tuple[str, str] | None:
    """The field at fault and why, if ``month``/``day``/``year`` is not a storable date."""
    if year is not None and (type(year) is not int or not FIRST_YEAR <= year <= LAST_YEAR):
        return "year", _YEARS
    if type(month) is not int or not 1 <= month <= 12:
        return "month", _NO_SUCH_DATE
    if type(day) is not int or not 1 <= day <= _MONTH_DAYS[month]:
        return "day", _NO_SUCH_DATE
    if month == 2 and day == 29 and year is not None and not _is_leap(year):
        return "day", _NO_SUCH_DATE  # 29 February is fine without a year, or in a leap year
    return None


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _occasion_date(names: tuple[str, ...]) -> Callable[[Sequence[Any]], tuple[str, str] | None]:
    month, day, year = map(names.index, ("month", "day", "year"))
    return lambda values: real_date(values[month], values[day], values[year])


def _idle_lock(names: tuple[str, ...]) -> Callable[[Sequence[Any]], tuple[str, str] | None]:
    settings = names.index("settings")

    def check(values: Sequence[Any]) -> tuple[str, str] | None:
        idle = values[settings].get("idle_lock_minutes", 0)
        if type(idle) not in (int, float) or not 0 <= idle <= 10_000:  # NaN fails too
            return "settings", "the idle lock must be minutes from 0 to 10000"
        return None

    return check


_EXTRA = {Occasion: _occasion_date, Profile: _idle_lock}
"""Rules across fields, or inside one, beyond types and ranges, by record type: each made
from the field names, then given a record's values (the field at fault and why, or None)."""


def _each(check: Check) -> Callable[[list[Any]], bool]:
    return lambda present: not any(map(check, present))  # a check says None when usable


def _amounts(present: list[Decimal]) -> bool:
    """``_amount`` of each is None: finite (so no NaN reaches a comparison), and in range."""
    return all(map(Decimal.is_finite, present)) and min(present) >= 0 and max(present) <= MAX_AMOUNT


def _years(present: list[date]) -> bool:
    """``in_years`` of each is None (they are dates: the types are checked first)."""
    return min(present).year >= FIRST_YEAR and max(present).year <= LAST_YEAR


_COLUMN_CHECKS: dict[Check, Callable[[list[Any]], bool]] = {_amount: _amounts, in_years: _years}
"""Column-at-a-time forms of the checks that need not look at each value in Python."""


class _Rules:
    """One record type's rules, laid out so the common case costs a few C-level calls.

    (A plain class: a dataclass costs ~0.5 ms to define, on every ``remind``.)
    """

    __slots__ = ("allowed", "columns", "contents", "extra", "name", "name_at", "names",
                 "values", "wrong_type")  # fmt: skip

    def __init__(self, cls: type[Any], names: tuple[str, ...],
                 allowed: tuple[frozenset[type[Any]], ...], wrong_type: tuple[str, ...],
                 contents: tuple[tuple[int, Check], ...], name: tuple[str, str] | None) -> None:
        from operator import attrgetter

        self.names = names
        self.values: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
        """Every field's value, in ``names`` order (the order of the dataclass's fields)."""
        self.allowed = allowed
        self.wrong_type = wrong_type
        self.contents = contents
        """Checks of values of the right type, by position, run when the value is not empty."""
        self.columns = tuple((at, _COLUMN_CHECKS.get(check) or _each(check))
                             for at, check in contents)  # fmt: skip
        """The same checks, each over the non-empty values at ``at`` of many records."""
        self.name = name
        """The field that must not be blank, if the record has one, and what it names."""
        self.name_at = names.index(name[0]) if name else -1
        make = _EXTRA.get(cls)
        self.extra = make(names) if make else None


_RULES: dict[type[Any], _Rules] = {}
_IS_IN = frozenset.__contains__


def _rules(cls: type[Any]) -> _Rules:
    import sys

    space = vars(sys.modules[cls.__module__])
    enums = {k: v for k, v in space.items() if isinstance(v, type) and issubclass(v, Enum)}
    names, allowed, wrong, contents = [], [], [], []
    for position, f in enumerate(fields(cls)):
        hint = str(f.type)
        optional = hint.endswith(" | None")
        hint = hint.removesuffix(" | None")
        kinds, why, check = (enums[hint], "is not one of the known values", None) \
            if hint in enums else _BY_HINT[hint]  # fmt: skip
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        names.append(f.name)
        allowed.append(frozenset((*kinds, type(None)) if optional else kinds))
        wrong.append(why)
        if check is not None:
            contents.append((position, check))
    rules = _Rules(cls, tuple(names), tuple(allowed), tuple(wrong), tuple(contents),
                   NAMES.get(cls.TABLE))  # fmt: skip
    _RULES[cls] = rules
    return rules


def field_values(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A record's values in the order of its fields: what ``check_values`` and
    ``all_storable`` take, and what ``cls(*values)`` builds the record from again."""
    return (_RULES.get(cls) or _rules(cls)).values


def check_stored(record: Any) -> None:
    """Raise ``Refused`` naming the first field of ``record`` that no reader could use."""
    rules = _RULES.get(type(record)) or _rules(type(record))
    _check(rules, rules.values(record))


def check_values(cls: type[Any], values: Sequence[Any]) -> None:
    """``check_stored(cls(*values))`` without building the record (``values`` in field order)."""
    _check(_RULES.get(cls) or _rules(cls), values)


def _check(rules: _Rules, values: Sequence[Any]) -> None:
    """The types of all fields in one pass at C level; the rest only on values that need it.
    Of several fields at fault, ``Refused`` names the first one in this order."""
    if not all(map(_IS_IN, rules.allowed, map(type, values))):
        for name, allowed, value, why in zip(rules.names, rules.allowed, values,
                                             rules.wrong_type, strict=True):  # fmt: skip
            if type(value) not in allowed:
                raise Refused(name, why)
    for position, check in rules.contents:
        if (value := values[position]) and (problem := check(value)) is not None:
            raise Refused(rules.names[position], problem)
    if rules.name is not None and not values[rules.name_at].strip():
        raise Refused(rules.name[0], f"{rules.name[1]} needs a {rules.name[0]}")
    if rules.extra is not None and (wrong := rules.extra(values)):
        raise Refused(*wrong)


def all_storable(cls: type[Any], rows: Sequence[Sequence[Any]]) -> bool:
    """Whether ``check_values(cls, values)`` passes for every ``values`` in ``rows``.

    The same rules a column at a time: the types of one field of every record in one C-level
    pass, amounts and years by their smallest and largest, so thousands of records read or
    written together cost a fraction of checking each (the store's bulk reads and writes).
    False says only that some record breaks a rule: ``check_values`` on each says which.
    """
    rules = _RULES.get(cls) or _rules(cls)
    columns = list(zip(*rows, strict=True))
    if len(columns) != len(rules.names):
        return not rows
    types_ok = map(frozenset.issuperset, rules.allowed, (map(type, c) for c in columns))
    if not all(types_ok):
        return False
    for position, check in rules.columns:
        present = [*filter(None, columns[position])]  # as in _check: empty values pass
        if present and not check(present):
            return False
    if rules.name is not None and not all(map(str.strip, columns[rules.name_at])):
        return False
    return rules.extra is None or not any(map(rules.extra, rows))
