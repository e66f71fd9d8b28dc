"""The activity log: every exchange with a shop (connect, share, fetch, feedback, forget) is a
``ShareRecord``, sealed in the vault like every other record.

A share also keeps the exact bytes sent, the shop's echo and a consent receipt: the protocol's
receipt in a superset shaped like a Kantara Initiative consent receipt (v1.1), which has a
status: ``active`` when sent, ``superseded`` by the next share (every PUT replaces the last),
``withdrawn`` once the shop confirmed it forgot, ``expired`` after its retention.

Reasons are plain words about the exchange: never a profile value.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from profilekeeper.model import Activity, Outcome, ReceiptStatus, Retailer, ShareRecord

if TYPE_CHECKING:
    from profilekeeper.store.vault import Vault
    from profilekeeper.sync.protocol import ConsentReceipt

KANTARA_VERSION = "KI-CR-v1.1.0"


def record(
    vault: Vault, shop: Retailer, action: Activity, outcome: Outcome, reason: str = "", *,
    now: datetime, **fields: Any,
) -> ShareRecord:  # fmt: skip
    """Add one activity record about ``shop`` (which need not be saved: a refused connect)."""
    return vault.add(ShareRecord(
        retailer_id=shop.id, sent_at=now, action=action, shop_name=shop.name, outcome=outcome,
        reason=reason, **fields,
    ))  # fmt: skip


def consent_receipt(shop: Retailer, receipt: ConsentReceipt) -> dict[str, Any]:
    """The local receipt for one share: Kantara's members, plus the protocol's own."""
    issued = receipt.issued_at
    expires = issued + timedelta(days=receipt.retention_days)
    terms = shop.terms or shop.discovery.get("terms", {})
    return {
        "version": KANTARA_VERSION,
        "consentReceiptID": receipt.receipt_id,
        "consentTimestamp": int(issued.timestamp()),
        "collectionMethod": "profilekeeper share",
        "piiPrincipalId": shop.pseudonym,
        "piiControllers": [{
            "piiController": shop.name, "piiControllerId": shop.shop_id,
            "piiControllerUrl": shop.base_url,
        }],
        "policyUrl": terms.get("privacy_policy_url", ""),
        "services": [{
            "service": "profilekeeper-sync",
            "purposes": [{
                "purpose": receipt.purpose,
                "consentType": "EXPLICIT",
                "piiCategory": list(receipt.slices),
                "primaryPurpose": True,
                "termination": f"deleted by {expires.isoformat()} "
                               f"({receipt.retention_days} days after it was sent)",
                "thirdPartyDisclosure": False,
            }],
        }],
        "sensitive": False,
        "spiCat": [],
        # The protocol's receipt, as sent and echoed.
        "receipt_id": receipt.receipt_id,
        "issued_at": issued.isoformat(),
        "slices": list(receipt.slices),
        "purpose": receipt.purpose,
        "retention_days": receipt.retention_days,
        "expires_at": expires.isoformat(),
        "third_party_disclosure": False,
    }  # fmt: skip


def activity_log(vault: Vault, shop_id: str | None = None) -> list[ShareRecord]:
    """Every record (or one shop's), oldest first."""
    found = vault.list(ShareRecord) if shop_id is None else \
        vault.list(ShareRecord, retailer_id=shop_id)  # fmt: skip
    return sorted(found, key=lambda r: r.sent_at)


def last_outcome(vault: Vault, shop_id: str, *actions: Activity) -> ShareRecord | None:
    """The shop's latest record of one of ``actions`` (any action if none are named)."""
    found = [r for r in activity_log(vault, shop_id) if not actions or r.action in actions]
    return found[-1] if found else None


def _set_status(vault: Vault, shop_id: str | None, to: ReceiptStatus, *,
                where: set[ReceiptStatus], now: datetime | None = None) -> int:  # fmt: skip
    changed = []
    found = vault.list(ShareRecord) if shop_id is None else \
        vault.list(ShareRecord, retailer_id=shop_id)  # fmt: skip
    for r in found:
        if r.receipt_status not in where:
            continue
        if now is not None and not _past(r, now):
            continue
        r.receipt_status = to
        changed.append(r)
    vault.save_all(changed)
    return len(changed)


def _past(r: ShareRecord, now: datetime) -> bool:
    expires = r.receipt.get("expires_at")
    return isinstance(expires, str) and datetime.fromisoformat(expires) <= now


def supersede_receipts(vault: Vault, shop_id: str) -> int:
    """The shop's active receipts are replaced (a new share was accepted)."""
    return _set_status(vault, shop_id, ReceiptStatus.SUPERSEDED, where={ReceiptStatus.ACTIVE})


def withdraw_receipts(vault: Vault, shop_id: str) -> int:
    """The shop forgot everything: its receipts no longer hold anything."""
    return _set_status(vault, shop_id, ReceiptStatus.WITHDRAWN,
                       where={ReceiptStatus.ACTIVE, ReceiptStatus.SUPERSEDED})  # fmt: skip


def expire_receipts(vault: Vault, shop_id: str | None, now: datetime) -> int:
    """Active receipts (the shop's, or every one) past their retention: the shop has deleted
    what they covered."""
    return _set_status(vault, shop_id, ReceiptStatus.EXPIRED, where={ReceiptStatus.ACTIVE},
                       now=now)  # fmt: skip
