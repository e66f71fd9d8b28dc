"""Suggestions as the shopper sees them, and verdicts on them.

``read`` runs the pipeline (``profilekeeper.suggestions``) over what the vault holds, every
time, so a rule or never-interest added a moment ago already applies, offline. ``judge`` saves
what a verdict changes in one transaction; ``tell_shop`` sends a protocol verdict to the shop
it came from at once when, and only when, the shopper allowed feedback for that shop and the
shop offers the route, and records the exchange in the activity log (``sync`` sends any verdict
that did not get through: services/feedback.py).
"""

from __future__ import annotations

import threading
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from profilekeeper.errors import InvalidInput, NotFound
from profilekeeper.model import (
    Activity,
    Gift,
    Grant,
    Interest,
    Occasion,
    Outcome,
    Person,
    Purchase,
    Retailer,
    Rule,
    ShareRecord,
    ShopStatus,
    Suggestion,
)
from profilekeeper.services.activity import record
from profilekeeper.services.feedback import VERDICTS, feedback_body, takes_feedback
from profilekeeper.services.shops import client_for, now_utc, shop_token
from profilekeeper.services.views import unreadable
from profilekeeper.suggestions import Ranked, Result, build, run
from profilekeeper.suggestions.feedback import Changes
from profilekeeper.suggestions.feedback import judge as judged
from profilekeeper.suggestions.filters import audience
from profilekeeper.suggestions.prepare import Memo

if TYPE_CHECKING:
    from profilekeeper.services.views import VaultReader
    from profilekeeper.store.vault import Vault


def read(vault: VaultReader, *, today: date | None = None, now: datetime | None = None,
         stamp: object = None) -> Result:  # fmt: skip
    """Every stored suggestion, shown (best first, with its reason) or hidden (with why).

    ``stamp``: the app's ``data_stamp()``, taken before this read, equal to an earlier one when
    nothing in the vault file can have changed since. Given, a read with the stamp of this
    store's last read (on the same day, no grant run out since) is answered with that read's
    result: the pipeline's inputs are all the same (``Last``). The result is shared: callers
    do not change it."""
    now = now or datetime.now(UTC)
    today = today or now.date()
    kept = _kept(vault)
    if kept is None or stamp is None:
        return _read(vault, today, now, kept.memo if kept else None)[0]
    # One read at a time from a store: a second reader (the Suggestions screen opened while
    # Home's glance still reads) waits for the first one's result instead of reading too.
    with kept.lock:
        last = kept.last
        if last is not None and getattr(vault, "is_unlocked", False) \
                and last.answers(stamp, today, now):  # fmt: skip
            return last.result
        result, until = _read(vault, today, now, kept.memo)
        kept.last = Last(stamp, today, now, until, result)
        return result


def forget_reads(vault: object) -> None:
    """Drop what reads from ``vault`` kept (the memo's cleaned text, the last result): the app
    calls it as it locks, so nothing decrypted stays in memory while locked."""
    with _making, suppress(TypeError):  # TypeError: never kept
        _kept_by_store.pop(vault, None)


def _read(vault: VaultReader, today: date, now: datetime,
          memo: Memo | None) -> tuple[Result, datetime | None]:  # fmt: skip
    """The pipeline over what the vault holds, and when the first grant in force runs out."""
    grants = vault.list(Grant)
    ctx = build(
        profile=vault.profile(), interests=vault.list(Interest), rules=vault.list(Rule),
        people=vault.list(Person), occasions=vault.list(Occasion), gifts=vault.list(Gift),
        purchases=vault.list(Purchase), shops=vault.list(Retailer), grants=grants,
        today=today, now=now,
    )  # fmt: skip
    ends = [g.until for g in grants if g.until is not None and g.until > now]
    stored = vault.list(Suggestion)
    result = run(stored, ctx, memo)
    result.unreadable = unreadable(stored)  # marked in the list (screens/unreadable.py)
    return result, min(ends, default=None)


@dataclass(frozen=True)
class Last:
    """A read's result and what it was read at: the stamp, the day, the time."""

    stamp: object
    today: date
    now: datetime
    until: datetime | None
    """When the first grant in force then runs out (the only input that moves with time)."""
    result: Result

    def answers(self, stamp: object, today: date, now: datetime) -> bool:
        return (stamp == self.stamp and today == self.today and self.now <= now
                and (self.until is None or now < self.until))  # fmt: skip


class Kept:
    """What reads from one store keep between them, while it is open and unlocked: the memo
    (what each stored suggestion's own text gave: suggestions/prepare.py, so the next read
    works out only what changed), and the last read."""

    def __init__(self) -> None:
        self.memo = Memo()
        self.last: Last | None = None
        self.lock = threading.Lock()


_kept_by_store: WeakKeyDictionary[object, Kept] = WeakKeyDictionary()
"""Gone with the store."""
_making = threading.Lock()


def _kept(vault: object) -> Kept | None:
    """The store's ``Kept`` (None for one that cannot be weakly referenced: every read from
    scratch)."""
    with _making:  # one per store, whichever thread reads first
        try:
            kept = _kept_by_store.get(vault)
            if kept is None:
                kept = _kept_by_store[vault] = Kept()
        except TypeError:
            return None
        return kept


def select(items: list[Ranked], *, person_id: str | None = None,
           kind: str | None = None) -> list[Ranked]:  # fmt: skip
    """The items for ``person_id`` (None: the shopper's own) of ``kind`` (None: any)."""
    return [r for r in items if r.person_id == person_id
            and (kind is None or r.suggestion.kind == kind)]  # fmt: skip


def find_suggestion(vault: Vault, text: str) -> Suggestion:
    """The suggestion whose id is ``text`` or starts with it (at least 4 characters)."""
    text = text.strip().lower()
    found = [s for s in vault.list(Suggestion)
             if s.id == text or (len(text) >= 4 and s.id.startswith(text))]  # fmt: skip
    if len(found) > 1:
        raise InvalidInput("more than one suggestion starts with that: give more of its id")
    if not found:
        raise NotFound("no such suggestion: see `profilekeeper suggestions`")
    return found[0]


@dataclass(frozen=True)
class Judged:
    changes: Changes
    shop: Retailer | None
    """The shop to tell, when the verdict may go to it (see ``may_tell``)."""


def may_tell(shop: Retailer | None, verdict: str) -> bool:
    """A protocol verdict, to a linked shop that takes feedback, which the shopper allowed."""
    return (shop is not None and verdict in VERDICTS and takes_feedback(shop)
            and shop.status is ShopStatus.CONNECTED and bool(shop.link_id))  # fmt: skip


def judge(vault: Vault, suggestion_id: str, verdict: str, *, gift_for: str | None = None,
          until: date | None = None, today: date | None = None) -> Judged:  # fmt: skip
    """Save what ``verdict`` changes: the suggestion's verdict, learned or never-interests,
    a purchase or a gift. Whom the item is for is read as the pipeline reads it."""
    today = today or date.today()
    with vault.transaction():
        s = vault.get(Suggestion, suggestion_id)
        shop = next((r for r in vault.list(Retailer) if r.id == s.retailer_id), None)
        person_id = _audience(vault, s)
        theirs = list(vault.list(Interest, person_id=person_id))
        changes = judged(s, verdict, person_id=person_id, theirs=theirs, today=today,
                         shop_name=shop.name if shop else "", gift_for=gift_for, until=until)
        vault.save(changes.suggestion)
        if changes.interests:
            vault.save_all(changes.interests)
        for record in (changes.purchase, changes.gift):
            if record is not None:
                vault.add(record)
    return Judged(changes, shop if may_tell(shop, verdict) else None)


def _audience(vault: Vault, s: Suggestion) -> str | None:
    """Whom ``s`` is for, as the pipeline reads it (None: the shopper, or no one known)."""
    if s.for_ref == "self":
        return None
    ctx = build(profile=vault.profile(), people=vault.list(Person), shops=vault.list(Retailer),
                grants=vault.list(Grant), today=date.today(), now=datetime.now(UTC))
    return audience(s, ctx)[0]


async def tell_shop(vault: Vault, shop: Retailer, suggestion: Suggestion, *, token: str,
                    now: datetime | None = None) -> ShareRecord:  # fmt: skip
    """Send the suggestion's verdict to ``shop`` now and record the exchange (ok or why not).

    The record keeps the exact body, as ``sync`` does, so the next sync does not send it again
    (services/feedback.py); one that failed goes with the next sync.
    """
    from profilekeeper.sync.client import ShopError
    from profilekeeper.sync.protocol import VerdictItem

    verdict = suggestion.verdict
    if not may_tell(shop, verdict or ""):
        raise InvalidInput("feedback is not allowed for this shop, or it takes none")
    items = [VerdictItem.model_validate({"suggestion_id": suggestion.remote_id,
                                         "verdict": verdict})]  # fmt: skip
    try:
        async with client_for(shop, token) as client:
            accepted = await client.feedback(shop.link_id, items)
        outcome, reason = Outcome.OK, f"1 verdict sent, {accepted.accepted} accepted"
    except ShopError as error:
        outcome, reason = Outcome(error.outcome), str(error)
    return record(vault, shop, Activity.FEEDBACK, outcome, reason, now=now or now_utc(),
                  payload=feedback_body(items))


def send_now(vault: Vault, shop: Retailer, suggestion: Suggestion) -> str:
    """``tell_shop`` from synchronous code; one plain sentence on how it went."""
    import asyncio

    record_ = asyncio.run(tell_shop(vault, shop, suggestion, token=shop_token(vault, shop)))
    if record_.outcome is Outcome.OK:
        return f"Sent to {shop.name}."
    return f"Not sent to {shop.name} (the next sync tries again): {record_.reason}."


def gift_ideas(vault: VaultReader, person_id: str, *, today: date | None = None,
               limit: int = 3, stamp: object = None) -> tuple[list[Ranked], int]:
    """The person's best ``limit`` gift ideas from shops, as the Suggestions screen ranks them
    (their next occasion's nearness counts), and how many are shown for them in all
    (``stamp``: as for ``read``)."""
    ideas = select(read(vault, today=today, stamp=stamp).shown, person_id=person_id)
    return ideas[:limit], len(ideas)
