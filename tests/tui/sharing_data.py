"""Fixed shops, grants and activity records for the Sharing and Activity screens' tests.

Fixed ids and dates: snapshots only change when the screens do.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from profilekeeper.model import (
    Activity,
    Outcome,
    ReceiptStatus,
    Retailer,
    ShareRecord,
)

HOSTILE_NAME = "[bold red]x[/] \x1b[31mShop\x1b[0m\x07"
"""A shop name with markup and an escape sequence in it: shown literally, the escapes gone."""
HOSTILE_SHOWN = "[bold red]x[/] Shop"

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def shop(name: str, n: int, **fields: Any) -> Retailer:
    return Retailer(name=name, base_url=f"http://127.0.0.1:{8000 + n}", id=f"shop-{n}",
                    pseudonym=f"pseudonym-{n}", ref_key=f"{n:064x}", **fields)


def shops() -> list[Retailer]:
    return [shop("Books & Records", 1), shop(HOSTILE_NAME, 2)]


PAYLOAD = json.dumps(
    {"receipt": {"receipt_id": "r-0001", "slices": ["greeting", "interests.music"],
                 "purpose": "recommendations", "retention_days": 30,
                 "issued_at": "2026-03-01T09:30:00Z"},
     "slices": {"greeting": {"first_name": "Alex"},
                "interests.music": {"items": [{"name": "Nina Simone", "sentiment": "love"}]}}},
    separators=(",", ":"), sort_keys=True,
)


def records() -> list[ShareRecord]:
    return [
        ShareRecord(retailer_id="shop-1", sent_at=AT.replace(hour=9, minute=0),
                    action=Activity.CONNECT, shop_name="Books & Records",
                    reason="linked; terms met", id="rec-1"),
        ShareRecord(retailer_id="shop-1", sent_at=AT, action=Activity.SHARE,
                    shop_name="Books & Records", slices=["greeting", "interests.music"],
                    purpose="recommendations", retention_days=30, receipt_id="r-0001",
                    receipt_status=ReceiptStatus.ACTIVE, payload=PAYLOAD,
                    response="stored", echo_matches=True, id="rec-2"),
        ShareRecord(retailer_id="shop-2", sent_at=AT.replace(minute=45), action=Activity.SHARE,
                    shop_name=HOSTILE_NAME, outcome=Outcome.UNREACHABLE,
                    reason="no answer from \x1b[2J[blink]127.0.0.1[/blink]", id="rec-3"),
    ]


def fill_sharing(vault: Any) -> None:
    vault.add_all(shops())
    vault.add_all(records())
