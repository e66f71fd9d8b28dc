"""Talking to linked shops: share, revoke at once, sync, forget.

Every exchange has three steps: a plan read from the vault (the token, the exact payload from
``grants.outgoing``), the network part (no vault: several shops run concurrently), then the
vault writes — the activity log, receipts, suggestions. Each outcome (ok, refused,
unreachable, invalid, too large) is recorded with its reason; nothing here raises for a shop
that failed, the records say it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from profilekeeper.errors import NotFound
from profilekeeper.model import (
    Activity,
    Grant,
    Outcome,
    ReceiptStatus,
    Retailer,
    ShareRecord,
    ShopStatus,
    Suggestion,
)
from profilekeeper.services.activity import (
    consent_receipt,
    expire_receipts,
    record,
    supersede_receipts,
    withdraw_receipts,
)
from profilekeeper.services.feedback import feedback_body, pending_verdicts
from profilekeeper.services.grants import outgoing, revoke_grant
from profilekeeper.services.settings import minimum_terms
from profilekeeper.services.shops import client_for, drop_token, now_utc, shop_token, shops, unmet
from profilekeeper.store.keys import KeyringUnavailable

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.client import ShopError, SuggestionBatch
    from profilekeeper.sync.payload import OutgoingProfile
    from profilekeeper.sync.protocol import FeedbackAccepted, ProfileView, VerdictItem

Progress = Callable[[Retailer, str], None]
"""Told what each shop is doing ("sharing", "fetching suggestions"), as it starts."""

_BASE_MEMBERS = frozenset(
    ("kind", "id", "title", "creators", "category", "tags", "price", "currency", "url", "for",
     "reason")
)  # fmt: skip


@dataclass(frozen=True)
class ShopReport:
    """What one shop's part of a sync did: its activity records, in order."""

    shop: Retailer
    records: list[ShareRecord]

    @property
    def ok(self) -> bool:
        return all(r.outcome is Outcome.OK for r in self.records)


@dataclass
class _Plan:
    shop: Retailer
    forget: bool = False
    fetch: bool = False
    token: str = ""
    out: OutgoingProfile | None = None
    refused: str = ""
    """Why nothing is sent (decided here, before the network)."""
    verdicts: list[VerdictItem] = field(default_factory=list)


@dataclass
class _Answer:
    error: ShopError | None = None
    echo: ProfileView | None = None
    echo_error: ShopError | None = None
    batch: SuggestionBatch | None = None
    fetch_error: ShopError | None = None
    accepted: FeedbackAccepted | None = None
    feedback_error: ShopError | None = None


# -- plan, talk, apply ---------------------------------------------------------------------


def _plan(vault: Vault, shop: Retailer, now: datetime, *, fetch: bool = False,
          forget: bool = False) -> _Plan:  # fmt: skip
    from profilekeeper.sync.protocol import Terms

    plan = _Plan(shop, forget=forget or shop.status is ShopStatus.FORGET_PENDING, fetch=fetch)
    try:
        plan.token = shop_token(vault, shop)
    except (KeyringUnavailable, NotFound) as error:
        plan.refused = f"its token could not be read: {error}"
        return plan
    if plan.forget:
        return plan
    if reasons := unmet(Terms.model_validate(shop.terms), minimum_terms(vault)):
        plan.refused = "the link's terms no longer meet your minimum: " + "; ".join(reasons)
    else:
        plan.out = outgoing(vault, shop, now=now)
        plan.verdicts = pending_verdicts(vault, shop) if fetch else []
    return plan


async def _talk(plan: _Plan, progress: Progress | None) -> _Answer:
    from profilekeeper.sync.client import ShopError

    answer, shop = _Answer(), plan.shop
    if plan.refused:
        return answer
    async with client_for(shop, plan.token) as client:
        if plan.forget:
            _note(progress, shop, "forgetting")
            try:
                await client.forget(shop.link_id)
            except ShopError as error:
                answer.error = error
            return answer
        assert plan.out is not None
        _note(progress, shop, "sharing")
        try:
            await client.put_profile(shop.link_id, plan.out.body)
        except ShopError as error:
            answer.error = error
            return answer
        try:
            answer.echo = await client.get_profile(shop.link_id)
        except ShopError as error:
            answer.echo_error = error
        if plan.verdicts:
            _note(progress, shop, "sending feedback")
            try:
                answer.accepted = await client.feedback(shop.link_id, plan.verdicts)
            except ShopError as error:
                answer.feedback_error = error
        if plan.fetch:
            _note(progress, shop, "fetching suggestions")
            try:
                answer.batch = await client.suggestions(
                    shop.link_id, known_refs=set(plan.out.refs.values()))
            except ShopError as error:
                answer.fetch_error = error
    return answer


def _note(progress: Progress | None, shop: Retailer, what: str) -> None:
    if progress is not None:
        progress(shop, what)


def _apply(vault: Vault, plan: _Plan, answer: _Answer, now: datetime) -> list[ShareRecord]:
    shop = plan.shop
    if plan.forget:
        return [_forget_answer(vault, shop, plan.refused, answer.error, now)]
    if plan.refused or plan.out is None:
        return [record(vault, shop, Activity.SHARE, Outcome.REFUSED, plan.refused, now=now)]
    out = plan.out
    sent: dict[str, Any] = {
        "slices": list(out.slices), "purpose": out.put.receipt.purpose,
        "retention_days": out.retention_days, "receipt_id": out.put.receipt.receipt_id,
        "payload": out.body.decode(),
    }  # fmt: skip
    with vault.transaction():
        if (error := answer.error) is not None:
            return [record(vault, shop, Activity.SHARE, Outcome(error.outcome), str(error),
                           now=now, **sent)]  # fmt: skip
        supersede_receipts(vault, shop.id)
        matches = None if answer.echo is None else echo_matches(out, answer.echo)
        records = [record(
            vault, shop, Activity.SHARE, Outcome.INVALID if matches is False else Outcome.OK,
            _share_reason(out, answer, matches), now=now,
            receipt=consent_receipt(shop, out.put.receipt),
            receipt_status=ReceiptStatus.ACTIVE, echo_matches=matches,
            response="" if answer.echo is None else answer.echo.model_dump_json(by_alias=True),
            **sent,
        )]  # fmt: skip
        if plan.verdicts:
            records.append(_fed_back(vault, shop, plan.verdicts, answer, now))
        if plan.fetch:
            records.append(_fetched(vault, shop, out, answer, now))
    return records


def _fed_back(vault: Vault, shop: Retailer, verdicts: list[VerdictItem], answer: _Answer,
              now: datetime) -> ShareRecord:  # fmt: skip
    body = feedback_body(verdicts)
    if (error := answer.feedback_error) is not None or answer.accepted is None:
        outcome = Outcome.INVALID if error is None else Outcome(error.outcome)
        return record(vault, shop, Activity.FEEDBACK, outcome, str(error or "no answer"),
                      payload=body, now=now)  # fmt: skip
    return record(vault, shop, Activity.FEEDBACK, Outcome.OK,
                  f"{len(verdicts)} verdict(s) sent, {answer.accepted.accepted} accepted",
                  payload=body, response=answer.accepted.model_dump_json(), now=now)


def echo_matches(out: OutgoingProfile, view: ProfileView) -> bool:
    """Does the shop hold exactly the slices and the receipt that were sent?"""
    sent = out.put.model_dump(mode="json", exclude_none=True)
    held = view.model_dump(mode="json", exclude_none=True)
    return bool(held.get("slices") == sent.get("slices")
                and held.get("receipt") == sent.get("receipt"))  # fmt: skip


def _share_reason(out: OutgoingProfile, answer: _Answer, matches: bool | None) -> str:
    said = f"sent {len(out.slices)} slice(s)"
    if out.withheld:
        said += f"; {len(out.withheld)} granted slice(s) withheld"
    if answer.echo_error is not None:
        return f"{said}; the shop's copy could not be read back: {answer.echo_error}"
    if matches is False:
        return f"{said}; the shop holds something other than what was sent"
    return said


# -- suggestions ---------------------------------------------------------------------------


def _fetched(vault: Vault, shop: Retailer, out: OutgoingProfile, answer: _Answer,
             now: datetime) -> ShareRecord:  # fmt: skip
    if (error := answer.fetch_error) is not None or answer.batch is None:
        why = str(error) if error is not None else "no answer"
        outcome = Outcome(error.outcome) if error is not None else Outcome.INVALID
        return record(vault, shop, Activity.FETCH, outcome, why, now=now)
    batch = answer.batch
    kept = store_suggestions(vault, shop, batch.items, refs=out.refs, now=now)
    reason = f"{len(batch.items)} suggestion(s) in {batch.pages} page(s), {kept} new"
    if batch.dropped:
        reasons = sorted({str(d.reason) for d in batch.dropped})[:5]
        reason += f"; {len(batch.dropped)} dropped ({'; '.join(reasons)})"
    return record(vault, shop, Activity.FETCH, Outcome.OK, reason, now=now)


def _judged(s: Suggestion) -> bool:
    from profilekeeper.model import SuggestionStatus

    return s.verdict is not None or s.status is SuggestionStatus.DISMISSED


def store_suggestions(vault: Vault, shop: Retailer, items: Sequence[Any], *,
                      refs: dict[str, str], now: datetime) -> int:  # fmt: skip
    """Replace the shop's unjudged suggestions with ``items`` (sanitized by the client); those
    the owner gave a verdict on stay, and are not added twice. Returns how many were added."""
    person_of = {ref: person_id for person_id, ref in refs.items()}
    with vault.transaction():
        existing = vault.list(Suggestion, retailer_id=shop.id)
        judged = {s.remote_id for s in existing if _judged(s)}
        for s in existing:
            if not _judged(s):
                vault.delete(Suggestion, s.id)
        fresh = {item.id: _suggestion(shop, item, person_of, now)
                 for item in items if item.id not in judged}  # fmt: skip
        vault.add_all(fresh.values())
    return len(fresh)


def _suggestion(shop: Retailer, item: Any, person_of: dict[str, str],
                now: datetime) -> Suggestion:  # fmt: skip
    data = item.model_dump(mode="json", by_alias=True)
    return Suggestion(
        retailer_id=shop.id, remote_id=item.id, kind=item.kind, title=item.title,
        creators=list(item.creators), category=item.category, tags=list(item.tags),
        price=None if item.price is None else Decimal(item.price),
        currency=item.currency or "", url=item.url, for_ref=item.for_,
        person_id=person_of.get(item.for_), reason=item.reason,
        details={k: v for k, v in data.items() if k not in _BASE_MEMBERS}, received_at=now,
    )  # fmt: skip


# -- forgetting ----------------------------------------------------------------------------


def _forget_answer(vault: Vault, shop: Retailer, refused: str, error: ShopError | None,
                   now: datetime) -> ShareRecord:  # fmt: skip
    """Nothing more goes to a shop being forgotten: its grants and suggestions go at once. Once
    it confirms (404 and 410 count), so do its token and record, and its receipts are
    withdrawn; until then it is FORGET_PENDING and the next sync asks again."""
    done = not refused and error is None
    problem = drop_token(vault, shop) if done else ""
    with vault.transaction():
        for grant in vault.list(Grant, retailer_id=shop.id):
            vault.delete(Grant, grant.id)
        for suggestion in vault.list(Suggestion, retailer_id=shop.id):
            vault.delete(Suggestion, suggestion.id)
        if done:
            withdraw_receipts(vault, shop.id)
            vault.delete(Retailer, shop.id)
            reason = "the shop confirmed it forgot everything" + (f"; {problem}" if problem else "")
            return record(vault, shop, Activity.FORGET, Outcome.OK, reason, now=now)
        shop.status = ShopStatus.FORGET_PENDING
        vault.save(shop)
        outcome = Outcome.REFUSED if error is None else Outcome(error.outcome)
        why = refused or str(error)
        return record(vault, shop, Activity.FORGET, outcome,
                      f"{why}; it will be asked again at the next sync", now=now)  # fmt: skip


# -- the use cases -------------------------------------------------------------------------


async def share(vault: Vault, shop: Retailer, *, now: datetime | None = None,
                fetch: bool = False) -> list[ShareRecord]:  # fmt: skip
    """Send the shop exactly what ``grants.preview`` shows (then read its copy back, and with
    ``fetch`` get its suggestions); returns the activity records made."""
    now = now or now_utc()
    plan = _plan(vault, shop, now, fetch=fetch)
    return _apply(vault, plan, await _talk(plan, None), now)


async def revoke(vault: Vault, shop: Retailer, slice_name: str, *, person: str | None = None,
                 now: datetime | None = None) -> ShareRecord:  # fmt: skip
    """End the grant and send the smaller profile at once; the record says if the shop was
    told (if not, it still holds the slice until a share gets through)."""
    now = now or now_utc()
    revoke_grant(vault, shop, slice_name, person=person, now=now)
    return (await share(vault, shop, now=now))[0]


async def forget_shop(vault: Vault, shop: Retailer, *, now: datetime | None = None) -> ShareRecord:
    """Ask the shop to delete everything it holds, and forget it here (see ``_forget_answer``)."""
    now = now or now_utc()
    plan = _plan(vault, shop, now, forget=True)
    return _apply(vault, plan, await _talk(plan, None), now)[0]


async def sync_shops(vault: Vault, targets: Sequence[Retailer] | None = None, *,
                     now: datetime | None = None, progress: Progress | None = None,
                     at_once: int = 10) -> list[ShopReport]:
    """For each shop, ``at_once`` at a time: ask again to forget if that is pending, else
    share, send the owner's new verdicts (where allowed) and fetch its suggestions. One report
    a shop, in the order given (every shop by name if None)."""
    from profilekeeper.sync.client import ShopError, gather_shops

    now = now or now_utc()
    targets = shops(vault) if targets is None else list(targets)
    for shop in targets:
        expire_receipts(vault, shop.id, now)
    plans = [_plan(vault, shop, now, fetch=True) for shop in targets]
    talks = await gather_shops({n: partial(_talk, plan, progress) for n, plan in enumerate(plans)},
                               at_once=at_once)
    answers = [_Answer(error=talk) if isinstance(talk, ShopError) else talk
               for talk in talks.values()]  # a ShopError _talk did not catch is that shop's
    return [ShopReport(plan.shop, _apply(vault, plan, answer, now))
            for plan, answer in zip(plans, answers, strict=True)]  # fmt: skip
