"""``remind``'s releases and events: "tell me when new releases go on sale" (#16 §4).

Beside the occasions, ``remind`` lists the shopper's stored releases by a creator they love,
out by the end of the window and at most ``releases.LISTED_AFTER_RELEASE`` (14) days before its
start, and events in their city within it (``--occasions-only``: none).
Which ones is ``suggestions.releases``'s answer, through the suggestions pipeline, so what the
Suggestions screen hides (a never-interest, a rule, a dismiss, a snooze) is not listed here.

On the fast path: the pipeline (plain Python, no pydantic) is imported, and the tables it
reads are decrypted, only when the vault holds a release or an event for the shopper.

Hooks (``--exec``, ``notify.command``) fire for these too, with ``PROFILEKEEPER_KIND`` set to
``release`` or ``event``, by the occasions' rule (``notify_marks.pending_points``): a release's
point is the day it comes out, an event's ``EVENT_POINTS`` days before and the day. A point
fires once, by the first run on or after it while the item is still listed (a release up to
``LISTED_AFTER_RELEASE`` days after, an event until its day), so a day the machine was off is
made up for and a second run that day fires nothing. Which points fired is kept, as for an
occasion, sealed in the vault (``notify_marks.COMING_MARKS`` in the profile, written with the
occasions' marks by store/reminder_marks.py), per ``mark_key``: the item as the shopper knows
it, not its stored id, which each sync replaces (and two shops' copies of it are one item).
What the pipeline hides (dismissed, snoozed, a rule, a never-interest) is not listed, so never
fires.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from profilekeeper.model_core import Profile
    from profilekeeper.store.readonly import ReadOnlyVault
    from profilekeeper.suggestions.releases import Coming

RELEASE_POINTS = (0,)
EVENT_POINTS = (7, 0)
"""Days before an event on which a hook fires for it."""


def load(vault: ReadOnlyVault, profile: Profile, start: date,
         days: int) -> tuple[list[Coming], list[Any]]:  # fmt: skip
    """The releases and events due in the window, and the records that could not be read."""
    from profilekeeper.model import Interest, Purchase, Retailer, Rule, Suggestion

    stored = vault.list(Suggestion)
    if not any(s.for_ref == "self" and s.kind in ("release", "event") for s in stored):
        return [], stored.corrupted  # nothing to judge: the pipeline stays unimported
    from profilekeeper.suggestions import releases

    interests = vault.list(Interest, person_id=None)  # a person's bear on gift ideas only
    rules, purchases, shops = vault.list(Rule), vault.list(Purchase), vault.list(Retailer)
    ctx = releases.context(profile=profile, interests=interests, rules=rules,
                           purchases=purchases, shops=list(shops), today=start)
    failed = [c for r in (stored, interests, rules, purchases, shops) for c in r.corrupted]
    return releases.due(stored, ctx, days), failed


def as_json(item: Coming, columns: tuple[str, ...]) -> dict[str, Any]:
    """One release or event in the shape of remind's records (``columns``): the occasion's
    fields empty, ``kind`` ``release`` or ``event``, ``headline`` the reason."""
    fields = {
        "kind": item.kind, "on": item.on.isoformat(), "days_until": item.days_until,
        "headline": item.reason, "top_ideas": [], "suggestion_id": item.suggestion_id,
        "title": item.title, "creators": list(item.creators), "shop": item.shop,
        "city": item.city, "url": item.url,
    }  # fmt: skip
    return {c: fields.get(c) for c in columns}


def when(item: Coming) -> str:
    if item.days_until < 0:
        return "out now"
    return {0: "today", 1: "tomorrow"}.get(item.days_until, f"in {item.days_until} days")


def message(item: Coming) -> str:
    """``Aurora Lines: new album by Velvet Static, whom you love — out 12 Dec``."""
    return f"{item.title}: {item.reason}"


def hook_points(item: Coming) -> tuple[int, ...]:
    return EVENT_POINTS if item.kind == "event" else RELEASE_POINTS


def mark_key(item: Coming) -> str:
    """Which release or event this is, for its hook marks: a digest of its kind, day, title
    words and creators (as dedupe matches copies from several shops), so the mark outlives a
    sync that stores it afresh, and carries no title or shop even once unsealed."""
    from hashlib import blake2b

    from profilekeeper.suggestions.words import norm, words

    parts = (item.kind, item.on.isoformat(), " ".join(words(item.title)),
             *sorted(norm(c) for c in item.creators))  # fmt: skip
    return blake2b("\0".join(parts).encode(), digest_size=16, person=b"pk-remind").hexdigest()


Mark = tuple[str, date, tuple[int, ...]]
"""A hook that ran to success: ``(mark_key, day, points)`` to record (notify_marks.mark_coming)."""


def run_hooks(command: str, items: list[Coming], settings: dict[str, Any],
              warn: Callable[[str], None], *, stdout: int | None = None) -> list[Mark]:  # fmt: skip
    """Run ``command`` for each item with a point to fire (``settings``: the profile's, with
    the marks so far); the marks of those that succeeded. A failure is reported by the item's
    position and the exit status only (cron mails stderr), and tried again on the next run."""
    import os
    import sys

    from profilekeeper.notify_marks import coming_notified, pending_points
    from profilekeeper.remind_hooks import (
        ENV_FIELDS,
        PREFIX,
        SECRET_PREFIXES,
        _failure,
        _run_one,
        expand,
    )

    due = []
    for position, item in enumerate(items, 1):
        key = mark_key(item)
        if now := pending_points(item.days_until, hook_points(item),
                                 coming_notified(settings, key)):  # fmt: skip
            due.append((position, item, key, *now))
    if not due:
        return []
    sys.stdout.flush()
    kept = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_PREFIXES)}
    marks: list[Mark] = []
    for position, item, key, point, passed in due:
        values = {
            **dict.fromkeys(ENV_FIELDS, ""), "KIND": item.kind, "HEADLINE": item.reason,
            "DATE": item.on.isoformat(), "DAYS_LEFT": str(item.days_until),
            "LEAD": str(point), "MESSAGE": message(item), "TITLE": item.title,
            "CREATORS": ", ".join(item.creators), "SHOP": item.shop, "CITY": item.city,
            "URL": item.url, "SUGGESTION_ID": item.suggestion_id,
        }  # fmt: skip
        env = {**kept, **{PREFIX + k: v for k, v in values.items()}}
        returncode, error = _run_one(expand(command, message(item)), env, stdout)
        if returncode == 0:
            marks.append((key, item.on, passed))
        else:
            warn(f"notification hook for release or event {position} of {len(items)} failed "
                 f"({_failure(returncode, error)}); it is tried again on the next run")
    return marks


def keep_marks_since(today: date) -> date:
    """The first day whose marks are still needed: an item of an earlier day is listed no more."""
    from datetime import timedelta

    from profilekeeper.suggestions.releases import LISTED_AFTER_RELEASE

    return today - timedelta(days=LISTED_AFTER_RELEASE)
