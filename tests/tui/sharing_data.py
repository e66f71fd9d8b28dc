"""Fixed shops, grants and activity records for the Sharing and Activity screens' tests.

Fixed ids and dates: snapshots only change when the screens do.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from profilekeeper.model import (
    Activity,
    Grant,
    Outcome,
    ReceiptStatus,
    Retailer,
    ShareRecord,
)

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

HOSTILE_NAME = "[bold red]x[/] \x1b[31mShop\x1b[0m\x07"
"""A shop name with markup and an escape sequence in it: shown literally, the escapes gone."""
HOSTILE_SHOWN = "[bold red]x[/] Shop"



TERMS = {"retention_days": 30, "purposes": ["recommendations", "gift_ideas"], "resale": False,
         "third_party_sharing": False, "privacy_policy_url": "https://shop.example/privacy"}


def discovery(accepted: list[str], **terms: Any) -> dict[str, Any]:
    """A discovery document as a shop would answer it."""
    return {"protocol": "profilekeeper-sync", "api_versions": ["1"], "base_path": "/v1",
            "retailer": {"id": "shop", "name": "Shop"}, "slices_accepted": accepted,
            "suggestion_kinds": ["product"], "features": [], "terms": {**TERMS, **terms},
            "limits": {"max_request_bytes": 262144, "max_page_size": 50,
                       "requests_per_minute": 600}, "honours_gpc": True}


def shop(name: str, n: int, **fields: Any) -> Retailer:
    """A linked shop with fixed ids, keys and dates."""
    found = discovery(fields.pop("accepted", ["greeting", "interests.*", "location.city",
                                              "purchases", "people.*", "occasions.upcoming"]))
    values: dict[str, Any] = {"discovery": found, "terms": found["terms"], "gpc": True,
                              "link_id": f"link-{n}", "linked_at": AT, "shop_id": f"shop{n}",
                              **fields}  # fmt: skip
    return Retailer(name=name, base_url=f"http://127.0.0.1:{8000 + n}", id=f"shop-{n}",
                    pseudonym=f"pseudonym-{n:04d}", ref_key=f"{n:064x}", **values)


def shops() -> list[Retailer]:
    return [shop("Books & Records", 1),
            shop(HOSTILE_NAME, 2, accepted=["greeting", "interests.*"])]


def grants() -> list[Grant]:
    """Books & Records may see the greeting, the city until a day, and the music interests."""
    return [Grant(retailer_id="shop-1", slice="greeting", since=AT, id="grant-1"),
            Grant(retailer_id="shop-1", slice="location.city", since=AT,
                  until=AT + timedelta(days=30), id="grant-2"),
            Grant(retailer_id="shop-1", slice="interests.music", since=AT, id="grant-3"),
            Grant(retailer_id="shop-2", slice="greeting", since=AT, id="grant-4")]


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
                    receipt={"receipt_id": "r-0001", "expires_at": "2026-03-31T09:30:00+00:00"},
                    response="stored", echo_matches=True, id="rec-2"),
        ShareRecord(retailer_id="shop-2", sent_at=AT.replace(minute=45), action=Activity.SHARE,
                    shop_name=HOSTILE_NAME, outcome=Outcome.UNREACHABLE,
                    reason="no answer from \x1b[2J[blink]127.0.0.1[/blink]", id="rec-3"),
    ]


def fill_sharing(vault: Any, *, with_grants: bool = False) -> None:
    vault.add_all(shops())
    vault.add_all(records())
    if with_grants:
        vault.add_all(grants())
