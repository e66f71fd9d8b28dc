"""What the Sharing and Activity screens show, read from either store as plain values.

No Textual, no HTTP: the screens render these; the exchanges themselves (connect, grant,
preview, sync, forget) are the sharing services'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from profilekeeper.model import ShareRecord
from profilekeeper.services.views import VaultReader


@dataclass(frozen=True, slots=True)
class ActivityLog:
    """The activity log, newest first, and every shop it names (forgotten ones too)."""

    records: list[ShareRecord]
    shops: list[tuple[str, str]]
    """(retailer id, the name it was last known by), by name."""
    unreadable: int = 0

    def of_shop(self, retailer_id: str | None) -> list[ShareRecord]:
        """The records of one shop (None or "": every shop's)."""
        if not retailer_id:
            return self.records
        return [r for r in self.records if r.retailer_id == retailer_id]


def activity_log(source: VaultReader) -> ActivityLog:
    """Every activity record, newest first."""
    listing = source.list(ShareRecord)
    records = sorted(listing, key=_when, reverse=True)
    names: dict[str, str] = {}
    for record in reversed(records):  # oldest first: the newest name wins
        names[record.retailer_id] = record.shop_name or names.get(record.retailer_id, "")
    shops = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
    return ActivityLog(records, shops, len(getattr(listing, "corrupted", ())))


def _when(record: ShareRecord) -> tuple[datetime, str]:
    return (record.sent_at, record.id)


def slices_line(slices: Sequence[str], width: int = 40) -> str:
    """The slices of a record on one line, cut to ``width``."""
    line = ", ".join(slices)
    return line if len(line) <= width else line[: width - 1] + "…"
