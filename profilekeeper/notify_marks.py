"""The marks that let a notification hook fire once per point: plain functions over the sealed
state an occasion keeps per year (``Occasion.reminder_state``) and the profile keeps per release
or event (``COMING_MARKS``), for ``remind --exec`` and the notify hook (docs/reminders.md).

A point is a number of days before the day (an occasion's lead days; 0 for a release's day, 7
and 0 for an event). It fires once it has passed, once, even when the runs between missed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def notified(state: Mapping[str, Any]) -> tuple[int, ...]:
    """The lead points recorded as fired in one year's state (``"14,3"``), junk left out."""
    points = state.get("notified", "")
    return tuple(int(p) for p in points.split(",") if p.isdigit()) if isinstance(points, str) \
        else ()  # fmt: skip


def pending_points(days_until: int, points: Iterable[int],
                   done: Iterable[int]) -> tuple[int, tuple[int, ...]] | None:  # fmt: skip
    """The point a hook fires for now (the nearest passed) and every passed point to record
    with it; None when none has passed or every passed one has fired (``done``). A point is
    passed once ``days_until <= point``: a run that missed days still fires it, once."""
    passed = tuple(p for p in points if days_until <= p)
    if not passed or set(passed) <= set(done):
        return None
    return min(passed), passed


COMING_MARKS = "notify.fired"
"""The profile setting (sealed with the profile) that records the points a hook fired for each
release and event ``remind`` lists: a mark's key (``cli/remind_coming.mark_key``, a digest, no
title or shop) → ``{"on": ISO date, "notified": "7,0"}``, the same state an occasion keeps per
year. Stored suggestions are no place for it: a sync replaces the unjudged ones (new ids)."""


def coming_notified(settings: Mapping[str, Any], key: str) -> tuple[int, ...]:
    """The points recorded as fired for the release or event ``key``."""
    marks = settings.get(COMING_MARKS)
    state = marks.get(key) if isinstance(marks, dict) else None
    return notified(state) if isinstance(state, dict) else ()


def _iso_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def mark_coming(settings: Mapping[str, Any], fired: Iterable[tuple[str, date, Iterable[int]]],
                since: date) -> dict[str, Any]:  # fmt: skip
    """A copy of ``settings`` with each ``(key, day, points)`` added to that release's or event's
    notified points, and the marks of days before ``since`` (no longer listed) dropped."""
    kept = settings.get(COMING_MARKS)
    marks = {k: dict(v) for k, v in (kept.items() if isinstance(kept, dict) else ())
             if isinstance(v, dict) and (_iso_day(v.get("on")) or date.min) >= since}  # fmt: skip
    for key, on, points in fired:
        done = set(notified(marks.get(key, {}))) | set(points)
        marks[key] = {"on": on.isoformat(),
                      "notified": ",".join(map(str, sorted(done, reverse=True)))}
    return {**settings, COMING_MARKS: marks}
