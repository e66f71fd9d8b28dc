"""``remind``'s releases and events: "tell me when new releases go on sale" (#16 §4).

Beside the occasions, ``remind`` lists the shopper's stored releases by a creator they love,
out by the end of the window and at most ``releases.LISTED_AFTER_RELEASE`` (14) days before its
start, and events in their city within it (``--occasions-only``: none).
Which ones is ``suggestions.releases``'s answer, through the suggestions pipeline, so what the
Suggestions screen hides (a never-interest, a rule, a dismiss, a snooze) is not listed here.

On the fast path: the pipeline (plain Python, no pydantic) is imported, and the tables it
reads are decrypted, only when the vault holds a release or an event for the shopper.

Hooks (``--exec``, ``notify.command``) fire for these too, with ``PROFILEKEEPER_KIND`` set to
``release`` or ``event``: a release on the day it comes out, an event ``EVENT_POINTS`` days
before and on the day. Nothing records that they ran (the vault keeps no hook state for
suggestions), so a point is fired by the run on that very day only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

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


def run_hooks(command: str, items: list[Coming], warn: Callable[[str], None], *,
              stdout: int | None = None) -> None:  # fmt: skip
    """Run ``command`` for each item on one of its points today; a failure is reported by
    the item's position and the exit status only (cron mails stderr)."""
    import os
    import sys

    from profilekeeper.remind_hooks import (
        ENV_FIELDS,
        PREFIX,
        SECRET_PREFIXES,
        _failure,
        _run_one,
        expand,
    )

    due = [(n, i) for n, i in enumerate(items, 1) if i.days_until in hook_points(i)]
    if not due:
        return
    sys.stdout.flush()
    kept = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_PREFIXES)}
    for position, item in due:
        values = {
            **dict.fromkeys(ENV_FIELDS, ""), "KIND": item.kind, "HEADLINE": item.reason,
            "DATE": item.on.isoformat(), "DAYS_LEFT": str(item.days_until),
            "LEAD": str(item.days_until), "MESSAGE": message(item), "TITLE": item.title,
            "CREATORS": ", ".join(item.creators), "SHOP": item.shop, "CITY": item.city,
            "URL": item.url, "SUGGESTION_ID": item.suggestion_id,
        }  # fmt: skip
        env = {**kept, **{PREFIX + k: v for k, v in values.items()}}
        returncode, error = _run_one(expand(command, message(item)), env, stdout)
        if returncode != 0:
            warn(f"notification hook for release or event {position} of {len(items)} failed "
                 f"({_failure(returncode, error)})")
