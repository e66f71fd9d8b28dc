"""Verdicts on a shop's suggestions, sent back to it — only when the owner allowed it for that
shop, and the shop takes feedback (``features`` in its discovery).

What was sent is known from the activity log itself: each feedback record keeps the exact body
sent, so a verdict goes once, and a changed verdict goes again. ``sync`` sends what is new
before it fetches suggestions, so they already reflect it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from profilekeeper.model import Activity, Outcome, Retailer, ShareRecord, Suggestion

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.protocol import VerdictItem

VERDICTS = frozenset(("like", "not_for_me", "never_creator", "bought", "bought_as_gift"))
"""The protocol's verdicts; others the owner may give stay here."""
MAX_VERDICTS = 200
"""A feedback request holds at most this many; the rest go with the next sync."""


def allow_feedback(vault: Vault, shop: Retailer, allowed: bool) -> Retailer:
    shop.feedback_allowed = allowed
    return vault.save(shop)


def takes_feedback(shop: Retailer) -> bool:
    return shop.feedback_allowed and "feedback" in shop.discovery.get("features", [])


def _sent(vault: Vault, shop: Retailer) -> set[tuple[str, str]]:
    import json

    sent: set[tuple[str, str]] = set()
    for r in vault.list(ShareRecord, retailer_id=shop.id):
        if r.action is Activity.FEEDBACK and r.outcome is Outcome.OK and r.payload:
            sent.update((v["suggestion_id"], v["verdict"])
                        for v in json.loads(r.payload)["verdicts"])  # fmt: skip
    return sent


def pending_verdicts(vault: Vault, shop: Retailer) -> list[VerdictItem]:
    """The owner's verdicts on the shop's suggestions not yet sent to it (none if not allowed)."""
    from profilekeeper.sync.protocol import VerdictItem

    if not takes_feedback(shop):
        return []
    given = {(s.remote_id, s.verdict) for s in vault.list(Suggestion, retailer_id=shop.id)
             if s.verdict is not None and s.verdict in VERDICTS}  # fmt: skip
    return [VerdictItem.model_validate({"suggestion_id": i, "verdict": v})
            for i, v in sorted(given - _sent(vault, shop))[:MAX_VERDICTS]]  # fmt: skip


def feedback_body(verdicts: list[VerdictItem]) -> str:
    """The exact body the client sends for ``verdicts``."""
    from profilekeeper.sync.protocol import FeedbackRequest

    return FeedbackRequest(verdicts=verdicts).model_dump_json()
