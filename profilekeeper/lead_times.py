"""How many days before each occasion its reminders start: one answer for remind, the app and
the calendar.

Precedence, first that is set: ``--lead N`` (one run's override, like remind(1)'s ``-tN``) >
the occasion's own ``lead_days`` > its person's ``lead_days`` > the owner's default for the
occasion's kind (``settings["lead_days"]["birthday"]``) > the owner's global default
(``settings["lead_days"]["*"]``) > ``DEFAULT_LEAD_DAYS``. ``None`` on a record means "not set:
inherit". Lead 0 is an explicit reminder on the day itself (a hook fires on the day only then).

Plain Python: the ``remind`` fast path imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from profilekeeper.model_core import Occasion, Person

DEFAULT_LEAD_DAYS = (14, 3)
SETTING = "lead_days"
"""The profile setting: ``{"birthday": [21, 7, 0], "*": [14, 3]}`` (kinds, and ``*`` for all)."""
ANY_KIND = "*"
MAX_LEAD_DAYS = 366  # as validation.MAX_LEAD_DAYS (not imported: it is not needed here)


def clean(value: Any) -> tuple[int, ...] | None:
    """``value`` as lead days, largest first, or None when it is not a usable list."""
    if not isinstance(value, list | tuple):
        return None
    if not all(type(d) is int and 0 <= d <= MAX_LEAD_DAYS for d in value):
        return None
    return tuple(sorted(set(value), reverse=True))


def kind_defaults(settings: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """The owner's defaults by kind (``*``: every kind), the unusable ones left out."""
    raw = settings.get(SETTING)
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, given in raw.items()
            if isinstance(k, str) and (v := clean(given)) is not None}  # fmt: skip


class Leads:
    """Resolves lead days by the precedence above.

    ``people`` are the people whose own defaults count; None means they are not known yet
    (``remind`` decides what to decrypt before it reads them): an occasion that would inherit
    from its person then gets the widest lead, so the answer is a superset.
    """

    def __init__(
        self,
        settings: Mapping[str, Any] | None = None,
        people: Iterable[Person] | None = (),
        override: int | None = None,
    ) -> None:
        self.kinds = kind_defaults(settings or {})
        self.override = override
        self.people: dict[str, tuple[int, ...]] | None = None
        if people is not None:
            self.people = {p.id: v for p in people if (v := clean(p.lead_days)) is not None}

    def of(self, occasion: Occasion) -> tuple[int, ...]:
        if self.override is not None:
            return (self.override,)
        if (own := clean(occasion.lead_days)) is not None:
            return own
        if occasion.person_id is not None:
            if self.people is None:
                return (MAX_LEAD_DAYS,)
            if (theirs := self.people.get(occasion.person_id)) is not None:
                return theirs
        for key in (occasion.kind, ANY_KIND):
            if (kind := self.kinds.get(key)) is not None:
                return kind
        return DEFAULT_LEAD_DAYS

    def source(self, occasion: Occasion) -> str:
        """Where ``of`` found the answer: ``occasion``, ``person``, ``kind``, ``default``…"""
        if self.override is not None:
            return "override"
        if clean(occasion.lead_days) is not None:
            return "occasion"
        if occasion.person_id and self.people and occasion.person_id in self.people:
            return "person"
        if occasion.kind in self.kinds:
            return "kind"
        return "default" if ANY_KIND in self.kinds else "built-in"


def with_kind_default(
    settings: Mapping[str, Any], kind: str, days: list[int] | None
) -> dict[str, Any]:
    """The ``lead_days`` setting with ``kind``'s default set (None: removed)."""
    raw = settings.get(SETTING)
    current = dict(raw) if isinstance(raw, dict) else {}
    if days is None:
        current.pop(kind, None)
    else:
        current[kind] = list(days)
    return current
